"""Template studio: how fast the preview follows typing, and how long every variant's check takes.

    python benchmarks/studio_preview.py [--edits 50] [--event indkaldelse] [--variant kontanthjaelp-tolk]

The studio runs in this process (uvicorn in a thread) over a temporary copy of templates/da, so
nothing in the repository is touched. Three measurements, each over ``--edits`` edits that
change one sentence of the event's template (a different text every time, so nothing is cached):

1. **In the browser** (Debian's chromium through Playwright, skipped without it): from the last
   keystroke of an edit to the preview showing the new letter, as a person waits for it. It
   includes the editor's 300 ms pause before it asks (debounce), the request, and the iframe
   loading the new page. The target is under 1 second.
2. **Server round trip** of the preview API for one variant (HTTP on localhost): what the
   browser waits for after the pause.
3. **Every variant of the event** (the API behind "Alle varianter": compose, lint, letter logic,
   required content and branch coverage of every example, compared with the saved files).

Baseline, measured in the same run: composing the same variant with the pipeline
(``build_letter``) and linting it in-process, no HTTP, no preview page; and the CLI's template
lint of the same event (``lint_templates``). Ratios are printed against them.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SENTENCE = "Kom til samtalen til tiden."
WORDS = ["i god tid", "til tiden", "præcis", "fem minutter før", "til det aftalte tidspunkt", "som aftalt"]


def _edit(i: int) -> str:
    return f"Kom {WORDS[i % len(WORDS)]} til samtalen nummer {i + 1}."


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"{name:<46} median {statistics.median(ms):7.0f} ms   p95 {percentile(ms, 95):7.0f} ms   max {max(ms):7.0f} ms   (n = {len(ms)})"


class Studio:
    """The studio app over a template copy, served on a free port."""

    def __init__(self, templates: Path):
        import uvicorn

        from brevgen.studio import create_app
        from brevgen.studio.auth import Account, hash_password

        self.password = "benchmark"
        app = create_app(templates, account=Account("bench", hash_password(self.password)), warm=False)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class Client:
    """A signed-in HTTP client (standard library) for the JSON API."""

    def __init__(self, studio: Studio):
        self.base = studio.base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        form = self.opener.open(self.base + "/login").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode({"brugernavn": "bench", "adgangskode": studio.password, "csrf_token": token, "naeste": "/brev/indkaldelse"}).encode()
        page = self.opener.open(urllib.request.Request(self.base + "/login", data=data, headers={"Origin": self.base})).read().decode()
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def post(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(
            self.base + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", "X-CSRF-Token": self.csrf, "Origin": self.base},
        )
        return json.loads(self.opener.open(request).read())


def browser_latency(studio: Studio, event: str, variant: str, edits: int) -> tuple[list[float], list[float]] | None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        print("chromium mangler: browser-målingen springes over (bash scripts/setup.sh --test)")
        return None
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]
    preview, everything = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(studio.base + "/login")
        page.fill("#brugernavn", "bench")
        page.fill("#adgangskode", studio.password)
        page.click("button[type=submit]")
        page.wait_for_url(studio.base + "/")
        page.goto(f"{studio.base}/brev/{event}?variant={variant}")
        page.wait_for_function("() => document.getElementById('all-variants').dataset.version", timeout=60000)
        # Times are taken inside the page: from the last keystroke to the new preview loaded.
        page.evaluate(
            """() => {
                const frame = document.getElementById('preview');
                const all = document.getElementById('all-variants');
                new MutationObserver(() => { window.__previewAt = performance.now(); }).observe(frame, { attributes: true, attributeFilter: ['data-version'] });
                new MutationObserver(() => { window.__allAt = performance.now(); }).observe(all, { attributes: true, attributeFilter: ['data-version'] });
            }"""
        )
        current = SENTENCE
        for i in range(edits):
            new = _edit(i)
            start = page.evaluate("(s) => document.getElementById('source').value.indexOf(s)", current)
            page.evaluate("([a, b]) => { const t = document.getElementById('source'); t.focus(); t.setSelectionRange(a, b); }", [start, start + len(current)])
            version = page.get_attribute("#all-variants", "data-version")
            page.keyboard.type(new)
            typed = page.evaluate("() => { window.__previewAt = null; window.__allAt = null; return performance.now(); }")
            page.wait_for_function("(v) => window.__previewAt && window.__allAt && document.getElementById('all-variants').dataset.version !== v", arg=version, timeout=30000)
            at = page.evaluate("() => [window.__previewAt, window.__allAt]")
            preview.append((at[0] - typed) / 1000)
            everything.append((at[1] - typed) / 1000)
            current = new
        browser.close()
    return preview, everything


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--event", default="indkaldelse")
    parser.add_argument("--variant", default="kontanthjaelp-tolk")
    parser.add_argument("--no-browser", action="store_true", help="only the server-side measurements")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="brevgen-studio-bench-"))
    templates = tmp / "templates" / "da"
    shutil.copytree(ROOT / "templates" / "da", templates)
    studio = Studio(templates)
    try:
        from brevgen.lint import load_rules
        from brevgen.lint.templates import TemplateFiles, lint_letter, lint_templates
        from brevgen.paths import examples_dir
        from brevgen.pipeline import build_letter, template_set
        from brevgen.casefile import read_case_file

        source = (templates / f"{args.event}.md").read_text(encoding="utf-8")
        assert SENTENCE in source, f"{SENTENCE!r} is not in {args.event}.md"
        client = Client(studio)
        client.post(f"/api/brev/{args.event}/varianter", {"variant": args.variant})  # warm: saved examples composed once

        # Baseline: the pipeline's own compose + lint of the same variant, in-process.
        rules = load_rules()
        data = read_case_file(examples_dir() / args.event / f"{args.variant}.yaml")
        files = TemplateFiles(templates)
        name = template_set().events[args.event].name
        base = []
        for _ in range(args.edits):
            start = time.perf_counter()
            letter = build_letter(args.event, data)
            lint_letter(letter, rules, files, name, args.variant)
            base.append(time.perf_counter() - start)

        # Server round trip of the preview for one variant.
        server = []
        for i in range(args.edits):
            body = {"variant": args.variant, "files": {f"{args.event}.md": source.replace(SENTENCE, _edit(i))}}
            start = time.perf_counter()
            out = client.post(f"/api/brev/{args.event}/forhaandsvisning", body)
            server.append(time.perf_counter() - start)
            assert out["html"] and _edit(i) in out["html"], out.get("error")

        # Every variant of the event.
        every, cli = [], []
        runs = max(5, args.edits // 5)
        for i in range(runs):
            body = {"variant": args.variant, "files": {f"{args.event}.md": source.replace(SENTENCE, _edit(1000 + i))}}
            start = time.perf_counter()
            report = client.post(f"/api/brev/{args.event}/varianter", body)
            every.append(time.perf_counter() - start)
            start = time.perf_counter()
            lint_templates(templates, rules, events=[args.event])
            cli.append(time.perf_counter() - start)
        variants = len(report["variants"])

        browser = None if args.no_browser else browser_latency(studio, args.event, args.variant, args.edits)
    finally:
        studio.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"Skabelonstudiet: {args.event}, variant {args.variant}, {args.edits} ændringer af én sætning")
    print(summary("baseline: build_letter + lint_letter", base))
    print(summary("forhåndsvisning, server (HTTP)", server))
    if browser:
        preview, everything = browser
        print(summary("browser: sidste tast -> nyt brev vist", preview))
        print(summary("browser: sidste tast -> alle varianter tjekket", everything))
    print(summary(f"alle {variants} varianter tjekket (HTTP)", every))
    print(summary("baseline: brevgen lint af brevtypen (CLI-vejen)", cli))
    print()
    print(f"forhåndsvisning / baseline: {statistics.median(server) / statistics.median(base):.1f}x (median)")
    print(f"alle varianter / CLI-lint af brevtypen: {statistics.median(every) / statistics.median(cli):.2f}x (median)")
    if browser:
        ok = percentile([t * 1000 for t in browser[0]], 95) < 1000
        print(f"mål: nyt brev vist under 1 s efter sidste tast (p95): {'nået' if ok else 'IKKE nået'}")


if __name__ == "__main__":
    main()
