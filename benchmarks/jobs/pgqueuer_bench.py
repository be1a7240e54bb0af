"""No-op job throughput of PgQueuer (PyPI `pgqueuer`), the same measurement as Switchyard's jobs
benchmark (benchmarks/Sources/switchyard-bench/JobsBenchmark.swift), for benchmarks/jobs/run.

Run with the bench venv's Python (scripts/lib/bench-python.sh installs pgqueuer there):
    python pgqueuer_bench.py ADMIN_URL JOBS PROCESSES BATCH
prints one line, the jobs/s of one run.

One run: a fresh database, `pgq install` (durable: every table logged, as Switchyard's are),
PROCESSES consumer processes, each a QueueManager with an async no-op entrypoint, dequeue batch
size BATCH and no concurrency cap, on uvloop (as `pgq run` uses). Once every consumer's LISTEN
answers a health check, JOBS jobs are enqueued in batches of 500 from two connections at once
(as the Swift benchmark does) while the consumers run. jobs/s = JOBS / (last completion − first
enqueue), both from PostgreSQL's clock: the start is clock_timestamp() just before the first
enqueue, the last completion the newest `successful` row in pgqueuer_log (written when a job's
completion is stored and the job deleted from the queue).
"""
import asyncio, os, signal, subprocess, sys, uuid
from datetime import timedelta

import asyncpg

ENTRYPOINT = "noop"


async def consume(dsn, batch):
    from pgqueuer import AsyncpgDriver, Job, Queries, QueueManager
    connection = await asyncpg.connect(dsn)
    manager = QueueManager(Queries(AsyncpgDriver(connection)))

    @manager.entrypoint(ENTRYPOINT)
    async def noop(job: Job) -> None:
        pass

    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, manager.shutdown.set)
    running = asyncio.create_task(manager.run(batch_size=batch))
    # Ready once this consumer's LISTEN answers a health-check NOTIFY.
    while True:
        if running.done():
            await running
            sys.exit("the PgQueuer consumer stopped before it was ready")
        try:
            await manager.listener_healthy(timeout=timedelta(seconds=1))
            break
        except Exception:
            continue
    print("ready", flush=True)
    await running


async def measure(dsn, jobs, processes, batch):
    consumers = [subprocess.Popen([sys.executable, __file__, "consume", dsn, str(batch)], stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    try:
        for consumer in consumers:
            if consumer.stdout.readline().strip() != "ready":
                sys.exit("a PgQueuer consumer did not start")
        from pgqueuer import AsyncpgDriver, Queries
        connections = [await asyncpg.connect(dsn) for _ in range(2)]
        started = await connections[0].fetchval("SELECT clock_timestamp()")

        async def enqueue(part):
            queries = Queries(AsyncpgDriver(connections[part]))
            for start in range(part * 500, jobs, 1000):
                count = min(500, jobs - start)
                await queries.enqueue([ENTRYPOINT] * count, [None] * count, [0] * count)

        await asyncio.gather(enqueue(0), enqueue(1))
        deadline = asyncio.get_running_loop().time() + 300
        while True:
            done = await connections[0].fetchval("SELECT count(*) FROM pgqueuer_log WHERE status = 'successful'")
            if done >= jobs:
                break
            if asyncio.get_running_loop().time() > deadline:
                sys.exit(f"PgQueuer completed {done} of {jobs} jobs in 300 s")
            failed = await connections[0].fetchval("SELECT count(*) FROM pgqueuer_log WHERE status IN ('exception', 'failed')")
            if failed:
                sys.exit(f"{failed} PgQueuer jobs failed")
            await asyncio.sleep(0.05)
        finished = await connections[0].fetchval("SELECT max(created) FROM pgqueuer_log WHERE status = 'successful'")
        for connection in connections:
            await connection.close()
        return jobs / (finished - started).total_seconds()
    finally:
        for consumer in consumers:
            consumer.send_signal(signal.SIGTERM)
        for consumer in consumers:
            try:
                consumer.wait(timeout=30)
            except subprocess.TimeoutExpired:
                consumer.kill()


def main():
    import uvloop
    if sys.argv[1] == "consume":
        uvloop.run(consume(sys.argv[2], int(sys.argv[3])))
        return
    admin, jobs, processes, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    database = "pgqueuer_" + uuid.uuid4().hex[:10]
    subprocess.run(["psql", admin, "-q", "-c", f"CREATE DATABASE {database}"], check=True, stdout=subprocess.DEVNULL)
    dsn = admin.rsplit("/", 1)[0] + "/" + database
    try:
        pgq = os.path.join(os.path.dirname(sys.executable), "pgq")
        install = subprocess.run([pgq, "install"], env=dict(os.environ, PGDSN=dsn), capture_output=True, text=True)
        if install.returncode != 0:
            sys.exit("pgq install failed:\n" + install.stdout + install.stderr)
        print(f"{uvloop.run(measure(dsn, jobs, processes, batch)):.0f}", flush=True)
    finally:
        subprocess.run(["psql", admin, "-q", "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=False, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
