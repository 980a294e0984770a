from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# Never the developer's own database or feedback settings: an empty data folder for the run
# (no database in it, so letters come from the working template folder unless a test says so).
os.environ["BREVGEN_DATA"] = tempfile.mkdtemp(prefix="brevgen-test-data-")
for _name in ("BREVGEN_DATABASE_URL", "BREVGEN_FEEDBACK_URL", "BREVGEN_FEEDBACK_SECRET"):
    os.environ.pop(_name, None)

from brevgen import build_letter, render_letter  # noqa: E402
from brevgen.paths import examples_dir  # noqa: E402
from brevgen.casefile import read_case_file  # noqa: E402

EXAMPLES = sorted(p for p in examples_dir().glob("*/*.yaml"))


def sampled(case_ids):
    """Every example as a test parameter; all but the first of each event marked slow, so the quick
    run (-m "not slow") checks one letter per event and .ci/run checks them all."""
    seen: set[str] = set()
    out = []
    for case_id in case_ids:
        event = case_id.split("/")[0]
        out.append(case_id if event not in seen else pytest.param(case_id, marks=pytest.mark.slow))
        seen.add(event)
    return out


def example_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.fixture(scope="session")
def rendered_examples():
    """Every example built once and rendered to all three formats (real PDF, DOCX, HTML)."""
    out = {}
    for path in EXAMPLES:
        data = read_case_file(path)
        letter = build_letter(path.parent.name, data, record=str(path))
        out[example_id(path)] = (path, data, letter, render_letter(letter))
    return out


@pytest.fixture(scope="session")
def typst_examples(rendered_examples):
    """Every example's PDF from the second engine, Typst (about 12 ms a letter)."""
    from brevgen.render.pdf_typst import render_pdf_typst

    return {case_id: render_pdf_typst(letter) for case_id, (_path, _data, letter, _files) in rendered_examples.items()}


@pytest.fixture(scope="session")
def example_pdfs(rendered_examples, typst_examples):
    """``example_pdfs(engine)`` -> {case id: (letter, PDF bytes)} for either PDF engine."""

    def pdfs(engine: str) -> dict:
        if engine == "weasyprint":
            return {case_id: (letter, files["pdf"]) for case_id, (_p, _d, letter, files) in rendered_examples.items()}
        if engine == "typst":
            return {case_id: (rendered_examples[case_id][2], data) for case_id, data in typst_examples.items()}
        raise ValueError(engine)

    return pdfs


# Property tests (tests/test_properties.py): "fast" runs in every test run; "thorough" generates
# 10,000 records and is used by the slow-marked test, which .ci/run runs (pytest -m "not slow"
# leaves it out). Derandomized: the same records every run, so a failure in CI can be repeated.
from hypothesis import HealthCheck, settings  # noqa: E402

_PROPERTY_SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("fast", max_examples=40, **_PROPERTY_SETTINGS)
settings.register_profile("thorough", max_examples=10_000, **_PROPERTY_SETTINGS)
settings.load_profile("fast")


# --- the store: SQLite and a real PostgreSQL server ---------------------------------------------


@pytest.fixture(scope="session")
def postgres():
    """Debian's PostgreSQL, started once for the session in a temporary folder (tests/postgres.py)."""
    import postgres as pg

    reason = pg.available()
    if reason:
        pytest.fail(f"PostgreSQL is needed for the store's tests: {reason}")
    with pg.TempPostgres() as server:
        yield server


def _open_test_store(url: str, tmp_path: Path, monkeypatch):
    from brevgen.store import open_store

    monkeypatch.setenv("BREVGEN_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("BREVGEN_DATABASE_URL", url)
    return open_store(url)


def _close_test_stores() -> None:
    from brevgen.store import forget_stores
    from brevgen.versions import forget_cached_sets

    forget_stores()
    forget_cached_sets()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, monkeypatch):
    """An empty store, once on SQLite and once on PostgreSQL; BREVGEN_DATABASE_URL points at it
    and BREVGEN_DATA at a fresh data folder, so letters made without a version use it too."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'brevgen.sqlite3'}"
    else:
        import uuid

        url = request.getfixturevalue("postgres").create_database(f"t_{uuid.uuid4().hex[:12]}")
    yield _open_test_store(url, tmp_path, monkeypatch)
    _close_test_stores()


@pytest.fixture
def sqlite_store(tmp_path, monkeypatch):
    """An empty SQLite store (for tests that are about something else than the database)."""
    yield _open_test_store(f"sqlite:///{tmp_path / 'brevgen.sqlite3'}", tmp_path, monkeypatch)
    _close_test_stores()


# --- a real browser (Debian's chromium through Playwright) -------------------------------------
# One per session for every folder (studio, desk): Playwright's sync API cannot run two at once.

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), "chromium mangler: kør bash scripts/setup.sh --test"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
