"""brevgen as an installed package: data found outside the repository, brevgen init, and a real
wheel installed into a fresh virtual environment in a temporary folder (slow: it builds the
wheel and installs its dependencies from PyPI)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from brevgen import events, paths
from brevgen.casefile import read_case_file
from brevgen.cli import main
from brevgen.pipeline import build_letter
from brevgen.starter import example_for, starter_case

REPO = paths.PROJECT_ROOT


# --- where the data is --------------------------------------------------------------------


def test_a_checkout_uses_its_own_folders():
    assert paths.in_checkout()
    assert paths.templates_dir() == (REPO / "templates" / "da").resolve()
    assert paths.rules_dir() == (REPO / "plain_language_rules").resolve()
    assert paths.examples_dir() == (REPO / "examples").resolve()


def test_the_variables_choose_other_folders(monkeypatch, tmp_path):
    for name, fn in [(paths.TEMPLATES_ENV, paths.templates_dir), (paths.RULES_ENV, paths.rules_dir), (paths.EXAMPLES_ENV, paths.examples_dir)]:
        monkeypatch.setenv(name, str(tmp_path / name))
        assert fn() == (tmp_path / name).resolve()


def test_outside_a_checkout_the_package_data_is_used(monkeypatch):
    monkeypatch.setattr(paths, "in_checkout", lambda: False)
    assert paths.data_root() == paths.PACKAGE_DIR / "_data"
    assert paths.templates_dir() == paths.PACKAGE_DIR / "_data" / "templates" / "da"


# --- brevgen init -----------------------------------------------------------------------------


@pytest.mark.parametrize("event", [e.name for e in events.all_events()])
def test_init_writes_a_commented_case_file_that_makes_the_letter(event, tmp_path):
    target = tmp_path / f"{event}.yaml"
    result = CliRunner().invoke(main, ["init", event, str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    schema = events.get(event).model.model_json_schema()
    # Danish titles as comments, and the example's values.
    assert f"# {schema['properties']['case_ref']['title']}; skal udfyldes" in text
    assert "# CPR-nummer (kun til Digital Post, vises aldrig); kan udelades" in text
    data = read_case_file(target)
    example = read_case_file(example_for(event))
    example["citizen"].pop("cpr", None)
    assert data == example  # the same case, less the CPR number (left commented out)
    assert build_letter(event, data).meta.event == event
    again = CliRunner().invoke(main, ["init", event, str(target)])
    assert again.exit_code == 2 and "findes allerede" in again.output


def test_init_to_stdout_and_from_a_chosen_example():
    result = CliRunner().invoke(main, ["init", "tilbud", "-", "--example", "loentilskud-dagpenge"])
    assert result.exit_code == 0
    assert yaml.safe_load(result.output)["offer"]["kind"] == "løntilskud"
    assert starter_case("tilbud", "loentilskud-dagpenge") == result.output
    bad = CliRunner().invoke(main, ["init", "tilbud", "-", "--example", "findes-ikke"])
    assert bad.exit_code == 2 and "loentilskud-dagpenge" in bad.output


# --- the wheel in a fresh virtual environment ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _source_copy(target: Path) -> Path:
    """The tracked files only, so nothing left over in build/ or outputs/ reaches the wheel."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        source = REPO / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    return target


@pytest.mark.slow
def test_the_wheel_works_installed_in_a_fresh_venv_outside_the_repository(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is needed to list the tracked files")
    src = _source_copy(tmp_path / "src")
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(src)], check=True, capture_output=True)
    (wheel,) = dist.glob("brevgen-*.whl")
    venv = tmp_path / "venv"
    bin_dir = venv / "bin"
    # Nothing of the checkout may leak in: with PYTHONPATH on the repository, pip would take
    # its brevgen.egg-info for an installed brevgen and skip the wheel.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "BREVGEN_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    subprocess.run([str(bin_dir / "pip"), "install", "-q", "--disable-pip-version-check", str(wheel)], check=True, capture_output=True, env=env, cwd=tmp_path)

    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(list(args), cwd=work, env=env, capture_output=True, text=True, timeout=600)
        if check:
            assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
        return done

    # It really is the installed copy, with its data inside the package.
    where = run(str(bin_dir / "python"), "-c", "import brevgen.paths as p; print(p.in_checkout(), p.templates_dir())").stdout.split()
    assert where[0] == "False" and str(venv) in where[1] and where[1].endswith("brevgen/_data/templates/da")

    out = work / "breve"
    run(str(bin_dir / "brevgen"), "demo", "--out", str(out))
    examples = len(list((REPO / "examples").glob("*/*.yaml")))
    assert len(list(out.glob("*.pdf"))) == len(list(out.glob("*.docx"))) == len(list(out.glob("*.html"))) == examples

    run(str(bin_dir / "brevgen"), "init", "indkaldelse")
    rendered = run(str(bin_dir / "brevgen"), "render", "indkaldelse", "indkaldelse.yaml", "--format", "pdf,ics", "--json")
    assert json.loads(rendered.stdout)["ok"] is True
    assert sorted(p.suffix for p in (work / "outputs").iterdir()) == [".ics", ".pdf"]  # ./outputs of the current folder

    lint = run(str(bin_dir / "brevgen"), "lint", "--format", "json", check=False)
    assert lint.returncode == 0, lint.stderr[-2000:]

    api = run(
        str(bin_dir / "python"),
        "-c",
        "import brevgen, json, pathlib\n"
        "from brevgen.casefile import read_case_file\n"
        "case = read_case_file(pathlib.Path('indkaldelse.yaml'))\n"
        "r = brevgen.generate_letter('indkaldelse', case, ['pdf', 'html'])\n"
        "print(json.dumps({'pdf': r.files['pdf'][:5].decode(), 'event': r.event, 'notes': list(r.notes)}))",
    )
    assert json.loads(api.stdout)["pdf"] == "%PDF-" and json.loads(api.stdout)["event"] == "indkaldelse"

    port = _free_port()
    server = subprocess.Popen([str(bin_dir / "brevgen"), "serve", "--port", str(port)], cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        import httpx2

        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx2.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "brevgen serve did not start"
            time.sleep(0.3)
        case = read_case_file(work / "indkaldelse.yaml")
        response = httpx2.post(f"{base}/v1/letters/indkaldelse", json=case, headers={"accept": "application/pdf"}, timeout=120)
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")
        ready = httpx2.get(f"{base}/readyz", timeout=30)
        assert ready.status_code == 200, ready.text
        docs = httpx2.get(f"{base}/docs", timeout=10).text
        assert "/docs/assets/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
        assert httpx2.get(f"{base}/docs/assets/swagger-ui-bundle.js", timeout=10).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
