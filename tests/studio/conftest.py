"""Fixtures for the template studio: a temporary copy of templates/da (never the repository's
own templates), the workspace over it, a store with the studio's users, and a signed-in test
client."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from brevgen.paths import examples_dir
from brevgen.studio.engine import Workspace, forget_cached_templates

from .studio_helpers import ORIGIN, PASSWORD, REPO, USERS, sign_in


@pytest.fixture
def template_copy(tmp_path, monkeypatch):
    """templates/da copied to a temporary folder that the whole pipeline reads (BREVGEN_TEMPLATES)."""
    root = tmp_path / "templates" / "da"
    shutil.copytree(REPO / "templates" / "da", root)
    monkeypatch.setenv("BREVGEN_TEMPLATES", str(root))
    forget_cached_templates()
    yield root
    forget_cached_templates()  # the next test must not see this folder through a cache


@pytest.fixture
def workspace(template_copy):
    return Workspace(template_copy, examples_dir())


def add_users(store) -> None:
    """anna writes and administers; bo reviews language; carl reviews language and subject
    matter; eva writes and reviews language (so she can try to approve her own change)."""
    from brevgen import accounts

    with shared_password_hashes():
        for name, roles in USERS.items():
            accounts.add_user(store, name, PASSWORD, roles, name.capitalize(), by="test")


def make_app(template_copy, store, **options):
    from brevgen.studio import create_app

    return create_app(template_copy, store=store, examples=examples_dir(), **options)


@pytest.fixture
def app(template_copy, sqlite_store):
    add_users(sqlite_store)
    return make_app(template_copy, sqlite_store)


def signed_in(app, user: str = "anna"):
    """A test client signed in as ``user``; ``client.csrf`` is the session's CSRF token."""
    from fastapi.testclient import TestClient

    c = TestClient(app, base_url=ORIGIN)
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = c.post("/login", data={"brugernavn": user, "adgangskode": PASSWORD, "csrf_token": token, "naeste": "/"}, headers={"Origin": ORIGIN}, follow_redirects=False)
    assert response.status_code == 303, response.text
    editor = c.get("/brev/indkaldelse")
    c.csrf = re.search(r'name="csrf-token" content="([^"]+)"', editor.text).group(1)
    c.api_headers = {"X-CSRF-Token": c.csrf, "Origin": ORIGIN}
    return c


@pytest.fixture
def client(app):
    """A test client signed in as 'anna' (author and admin)."""
    return signed_in(app, "anna")


# --- a real browser: the session's one chromium (tests/conftest.py), shared with the desk's tests ---

from conftest import CHROMIUM, CHROMIUM_ARGS, shared_password_hashes  # noqa: E402,F401


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_app(app):
    """Serve ``app`` over HTTP on a free local port in this process; yields its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the studio did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def studio(app):
    """The studio served over HTTP on a free local port; yields its base URL."""
    yield from serve_app(app)


@pytest.fixture
def page(browser, studio, app):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="da-DK")
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda m: page.csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: page.csp_errors.append(f"script error: {e}"))
    sign_in(page, studio)
    page.base = studio
    page.studio_app = app
    yield page
    context.close()
