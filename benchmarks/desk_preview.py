"""Caseworker desk: how fast the letter beside the form follows what the caseworker types.

    python benchmarks/desk_preview.py [--n 50]

The studio's web app (with the desk at /breve) runs in this process (uvicorn in a thread) over a
temporary copy of templates/da and a temporary SQLite store with one caseworker and a saved
profile. For each event, ``--n`` preview requests go through real HTTP on localhost, each with a
different citizen name and case reference (so nothing can be cached), as the browser sends
them after its 350 ms pause (the pause itself is not counted). Printed: median and 95th
percentile per event, and a baseline measured in the same run: the same cases through the
pipeline in-process (``build_case_letter``: validate, compose, letter logic), no HTTP and no
HTML page, with the ratio of the two.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# benchmarks/queue.py would hide the standard library's queue (anyio needs it).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

CASES = {"indkaldelse": "dagpenge-fremmoede.yaml", "tilbud": "kursus-dagpenge.yaml", "sygedagpenge": "selv-trapper.yaml"}
PASSWORD = "kaffe-og-klarsprog"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def line(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"{name:<34} median {statistics.median(ms):6.0f} ms   p95 {percentile(ms, 95):6.0f} ms   (n = {len(ms)})"


def main(n: int = 50) -> None:
    import yaml

    tmp = Path(tempfile.mkdtemp(prefix="desk-bench-"))
    shutil.copytree(ROOT / "templates" / "da", tmp / "templates" / "da")
    os.environ["BREVGEN_TEMPLATES"] = str(tmp / "templates" / "da")
    os.environ["BREVGEN_DATA"] = str(tmp / "data")
    os.environ["BREVGEN_DATABASE_URL"] = f"sqlite:///{tmp / 'brevgen.sqlite3'}"

    import uvicorn

    from brevgen import accounts
    from brevgen.desk import profile
    from brevgen.pipeline import build_case_letter
    from brevgen.store import open_store
    from brevgen.studio import create_app

    store = open_store()
    accounts.add_user(store, "mette", PASSWORD, ("caseworker",), "Mette Kjær", by="benchmark")
    cases = {e: json.loads(json.dumps(yaml.safe_load((ROOT / "examples" / e / f).read_text(encoding="utf-8")), default=str)) for e, f in CASES.items()}
    first = cases["indkaldelse"]
    assert profile.save(store, "mette", {"caseworker": first["caseworker"], "sender": first["sender"]}) == []
    app = create_app(tmp / "templates" / "da", store=store)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    body = urllib.parse.urlencode({"brugernavn": "mette", "adgangskode": PASSWORD, "csrf_token": token, "naeste": "/breve"}).encode()
    opener.open(urllib.request.Request(base + "/login", data=body, headers={"Origin": base}))
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', opener.open(base + "/breve").read().decode()).group(1)

    def preview(event: str, case: dict) -> dict:
        request = urllib.request.Request(
            f"{base}/api/breve/{event}/forhaandsvisning", data=json.dumps({"case": case}).encode(),
            headers={"Content-Type": "application/json", "X-CSRF-Token": csrf, "Origin": base},
        )
        return json.loads(opener.open(request).read())

    def varied(case: dict, i: int) -> dict:
        out = json.loads(json.dumps(case))
        out["citizen"]["name"] = f"Borger nummer {i + 1}"
        out["case_ref"] = f"JC-2026-{i:04d}"
        return out

    print(f"Forhåndsvisning ved skrivebordet (n = {n} pr. brev, HTTP på localhost)\n")
    everything: list[float] = []
    baseline_all: list[float] = []
    for event, case in cases.items():
        assert preview(event, case)["ok"], event  # warm: rules, templates, fonts loaded
        build_case_letter(event, case)
        seconds, baseline = [], []
        for i in range(n):
            data = varied(case, i)
            t0 = time.perf_counter()
            result = preview(event, data)
            seconds.append(time.perf_counter() - t0)
            assert result["ok"], result["problems"]
            t0 = time.perf_counter()
            build_case_letter(event, varied(case, i + n))
            baseline.append(time.perf_counter() - t0)
        everything += seconds
        baseline_all += baseline
        print(line(f"{event}: forhåndsvisning", seconds))
        print(line(f"{event}: grundlinje (pipeline)", baseline))
    print()
    print(line("alle tre: forhåndsvisning", everything))
    print(line("alle tre: grundlinje (pipeline)", baseline_all))
    print(f"forhold, median: {statistics.median(everything) / statistics.median(baseline_all):.2f} x grundlinjen")
    server.should_exit = True
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    main(parser.parse_args().n)
