"""A broken template gives `brevgen render` and `brevgen lint` one Danish line at the right line.

Before: an unclosed {% if %} printed Jinja's English text at the line where Jinja noticed (once
per example in the lint), and an unknown filter inside {% if %} a Python traceback.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from brevgen.paths import templates_dir

REPO = Path(__file__).resolve().parent.parent


def _brevgen(*args: str, templates: Path) -> subprocess.CompletedProcess:
    env = {"BREVGEN_TEMPLATES": str(templates), "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from brevgen.cli import main; sys.argv[0] = 'brevgen'; main()", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )


@pytest.fixture
def broken_templates(tmp_path):
    root = tmp_path / "templates" / "da"
    shutil.copytree(templates_dir(), root)
    return root


def _line_of(path: Path, needle: str) -> int:
    source = path.read_text(encoding="utf-8")
    return source.count("\n", 0, source.index(needle)) + 1


def test_cli_render_reports_an_unclosed_if_at_its_own_line_in_danish(broken_templates):
    path = broken_templates / "indkaldelse.md"
    source = path.read_text(encoding="utf-8")
    opened = _line_of(path, "{% elif m.mode == \"fremmøde\" %}") - 2  # the {% if sb %} of kort_hvad
    path.write_text(source.replace("{% endif %}\n{% endblock %}\n\n{% block kort_hvornaar %}", "{% endblock %}\n\n{% block kort_hvornaar %}", 1), encoding="utf-8")
    run = _brevgen("render", "indkaldelse", "examples/indkaldelse/dagpenge-video.yaml", "--format", "html", "--out", str(broken_templates.parent / "ud"), templates=broken_templates)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"fejl: indkaldelse.md:{opened}: {{% if %}} i linje {opened} er ikke lukket.")


def test_cli_render_reports_an_unknown_filter_inside_an_if_without_a_traceback(broken_templates):
    path = broken_templates / "indkaldelse.md"
    needle = "Ring til {{ case.a_kasse.name }} på {{ case.a_kasse.phone|tlf }}"
    line = _line_of(path, needle)
    path.write_text(path.read_text(encoding="utf-8").replace(needle, needle.replace("|tlf", "|tlff")), encoding="utf-8")
    run = _brevgen("render", "indkaldelse", "examples/indkaldelse/dagpenge-fremmoede.yaml", "--format", "html", "--out", str(broken_templates.parent / "ud"), templates=broken_templates)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.strip() == f"fejl: indkaldelse.md:{line}: " + (
        "Filteret 'tlff' findes ikke. Mente du 'tlf'? Du kan bruge: capitalize, dato, dato_kl, first, join, kl, "
        "kort_dato, kr, last, length, link, lower, tal, telefontid, tidsrum, tlf, trim, upper."
    )


def test_cli_lint_reports_a_broken_template_once_for_all_its_examples(broken_templates):
    path = broken_templates / "tilbud.md"
    line = _line_of(path, "{% block kort_hvad %}")
    path.write_text(path.read_text(encoding="utf-8").replace("{% block kort_hvad %}", "{% block kort_hvad %}{% if o %}", 1), encoding="utf-8")
    run = _brevgen("lint", str(broken_templates), "--min-level", "error", templates=broken_templates)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    broken = [ln for ln in run.stdout.splitlines() if " KL20 " in ln]
    assert len(broken) == 1, broken
    assert f"tilbud.md:{line}:1: error KL20 Brevet kan ikke laves: {{% if %}} i linje {line} er ikke lukket." in broken[0]
    assert broken[0].endswith("[10 breve]")
