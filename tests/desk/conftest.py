"""Fixtures for the caseworker desk: the studio's app (same harness: a temporary template copy,
a store, uvicorn in a thread, Debian's chromium) with a caseworker who has a saved profile."""

from __future__ import annotations

import re

import pytest

from conftest import shared_password_hashes
from studio.conftest import CHROMIUM_ARGS, make_app, serve_app, template_copy  # noqa: F401  (fixtures)
from studio.studio_helpers import ORIGIN, PASSWORD

CASEWORKER = "mette"

PROFILE = {
    "caseworker": {
        "name": "Mette Kjær",
        "title": "jobkonsulent",
        "phone": "46 11 22 33",
        "phone_hours": [{"days": "mandag til fredag", "opens": "08:30", "closes": "10:00"}],
        "email": "mette.kjaer@rudersdal.dk",
        "substitute": {"name": "Anders Holm", "phone": "46 11 22 44"},
    },
    "sender": {
        "authority": "Rudersdal Kommune",
        "unit": "Jobcenter Rudersdal",
        "address": {"street": "Stationsvej 36", "postcode": "3460", "city": "Birkerød"},
        "phone": "46 11 00 00",
        "phone_hours": [
            {"days": "mandag til torsdag", "opens": "09:00", "closes": "15:00"},
            {"days": "fredag", "opens": "09:00", "closes": "12:00"},
        ],
        "web": "https://www.rudersdal.dk/jobcenter",
        "cvr": "29189781",
    },
}


def add_desk_users(store, profile: bool = True) -> None:
    from brevgen import accounts
    from brevgen.desk import profile as profiles

    with shared_password_hashes():
        accounts.add_user(store, CASEWORKER, PASSWORD, ("caseworker",), "Mette Kjær", by="test")
        accounts.add_user(store, "anna", PASSWORD, ("author", "admin"), "Anna", by="test")
        accounts.add_user(store, "bo", PASSWORD, ("language_reviewer",), "Bo", by="test")
    if profile:
        assert profiles.save(store, CASEWORKER, PROFILE) == []


@pytest.fixture
def desk_app(template_copy, sqlite_store):  # noqa: F811
    add_desk_users(sqlite_store)
    return make_app(template_copy, sqlite_store)


def signed_in(app, user: str = CASEWORKER):
    from fastapi.testclient import TestClient

    c = TestClient(app, base_url=ORIGIN)
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = c.post("/login", data={"brugernavn": user, "adgangskode": PASSWORD, "csrf_token": token, "naeste": "/breve"}, headers={"Origin": ORIGIN}, follow_redirects=False)
    assert response.status_code == 303, response.text
    c.csrf = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/breve").text).group(1)
    c.api_headers = {"X-CSRF-Token": c.csrf, "Origin": ORIGIN}
    return c


@pytest.fixture
def desk_client(desk_app):
    return signed_in(desk_app)


@pytest.fixture
def desk_server(desk_app):
    yield from serve_app(desk_app)


@pytest.fixture
def desk_page(browser, desk_server):  # noqa: F811
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="da-DK", accept_downloads=True)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if "Content Security Policy" in m.text or m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(f"script error: {e}"))
    page.goto(desk_server + "/login?naeste=/breve")
    page.get_by_label("Brugernavn").fill(CASEWORKER)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(desk_server + "/breve")
    page.base = desk_server
    yield page
    context.close()
