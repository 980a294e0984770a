"""The HTML page and the embeddable fragment, checked by axe-core inside Debian's chromium.

Every example page, at a desktop width and at 320 px (WCAG 1.4.10 reflow), and every
example's fragment inside a plain host page: 0 axe violations, no horizontal scrolling,
no script. The structure tests read the markup with lxml.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLES, example_id
from lxml import html as lxml_html

from brevgen.render.html import FRAGMENT_CLASS, fragment_stylesheet, render_html, render_html_fragment

CASES = [example_id(p) for p in EXAMPLES]
A11Y_DIR = Path(__file__).resolve().parent.parent / "a11y"
WIDTHS = (1024, 320)

HOST_PAGE = """<!DOCTYPE html>
<html lang="da">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sagsoverblik</title></head>
<body>
<main>
<h1>Sagsoverblik</h1>
<p>Brevet herunder er sendt til borgeren.</p>
{fragment}
</main>
</body>
</html>
"""


def run_axe(files: list[Path], print_dir: Path | None = None) -> list[dict]:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    assert Path(chromium).exists(), "chromium mangler: kør bash scripts/setup.sh --test"
    assert (A11Y_DIR / "node_modules" / "axe-core").is_dir(), "axe-core mangler: kør bash scripts/setup.sh --test"
    node = shutil.which("node")
    assert node, "node mangler: kør bash scripts/setup.sh --test"
    command = [node, str(A11Y_DIR / "axe-check.js"), "--widths", ",".join(map(str, WIDTHS))]
    if print_dir is not None:
        command += ["--print", str(print_dir)]
    command += [str(f) for f in files]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, env={**os.environ, "CHROMIUM": chromium})
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture(scope="session")
def axe_results(rendered_examples, tmp_path_factory):
    """axe-core's verdict on every page and every fragment, from one chromium session."""
    root = tmp_path_factory.mktemp("html")
    files = {}
    for case_id, (_path, _data, letter, rendered) in rendered_examples.items():
        page = root / f"{case_id.replace('/', '__')}.html"
        page.write_bytes(rendered["html"])
        host = root / f"{case_id.replace('/', '__')}.fragment.html"
        host.write_text(HOST_PAGE.format(fragment=render_html_fragment(letter)), encoding="utf-8")
        files[str(page)] = (case_id, "side")
        files[str(host)] = (case_id, "fragment")
    printed = tmp_path_factory.mktemp("browser-print")
    results = {}
    for result in run_axe(list(map(Path, files)), print_dir=printed):
        case_id, kind = files[result["file"]]
        results[(case_id, kind, result["width"])] = result
    results["printed"] = {case_id: printed / f"{case_id.replace('/', '__')}.pdf" for case_id in rendered_examples}
    return results


@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", ["side", "fragment"])
@pytest.mark.parametrize("case_id", CASES)
def test_axe_finds_no_violations(axe_results, case_id, kind, width):
    result = axe_results[(case_id, kind, width)]
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    assert violations == []
    assert result["passes"] >= 15  # axe really ran its rules on a real page
    assert result["scriptsInLetter"] == 0
    assert result["scrollWidth"] <= result["clientWidth"], f"vandret rulning ved {width} px"


@pytest.mark.slow
@pytest.mark.parametrize("case_id", CASES)
def test_browser_print_uses_the_print_stylesheet(axe_results, rendered_examples, case_id):
    """Printed from chromium, the page is the letter: address in the envelope window, page numbers."""
    from extract import pdf_text
    from test_pdf import address_window_problems

    letter = rendered_examples[case_id][2]
    printed = axe_results["printed"][case_id].read_bytes()
    assert address_window_problems(printed, letter) == []
    assert "Side 1 af " in pdf_text(printed)


def test_page_is_standalone_semantic_and_stamped(rendered_examples):
    _path, _data, letter, files = rendered_examples[CASES[0]]
    page = files["html"].decode("utf-8")
    tree = lxml_html.fromstring(files["html"])
    assert page.startswith("<!DOCTYPE html>")
    assert tree.get("lang") == "da"
    assert tree.findtext(".//title") == letter.meta.subject
    assert [h.text_content() for h in tree.iter("h1")] == [letter.meta.subject]
    assert len(tree.findall(".//main")) == 1 and len(tree.findall("./body/header")) == 1
    stamp = {m.get("name"): m.get("content") for m in tree.iter("meta") if (m.get("name") or "").startswith("brevgen-")}
    assert stamp == letter.meta.provenance()
    assert "<script" not in page.lower() and not re.search(r"\son[a-z]+=", page)
    assert "@media print" in page and "@page" in page  # printable from the browser


def test_fragment_embeds_without_html_head_or_leaking_css(rendered_examples):
    _path, _data, letter, _files = rendered_examples[CASES[0]]
    fragment = render_html_fragment(letter)
    assert fragment.startswith(f'<article class="{FRAGMENT_CLASS}" lang="da"')
    for tag in ("<html", "<head", "<body", "<title", "<main", "<header", "<script"):
        assert tag not in fragment.lower()
    tree = lxml_html.fragment_fromstring(fragment)
    stamp = {k.removeprefix("data-"): v for k, v in tree.attrib.items() if k.startswith("data-brevgen-")}
    assert stamp == letter.meta.provenance()
    # Under the host page's own <h1>, the subject is an <h2> and every heading moves down one.
    assert tree.find(".//h1") is None
    assert tree.find(".//h2").text_content() == letter.meta.subject
    assert tree.find(".//h2").get("class") == "h1"


def test_fragment_css_is_scoped_to_the_article():
    css = fragment_stylesheet()
    selectors = []
    for prelude in re.findall(r"([^{}]+)\{", css):
        if prelude.strip().startswith("@media"):
            continue
        selectors += [s.strip() for s in prelude.split(",")]
    assert selectors and all(s.startswith(f".{FRAGMENT_CLASS}") for s in selectors), selectors
    assert "@page" not in css and "@font-face" not in css


def test_fragment_without_css_and_at_top_level():
    from synthetic import example_letter

    letter = example_letter()
    fragment = render_html_fragment(letter, with_css=False, top_heading=1)
    assert "<style" not in fragment
    tree = lxml_html.fragment_fromstring(fragment)
    assert tree.find(".//h1").text_content() == letter.meta.subject and tree.find(".//h1").get("class") is None
    with pytest.raises(ValueError):
        render_html_fragment(letter, top_heading=5)


def test_html_escapes_case_data():
    import dataclasses

    from synthetic import example_letter

    letter = example_letter()
    meta = dataclasses.replace(letter.meta, subject='<script>alert("x")</script> & "citat"')
    page = render_html(dataclasses.replace(letter, meta=meta))
    assert "<script>" not in page and "&lt;script&gt;" in page
