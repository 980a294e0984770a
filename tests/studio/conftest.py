"""Fixtures for the template studio: a temporary copy of templates/da (never the repository's
own templates), the workspace over it, and a signed-in test client."""

from __future__ import annotations

import re
import shutil

import pytest

from brevgen.paths import examples_dir
from brevgen.studio.engine import Workspace, forget_cached_templates

from .studio_helpers import ORIGIN, PASSWORD, REPO


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


@pytest.fixture(scope="session")
def password_hash():
    from brevgen.studio.auth import hash_password

    return hash_password(PASSWORD)


@pytest.fixture
def app(template_copy, password_hash):
    from brevgen.studio import create_app
    from brevgen.studio.auth import Account

    return create_app(template_copy, account=Account("anna", password_hash), examples=examples_dir())


@pytest.fixture
def client(app):
    """A test client signed in as 'anna'; ``client.csrf`` is the session's CSRF token."""
    from fastapi.testclient import TestClient

    c = TestClient(app, base_url=ORIGIN)
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = c.post("/login", data={"brugernavn": "anna", "adgangskode": PASSWORD, "csrf_token": token, "naeste": "/"}, headers={"Origin": ORIGIN}, follow_redirects=False)
    assert response.status_code == 303, response.text
    editor = c.get("/brev/indkaldelse")
    c.csrf = re.search(r'name="csrf-token" content="([^"]+)"', editor.text).group(1)
    c.api_headers = {"X-CSRF-Token": c.csrf, "Origin": ORIGIN}
    return c
