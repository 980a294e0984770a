"""HTTP service throughput against the in-process Python API, measured in the same run.

    python benchmarks/http_service.py [--letters 12] [--runs 3] [--workers 1]

Starts `brevgen serve` (uvicorn) on a free loopback port, then for each run renders the
same PDFs three ways and prints letters/second and ratios against the in-process baseline:

- api:       brevgen.generate_letter in this process, one after another (baseline)
- http-1:    one request at a time to the server (cost of HTTP, JSON and the worker thread)
- http-par:  as many requests at once as the machine has CPUs (what the thread pool gains)

Medians of the runs are printed last. Bounded: letters x runs x 3 requests, then the server stops.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx2  # noqa: E402

from brevgen import generate_letter  # noqa: E402
from brevgen.paths import examples_dir  # noqa: E402
from brevgen.casefile import read_case_file  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=12)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args()

    paths = sorted(examples_dir().glob("*/*.yaml"))
    cases = [(p.parent.name, read_case_file(p)) for p in (paths * (args.letters // len(paths) + 1))[: args.letters]]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "brevgen.cli", "serve", "--port", str(port), "--log-level", "warning", "--workers", str(args.workers)],
        cwd=ROOT,
        env={**os.environ, "BREVGEN_API_KEY": ""},
    )
    client = httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=300)
    try:
        for _ in range(300):
            try:
                client.get("/healthz")
                break
            except httpx2.TransportError:
                time.sleep(0.1)

        def over_http(item):
            event, data = item
            response = client.post(f"/v1/letters/{event}", json=data, headers={"accept": "application/pdf"})
            response.raise_for_status()

        # Warm both sides (fonts, stylesheets, imports) before measuring.
        workers = os.cpu_count() or 2
        generate_letter(*cases[0], ["pdf"])
        with ThreadPoolExecutor(max_workers=2 * workers) as pool:  # reach every server process
            list(pool.map(over_http, cases[: 2 * workers]))
        results: dict[str, list[float]] = {"api": [], "http-1": [], "http-par": []}
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            for event, data in cases:
                generate_letter(event, data, ["pdf"])
            results["api"].append(len(cases) / (time.perf_counter() - started))
            started = time.perf_counter()
            for item in cases:
                over_http(item)
            results["http-1"].append(len(cases) / (time.perf_counter() - started))
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(over_http, cases))
            results["http-par"].append(len(cases) / (time.perf_counter() - started))
            line = ", ".join(f"{k} {v[-1]:.2f}/s ({v[-1] / results['api'][-1]:.2f}x)" for k, v in results.items())
            print(f"run {run}: {line}")
        base = statistics.median(results["api"])
        print(f"median of {args.runs} runs, {len(cases)} PDFs each, {workers} parallel requests, {args.workers} server process(es):")
        for name, values in results.items():
            median = statistics.median(values)
            print(f"  {name:9} {median:6.2f} letters/s  {median / base:.2f}x api")
    finally:
        client.close()
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
