"""Letters per second through the queue (Celery on Redis) with 1 and 2 worker processes,
against a local ``brevgen batch`` on the same records, and the queue's overhead per letter.

    python benchmarks/queue.py --n 200 --runs 3                  # pdf,docx,html (the default set)
    python benchmarks/queue.py --n 600 --runs 3 --formats html   # where the overhead shows

Each run, in turn (the machine is noisy, so the modes are interleaved and medians reported):

- local: ``brevgen batch INPUT --out DIR --workers 2`` as a command, timed from start to exit
  (its two worker processes start, warm up and make every letter).
- direct: one warm process that makes each letter with ``write_record`` (the step a queue
  worker runs) straight into a folder; no queue. The baseline for the overhead.
- queue-1 / queue-2: one or two ``brevgen worker -c 1 --pool solo`` processes, started and warmed up
  before the clock starts (a standing worker pool), a real redis-server as broker and job
  state, the folder store; timed from submission (the same call POST /v1/batches makes) until
  the job is done (manifest.jsonl written).

Overhead per letter = (queue-1 time - direct time) / N: what the broker, the job state in
Redis, the chunk files and the per-letter idempotency check add to one worker's letters.
Every run's output is checked: one manifest line per valid record, every file's SHA-256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file is named queue.py: its folder must not be on the path, or it would stand in for
# the standard library's queue module (which Celery, kombu and concurrent.futures import).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _batch_benchmark():
    import importlib.util

    spec = importlib.util.spec_from_file_location("brevgen_batch_benchmark", ROOT / "benchmarks" / "batch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


write_input = _batch_benchmark().write_input  # the batch benchmark's varied records
from queue_servers import RedisServer, Worker, queue_env  # noqa: E402

DIRECT = r"""
import json, sys, time
from pathlib import Path
from brevgen.batch.records import read_jsonl
from brevgen.batch.workers import write_record
from brevgen.output import atomic_write
from brevgen.queue.tasks import warm_up

source, out, formats = Path(sys.argv[1]), Path(sys.argv[2]), tuple(sys.argv[3].split(","))
warm_up()
records = [r for r in read_jsonl(source) if hasattr(r, "data")]
started = time.perf_counter()
cpu = time.process_time()
lines = []
for record in records:
    try:
        lines.append(write_record(record, formats, lambda name, data: atomic_write(out / name, data)))
    except Exception:
        pass
seconds = time.perf_counter() - started
cpu = time.process_time() - cpu
(out / "manifest.jsonl").write_text("".join(json.dumps(l, ensure_ascii=False) + "\n" for l in lines), encoding="utf-8")
print(json.dumps({"seconds": seconds, "cpu": cpu, "letters": len(lines)}))
"""


def check(folder: Path, expected: int) -> None:
    lines = [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == expected, (folder, len(lines), expected)
    assert len({line["id"] for line in lines}) == expected
    for line in lines:
        for f in line["files"]:
            assert hashlib.sha256((folder / f["file"]).read_bytes()).hexdigest() == f["sha256"], f["file"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


peaks: list[float] = []  # the largest peak RSS of one worker process, per queue run


def run_local(source: Path, out: Path, formats: str) -> tuple[float, float]:
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "brevgen.cli", "batch", str(source), "--out", str(out), "--format", formats, "--workers", "2", "--json"], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return seconds, _children_cpu() - cpu  # the command and its (waited-for) workers, start-up included


def run_direct(source: Path, out: Path, formats: str) -> tuple[float, float]:
    out.mkdir(parents=True)
    done = subprocess.run([sys.executable, "-c", DIRECT, str(source), str(out), formats], capture_output=True, text=True, cwd=ROOT, env={**queue_env("redis://unused", out), "BREVGEN_BROKER_URL": ""})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["seconds"], result["cpu"]


def run_queue(source: Path, workers: int, formats: str, redis: RedisServer, folder: Path, db: int) -> tuple[float, float, Path]:
    import redis as redis_py

    url = f"redis://127.0.0.1:{redis.port}/{db}"
    redis_py.Redis.from_url(url).flushdb()
    store = folder / "store"
    env = queue_env(url, store)
    # Solo pool: the letters are made in the worker process itself, whose CPU time is read
    # from /proc (a prefork pool's child would not be counted until it exits).
    started_workers = [Worker(f"w{i + 1}", env, folder).start(pool="solo") for i in range(workers)]
    try:
        for w in started_workers:
            w.wait_ready(120)
        saved = {k: os.environ.get(k) for k in ("BREVGEN_BROKER_URL", "BREVGEN_STORE", "BREVGEN_STATE_URL")}
        os.environ.update({"BREVGEN_BROKER_URL": url, "BREVGEN_STORE": str(store)})
        os.environ.pop("BREVGEN_STATE_URL", None)
        try:
            from brevgen.queue.client import wait
            from brevgen.queue.tasks import open_jobs

            jobs = open_jobs()
            # A standing service has its Celery app and connections made once; so does this one
            # before the clock starts (importing Celery and connecting cost about a second).
            from brevgen.queue.tasks import celery_app

            with celery_app(jobs.settings).connection_for_write() as connection:
                connection.ensure_connection(max_retries=3)
            jobs.redis.ping()
            # CPU of everything the queue runs on: the workers, redis-server, and this process
            # (submission and following the job, as the HTTP service would).
            pids = [w.process.pid for w in started_workers] + [redis.process.pid]
            cpu = sum(_process_cpu(pid) for pid in pids) + time.process_time()
            started = time.perf_counter()
            job_id, _ = jobs.submit(source.read_bytes(), tuple(formats.split(",")))
            wait(job_id, poll=0.05)
            seconds = time.perf_counter() - started
            cpu = sum(_process_cpu(pid) for pid in pids) + time.process_time() - cpu
            peaks.append(max(_peak_rss_mb(w.process.pid) for w in started_workers))
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    finally:
        for w in started_workers:
            w.stop()
    return seconds, cpu, store / job_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="pdf,docx,html")
    parser.add_argument("--invalid", type=float, default=0.0)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="brevgen-queue-bench-"))
    redis = RedisServer(work / "redis").start()
    try:
        source = work / "input.jsonl"
        broken = write_input(source, args.n, args.invalid)
        valid = args.n - broken
        times: dict[str, list[float]] = {"local": [], "direct": [], "queue-1": [], "queue-2": []}
        cpus: dict[str, list[float]] = {mode: [] for mode in times}
        for run in range(args.runs):
            base = work / f"run{run}"
            out = base / "local"
            seconds, cpu = run_local(source, out, args.formats)
            times["local"].append(seconds), cpus["local"].append(cpu)
            check(out, valid)
            out = base / "direct"
            seconds, cpu = run_direct(source, out, args.formats)
            times["direct"].append(seconds), cpus["direct"].append(cpu)
            check(out, valid)
            for workers in (1, 2):
                seconds, cpu, folder = run_queue(source, workers, args.formats, redis, base / f"queue{workers}", db=workers)
                times[f"queue-{workers}"].append(seconds), cpus[f"queue-{workers}"].append(cpu)
                check(folder, valid)
            shutil.rmtree(base)
            print(f"run {run + 1} (load {os.getloadavg()[0]:.1f}): " + ", ".join(f"{mode} {t[-1]:.1f} s ({valid / t[-1]:.2f}/s, {cpus[mode][-1] / valid * 1000:.1f} CPU-ms/letter)" for mode, t in times.items()), flush=True)
    finally:
        redis.stop()
        shutil.rmtree(work, ignore_errors=True)

    median = {mode: statistics.median(t) for mode, t in times.items()}
    cpu_ms = {mode: statistics.median(c) / valid * 1000 for mode, c in cpus.items()}
    rate = {mode: valid / s for mode, s in median.items()}
    print()
    print(f"N = {args.n} ({valid} valid), formats {args.formats}, {args.runs} runs; medians; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"{'mode':10} {'seconds':>8} {'letters/s':>10} {'vs local':>9} {'CPU-ms/letter':>14}")
    for mode in times:
        print(f"{mode:10} {median[mode]:8.1f} {rate[mode]:10.2f} {rate[mode] / rate['local']:8.2f}x {cpu_ms[mode]:14.1f}")
    overhead = (median["queue-1"] - median["direct"]) / valid * 1000
    letter_ms = median["direct"] / valid * 1000
    print()
    print(f"queue overhead per letter, wall time (queue-1 - direct) / N: {overhead:.1f} ms ({overhead / letter_ms * 100:.1f} % of a letter's {letter_ms:.0f} ms)")
    print(f"queue overhead per letter, CPU (queue-1 - direct): {cpu_ms['queue-1'] - cpu_ms['direct']:.1f} CPU-ms ({(cpu_ms['queue-1'] - cpu_ms['direct']) / cpu_ms['direct'] * 100:.1f} %)")
    print(f"queue-2 / queue-1: {rate['queue-2'] / rate['queue-1']:.2f}x")
    print(f"peak RSS of one worker process: {max(peaks):.0f} MB (largest over the queue runs)")


if __name__ == "__main__":
    main()
