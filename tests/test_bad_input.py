"""The bad-input corpus (tests/bad_input/): every file gets its exact Danish verdict from every
door, and nothing is written.

Doors: the Python API (read_case_file + generate_letter), the CLI (``brevgen render``, in
process for each file and as a real child process for a sample), HTTP (POST /v1/letters as
JSON; YAML files are sent as the JSON they parse to, raw bytes where the entry says what HTTP
answers instead), and batch (one run over a copy of the whole corpus). The expected messages
are written out by hand in tests/bad_input/make_corpus.py; expected.yaml is what it wrote.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import brevgen
from brevgen.casefile import parse_case_text, read_case_file
from brevgen.cli import main

CORPUS = Path(__file__).resolve().parent / "bad_input"
ENTRIES = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
IDS = [e["file"] for e in ENTRIES]
BY_FILE = {e["file"]: e for e in ENTRIES}


def expected_lines(entry: dict) -> list[str]:
    """The verdict with the file's own prefix taken off (each door names the file its own way)."""
    return [line.removeprefix("{file}: ") for line in entry["errors"]]


def without_prefix(lines: list[str], *prefixes: str) -> list[str]:
    out = []
    for line in lines:
        for prefix in prefixes:
            if line.startswith(prefix + ": "):
                line = line[len(prefix) + 2 :]
                break
        out.append(line)
    return out


def problem_lines(problems: list[dict]) -> list[str]:
    lines = []
    for p in problems:
        if not p.get("field"):
            lines.append(p["message"])
        elif p.get("label"):
            lines.append(f"{p['field']} ({p['label']}): {p['message']}")
        else:
            lines.append(f"{p['field']}: {p['message']}")
    return lines


def test_the_corpus_covers_at_least_150_bad_inputs_each_with_its_verdict():
    assert len(ENTRIES) >= 150
    assert len(set(IDS)) == len(IDS)
    on_disk = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.glob("*/*") if p.suffix in (".yaml", ".json"))
    assert on_disk == sorted(IDS)
    for entry in ENTRIES:
        assert entry["errors"] and all(isinstance(line, str) and line for line in entry["errors"])
        assert entry["what"]


@pytest.mark.parametrize("name", IDS)
def test_python_api(name):
    entry, path = BY_FILE[name], CORPUS / name
    event = path.parent.name
    with pytest.raises(brevgen.BrevgenError) as info:
        brevgen.generate_letter(event, read_case_file(path), ["pdf", "docx", "html"])
    assert without_prefix(info.value.lines(), str(path)) == expected_lines(entry)
    assert info.value.exit_code == entry.get("exit", 1)


@pytest.mark.parametrize("name", IDS)
def test_cli(name, tmp_path):
    entry, path = BY_FILE[name], CORPUS / name
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", path.parent.name, str(path), "--out", str(out), "--format", "pdf,docx,html"])
    assert result.exit_code == entry.get("exit", 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line.removeprefix("fejl: ") for line in result.stderr.splitlines()]
    assert without_prefix(lines, str(path)) == expected_lines(entry)
    assert not out.exists() or not any(out.iterdir())


SAMPLE = [name for name in IDS if any(key in name for key in ("nul-borger", "dybt-100000.json", "heltal-5000-cifre.json", "dobbelt-noegle.yaml", "moede-kun-dato", "navn-1-2-mb", "latin-1"))]


@pytest.mark.parametrize("name", SAMPLE)
def test_cli_as_a_real_process(name, tmp_path):
    entry, path = BY_FILE[name], CORPUS / name
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "brevgen.cli", "render", path.parent.name, str(path), "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == entry.get("exit", 1)
    assert "Traceback" not in result.stderr
    lines = [line.removeprefix("fejl: ") for line in result.stderr.splitlines()]
    assert without_prefix(lines, str(path)) == expected_lines(entry)
    assert not out.exists()


@pytest.fixture(scope="module")
def client():
    from fastapi.testclient import TestClient

    from brevgen.service import create_app

    return TestClient(create_app(api_key=""))


# Files whose input HTTP cannot carry (a YAML-only value such as .inf, duplicate keys JSON would
# lose, non-text keys): expected.yaml gives the reason as the file's "http" text. They are not
# sent over HTTP; the CLI, the Python API and batch read them.
NOT_OVER_HTTP = {name: BY_FILE[name]["http"] for name in IDS if isinstance(BY_FILE[name].get("http"), str)}


def test_every_file_left_out_of_http_says_why():
    assert len(NOT_OVER_HTTP) == 10
    assert all(reason.strip() for reason in NOT_OVER_HTTP.values())


@pytest.mark.parametrize("name", [name for name in IDS if name not in NOT_OVER_HTTP])
def test_http(name, client):
    entry, path = BY_FILE[name], CORPUS / name
    http = entry.get("http")
    raw = path.read_bytes()
    if path.suffix == ".yaml" and not isinstance(http, dict):
        raw = json.dumps(parse_case_text(raw.decode("utf-8")), ensure_ascii=False).encode("utf-8")
    response = client.post(
        f"/v1/letters/{path.parent.name}", content=raw, headers={"content-type": "application/json", "accept": "application/pdf"}
    )
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    if isinstance(http, dict):
        assert response.status_code == http["status"]
        assert body["code"] == http["code"]
        if "detail" in http:
            assert body["detail"] == http["detail"]
        return
    assert response.status_code == 422, body
    assert problem_lines(body["errors"]) == expected_lines(entry)


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("korpus")
    source = root / "sager"
    for event in ("indkaldelse", "tilbud", "sygedagpenge"):
        shutil.copytree(CORPUS / event, source / event)
    out = root / "out"
    result = brevgen.run_batch(source, out, formats="html", workers=2)
    errors = {}
    for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines():
        error = json.loads(line)
        errors[error["source_file"]] = error
    return result, out, errors


def test_batch_refuses_every_file_and_writes_no_letter(batch_run):
    result, out, errors = batch_run
    assert (result.written, result.failed) == (0, len(ENTRIES))
    assert sorted(errors) == sorted(IDS)
    assert (out / "manifest.jsonl").read_text(encoding="utf-8") == ""
    assert sorted(p.name for p in out.iterdir()) == ["errors.jsonl", "manifest.jsonl"]


@pytest.mark.parametrize("name", IDS)
def test_batch(name, batch_run):
    _result, _out, errors = batch_run
    error = errors[name]
    assert without_prefix(problem_lines(error["problems"]), name) == expected_lines(BY_FILE[name])
