"""Every failure listed in issue 14, tried for real: does brevgen hold?

    python tests/probes/failure_probe.py [--only NAME] [--skip-slow]

Each probe sends one bad input (or makes one fault) through the real entry point named in the
issue (the CLI in a child process, the HTTP service through its test client or a real uvicorn,
batch through the CLI) and prints ``held`` or ``FAILED`` with what happened. "Held" means a
Danish answer (no traceback, no HTTP 500, nothing half-written, no CPR number echoed), within
the time limits given per probe. Exit code 1 when any probe failed.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# BREVGEN_CODE=/path/to/another/checkout runs the same probes against that code (before-numbers).
CODE = Path(os.environ.get("BREVGEN_CODE") or ROOT).resolve()
sys.path[:0] = [str(CODE), str(HERE.parent), str(ROOT)]

import yaml  # noqa: E402

from brevgen.casefile import read_case_file  # noqa: E402

SUMMONS = ROOT / "examples/indkaldelse/dagpenge-fremmoede.yaml"
OFFER = ROOT / "examples/tilbud/loentilskud-dagpenge.yaml"
CPR = "241299-0013"
PROBES = {}


def probe(name, slow=False):
    def register(fn):
        PROBES[name] = (fn, slow)
        return fn

    return register


def summons(**changes):
    data = copy.deepcopy(read_case_file(SUMMONS))
    for dotted, value in changes.items():
        target = data
        *parents, leaf = dotted.split(".")
        for p in parents:
            target = target[p]
        target[leaf] = value
    return data


def cli(*args, timeout=120, env=None, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "brevgen.cli", *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(CODE), **(env or {})}, cwd=kwargs.pop("cwd", None), **kwargs,
    )


def write_case(folder: Path, data, name="sag.yaml", raw: str | None = None) -> Path:
    path = folder / name
    if raw is not None:
        path.write_text(raw, encoding="utf-8")
    elif name.endswith(".json"):
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def danish_refusal(result) -> tuple[bool, str]:
    """A refusal is exit 1 or 2, no traceback, 'fejl:' lines on stderr."""
    ok = result.returncode in (1, 2) and "Traceback" not in result.stderr and "fejl:" in result.stderr
    return ok, f"exit {result.returncode}: {short(result.stderr)}"


def short(text: str, n: int = 160) -> str:
    text = " | ".join(line for line in text.strip().splitlines()[-3:])
    return text if len(text) <= n else text[: n - 1] + "…"


def render_refused(tmp: Path, data, name="sag.yaml", raw=None, event="indkaldelse", formats="pdf,docx,html"):
    case = write_case(tmp, data, name, raw)
    out = tmp / "out"
    result = cli("render", event, str(case), "--out", str(out), "--format", formats)
    ok, detail = danish_refusal(result)
    written = list(out.iterdir()) if out.exists() else []
    if written:
        ok = False
        detail += f"; wrote {len(written)} files"
    return ok, detail


_client = None


def http():
    global _client
    if _client is None:
        from fastapi.testclient import TestClient

        from brevgen.service import create_app

        _client = TestClient(create_app(api_key=""), raise_server_exceptions=False)
    return _client


def http_refused(body: bytes | str, content_type="application/json", event="indkaldelse", accept="application/pdf"):
    response = http().post(f"/v1/letters/{event}", content=body, headers={"content-type": content_type, "accept": accept})
    media = response.headers.get("content-type", "")
    ok = 400 <= response.status_code < 500 and media.startswith("application/problem+json")
    return ok, f"HTTP {response.status_code} {media.split(';')[0]}: {short(response.text, 120)}"


# --- tracebacks instead of answers -------------------------------------------------------------


@probe("control-characters")
def _(tmp):
    results = []
    for name, char in (("NUL", "\x00"), ("BEL", "\x07"), ("ESC", "\x1b"), ("VT", "\x0b"), ("U+FFFE", "\ufffe")):
        data = summons(**{"citizen.name": f"Søren{char}Åberg"})
        ok_cli, d1 = render_refused(tmp, data, name="sag.json")
        shutil.rmtree(tmp / "out", ignore_errors=True)
        ok_http, d2 = http_refused(json.dumps(data))
        results.append((ok_cli and ok_http, f"{name}: cli {d1}; http {d2}"))
    return all(r[0] for r in results), " || ".join(r[1] for r in results if not r[0]) or results[0][1]


@probe("aware-next-to-naive-time")
def _(tmp):
    data = summons(**{"meeting.start": "2026-03-16T10:00:00+01:00", "cancel_by": "2026-03-13T12:00"})
    return render_refused_or_made(tmp, data)


def render_refused_or_made(tmp, data, event="indkaldelse"):
    """Held when either a Danish refusal or a letter, never a traceback."""
    case = write_case(tmp, data)
    out = tmp / "out"
    result = cli("render", event, str(case), "--out", str(out))
    ok = "Traceback" not in result.stderr and result.returncode in (0, 1, 2)
    return ok, f"exit {result.returncode}: {short(result.stderr)}"


@probe("year-9999-meeting")
def _(tmp):
    return render_refused(tmp, summons(**{"meeting.start": "9999-12-31T23:30"}))


@probe("deep-json")
def _(tmp):
    deep = summons()
    body = json.dumps(deep)[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    ok_cli, d1 = render_refused(tmp, None, name="sag.json", raw=body)
    ok_http, d2 = http_refused(body)
    return ok_cli and ok_http, f"cli {d1}; http {d2}"


@probe("5000-digit-integer")
def _(tmp):
    body = json.dumps(summons())
    body = body.replace('"duration_minutes": 45', '"duration_minutes": ' + "9" * 5000)
    ok_cli, d1 = render_refused(tmp, None, name="sag.json", raw=body)
    ok_http, d2 = http_refused(body)
    return ok_cli and ok_http, f"cli {d1}; http {d2}"


@probe("jinja-unknown-filter-and-unclosed-block")
def _(tmp):
    root = tmp / "da"
    shutil.copytree(CODE / "templates/da", root)
    results = []
    for what, text in (("filter", "{{ case.citizen.name|ukendt }}"), ("block", "{% if true %}åben")):
        path = root / "indkaldelse.md"
        original = (CODE / "templates/da/indkaldelse.md").read_text(encoding="utf-8")
        path.write_text(original.replace("Kom til samtalen til tiden.", text), encoding="utf-8")
        case = write_case(tmp, summons())
        result = cli("render", "indkaldelse", str(case), "--out", str(tmp / "out"), "--templates", str(root))
        ok, detail = danish_refusal(result)
        results.append((ok, f"{what}: {detail}"))
    return all(r[0] for r in results), " || ".join(r[1] for r in results)


# --- unbounded work ------------------------------------------------------------------------------


@probe("10-MB-name", slow=True)
def _(tmp):
    results = []
    for what, name in (("words", "Søren " * 1_750_000), ("one word", "Søren" * 2_000_000)):
        data = summons(**{"citizen.name": name})
        case = write_case(tmp, data, name="sag.json")
        started = time.monotonic()
        try:
            result = cli("render", "indkaldelse", str(case), "--out", str(tmp / "out"), timeout=120)
        except subprocess.TimeoutExpired:
            results.append((False, f"{what}: still running after 120 s (killed)"))
            continue
        seconds = time.monotonic() - started
        ok, detail = danish_refusal(result)
        results.append((ok and seconds < 10, f"{what}: {seconds:.1f} s, {detail}"))
    return all(r[0] for r in results), " || ".join(r[1] for r in results)


def docx_bomb(path: Path, megabytes: int) -> None:
    """A valid DOCX whose document.xml is ``megabytes`` MB of one repeated paragraph."""
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    paragraph = b"<w:p><w:r><w:t>" + b"Tekst i et brev. " * 60 + b"</w:t></w:r></w:p>"
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                head, _, tail = data.partition(b"<w:body>")
                count = megabytes * 1_000_000 // len(paragraph)
                with dst.open("word/document.xml", "w", force_zip64=True) as fh:
                    fh.write(head + b"<w:body>")
                    for _ in range(count // 1000):
                        fh.write(paragraph * 1000)
                    fh.write(tail.split(b"</w:body>", 1)[0].split(b"<w:sectPr", 1)[0] + b"</w:body></w:document>")
            else:
                dst.writestr(item, data)


def peak_run(args, timeout, mem_limit_mb=None):
    """Run the CLI; returns (result or None on timeout, seconds, peak RSS MB of the child)."""

    def limit():
        if mem_limit_mb:
            resource.setrlimit(resource.RLIMIT_AS, (mem_limit_mb << 20, mem_limit_mb << 20))

    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "brevgen.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(CODE)}, preexec_fn=limit)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return None, time.monotonic() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return subprocess.CompletedProcess(args, proc.returncode, out, err), seconds, peak


@probe("200-MB-docx-bomb", slow=True)
def _(tmp):
    bomb = tmp / "bombe.docx"
    docx_bomb(bomb, 200)
    result, seconds, peak = peak_run(["lint", str(bomb)], timeout=120, mem_limit_mb=3000)
    size = bomb.stat().st_size / 1e6
    if result is None:
        return False, f"{size:.1f} MB file: still running after {seconds:.0f} s, peak {peak:.0f} MB (killed)"
    ok, detail = danish_refusal(result)
    return ok and peak < 500, f"{size:.1f} MB file: {seconds:.1f} s, peak RSS {peak:.0f} MB, {detail}"


# --- silently accepted nonsense ------------------------------------------------------------------


@probe("zero-width-name")
def _(tmp):
    return render_refused(tmp, summons(**{"citizen.name": "\u200b\u200c\u200d\u2060"}))


@probe("duplicate-keys-yaml")
def _(tmp):
    raw = SUMMONS.read_text(encoding="utf-8").replace("benefit: dagpenge\n", "benefit: dagpenge\nbenefit: kontanthjælp\n")
    return render_refused(tmp, None, raw=raw)


@probe("duplicate-keys-json")
def _(tmp):
    raw = json.dumps(summons(), ensure_ascii=False).replace('"benefit": "dagpenge"', '"benefit": "dagpenge", "benefit": "kontanthjælp"')
    ok_cli, d1 = render_refused(tmp, None, name="sag.json", raw=raw)
    ok_http, d2 = http_refused(raw.encode())
    return ok_cli and ok_http, f"cli {d1}; http {d2}"


@probe("date-only-meeting-start")
def _(tmp):
    return render_refused(tmp, summons(**{"meeting.start": "2026-03-16"}))


@probe("meeting-at-03:00")
def _(tmp):
    return render_refused(tmp, summons(**{"meeting.start": "2026-03-16T03:00"}))


@probe("meeting-at-23:30")
def _(tmp):
    return render_refused(tmp, summons(**{"meeting.start": "2026-03-16T23:30"}))


def offer(**changes):
    data = copy.deepcopy(read_case_file(OFFER))
    for dotted, value in changes.items():
        target = data
        *parents, leaf = dotted.split(".")
        for p in parents:
            target = target[p]
        target[leaf] = value
    return data


@probe("wage-10^12")
def _(tmp):
    return render_refused(tmp, offer(**{"offer.wage_per_hour": 10**12}), event="tilbud")


@probe("0.001-hours-a-week")
def _(tmp):
    return render_refused(tmp, offer(**{"offer.hours_per_week": 0.001}), event="tilbud")


@probe("meeting-on-24-december")
def _(tmp):
    data = summons(**{"letter_date": "2026-12-10", "meeting.start": "2026-12-24T10:00"})
    return render_refused(tmp, data)


@probe("right-to-left-override")
def _(tmp):
    return render_refused(tmp, summons(**{"citizen.name": "\u202eSøren Åberg"}))


@probe("300-character-name")
def _(tmp):
    return render_refused(tmp, summons(**{"citizen.name": ("Søren Ærø Åberg " * 19)[:300]}))


@probe("line-separators-in-name")
def _(tmp):
    return render_refused(tmp, summons(**{"citizen.name": "Søren\u2028Ærø\u2028Åberg\u2029Jensen\u2028Hansen"}))


# --- one case, two times -------------------------------------------------------------------------


@probe("time-zone-offset")
def _(tmp):
    import brevgen

    data = summons(**{"meeting.start": "2026-03-16T08:00:00Z"})
    data["citizen"]["cpr"] = CPR
    try:
        result = brevgen.generate_letter("indkaldelse", data, ["html", "ics"])
    except brevgen.BrevgenError as exc:
        return True, f"refused: {exc.lines()[0]}"
    html = result.files["html"].decode()
    ics = result.files["ics"].decode()
    letter_time = re.search(r"kl\. (\d{1,2}\.\d{2})", html).group(1)
    ics_time = re.search(r"DTSTART;TZID=Europe/Copenhagen:\d{8}T(\d{2})(\d{2})", ics)
    ics_time = f"{int(ics_time.group(1))}.{ics_time.group(2)}"
    return letter_time == ics_time, f"letter kl. {letter_time}, .ics {ics_time}"


# --- batch and HTTP edges ------------------------------------------------------------------------


@probe("batch-id-with-newline")
def _(tmp):
    line = json.dumps({"id": "ok-3\n", "event": "indkaldelse", "data": summons()}, ensure_ascii=False)
    source = tmp / "in.jsonl"
    source.write_text(line + "\n", encoding="utf-8")
    out = tmp / "out"
    result = cli("batch", str(source), "--out", str(out), "--format", "html")
    names = [p.name for p in out.iterdir()] if out.exists() else []
    bad = [n for n in names if "\n" in n]
    return not bad and result.returncode == 1, f"exit {result.returncode}; files with a newline: {len(bad)}"


@probe("concurrent-batches", slow=True)
def _(tmp):
    """The race the issue describes: a first batch ends and removes its lock file while a second
    waits on it; a third started then makes a new lock file and runs beside the second."""
    n = 120

    def lines(n):
        return [json.dumps({"id": f"b-{i:03d}", "event": "indkaldelse", "data": summons(case_ref=f"JC-{i:04d}")}, ensure_ascii=False)
                for i in range(n)]

    small, big = tmp / "small.jsonl", tmp / "big.jsonl"
    small.write_text(lines(1)[0] + "\n", encoding="utf-8")
    big.write_text("\n".join(lines(n)[1:]) + "\n", encoding="utf-8")
    out = tmp / "out"
    env = {**os.environ, "PYTHONPATH": str(CODE)}

    def start(source):
        return subprocess.Popen([sys.executable, "-m", "brevgen.cli", "batch", str(source), "--out", str(out), "--format", "pdf,html", "--workers", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    first = start(small)
    time.sleep(0.5)
    second = start(big)
    first.wait(timeout=300)
    third = start(big)
    procs = [first, second, third]
    outs = [p.communicate(timeout=600) for p in procs]
    manifest = [json.loads(l) for l in (out / "manifest.jsonl").read_text().splitlines()] if (out / "manifest.jsonl").exists() else []
    ids = [m["id"] for m in manifest]
    dupes = len(ids) - len(set(ids))
    codes = [p.returncode for p in procs]
    traces = sum("Traceback" in e for _o, e in outs)
    ok = dupes == 0 and traces == 0 and set(codes) <= {0, 2}
    return ok, f"exit codes {codes}; manifest {len(ids)} lines for {len(set(ids))} of {n} letters, {dupes} written twice; tracebacks {traces}"


@probe("text-plain-body")
def _(tmp):
    response = http().post("/v1/letters/indkaldelse", content=json.dumps(summons()), headers={"content-type": "text/plain", "accept": "text/html"})
    return response.status_code == 415, f"HTTP {response.status_code}"


@probe("http-500-is-problem-json")
def _(tmp):
    from fastapi.testclient import TestClient

    from brevgen.service import create_app

    app = create_app(api_key="")

    @app.get("/v1/boom")
    async def boom():
        raise RuntimeError("intern fejl med " + CPR)

    response = TestClient(app, raise_server_exceptions=False).get("/v1/boom")
    media = response.headers.get("content-type", "")
    ok = response.status_code == 500 and media.startswith("application/problem+json") and CPR not in response.text
    return ok, f"HTTP {response.status_code} {media}: {short(response.text, 80)}"


@probe("read-only-output-folder")
def _(tmp):
    mount = tmp / "ro"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(mount)], capture_output=True).returncode:
        return False, "could not mount a read-only tmpfs (needs root)"
    try:
        case = write_case(tmp, summons())
        result = cli("render", "indkaldelse", str(case), "--out", str(mount / "breve"))
        ok, detail = danish_refusal(result)
        return ok, detail
    finally:
        subprocess.run(["umount", str(mount)])


@probe("full-output-folder")
def _(tmp):
    mount = tmp / "full"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(mount)], capture_output=True).returncode:
        return False, "could not mount a small tmpfs (needs root)"
    try:
        case = write_case(tmp, summons())
        result = cli("render", "indkaldelse", str(case), "--out", str(mount))
        ok, detail = danish_refusal(result)
        left = sorted(p.name for p in mount.iterdir())
        return ok and not left, f"{detail}; left in the folder: {left}"
    finally:
        subprocess.run(["umount", str(mount)])


# --- the CPR echoed back ---------------------------------------------------------------------


def echoes(text: str) -> bool:
    from leaks import text_leaks

    return text_leaks(CPR, text)


@probe("unknown-key-named-like-a-cpr")
def _(tmp):
    data = summons()
    data["citizen"][CPR.replace("-", "")] = "x"
    case = write_case(tmp, data)
    result = cli("render", "indkaldelse", str(case), "--out", str(tmp / "out"), "--json")
    ok = result.returncode == 1 and not echoes(result.stderr + result.stdout)
    return ok, f"exit {result.returncode}: {short(result.stderr)}"


@probe("unknown-batch-event-named-like-a-cpr")
def _(tmp):
    source = tmp / "in.jsonl"
    source.write_text(json.dumps({"id": "x-1", "event": CPR, "data": summons()}) + "\n", encoding="utf-8")
    out = tmp / "out"
    result = cli("batch", str(source), "--out", str(out), "--format", "html")
    errors = (out / "errors.jsonl").read_text() if (out / "errors.jsonl").exists() else ""
    ok = result.returncode == 1 and not echoes(result.stderr + result.stdout + errors)
    return ok, f"exit {result.returncode}: {short(result.stderr)}"


@probe("lint-cpr-rule-message")
def _(tmp):
    path = tmp / "brev.txt"
    path.write_text(f"Dit CPR-nummer er {CPR}.\n", encoding="utf-8")
    result = cli("lint", str(path), "--format", "json")
    ok = result.returncode == 1 and "KS21" in result.stdout and not echoes(result.stdout + result.stderr)
    return ok, f"exit {result.returncode}: {short(result.stdout, 200)}"


@probe("case-file-named-like-a-cpr")
def _(tmp):
    data = summons()
    del data["caseworker"]["phone"]
    case = write_case(tmp, data, name=f"{CPR}.yaml")
    result = cli("render", "indkaldelse", str(case), "--out", str(tmp / "out"))
    ok = result.returncode == 1 and not echoes(result.stderr + result.stdout)
    return ok, f"exit {result.returncode}: {short(result.stderr)}"


@probe("sender-authority-checked")
def _(tmp):
    return render_refused(tmp, summons(**{"sender.authority": f"Rudersdal Kommune {CPR}"}), formats="pdf")


# --- a real uvicorn: logs, disconnects, lint load -------------------------------------------------


class Server:
    def __init__(self, tmp: Path):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.log = tmp / "server.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "brevgen.cli", "serve", "--port", str(self.port)],
                                     stdout=self.log.open("wb"), stderr=subprocess.STDOUT, cwd=CODE,
                                     env={**os.environ, "PYTHONPATH": str(CODE), "BREVGEN_API_KEY": ""})
        import httpx2

        self.client = httpx2.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=300)
        for _ in range(300):
            try:
                if self.client.get("/healthz").status_code == 200:
                    return
            except httpx2.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def text(self):
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self):
        self.client.close()
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@probe("percent-encoded-cpr-in-server-log")
def _(tmp):
    server = Server(tmp)
    try:
        for spelling in ("241299%200013", "241299%E2%80%930013", "241299%2D0013", "2412990013"):
            server.client.get(f"/v1/events/{spelling}/schema")
        time.sleep(0.5)
    finally:
        server.stop()
    from urllib.parse import unquote

    leaked = [l for l in server.text().splitlines() if echoes(unquote(l))]
    return not leaked, f"{len(leaked)} log lines with the number: {short(chr(10).join(leaked), 200)}"


@probe("client-disconnect")
def _(tmp):
    server = Server(tmp)
    try:
        body = json.dumps(summons()).encode()
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(b"POST /v1/letters/indkaldelse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:100])
            time.sleep(0.3)
        time.sleep(1.0)
    finally:
        server.stop()
    text = server.text()
    ok = "Traceback" not in text and "ERROR" not in text
    errors = [line for line in text.splitlines() if "ERROR" in line or "Error" in line]
    return ok, "quiet" if ok else f"{len(errors)} error lines, first: {short(errors[0] if errors else text, 200)}"


@probe("lint-load-vs-pdf", slow=True)
def _(tmp):
    server = Server(tmp)
    try:
        data = summons()
        pdf = lambda: server.client.post("/v1/letters/indkaldelse", json=data, headers={"accept": "application/pdf"})  # noqa: E731
        for _ in range(4):  # every worker has made a PDF
            pdf()
        timings = []
        for _ in range(3):
            started = time.monotonic()
            pdf()
            timings.append(time.monotonic() - started)
        alone = sorted(timings)[1]
        # As much text as the service takes: 0.9 MB (under the 1 MB body limit) before, at most
        # its lint limit where it has one.
        try:
            from brevgen.service import MAX_LINT_BYTES as most
        except ImportError:
            most = 900_000
        sentence = "Det er vigtigt, at du kommer til samtalen. "
        text = (sentence * (min(most, 900_000) // len(sentence.encode()))).encode()
        results = []

        def lint():
            started = time.monotonic()
            r = server.client.post("/v1/lint", content=text, headers={"content-type": "text/plain"})
            results.append((r.status_code, time.monotonic() - started))

        threads = [threading.Thread(target=lint) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        started = time.monotonic()
        status = pdf().status_code
        loaded = time.monotonic() - started
        for t in threads:
            t.join()
    finally:
        server.stop()
    # Held: the PDF takes at most three times as long beside the lint requests, and each lint
    # request is answered within 5 s (the issue: 0.4 s became 42 s, lint about 14 s per MB).
    ok = loaded <= max(3 * alone, 1.0) and all(t <= 5 for _s, t in results)
    return ok, f"PDF alone {alone:.1f} s, with 3 lint requests of {len(text) / 1e6:.2f} MB each {loaded:.1f} s (HTTP {status}); lint answers {[(s, round(t, 1)) for s, t in results]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--skip-slow", action="store_true")
    args = parser.parse_args()
    failed = 0
    total = 0
    for name, (fn, slow) in PROBES.items():
        if args.only and name not in args.only:
            continue
        if args.skip_slow and slow:
            continue
        total += 1
        with tempfile.TemporaryDirectory() as tmp:
            try:
                held, detail = fn(Path(tmp))
            except Exception as exc:  # noqa: BLE001
                held, detail = False, f"probe crashed: {type(exc).__name__}: {short(str(exc))}"
        failed += not held
        print(f"{'held  ' if held else 'FAILED'} {name}: {detail}", flush=True)
    print(f"{total - failed} of {total} held")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
