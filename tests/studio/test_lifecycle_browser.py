"""The template lifecycle in a real browser (Debian's chromium through Playwright), on SQLite and on
PostgreSQL: an author changes a letter and saves it into a draft, sends it to review, cannot
approve it herself; a reviewer reads the change, approves and publishes it; the version is what
letters are made from, listed with its approver, and in the log. axe-core finds no violations
on the lifecycle pages or on the citizen's answer page."""

from __future__ import annotations

import pytest

from brevgen import feedback

from .conftest import add_users, make_app, serve_app
from .studio_helpers import AXE, axe, select_text, sign_in, wait_for_checks

pytestmark = pytest.mark.slow

OLD = "Kom til samtalen til tiden."
NEW = "Kom til tiden, så har vi hele samtalen sammen."


@pytest.fixture
def lifecycle_app(template_copy, store, monkeypatch):
    monkeypatch.setenv(feedback.URL_ENV, "https://brev.example.dk")
    monkeypatch.setenv(feedback.SECRET_ENV, "en-lang-hemmelig-noegle-til-tests")
    add_users(store)
    return make_app(template_copy, store)


@pytest.fixture
def base_url(lifecycle_app):
    yield from serve_app(lifecycle_app)


def _person(browser, base: str, user: str, bypass_csp: bool = False):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK", bypass_csp=bypass_csp)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: page.problems.append(f"script error: {e}"))
    sign_in(page, base, user)
    return context, page


def test_draft_review_publish_in_the_browser(browser, base_url, lifecycle_app, template_copy, store):
    original = (template_copy / "indkaldelse.md").read_text(encoding="utf-8")

    # Eva (author, and language reviewer) changes a sentence: the first save makes a draft.
    eva_context, eva = _person(browser, base_url, "eva")
    eva.get_by_role("link", name="Indkaldelse til første jobsamtale").click()
    version = wait_for_checks(eva)
    assert "Gemmer du, bliver det en ny kladde" in eva.inner_text(".titlebar")
    select_text(eva, OLD)
    eva.keyboard.type(NEW)
    wait_for_checks(eva, version)
    eva.get_by_role("button", name="Se ændringer og gem").click()
    eva.wait_for_selector("#diff:not([hidden]) .diff-letter")
    assert "Ændringerne gemmes i en ny kladde" in eva.inner_text("#diff")
    eva.get_by_role("button", name="Gem ændringerne").click()
    eva.wait_for_function("() => document.getElementById('status').textContent.startsWith('Gemt i kladde 1')", timeout=30000)
    assert eva.url.endswith("kladde=1")
    assert (template_copy / "indkaldelse.md").read_text(encoding="utf-8") == original, "the working folder is never written"

    # On the draft's page she sends it to review; she cannot approve or publish her own change.
    eva.get_by_role("link", name="kladde 1: Ændring af indkaldelse til første jobsamtale").click()
    eva.wait_for_url("**/kladder/1")
    assert NEW in eva.inner_text("#changes-heading + *") or NEW in eva.content()
    eva.get_by_role("button", name="Send til godkendelse").click()
    eva.wait_for_url("**/kladder/1?ok=sendt")
    assert eva.inner_text("#draft-state") == "Til godkendelse"
    approve = eva.get_by_role("button", name="Godkend", exact=True)
    assert approve.is_disabled()
    assert "Du har selv lavet eller rettet kladden" in eva.inner_text("#why-godkend")
    assert eva.get_by_role("button", name="Udgiv versionen").is_disabled()
    # Even a hand-made request is refused (the rule is on the server, not in the button).
    refused = eva.request.post(f"{base_url}/kladder/1/godkend", form={"csrf_token": eva.get_attribute("meta[name=csrf-token]", "content")},
                               headers={"Origin": base_url})
    assert refused.status == 403 and "Du har selv lavet eller rettet kladden" in refused.text()
    assert eva.problems == []

    # Bo (language reviewer) reads the change side by side, approves and publishes.
    bo_context, bo = _person(browser, base_url, "bo")
    bo.goto(base_url + "/kladder/1")
    change = bo.locator(".diff-letter").first
    assert change.locator("del").first.inner_text() == OLD and change.locator("ins").first.inner_text() == NEW
    bo.get_by_label("Kommentar (kan udelades)").fill("Klart og venligt.")
    bo.get_by_role("button", name="Godkend", exact=True).click()
    bo.wait_for_url("**/kladder/1?ok=godkendt")
    assert "Alle godkendelser er på plads" in bo.inner_text("#review-heading + p")
    bo.get_by_role("button", name="Udgiv versionen").click()
    bo.wait_for_url("**/kladder/1?ok=udgivet")
    assert bo.inner_text("#draft-state") == "Udgivet"

    # Version 1 is what citizens get now; it names its approver; the log has every step.
    bo.goto(base_url + "/")
    assert "Version 1" in bo.inner_text(".current")
    bo.goto(base_url + "/versioner")
    row = bo.locator("table.matrix tbody tr").first
    assert row.locator("th").inner_text().startswith("1") and "bo" in row.inner_text()
    bo.goto(base_url + "/log")
    log = bo.inner_text("table.matrix")
    for words in ("eva\tlavede kladden", "eva\tgemte i kladden", "eva\tsendte kladden til godkendelse", "bo\tgodkendte kladden", "bo\tudgav versionen"):
        assert words in log, words
    with store.read() as tx:
        newest = tx.newest_version()
    assert newest.number == 1 and NEW in lifecycle_app.state.studio.lifecycle.set_files(newest.hash)["templates/indkaldelse.md"].decode()
    assert bo.problems == []
    eva_context.close()
    bo_context.close()


def test_axe_core_finds_no_violations_on_the_lifecycle_pages(browser, base_url, lifecycle_app, store):
    assert AXE.is_file(), "axe-core mangler: kør bash scripts/setup.sh --test"
    from brevgen import generate_letter
    from brevgen.casefile import read_case_file
    from brevgen.lifecycle import Actor
    from brevgen.paths import examples_dir

    lc = lifecycle_app.state.studio.lifecycle
    eva, bo = Actor("eva", frozenset({"author", "language_reviewer"})), Actor("bo", frozenset({"language_reviewer"}))
    draft = lc.create_draft(eva, "Kortere tekst")
    source = lc.draft_files(draft.id)["templates/indkaldelse.md"].decode().replace(OLD, NEW)
    lc.save_files(eva, draft.id, draft.revision, {"templates/indkaldelse.md": source.encode()})
    lc.submit(eva, draft.id)
    lc.review(bo, draft.id, True)
    lc.publish(bo, draft.id)
    stale = lc.create_draft(eva, "Bygger på version 1")
    newer = lc.create_draft(eva, "Version 2")
    text2 = lc.draft_files(newer.id)["templates/tilbud.md"].decode().replace("Svar os senest", "Giv os svar senest")
    lc.save_files(eva, newer.id, newer.revision, {"templates/tilbud.md": text2.encode()})
    lc.submit(eva, newer.id)
    lc.review(bo, newer.id, True)
    lc.publish(bo, newer.id)
    letter = generate_letter("indkaldelse", read_case_file(examples_dir() / "indkaldelse" / "dagpenge-video.yaml"), ["html"]).letter
    token_url = letter.meta.feedback_url.replace("https://brev.example.dk", base_url)

    results = {}
    context, page = _person(browser, base_url, "anna", bypass_csp=True)
    for name, path in {
        "drafts": "/kladder", "draft published": f"/kladder/{draft.id}", "draft stale": f"/kladder/{stale.id}",
        "versions": "/versioner", "log": "/log", "users": "/brugere", "overview with a version": "/",
    }.items():
        page.goto(base_url + path)
        results[name] = axe(page)
    page.goto(base_url + f"/kladder/{stale.id}")
    assert "Kladden bygger på en ældre version" in page.inner_text("#stale")
    page.goto(token_url)
    results["citizen question"] = axe(page)
    page.get_by_label("4 – Let").check()
    page.get_by_label("Vil du fortælle os mere? (kan udelades)").fill("Godt brev, men lidt langt.")
    page.get_by_role("button", name="Send svar").click()
    assert "Tak for dit svar" in page.inner_text("h1")
    results["citizen thanks"] = axe(page)
    page.goto(base_url + "/f/" + "0" * 26)
    results["citizen bad link"] = axe(page)
    page.goto(base_url + "/tilbagemeldinger")
    assert "Version 2" in page.inner_text("main") and page.locator("svg.chart").count() == 1
    results["feedback"] = axe(page)
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in {"draft on a phone": f"/kladder/{stale.id}", "feedback on a phone": "/tilbagemeldinger"}.items():
        page.goto(base_url + path)
        results[name] = axe(page)
    page.goto(token_url)
    results["citizen on a phone"] = axe(page)
    context.close()
    violations = {name: found for name, found in results.items() if found}
    assert violations == {}, violations
