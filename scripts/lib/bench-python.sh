# Sourced by scripts/bench: a Python venv in .build/bench-venv with the packages the benchmarks
# compare against (PgQueuer for the jobs benchmark, dlt and DuckDB for the data benchmark), exported as SWITCHYARD_BENCH_PYTHON.
# Reinstalls when the pinned versions change.
source "$(dirname "${BASH_SOURCE[0]}")/python-venv.sh"
python_venv "$PWD/.build/bench-venv" "pgqueuer==1.6.0 asyncpg==0.32.0 uvloop==0.23.0 dlt==1.31.0 duckdb==2.0.1" scripts/bench
export SWITCHYARD_BENCH_PYTHON="$PWD/.build/bench-venv/bin/python"
