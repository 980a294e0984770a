from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Mapping
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


class Made(Mapping):
    """Every example's id, each made when a test first asks for it and kept for the session.

    The full run asks for all of them; the quick run (one example per event, see
    :func:`sampled`) makes only what its tests read."""

    def __init__(self, ids, make):
        self._ids = list(ids)
        self._make = make
        self._made: dict = {}
        self._lock = threading.Lock()

    def __getitem__(self, case_id):
        if case_id not in self._ids:
            raise KeyError(case_id)
        with self._lock:
            if case_id not in self._made:
                self._made[case_id] = self._make(case_id)
            return self._made[case_id]

    def __iter__(self):
        return iter(self._ids)

    def __len__(self):
        return len(self._ids)


@pytest.fixture(scope="session")
def rendered_examples():
    """Every example built once and rendered to all three formats (real PDF, DOCX, HTML)."""
    paths = {example_id(path): path for path in EXAMPLES}

    def make(case_id):
        path = paths[case_id]
        data = read_case_file(path)
        letter = build_letter(path.parent.name, data, record=str(path))
        return (path, data, letter, render_letter(letter))

    return Made(paths, make)


@pytest.fixture(scope="session")
def typst_examples(rendered_examples):
    """Every example's PDF from the second engine, Typst (about 12 ms a letter)."""
    from brevgen.render.pdf_typst import render_pdf_typst

    return Made(rendered_examples, lambda case_id: render_pdf_typst(rendered_examples[case_id][2]))


@pytest.fixture(scope="session")
def example_pdfs(rendered_examples, typst_examples):
    """``example_pdfs(engine)`` -> {case id: (letter, PDF bytes)} for either PDF engine."""

    def pdfs(engine: str) -> dict:
        if engine == "weasyprint":
            return Made(rendered_examples, lambda case_id: (rendered_examples[case_id][2], rendered_examples[case_id][3]["pdf"]))
        if engine == "typst":
            return Made(rendered_examples, lambda case_id: (rendered_examples[case_id][2], typst_examples[case_id]))
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


# PostgreSQL runs in .ci/run; the quick run (-m "not slow") checks the same tests on SQLite.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
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


# --- test users: one real Argon2id hash per password --------------------------------------------

_HASHES: dict[str, str] = {}


@contextlib.contextmanager
def shared_password_hashes():
    """Users added inside share one real Argon2id hash per password, made once per session.

    A hash costs about 0.1 s by design and the studio, desk and lifecycle tests add users by
    the dozen. Signing in still verifies the password against that real hash; hashing itself
    (a fresh salt each time, short passwords refused) is tested in tests/studio/test_auth.py."""
    from brevgen import accounts

    real = accounts.hash_password

    def once(password: str) -> str:
        if password not in _HASHES:
            _HASHES[password] = real(password)
        return _HASHES[password]

    accounts.hash_password = once
    try:
        yield
    finally:
        accounts.hash_password = real
