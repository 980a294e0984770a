"""`brevgen lint` as a user and CI run it: exit codes, formats, --output, --event, lazy imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import DATA

REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "brevgen.cli", "lint", *args], capture_output=True, text=True, cwd=REPO)


def test_exit_1_and_compiler_lines_for_an_officialese_letter():
    out = run(str(DATA / "kancellibrev.md"))
    assert out.returncode == 1
    assert f"{DATA / 'kancellibrev.md'}:5:1: error KS01 Skriv 'Hvis' i stedet for 'Såfremt'." in out.stdout.splitlines()


def test_exit_0_for_a_plain_letter_and_json_output():
    out = run("--format", "json", str(DATA / "klart_brev.md"))
    assert out.returncode == 0, out.stdout
    data = json.loads(out.stdout)
    assert data["summary"]["errors"] == 0
    assert data["documents"][0]["lix"] <= 35


def test_sarif_written_to_a_file(tmp_path):
    target = tmp_path / "lint.sarif"
    out = run("--format", "sarif", "--output", str(target), str(DATA / "kancellibrev.md"))
    assert out.returncode == 1
    assert out.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_exit_2_for_a_usage_error(tmp_path):
    path = tmp_path / "brev.rtf"
    path.write_text("x", encoding="utf-8")
    out = run(str(path))
    assert out.returncode == 2
    assert out.stderr.strip() == f"fejl: {path}: kan ikke læse filtypen '.rtf'. Brug .md, .markdown, .txt, .html, .htm, .docx, .pdf"
    out = run("--event", "tilbud", str(path), str(path))
    assert out.returncode == 2
    assert out.stderr.strip() == "fejl: --event kræver præcis én sagsfil"


def test_lint_one_case_file_as_the_finished_letter():
    case = REPO / "examples" / "indkaldelse" / "dagpenge-fremmoede.yaml"
    out = run("--event", "indkaldelse", "--format", "json", str(case))
    data = json.loads(out.stdout)
    assert data["mode"] == "letter"
    (doc,) = data["documents"]
    assert doc["event"] == "indkaldelse" and doc["words"] > 100
    assert all(f["file"].startswith("templates/da/") for f in data["findings"])


def test_invalid_case_file_exits_1_with_the_field(tmp_path):
    case = tmp_path / "sag.yaml"
    case.write_text("letter_date: 2026-03-02\n", encoding="utf-8")
    out = run("--event", "indkaldelse", str(case))
    assert out.returncode == 1
    assert out.stdout == ""
    assert "caseworker" in out.stderr and out.stderr.startswith("fejl: ")


def test_help_does_not_import_the_lint():
    code = "import sys; from click.testing import CliRunner; from brevgen.cli import main; CliRunner().invoke(main, ['--help']); print('brevgen.lint' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.stdout.strip() == "False"


def test_pre_commit_hook_definition_runs_brevgen_lint():
    import yaml

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "brevgen-lint"
    assert hook["entry"] == "brevgen lint"
    assert hook["language"] == "python"
