#!/usr/bin/env python3
"""Switchyard's job queue against PgQueuer (PyPI `pgqueuer`) on a PostgreSQL server with fsync on,
in the same run, on the same server (scripts/bench starts it and exports
SWITCHYARD_BENCH_FSYNC_POSTGRES_URL; scripts/lib/bench-python.sh puts pgqueuer in a venv and
exports SWITCHYARD_BENCH_PYTHON).

Usage: versus_pgqueuer.py SWITCHYARD_BENCH_EXECUTABLE

Switchyard: `switchyard-bench jobs` with PROCESSES instant-worker processes (64 job slots each),
one run per call. PgQueuer: benchmarks/jobs/pgqueuer_bench.py with PROCESSES consumer processes
(QueueManager, dequeue batch BATCH, no concurrency cap). Both: JOBS no-op jobs enqueued in batches
of 500 from two connections while the workers run; jobs/s = JOBS / (last completion − first
enqueue). The two alternate run by run (and swap order every other run), so both see the same
machine state. Prints the medians and Switchyard/PgQueuer, target ≥ 3×.

The dequeue batch matches Switchyard's 64 job slots per process (PgQueuer's own default is 10,
which is slower here; larger batches are somewhat faster: set PGQUEUER_BATCH to compare).

Environment: BENCH_RUNS (3), JOBS_FSYNC_JOBS (50000), JOBS_FSYNC_PROCESSES (2), PGQUEUER_BATCH (64).
"""
import os, statistics, subprocess, sys

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
JOBS = int(os.environ.get("JOBS_FSYNC_JOBS", "50000"))
PROCESSES = int(os.environ.get("JOBS_FSYNC_PROCESSES", "2"))
BATCH = int(os.environ.get("PGQUEUER_BATCH", "64"))
URL = os.environ.get("SWITCHYARD_BENCH_FSYNC_POSTGRES_URL")
PYTHON = os.environ.get("SWITCHYARD_BENCH_PYTHON")


def row(case, metric, median, spread, target):
    print("\t".join(["jobs", case, metric, median, spread, target]), flush=True)


if not URL or not PYTHON or not os.environ.get("SWITCHYARD_BINARY"):
    row("fsync on, Switchyard vs PgQueuer", "skipped", "-",
        "needs SWITCHYARD_BENCH_FSYNC_POSTGRES_URL, SWITCHYARD_BENCH_PYTHON, SWITCHYARD_BINARY (run scripts/bench)", "")
    sys.exit(0)
bench = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
version = subprocess.run([PYTHON, "-c", "import pgqueuer; print(pgqueuer.__version__)"], check=True, capture_output=True, text=True).stdout.strip()
plural = "es" if PROCESSES != 1 else ""


def switchyard():
    env = dict(os.environ, SWITCHYARD_TEST_POSTGRES_URL=URL, JOBS_BENCH_PROCESSES=str(PROCESSES), JOBS_BENCH_RUNS="1",
               JOBS_BENCH_JOBS=str(JOBS), JOBS_BENCH_SQLITE="0")
    out = subprocess.run([bench, "jobs"], env=env, check=True, capture_output=True, text=True).stdout
    values = {}
    for line in out.splitlines():
        fields = line.split("\t")
        if len(fields) >= 4 and fields[0] == "jobs":
            values[fields[2]] = float(fields[3])
    if "no-op jobs/s, enqueue→completed" not in values:
        sys.exit("switchyard-bench jobs printed no jobs/s row:\n" + out)
    return values


def pgqueuer():
    out = subprocess.run([PYTHON, os.path.join(here, "pgqueuer_bench.py"), URL, str(JOBS), str(PROCESSES), str(BATCH)],
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


ours, theirs = [], []
for index in range(RUNS):
    if index % 2 == 0:
        ours.append(switchyard())
        theirs.append(pgqueuer())
    else:
        theirs.append(pgqueuer())
        ours.append(switchyard())

rates = [v["no-op jobs/s, enqueue→completed"] for v in ours]
ratios = [a / b for a, b in zip(rates, theirs)]
join = lambda values, digits: " / ".join(f"{v:.{digits}f}" for v in values)
case = f"postgres fsync on, {PROCESSES} worker process{plural} (64 job slots each)"
row(case, "no-op jobs/s, enqueue→completed", f"{statistics.median(rates):.0f}", "runs " + join(rates, 0), "")
for metric in ("enqueue→start p50 ms", "enqueue→start p99 ms"):
    values = [v[metric] for v in ours if metric in v]
    if values:
        row(case, metric, f"{statistics.median(values):.2f}", "runs " + join(values, 2), "")
row(f"PgQueuer {version}, postgres fsync on, {PROCESSES} consumer process{plural} (dequeue batch {BATCH})",
    "no-op jobs/s, enqueue→completed", f"{statistics.median(theirs):.0f}", "runs " + join(theirs, 0), "")
row(f"Switchyard / PgQueuer, fsync on, {JOBS} jobs, same server", "jobs/s ratio", f"{statistics.median(ratios):.2f}×",
    "runs " + join(ratios, 2), "≥ 3×")
