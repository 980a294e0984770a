"""The studio's lifecycle pages over HTTP (FastAPI's test client): drafts and their steps, the
schema gate's confirmation, reviewers who may look but not edit, and users managed by admins."""

from __future__ import annotations

import re

import pytest
from pydantic import Field

from brevgen import events

from .conftest import signed_in
from .studio_helpers import ORIGIN

OLD = "Kom til samtalen til tiden."


def _save_first_change(client, root, old: str = OLD, new: str = "Kom til tiden.") -> int:
    import hashlib

    path = root / "indkaldelse.md"
    source = path.read_text(encoding="utf-8")
    assert old in source
    source = source.replace(old, new)
    base = {"indkaldelse.md": hashlib.sha256(path.read_bytes()).hexdigest()}
    saved = client.post("/api/brev/indkaldelse/gem", json={"files": {"indkaldelse.md": source}, "base": base}, headers=client.api_headers)
    assert saved.status_code == 200, saved.text
    return saved.json()["draft"]


def _step(client, draft_id: int, step: str, **fields):
    return client.post(f"/kladder/{draft_id}/{step}", data={"csrf_token": client.csrf, **fields}, headers={"Origin": ORIGIN}, follow_redirects=False)


@pytest.mark.slow  # a draft through every step of the workflow
def test_steps_on_the_draft_page_follow_the_rules(app, template_copy, monkeypatch):
    eva = signed_in(app, "eva")
    draft = _save_first_change(eva, template_copy)
    page = eva.get(f"/kladder/{draft}").text
    assert "1 brev ændrer sig" not in page and "ændrer sig" in page and "<del>" in page
    assert _step(eva, draft, "send").headers["location"] == f"/kladder/{draft}?ok=sendt"
    own = _step(eva, draft, "godkend")
    assert own.status_code == 403 and "Du har selv lavet eller rettet kladden" in own.text
    forged = eva.post(f"/kladder/{draft}/godkend", data={"csrf_token": "forkert"}, headers={"Origin": ORIGIN})
    assert forged.status_code == 403
    bo = signed_in(app, "bo")
    # A reviewer may open the draft in the editor, but not save into it.
    editor = bo.get(f"/brev/indkaldelse?kladde={draft}").text
    assert "kun en forfatter kan rette teksten" in editor and 'id="show-diff"' not in editor
    refused = bo.post("/api/brev/indkaldelse/gem", json={"files": {}, "base": {}, "kladde": draft}, headers=bo.api_headers)
    assert refused.status_code == 403
    # Meanwhile the case data changed: publishing needs the explicit confirmation.
    event = events.get("indkaldelse")
    original = event.model

    class ChangedSummons(event.model):
        interpreter_language: str = Field(title="Tolkens sprog")

    monkeypatch.setattr(type(event), "model", ChangedSummons)
    assert _step(bo, draft, "godkend", kommentar="Fint").status_code == 303
    # No version is published yet, so there is nothing to compare with: no gate for the first.
    assert 'id="schema-gate"' not in bo.get(f"/kladder/{draft}").text
    monkeypatch.setattr(type(event), "model", original)
    assert _step(bo, draft, "udgiv").headers["location"] == f"/kladder/{draft}?ok=udgivet"
    assert "Version 1" in bo.get("/").text

    assert "(version 1)" in bo.get("/").text  # "Sidst ændret" is the version's publication
    stale = _save_first_change(eva, _published_copy(app, template_copy), "Kom til tiden.", "Kom præcis til tiden.")
    second = _save_first_change(eva, _published_copy(app, template_copy), "Kom til tiden.", "Kom i god tid.")
    _step(eva, second, "send")
    monkeypatch.setattr(type(event), "model", ChangedSummons)
    _step(bo, second, "godkend")
    page = bo.get(f"/kladder/{second}").text
    assert 'id="schema-gate"' in page and "interpreter_language (Tolkens sprog), påkrævet" in page
    gate = _step(bo, second, "udgiv")
    assert gate.status_code == 409 and "Bekræft" in gate.text
    assert _step(bo, second, "udgiv", bekraeft_skema="ja").headers["location"] == f"/kladder/{second}?ok=udgivet"
    log = bo.get("/log").text
    assert "ændringer i sagens data bekræftet: indkaldelse: nyt felt interpreter_language" in log
    # The draft made before version 2 is stale: the editor says so and links to the draft.
    editor = eva.get(f"/brev/indkaldelse?kladde={stale}").text
    assert 'id="stale-draft"' in editor and f'href="/kladder/{stale}"' in editor
    assert 'id="stale"' in eva.get(f"/kladder/{stale}").text


def _published_copy(app, template_copy):
    """The newest version's folder, as the editor now shows it (what a new draft starts from)."""
    workspace, base = app.state.studio.base_workspace()
    assert base.version is not None
    return workspace.root


def test_only_admins_manage_users_and_every_change_is_logged(app):
    bo = signed_in(app, "bo")
    assert bo.get("/brugere").status_code == 403
    assert "/brugere" not in bo.get("/").text.split("<main")[0]
    anna = signed_in(app, "anna")
    page = anna.get("/brugere").text
    assert "Sprogligt ansvarlig" in page and "eva" in page
    made = anna.post("/brugere", data={"csrf_token": anna.csrf, "brugernavn": "dorte", "navn": "Dorte", "adgangskode": "kaffe-og-klarsprog", "rolle_subject_reviewer": "ja"}, headers={"Origin": ORIGIN}, follow_redirects=False)
    assert made.status_code == 303
    short = anna.post("/brugere", data={"csrf_token": anna.csrf, "brugernavn": "erik", "adgangskode": "kort"}, headers={"Origin": ORIGIN})
    assert short.status_code == 400 and "mindst 10 tegn" in short.text
    dorte = signed_in(app, "dorte")
    assert dorte.get("/kladder").status_code == 200
    anna.post("/brugere/dorte", data={"csrf_token": anna.csrf, "handling": "roller", "rolle_author": "ja"}, headers={"Origin": ORIGIN})
    anna.post("/brugere/dorte", data={"csrf_token": anna.csrf, "handling": "luk"}, headers={"Origin": ORIGIN})
    assert dorte.get("/", follow_redirects=False).status_code == 303, "closing a user ends her sessions"
    own = anna.post("/brugere/anna", data={"csrf_token": anna.csrf, "handling": "luk"}, headers={"Origin": ORIGIN})
    assert own.status_code == 400
    log = anna.get("/log").text
    for words in ("oprettede brugeren", "dorte (Fagligt ansvarlig)", "ændrede roller for", "dorte (Forfatter)", "lukkede brugeren"):
        assert words in log, words
    assert re.search(r"anna</td><td>loggede ind", log)
