"""How many citizen answers per second the feedback endpoint stores, on SQLite and PostgreSQL.

    python benchmarks/feedback_writes.py [--answers 600] [--runs 3] [--clients 8] [--backends sqlite,postgresql]

For each database: a fresh store (SQLite in a temporary folder, WAL, synchronous=NORMAL; or
Debian's PostgreSQL started in a temporary folder with fsync ON, as in production, see
tests/postgres.py), then ``brevgen serve`` (uvicorn, one process) in front of it. Every run
sends N answers with N distinct valid tokens (each a different letter: one answer per letter),
a score and a short sentence with a CPR number in it (so the scrubbing is measured too), three
ways, and prints answers/second with ratios against the baseline measured in the same run:

- store:    ``Tx.add_feedback`` in this process, one transaction per answer (baseline: the
            database's own speed, no HTTP, no token check)
- http-1:   one POST /f/<token> at a time (token check, form parsing, scrubbing, version lookup)
- http-par: ``--clients`` POSTs at once (what the server keeps up with under load)

Medians of the runs are printed last. Bounded: answers x runs x 3, then the server stops.
The rate limit per client is lifted for the run (BREVGEN_FEEDBACK_LIMIT), since every request
comes from one address here.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import httpx2  # noqa: E402

from brevgen import feedback  # noqa: E402

SECRET = "benchmark-feedback-secret-0123456789"
VERSION = hashlib.sha256(b"benchmark version").hexdigest()
EVENT, VARIANT = "indkaldelse", "kontanthjælp · fremmøde"
COMMENT = "Brevet var let at læse, men mit cpr 010203-1234 står ikke i det. Tak."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tokens(count: int, salt: str) -> list[str]:
    key = SECRET.encode()
    return [feedback.make_token(key, VERSION, EVENT, VARIANT, hashlib.sha256(f"{salt}-{i}".encode()).hexdigest()) for i in range(count)]


def run_backend(name: str, url: str, data_dir: Path, args) -> dict[str, list[float]]:
    from sqlalchemy import text

    from brevgen.feedback import read_token, scrub
    from brevgen.store import forget_stores, open_store

    store = open_store(url)
    port = free_port()
    env = {
        **os.environ, "BREVGEN_DATABASE_URL": url, "BREVGEN_DATA": str(data_dir), "BREVGEN_API_KEY": "",
        "BREVGEN_FEEDBACK_SECRET": SECRET, "BREVGEN_FEEDBACK_LIMIT": "100000000",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "brevgen.cli", "serve", "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env,
    )
    client = httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=60, limits=httpx2.Limits(max_connections=args.clients * 2))
    origin = {"Origin": f"http://127.0.0.1:{port}"}
    try:
        for _ in range(300):
            try:
                client.get("/healthz")
                break
            except httpx2.TransportError:
                time.sleep(0.1)

        def post(token: str) -> None:
            response = client.post(f"/f/{token}", data={"svar": "4", "kommentar": COMMENT}, headers=origin)
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code}: {response.text[:200]}")

        def direct(token: str) -> None:  # the same work the endpoint does, minus HTTP
            found = read_token(SECRET.encode(), token)
            with store.write() as tx:
                assert tx.add_feedback(found.letter_key, VERSION[:8], None, EVENT, VARIANT, 4, scrub(COMMENT))

        for token in tokens(20, f"{name}-warm"):  # imports, connections, the first queries
            post(token)
        results: dict[str, list[float]] = {"store": [], "http-1": [], "http-par": []}
        for run in range(1, args.runs + 1):
            batch = tokens(3 * args.answers, f"{name}-{run}")
            parts = [batch[: args.answers], batch[args.answers : 2 * args.answers], batch[2 * args.answers :]]
            started = time.perf_counter()
            for token in parts[0]:
                direct(token)
            results["store"].append(args.answers / (time.perf_counter() - started))
            started = time.perf_counter()
            for token in parts[1]:
                post(token)
            results["http-1"].append(args.answers / (time.perf_counter() - started))
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.clients) as pool:
                list(pool.map(post, parts[2]))
            results["http-par"].append(args.answers / (time.perf_counter() - started))
            line = ", ".join(f"{k} {v[-1]:.0f}/s ({v[-1] / results['store'][-1]:.2f}x)" for k, v in results.items())
            print(f"{name} run {run}: {line}", flush=True)
        with store.read() as tx:
            stored = sum(s.count for s in tx.feedback_stats())
            leaked = tx.conn.execute(text("SELECT count(*) FROM feedback WHERE comment LIKE :cpr"), {"cpr": "%010203%"}).scalar_one()
        expected = 20 + 3 * args.answers * args.runs
        assert stored == expected and leaked == 0, (stored, expected, leaked)
        return results
    finally:
        client.close()
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        forget_stores()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=600, help="answers per way per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8, help="parallel clients for http-par")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    summary = {}
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix="brevgen-feedback-bench-") as folder:
            data = Path(folder) / "data"
            if backend == "sqlite":
                summary[backend] = run_backend(backend, f"sqlite:///{data / 'brevgen.sqlite3'}", data, args)
            else:
                from postgres import TempPostgres

                with TempPostgres(durable=True) as pg:
                    summary[backend] = run_backend(backend, pg.create_database("bench"), data, args)
    cpus = os.cpu_count()
    print(f"median of {args.runs} runs, {args.answers} answers per way, {args.clients} parallel clients, {cpus} CPUs, one server process:")
    for backend, results in summary.items():
        base = statistics.median(results["store"])
        for name, values in results.items():
            median = statistics.median(values)
            print(f"  {backend:10} {name:9} {median:7.0f} answers/s  {median / base:.2f}x store")


if __name__ == "__main__":
    main()
