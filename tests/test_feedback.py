"""Citizen feedback: the short link in the letter, its signed token, the answer page, and what is
stored (on SQLite and on PostgreSQL): counted under the right version and variant, one answer
per letter, forged tokens refused, CPR numbers never stored, too many tries refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from brevgen import accounts, feedback, generate_letter
from brevgen.casefile import read_case_file
from brevgen.lifecycle import Actor, Lifecycle
from brevgen.paths import examples_dir
from conftest import shared_password_hashes

SECRET = "en-lang-hemmelig-noegle-til-tests"
BASE = "https://brev.example.dk"
ORIGIN = "http://testserver"
SUMMONS = examples_dir() / "indkaldelse" / "kontanthjaelp-fremmoede.yaml"
OFFER = examples_dir() / "tilbud" / "loentilskud-dagpenge.yaml"


@pytest.fixture
def feedback_on(monkeypatch):
    monkeypatch.setenv(feedback.URL_ENV, BASE)
    monkeypatch.setenv(feedback.SECRET_ENV, SECRET)


def _publish_first_version(store) -> str:
    with shared_password_hashes():
        users = {n: accounts.add_user(store, n, "kaffe-og-klarsprog", r, by="test") for n, r in {"eva": ["author"], "bo": ["language_reviewer"]}.items()}
    eva, bo = (Actor(u.name, u.roles) for u in users.values())
    lc = Lifecycle(store)
    draft = lc.create_draft(eva, "Første version")
    files = lc.draft_files(draft.id)
    source = files["templates/indkaldelse.md"].decode("utf-8").replace("Kom til samtalen til tiden.", "Kom til tiden.")
    lc.save_files(eva, draft.id, draft.revision, {"templates/indkaldelse.md": source.encode("utf-8")})
    lc.submit(eva, draft.id)
    lc.review(bo, draft.id, True)
    return lc.publish(bo, draft.id).hash


def _letter(path):
    return generate_letter(path.parent.name, read_case_file(path), ["html", "pdf"]).letter


def _token(url: str) -> str:
    return url.rsplit("/f/", 1)[1]


def test_tokens_are_signed_short_typeable_and_hold_no_personal_data():
    secret = SECRET.encode()
    token = feedback.make_token(secret, "ab" * 32, "indkaldelse", "kontanthjælp · fremmøde", "cd" * 32)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}-[0-9A-HJKMNP-TV-Z]{6}", token)
    read = feedback.read_token(secret, token)
    assert read.version_prefix == "abababab" and read.variant_code == feedback.variant_code("indkaldelse", "kontanthjælp · fremmøde").hex()
    # Typed from paper: case, dashes, spaces and the look-alikes O/0 and I/L/1 do not matter.
    typed = token.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert feedback.read_token(secret, typed) == read
    # The same letter gets the same token; another letter another one.
    assert feedback.make_token(secret, "ab" * 32, "indkaldelse", "kontanthjælp · fremmøde", "cd" * 32) == token
    assert feedback.make_token(secret, "ab" * 32, "indkaldelse", "kontanthjælp · fremmøde", "ce" * 32) != token
    # A changed character, another key or garbage is refused.
    flipped = token[:3] + ("A" if token[3] != "A" else "B") + token[4:]
    assert feedback.read_token(secret, flipped) is None
    assert feedback.read_token(b"another-secret-key-xx", token) is None
    assert feedback.read_token(secret, "hej") is None and feedback.read_token(secret, "U" * 26) is None


def test_no_feedback_line_unless_it_is_configured(monkeypatch):
    monkeypatch.delenv(feedback.URL_ENV, raising=False)
    plain = _letter(SUMMONS)
    assert plain.meta.feedback_url is None and not any("let at forstå" in line for line in plain.body_lines())
    monkeypatch.setenv(feedback.URL_ENV, BASE)
    monkeypatch.delenv(feedback.SECRET_ENV, raising=False)
    from brevgen.errors import UsageError

    with pytest.raises(UsageError, match=feedback.SECRET_ENV):
        _letter(SUMMONS)


def test_the_letter_asks_the_question_with_a_short_link_before_the_rules(feedback_on):
    letter = _letter(SUMMONS)
    url = letter.meta.feedback_url
    assert url.startswith(BASE + "/f/") and len(_token(url)) == 30
    lines = letter.body_lines()
    question = next(i for i, line in enumerate(lines) if line.startswith("Var brevet let at forstå?"))
    assert lines[question] == f"Var brevet let at forstå? Svar på {url}"
    assert lines.index("Regler") == question + 1, "the legal references stay last"
    assert letter.meta.variant == "kontanthjælp · fremmøde"
    # The link holds nothing personal: no CPR number, name or case number, and no data hash.
    case = read_case_file(SUMMONS)
    for secret_value in (str(case["citizen"].get("cpr", "")).replace("-", ""), case["citizen"]["name"], case["case_ref"], letter.meta.data_sha256[:8]):
        if secret_value:
            assert secret_value.lower() not in url.lower()
    # Made again, the letter has the same link (and so the same bytes).
    assert _letter(SUMMONS).meta.feedback_url == url


def test_scrub_removes_cpr_numbers_however_they_are_written():
    for written in ("010203-1234", "0102031234", "01 02 03 1234", "01.02.03-1234", "010203 1234"):
        cleaned = feedback.scrub(f"Mit nummer er {written}, og brevet var svært.")
        assert cleaned == "Mit nummer er [fjernet], og brevet var svært.", written
    assert feedback.scrub("Ring på 33 66 33 66 mellem 9 og 12") == "Ring på 33 66 33 66 mellem 9 og 12"
    assert feedback.scrub("   ") is None and feedback.scrub(None) is None
    assert len(feedback.scrub("x" * 2000)) == feedback.MAX_COMMENT


def _service(limit: int = 20):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from brevgen.feedback_web import configured_store_getter, feedback_router

    app = FastAPI()
    app.include_router(feedback_router(configured_store_getter(), limit=limit))
    return TestClient(app, base_url=ORIGIN)


def _answer(client, token: str, score: str, comment: str = ""):
    return client.post(f"/f/{token}", data={"svar": score, "kommentar": comment}, headers={"Origin": ORIGIN})


def test_answers_through_the_link_are_counted_per_version_and_variant(store, feedback_on):
    version = _publish_first_version(store)
    summons, offer = _letter(SUMMONS), _letter(OFFER)
    assert summons.meta.template_set == version
    client = _service()
    token = _token(summons.meta.feedback_url)

    page = client.get(f"/f/{token}")
    assert page.status_code == 200 and "Var brevet let at forstå?" in page.text and 'name="svar"' in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    cpr = "010203-1234"
    thanks = _answer(client, token, "4", f"Jeg forstod det, mit CPR er {cpr} og 0102031234")
    assert thanks.status_code == 200 and "Tak for dit svar" in thanks.text
    # The same letter again (typed with other case and without dashes): refused.
    again = _answer(client, token.lower().replace("-", ""), "1")
    assert again.status_code == 409 and "allerede" in again.text
    assert "allerede" in client.get(f"/f/{token}").text
    # A forged token is refused and stores nothing.
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert _answer(client, forged, "5").status_code == 404
    assert client.get(f"/f/{forged}").status_code == 404
    # Another kind of letter counts under its own variant.
    assert _answer(client, _token(offer.meta.feedback_url), "2").status_code == 200
    assert _answer(client, _token(offer.meta.feedback_url), "3").status_code == 409  # answered: nothing more
    with store.read() as tx:
        stats = {(s.event, s.variant): s for s in tx.feedback_stats()}
        rows = tx.conn.execute(text("SELECT letter_key, version, version_number, event, variant, score, comment FROM feedback ORDER BY id")).all()
    assert set(stats) == {("indkaldelse", "kontanthjælp · fremmøde"), ("tilbud", "dagpenge · løntilskud")}
    s = stats[("indkaldelse", "kontanthjælp · fremmøde")]
    assert (s.version, s.version_number, s.count, s.mean, s.scores) == (version, 1, 1, 4.0, (0, 0, 0, 1, 0))
    assert stats[("tilbud", "dagpenge · løntilskud")].mean == 2.0
    # The CPR number never reached the database, in any form.
    assert rows[0].comment == "Jeg forstod det, mit CPR er [fjernet] og [fjernet]"
    dump = repr(rows)
    assert "0102031234" not in dump and cpr not in dump and token not in dump


def test_a_score_must_be_given_and_the_origin_must_be_the_page_s_own(store, feedback_on):
    _publish_first_version(store)
    client = _service()
    token = _token(_letter(SUMMONS).meta.feedback_url)
    missing = _answer(client, token, "", "Ingen score")
    assert missing.status_code == 422 and "Vælg et svar" in missing.text and "Ingen score" in missing.text
    elsewhere = client.post(f"/f/{token}", data={"svar": "3"}, headers={"Origin": "https://evil.example"})
    assert elsewhere.status_code == 403
    with store.read() as tx:
        assert tx.feedback_stats() == []


def test_answers_and_bad_links_are_rate_limited_per_client(store, feedback_on):
    _publish_first_version(store)
    client = _service(limit=3)
    letters = [_letter(path) for path in sorted((examples_dir() / "indkaldelse").glob("dagpenge-*.yaml"))[:4]]
    statuses = [_answer(client, _token(letter.meta.feedback_url), "5").status_code for letter in letters]
    assert statuses == [200, 200, 200, 429]
    assert _service(limit=2).get("/f/" + "0" * 26).status_code == 404


def test_the_studio_shows_count_mean_and_a_chart_per_version_and_variant(store, feedback_on, template_copy_for_feedback):
    from fastapi.testclient import TestClient

    from brevgen.studio import create_app
    from brevgen.studio.app import CSP  # noqa: F401  (the studio's pages keep their policy)

    version = _publish_first_version(store)
    with shared_password_hashes():
        accounts.add_user(store, "anna", "kaffe-og-klarsprog", ["author", "admin"], by="test")
    app = create_app(template_copy_for_feedback, store=store, examples=examples_dir())
    citizen = TestClient(app, base_url=ORIGIN)
    for path, score in ((SUMMONS, "4"), (examples_dir() / "indkaldelse" / "kontanthjaelp-tolk.yaml", "2")):
        assert _answer(citizen, _token(_letter(path).meta.feedback_url), score, "Fint nok").status_code == 200
    staff = TestClient(app, base_url=ORIGIN)
    form = staff.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    staff.post("/login", data={"brugernavn": "anna", "adgangskode": "kaffe-og-klarsprog", "csrf_token": token}, headers={"Origin": ORIGIN})
    page = staff.get("/tilbagemeldinger").text
    assert "Indkaldelse til første jobsamtale: kontanthjælp · fremmøde" in page
    assert "<svg" in page and "3,0 (2 svar)" in page and "Version 1" in page
    assert "Fint nok" in page and version[:8] not in page.split("<main")[1]  # published: shown by number


@pytest.fixture
def template_copy_for_feedback(tmp_path, monkeypatch):
    import shutil

    from brevgen.paths import templates_dir
    from brevgen.studio.engine import forget_cached_templates

    root = tmp_path / "templates" / "da"
    shutil.copytree(templates_dir(), root)
    monkeypatch.setenv("BREVGEN_TEMPLATES", str(root))
    forget_cached_templates()
    yield root
    forget_cached_templates()
