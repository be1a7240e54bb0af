"""Reads the paginated API with dlt's REST API source into a local DuckDB file, the usual Python
choice for this job. Usage: python dlt_read.py BASE_URL DIRECTORY; prints records and seconds."""
import os, sys, time

os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
os.environ.setdefault("DLT_DATA_DIR", sys.argv[2])
import dlt  # noqa: E402
from dlt.sources.rest_api import rest_api_source  # noqa: E402

source = rest_api_source({
    "client": {"base_url": sys.argv[1]},
    "resources": [{
        "name": "records",
        "endpoint": {
            "path": "records", "params": {"limit": 1000}, "data_selector": "records",
            "paginator": {"type": "cursor", "cursor_path": "next", "cursor_param": "cursor"},
        },
        "primary_key": "id", "write_disposition": "replace",
    }],
})
pipeline = dlt.pipeline(
    pipeline_name="bench", destination=dlt.destinations.duckdb(os.path.join(sys.argv[2], "ingest.duckdb")), dataset_name="api_data",
    pipelines_dir=os.path.join(sys.argv[2], "pipelines"))
started = time.monotonic()
info = pipeline.run(source)
elapsed = time.monotonic() - started
with pipeline.sql_client() as client:
    count = client.execute_sql("SELECT COUNT(*) FROM records")[0][0]
print(count, f"{elapsed:.3f}", flush=True)
