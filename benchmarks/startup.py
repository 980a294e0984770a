"""Start-up: ``brevgen --help`` against ``python -c pass``, measured alternately in the same run.

    python benchmarks/startup.py [--runs 15]

The target is ``--help`` within 3x of a bare interpreter: the CLI module imports only
click and the package root, and the package root loads the pipeline (pydantic, Jinja2,
lxml, ...) and the renderers (WeasyPrint) only when they are first used.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "brevgen --help": [sys.executable, "-m", "brevgen.cli", "--help"],
    "brevgen batch --help": [sys.executable, "-m", "brevgen.cli", "batch", "--help"],
}


def once(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    for cmd in COMMANDS.values():  # warm the file cache
        once(cmd)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, cmd in COMMANDS.items():  # alternately, so load from other users hits all alike
            times[name].append(once(cmd))
    base = statistics.median(times["python -c pass"])
    print(f"medians of {args.runs} runs (cwd {ROOT}):")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:22} {median * 1000:6.0f} ms  {median / base:4.2f}x")


if __name__ == "__main__":
    main()
