"""The command line: exit codes, one clear line per problem on stderr, nothing written on error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES

from brevgen.cli import main

SUMMONS = next(p for p in EXAMPLES if p.parent.name == "indkaldelse")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real console entry point in a child process (exit codes as a case system sees them)."""
    return subprocess.run([sys.executable, "-m", "brevgen.cli", *args], capture_output=True, text=True, env=env)


def case_with(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(SUMMONS.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "sag.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_render_writes_three_files_with_safe_names_and_leaves_no_temporary_files(tmp_path):
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    result = run("render", "indkaldelse", str(SUMMONS), "--out", str(out), env={**os.environ, "TMPDIR": str(tmp)})
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"indkaldelse_JC-2026-0412_2026-03-02.{ext}" for ext in ("docx", "html", "pdf")]
    # WeasyPrint copies the fonts to a temporary folder; it is gone when the command ends,
    # and the end is quiet (no "Exception ignored" from WeasyPrint's clean-up).
    assert list(tmp.iterdir()) == []
    assert "Exception ignored" not in result.stderr


def test_missing_field_fails_with_exit_1_names_field_and_writes_nothing(tmp_path):
    case = case_with(tmp_path, lambda d: d["caseworker"].pop("phone"))
    out = tmp_path / "out"
    result = run("render", "indkaldelse", str(case), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"fejl: {case}: caseworker.phone (Sagsbehandlerens direkte telefonnummer): skal udfyldes"
    ]
    assert not out.exists()


def test_invalid_date_fails_with_exit_1_and_names_field(tmp_path):
    def change(d):
        d["meeting"]["start"] = "2026-02-30T10:00"
        d["letter_date"] = "2026-13-01"

    case = case_with(tmp_path, change)
    out = tmp_path / "out"
    result = run("render", "indkaldelse", str(case), "--out", str(out))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert f"fejl: {case}: letter_date (Brevets dato): er ikke en gyldig dato. Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-03-02" in lines
    assert f"fejl: {case}: meeting.start (Mødets tidspunkt): er ikke et gyldigt tidspunkt. Skriv fx 2026-03-02 10:00 eller 2. marts 2026 kl. 10.00" in lines
    assert not out.exists()


def test_all_problems_reported_at_once(tmp_path):
    def change(d):
        d["citizen"]["address"]["postcode"] = "34"
        d["meeting"]["mode"] = "video"
        d.pop("benefit")

    case = case_with(tmp_path, change)
    result = run("render", "indkaldelse", str(case), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"fejl: {case}: citizen.address.postcode (Postnummer): skal være 4 cifre, fx 3460",
        f"fejl: {case}: benefit (Ydelse): skal udfyldes",
    ]


def test_cross_field_problem_after_types_are_right(tmp_path):
    case = case_with(tmp_path, lambda d: d["meeting"].update(mode="video"))
    result = run("render", "indkaldelse", str(case), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"fejl: {case}: meeting.video (Videomøde): Et videomøde skal have et link",
        f"fejl: {case}: meeting.venue (Mødested (ved fremmøde)): passer ikke til mødeformen 'video'. Fjern feltet eller ret mødeformen",
    ]


def test_json_error_output_for_case_systems(tmp_path):
    case = case_with(tmp_path, lambda d: d["caseworker"].pop("email"))
    result = run("render", "indkaldelse", str(case), "--json", "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    assert payload["error"]["problems"] == [
        {"field": "caseworker.email", "label": "Sagsbehandlerens e-mail", "message": "skal udfyldes"}
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("render", "ukendt", "x.yaml"),
        ("render", "indkaldelse", "findes-ikke.yaml"),
        ("render", "indkaldelse", "--format", "pdf,odt"),
        ("schema",),
    ],
)
def test_usage_errors_exit_2(args, tmp_path):
    if args[-1] == "pdf,odt":
        args = (*args, str(SUMMONS), "--out", str(tmp_path))
    result = run(*args)
    assert result.returncode == 2, result.stderr
    assert not any(tmp_path.iterdir())


def test_unknown_format_message():
    result = run("render", "indkaldelse", str(SUMMONS), "--format", "pdf,odt")
    assert result.returncode == 2
    assert result.stderr.strip() == "fejl: ukendt format: odt. Vælg blandt: pdf, docx, html, memo, ics"


def test_events_and_schema():
    runner = CliRunner()
    result = runner.invoke(main, ["events", "--json"])
    assert result.exit_code == 0
    assert [e["event"] for e in json.loads(result.output)] == ["indkaldelse", "tilbud", "sygedagpenge"]
    schema = json.loads(runner.invoke(main, ["schema", "tilbud"]).output)
    assert schema["properties"]["answer_by"]["title"] == "Svarfrist"
    assert "offer" in schema["required"]


def test_help_does_not_import_weasyprint():
    code = "import sys; from brevgen.cli import main\ntry:\n main(['--help'])\nexcept SystemExit: pass\nprint('weasyprint' in sys.modules, 'docx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False False"


@pytest.mark.slow  # every example in three formats (a big batch)
def test_demo_writes_every_example_in_three_formats(tmp_path):
    result = run("demo", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 3 * len(EXAMPLES)
    assert {p.rsplit(".", 1)[1] for p in files} == {"pdf", "docx", "html"}
    assert f"{len(EXAMPLES)} breve i 3 formater" in result.stdout


def test_without_out_letters_go_to_outputs_in_the_current_folder(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    result = subprocess.run(
        [sys.executable, "-m", "brevgen.cli", "render", "indkaldelse", str(SUMMONS), "--format", "html"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()] == [
        "outputs/indkaldelse_JC-2026-0412_2026-03-02.html"
    ]


def test_formats_lists_the_registry(tmp_path):
    result = run("formats")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "pdf    PDF (tilgængelig, PDF/UA) (standard)",
        "docx   DOCX (Word) (standard)",
        "html   HTML (webside) (standard)",
        "memo   MeMo (Digital Post)",
        "ics    iCalendar (kalenderaftale)",
    ]


def test_names_typed_like_a_cpr_number_are_never_echoed(tmp_path):
    """A case file, an event or a missing path named like a CPR number (any spelling)."""
    case = tmp_path / "241299\u20130013.yaml"
    data = yaml.safe_load(SUMMONS.read_text(encoding="utf-8"))
    del data["caseworker"]["phone"]
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    runs = [
        run("render", "indkaldelse", str(case), "--out", str(tmp_path / "out")),
        run("render", "241299-0013", str(SUMMONS)),
        run("render", "indkaldelse", str(tmp_path / "2412990013.yaml")),
    ]
    assert [r.returncode for r in runs] == [1, 2, 2]
    for result in runs:
        assert "[CPR fjernet]" in result.stderr
        assert "241299" not in result.stderr + result.stdout and "2412990013" not in result.stderr
