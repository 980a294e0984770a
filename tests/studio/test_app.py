"""The studio's web app over HTTP (FastAPI's test client): sign-in, CSRF, headers, the API."""

from __future__ import annotations

import re

import pytest
from .studio_helpers import ORIGIN, PASSWORD, line_of
from lxml import html as lxml_html

from brevgen.studio.app import CSP

PAGES = ["/", "/brev/indkaldelse", "/brev/tilbud?variant=loentilskud-kontanthjaelp", "/brev/sygedagpenge"]


def test_pages_and_api_need_a_signed_in_user(app):
    from fastapi.testclient import TestClient

    anonymous = TestClient(app, base_url=ORIGIN)
    for page in PAGES:
        response = anonymous.get(page, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?naeste=")
    response = anonymous.post("/api/brev/indkaldelse/forhaandsvisning", json={}, headers={"Origin": ORIGIN})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith("Du er ikke logget ind")


def test_every_response_carries_the_security_headers(client):
    for url in ["/login", *PAGES, "/static/studio.css", "/brevfiler/brev.css", "/nope"]:
        response = client.get(url)
        assert response.headers["content-security-policy"] == CSP, url
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in CSP and "'unsafe-inline'" not in CSP and "frame-ancestors 'none'" in CSP


def test_sign_in_is_protected_by_its_own_token_and_sets_a_strict_cookie(app):
    from fastapi.testclient import TestClient

    c = TestClient(app, base_url=ORIGIN)
    form = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    forged = c.post("/login", data={"brugernavn": "anna", "adgangskode": PASSWORD, "csrf_token": "x"}, headers={"Origin": ORIGIN})
    assert forged.status_code == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', forged.text).group(1)  # every form gets a fresh token
    wrong = c.post("/login", data={"brugernavn": "anna", "adgangskode": "forkert", "csrf_token": token}, headers={"Origin": ORIGIN})
    assert wrong.status_code == 401 and "Forkert brugernavn eller adgangskode." in wrong.text
    form = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    ok = c.post("/login", data={"brugernavn": "anna", "adgangskode": PASSWORD, "csrf_token": token, "naeste": "https://evil.example/"}, headers={"Origin": ORIGIN}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/", "no open redirect after signing in"
    cookie = ok.headers["set-cookie"]
    assert "brevgen_studio=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")


def test_repeated_wrong_passwords_are_throttled(app):
    from fastapi.testclient import TestClient

    c = TestClient(app, base_url=ORIGIN)
    statuses = []
    for _ in range(7):
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
        statuses.append(c.post("/login", data={"brugernavn": "anna", "adgangskode": "nej", "csrf_token": token}, headers={"Origin": ORIGIN}).status_code)
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]


def test_without_users_the_login_page_explains_how_to_make_the_first_administrator(template_copy, sqlite_store):
    from fastapi.testclient import TestClient

    from .conftest import make_app

    c = TestClient(make_app(template_copy, sqlite_store), base_url=ORIGIN)
    page = c.get("/login").text
    assert "brevgen users add anna --role admin --role author" in page
    assert "<form" not in page.split("<main")[1].split("Log ud")[0].replace('action="/log-ud"', "")


def test_every_write_needs_the_csrf_token_and_the_studio_s_own_origin(client):
    url = "/api/brev/indkaldelse/forhaandsvisning"
    assert client.post(url, json={}, headers={"Origin": ORIGIN}).status_code == 403
    assert client.post(url, json={}, headers={"X-CSRF-Token": "gaet", "Origin": ORIGIN}).status_code == 403
    assert client.post(url, json={}, headers={"X-CSRF-Token": client.csrf, "Origin": "https://evil.example"}).status_code == 403
    assert client.post(url, json={}, headers={**client.api_headers, "Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post(url, json={}, headers=client.api_headers).status_code == 200
    assert client.post("/brev/indkaldelse/pdf", data={"variant": "dagpenge-video", "kladde": "{}"}, headers={"Origin": ORIGIN}).status_code == 403
    save = client.post("/api/brev/indkaldelse/gem", json={"files": {}}, headers={"Origin": ORIGIN})
    assert save.status_code == 403


def test_signing_out_ends_the_session(client):
    cookie = client.cookies.get("brevgen_studio")
    client.post("/log-ud", data={"csrf_token": client.csrf}, headers={"Origin": ORIGIN})
    client.cookies.set("brevgen_studio", cookie)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_pages_load_nothing_from_elsewhere(client):
    for page in ["/login", *PAGES]:
        tree = lxml_html.fromstring(client.get(page).text)
        for el in tree.iter("script", "link", "img", "iframe", "source", "audio", "video"):
            for attr in ("src", "href"):
                value = el.get(attr)
                if value is not None:
                    assert value.startswith("/") and not value.startswith("//") or value.startswith("data:"), (page, value)
        assert not tree.xpath("//script[not(@src)][not(@type='application/json')]"), "no inline script"
        assert not tree.xpath("//style | //*[@style]"), "no inline style"
    preview = client.post("/api/brev/tilbud/forhaandsvisning", json={"variant": "kursus-dagpenge"}, headers=client.api_headers).json()
    tree = lxml_html.fromstring(preview["html"])
    assert [l.get("href") for l in tree.iter("link")] == ["/brevfiler/fonts.css", "/brevfiler/brev.css", "/brevfiler/screen.css", "/static/preview.css"]


def test_the_editor_page_embeds_its_data_safely(client, template_copy):
    path = template_copy / "partials" / "hilsen.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n{# </script><script>alert(1)</script> #}\n", encoding="utf-8")
    page = client.get("/brev/indkaldelse").text
    assert "</script><script>alert(1)" not in page
    assert "\\u003c/script\\u003e" in page


def test_preview_api_returns_the_letter_and_its_checks(client, template_copy):
    body = {"variant": "kontanthjaelp-tolk"}
    out = client.post("/api/brev/indkaldelse/forhaandsvisning", json=body, headers=client.api_headers).json()
    assert out["variant"]["title"] == "kontanthjælp · fremmøde · tolk"
    assert out["lix"]["band"] and out["checklist"] and out["html"].startswith("<!DOCTYPE html>")
    source = (template_copy / "indkaldelse.md").read_text(encoding="utf-8").replace("Kom til samtalen til tiden.", "{{ case.__class__ }}")
    out = client.post("/api/brev/indkaldelse/forhaandsvisning", json={**body, "files": {"indkaldelse.md": source}}, headers=client.api_headers).json()
    assert out["html"] is None
    assert out["problems"][0]["line"] == line_of(template_copy / "indkaldelse.md", "Kom til samtalen til tiden.")
    bad = client.post("/api/brev/indkaldelse/forhaandsvisning", json={"files": {"../../x.md": "x"}}, headers=client.api_headers)
    assert bad.status_code == 400 and "ikke en skabelon" in bad.json()["detail"]
    assert client.post("/api/brev/findes-ikke/forhaandsvisning", json={}, headers=client.api_headers).status_code == 404


def test_variants_diff_and_save_over_http_into_a_new_draft(client, app, template_copy):
    path = template_copy / "tilbud.md"
    original = path.read_text(encoding="utf-8")
    source = original.replace("Svar os senest", "Giv os svar senest")
    draft = {"files": {"tilbud.md": source}}
    report = client.post("/api/brev/tilbud/varianter", json=draft, headers=client.api_headers).json()
    assert len(report["variants"]) == 10 and "branches" in report
    diff = client.post("/api/brev/tilbud/aendringer", json=draft, headers=client.api_headers).json()
    assert diff["letters"] == 10
    import hashlib

    stale = {"tilbud.md": "0" * 64}
    conflict = client.post("/api/brev/tilbud/gem", json={**draft, "base": stale}, headers=client.api_headers)
    assert conflict.status_code == 409 and "ændret af en anden" in conflict.json()["detail"]
    base = {"tilbud.md": hashlib.sha256(path.read_bytes()).hexdigest()}
    saved = client.post("/api/brev/tilbud/gem", json={**draft, "base": base}, headers=client.api_headers)
    assert saved.status_code == 200, saved.text
    result = saved.json()
    assert result["saved"] == ["tilbud.md"] and result["draft"] == 1 and result["revision"] == 2
    # The working folder and the published versions are never written: the text is in the draft.
    assert path.read_text(encoding="utf-8") == original
    lifecycle = app.state.studio.lifecycle
    assert lifecycle.draft_files(1)["templates/tilbud.md"].decode("utf-8") == source
    # The next save names the draft and its revision; an old revision is refused.
    again = {"files": {"tilbud.md": source.replace("Giv os svar", "Svar os")}, "base": result["base"], "kladde": 1}
    old = client.post("/api/brev/tilbud/gem", json={**again, "revision": 1}, headers=client.api_headers)
    assert old.status_code == 409
    refused = client.post("/api/brev/tilbud/gem", json={"files": {"tilbud.md": source + "{{ x.y() }}"}, "base": result["base"], "kladde": 1, "revision": 2}, headers=client.api_headers)
    assert refused.status_code == 422 and "kalde funktioner" in refused.json()["detail"]
    assert client.post("/api/brev/tilbud/gem", json={**again, "revision": 2}, headers=client.api_headers).json()["revision"] == 3


def test_pdf_on_request(client):
    response = client.post("/brev/tilbud/pdf", data={"csrf_token": client.csrf, "variant": "kursus-dagpenge", "kladde": "{}"}, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_letter_files_come_only_from_the_template_folder(client):
    assert client.get("/brevfiler/fonts/NotoSans-Regular.ttf").status_code == 200
    for url in ["/brevfiler/regimes.yml", "/brevfiler/indkaldelse.md", "/brevfiler/..%2F..%2Fpyproject.toml", "/brevfiler/%2Fetc%2Fpasswd"]:
        assert client.get(url).status_code == 404, url


def test_overview_lists_every_event_with_its_variant_matrix(client):
    page = client.get("/").text
    tree = lxml_html.fromstring(page)
    assert [h.text_content() for h in tree.xpath("//section[@class='event']/h2")] == ["Indkaldelse til første jobsamtale", "Tilbud om aktivering", "Velkommen: opfølgning på din sygemelding"]
    assert "Der er ikke udgivet nogen version endnu" in tree.xpath("//section[contains(@class, 'current')]")[0].text_content()
    rows = tree.xpath("//table[@class='matrix']//tbody/tr")
    assert len(rows) == 34
    assert "kontanthjælp · løntilskud" in page and "dagpenge · video" in page
    assert "version 3.0" in page and "Sidst ændret" in page and "let" in page


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example", "javascript:alert(1)", "/brev/tilbud?variant=x"])
def test_next_page_after_sign_in_stays_on_the_site(target):
    from brevgen.studio.app import _local

    assert _local(target) == ("/brev/tilbud?variant=x" if target.startswith("/brev") else "/")


def test_the_editor_explains_which_names_and_filters_a_template_may_use(client):
    page = client.get("/brev/indkaldelse").text
    tree = lxml_html.fromstring(page)
    help_text = tree.xpath("//details[@class='reference']")[0].text_content()
    assert "case.caseworker.name" in help_text and "Sagsbehandlerens navn" in help_text
    assert "x.days" in help_text and "{% for x in case.caseworker.phone_hours %}" in help_text
    assert "derived.cancel_by" in help_text and "mandag den 3. marts 2026" in help_text
    assert "case.citizen.cpr" not in help_text


def test_an_open_editor_can_fetch_the_csrf_token_of_a_new_session(client, app):
    from fastapi.testclient import TestClient

    assert client.get("/api/sikkerhedsnoegle").json() == {"csrf": client.csrf}
    anonymous = TestClient(app, base_url=ORIGIN)
    response = anonymous.get("/api/sikkerhedsnoegle")
    assert response.status_code == 401 and response.json()["code"] == "login"
    stale = client.post("/api/brev/tilbud/forhaandsvisning", json={}, headers={"X-CSRF-Token": "gammel", "Origin": ORIGIN})
    assert stale.status_code == 403 and stale.json()["code"] == "csrf"
