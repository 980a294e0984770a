"""The template studio in a real browser: Debian's chromium driven by Playwright's Python package.

The studio runs in this process (uvicorn in a thread) over a temporary copy of templates/da.
The scenario is the issue's: open the studio, pick a variant, change a sentence into officialese
and see the finding at its line and the LIX change; put a call-by deadline outside phone hours
and see it flagged; click a sentence and land on its line; try a forbidden expression and see it
refused; fix it, see the diff of the affected variants, and save. axe-core finds no violations on
any studio page. The browser is started with Debian's chromium (never a downloaded one).
"""

from __future__ import annotations

import pytest

from .studio_helpers import AXE, axe, line_of, select_text as _select_text, sign_in, wait_for_checks as _wait_for_checks

pytestmark = pytest.mark.slow

OFFICIALESE = "Såfremt De ikke kan komme, bedes De rette henvendelse til os med henblik på en ny tid."


def test_the_issue_s_scenario_from_variant_to_saved_template(page, template_copy):
    template = template_copy / "indkaldelse.md"
    original = template.read_text(encoding="utf-8")

    # Open the studio and pick a variant by its name.
    page.get_by_role("link", name="kontanthjælp · fremmøde · tolk").click()
    page.wait_for_url("**/brev/indkaldelse?variant=kontanthjaelp-tolk")
    version = _wait_for_checks(page)
    assert page.input_value("#variant") == "kontanthjaelp-tolk"
    lix_before = page.inner_text("#lix")
    assert lix_before.startswith("LIX 25,2 – let")

    # Change a sentence into officialese: the finding appears at its line, quoting it; LIX rises.
    line = line_of(template, "Kom til samtalen til tiden.")
    _select_text(page, "Kom til samtalen til tiden.")
    page.keyboard.type(OFFICIALESE)
    version = _wait_for_checks(page, version)
    finding = page.locator(".finding:has(.kind:text-is('Klart sprog · KS01'))")
    assert finding.count() == 1
    assert "Skriv 'Hvis' i stedet for 'Såfremt'." in finding.inner_text()
    assert finding.locator(".f-quote").inner_text() == OFFICIALESE
    assert finding.locator("button.goto").inner_text() == f"indkaldelse.md, linje {line}"
    assert finding.locator(".badge.new").count() == 1
    assert page.locator(f".gl.mark-error >> text='{line}'").count() == 1  # the line is marked in the editor
    lix_now = page.inner_text("#lix")
    assert lix_now != lix_before and "Før: 25,2" in lix_now and "sværere nu" in lix_now
    tolk = page.locator("#all-variants tr", has_text="kontanthjælp · fremmøde · tolk")
    assert tolk.locator("td.verdict").inner_text() == "Værre"
    assert page.locator("#all-variants tr", has_text="dagpenge · video").locator("td.verdict").inner_text() == "Uændret"

    # A call-by deadline outside the phone hours is flagged at its line.
    deadline = "Passer tiden ikke? Så ring til {{ ring_to }} på {{ ring_phone|tlf }} senest {{ derived.cancel_by|dato_kl }}. Så finder vi en ny tid."
    deadline_line = line_of(template, deadline)
    _select_text(page, "senest {{ derived.cancel_by|dato_kl }}. Så finder vi en ny tid.")
    page.keyboard.type("senest {{ derived.cancel_by|dato }} kl. 19.00. Så finder vi en ny tid.")
    version = _wait_for_checks(page, version)
    logic = page.locator(".finding", has_text="LO01")
    assert logic.count() == 1
    assert "Brevlogik" in logic.inner_text() and "kl. 19.00" in logic.inner_text() and "telefontiden" in logic.inner_text()
    assert logic.locator("button.goto").inner_text() == f"indkaldelse.md, linje {deadline_line}"
    # ... and the link takes the editor to that line.
    logic.locator("button.goto").click()
    assert page.inner_text("#caret") == f"Linje {deadline_line} i indkaldelse.md"

    # Click a sentence in the preview and land on its line; the keyboard does the same.
    intro_line = line_of(template, "Du får dette brev, fordi du er ledig")
    preview = page.frame_locator("#preview")
    preview.locator("span", has_text="Du får dette brev, fordi du er ledig").first.click()
    assert page.inner_text("#caret") == f"Linje {intro_line} i indkaldelse.md"
    selected = page.evaluate("() => { const t = document.getElementById('source'); return t.value.slice(t.selectionStart, t.selectionEnd); }")
    assert selected.startswith("Du får dette brev, fordi du er ledig")
    assert page.evaluate("() => document.activeElement.id") == "source"
    first = preview.locator("[data-src][tabindex='0']")
    first.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.inner_text("#caret").startswith("Linje ")
    # A sentence from the regime table opens its text in the regime.
    preview.locator("span[data-regime='consequence.indkaldelse.kontanthjælp']").first.click()
    assert page.evaluate("() => document.activeElement.dataset.path") == "consequence.indkaldelse.kontanthjælp"
    assert "Står i regelsættet »Et forenklet kontaktforløb" in page.inner_text(".regime-text[data-path='consequence.indkaldelse.kontanthjælp']")
    page.get_by_role("button", name="Brevets skabelon indkaldelse.md").click()

    # A forbidden expression is refused at its line, in Danish, and the letter is not rendered.
    _select_text(page, "Du får dette brev, fordi")
    page.keyboard.type("{{ cw.name.__class__.__mro__ }} Du får dette brev, fordi")
    version = _wait_for_checks(page, version)
    problems = page.locator("#problems li")
    assert problems.count() == 1
    assert problems.inner_text().startswith(f"indkaldelse.md, linje {intro_line}: ")
    assert "er ikke tilladt: en skabelon må kun bruge sagens felter" in problems.inner_text()
    assert page.locator("#preview-error").is_visible()
    assert "Brevet kan ikke vises lige nu." in page.inner_text("#preview-error")
    page.get_by_role("button", name="Se ændringer og gem").click()
    page.wait_for_selector("#diff:not([hidden])")
    assert page.locator("#save").is_disabled()
    page.get_by_role("button", name="Ret videre").click()

    # Fix it (and the deadline), see the diff of the affected variants, and save.
    _select_text(page, "{{ cw.name.__class__.__mro__ }} ")
    page.keyboard.press("Delete")
    _select_text(page, "senest {{ derived.cancel_by|dato }} kl. 19.00.")
    page.keyboard.type("senest {{ derived.cancel_by|dato_kl }}.")
    version = _wait_for_checks(page, version)
    assert page.locator("#problems li").count() == 0
    assert page.locator(".finding", has_text="LO01").count() == 0
    assert page.locator("#preview-error").is_hidden()
    assert template.read_text(encoding="utf-8") == original, "nothing is written before saving"
    page.get_by_role("button", name="Se ændringer og gem").click()
    page.wait_for_selector("#diff:not([hidden]) .diff-letter")
    assert page.inner_text("#diff-body").startswith("6 breve ændrer sig. 28 breve er uændrede.")
    change = page.locator(".diff-letter").first
    assert "Samme ændring i 5 varianter mere" in change.inner_text()
    assert change.locator("tr.change del").first.inner_text() == "Kom til samtalen til tiden."
    assert change.locator("tr.change ins").first.inner_text() == OFFICIALESE
    page.get_by_role("button", name="Gem ændringerne").click()
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Gemt')", timeout=20000)
    assert page.inner_text("#save-state").startswith("Gemt kl.")
    # Saved into a new draft (the published text and the working folder stay as they were).
    assert page.url.endswith("kladde=1"), page.url
    assert template.read_text(encoding="utf-8") == original
    saved = page.studio_app.state.studio.lifecycle.draft_files(1)["templates/indkaldelse.md"].decode("utf-8")
    assert saved == original.replace("Kom til samtalen til tiden.", OFFICIALESE)
    assert page.csp_errors == []


def test_a_regime_text_is_edited_where_it_is_written_and_saved_with_the_file_s_comments(page, template_copy):
    regimes = template_copy / "regimes.yml"
    original = regimes.read_text(encoding="utf-8")
    page.goto(page.base + "/brev/tilbud?variant=virksomhedspraktik-kontanthjaelp")
    version = _wait_for_checks(page)
    page.frame_locator("#preview").locator("span[data-regime='consequence.tilbud.kontanthjælp']").first.click()
    field = page.locator("textarea[data-path='consequence.tilbud.kontanthjælp']")
    assert page.evaluate("() => document.activeElement.dataset.path") == "consequence.tilbud.kontanthjælp"
    field.fill("Hvis du siger nej uden en rimelig grund, trækker vi i din kontanthjælp for de dage, du ikke deltager.")
    version = _wait_for_checks(page, version)
    assert "for de dage, du ikke deltager." in page.frame_locator("#preview").locator("body").inner_text()
    page.get_by_role("button", name="Se ændringer og gem").click()
    page.wait_for_selector("#diff:not([hidden]) .diff-letter")
    assert "Tilbud om aktivering" in page.inner_text("#diff-body")
    assert regimes.read_text(encoding="utf-8") == original
    page.get_by_role("button", name="Gem ændringerne").click()
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Gemt')", timeout=20000)
    assert regimes.read_text(encoding="utf-8") == original
    saved = page.studio_app.state.studio.lifecycle.draft_files(1)["templates/regimes.yml"].decode("utf-8")
    assert "for de dage, du ikke deltager." in saved
    assert [l for l in saved.split("\n") if "#" in l] == [l for l in original.split("\n") if "#" in l]
    assert page.csp_errors == []


_axe = axe


def test_axe_core_finds_no_violations_on_any_studio_page(browser, studio, template_copy):
    assert AXE.is_file(), "axe-core mangler: kør bash scripts/setup.sh --test"
    # axe is injected into the page by the test, so this context lets it past the studio's CSP.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    results = {}
    page.goto(studio + "/login")
    results["login"] = _axe(page)
    page.get_by_label("Brugernavn").fill("anna")
    page.get_by_label("Adgangskode").fill("forkert")
    page.get_by_role("button", name="Log ind").click()
    results["login with error"] = _axe(page)
    sign_in(page, studio)
    results["overview"] = _axe(page)
    for event in ("indkaldelse", "tilbud", "sygedagpenge"):
        page.goto(f"{studio}/brev/{event}")
        _wait_for_checks(page)
        results[f"editor {event}"] = _axe(page)
    page.locator("details.reference summary").click()
    results["editor with the help open"] = _axe(page)
    page.get_by_role("button", name="Regeltekster regimes.yml").click()
    results["regime texts"] = _axe(page)
    page.get_by_role("button", name="Brevets skabelon sygedagpenge.md").click()
    _select_text(page, "Vi skal følge op på din sygemelding")
    version = page.get_attribute("#preview", "data-version")
    page.keyboard.type("{{ case.x() }} Vi skal følge op på din sygemelding")
    _wait_for_checks(page, version)
    results["editor with a refused expression"] = _axe(page)
    page.get_by_role("button", name="Se ændringer og gem").click()
    page.wait_for_selector("#diff:not([hidden])")
    results["diff"] = _axe(page)
    page.goto(studio + "/brev/findes-ikke")
    results["error page"] = _axe(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(studio + "/")
    results["overview on a phone"] = _axe(page)
    context.close()
    violations = {name: found for name, found in results.items() if found}
    assert violations == {}, violations


def test_the_studio_is_usable_with_the_keyboard_alone(page):
    page.goto(page.base + "/brev/indkaldelse?variant=dagpenge-video")
    _wait_for_checks(page)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Gå til indholdet"
    focus_ring = """() => {
        let el = document.activeElement;
        if (el.tagName === 'IFRAME') el = el.contentDocument.activeElement;  // a sentence in the preview
        const own = getComputedStyle(el);
        const box = el.closest('.code');
        return own.outlineStyle !== 'none' || own.boxShadow !== 'none' || (box && getComputedStyle(box).outlineStyle !== 'none');
    }"""
    seen = {}
    for _ in range(30):
        page.keyboard.press("Tab")
        key = page.evaluate("() => document.activeElement.id || document.activeElement.dataset.file || document.activeElement.textContent.trim().slice(0, 30)")
        seen[key] = page.evaluate(focus_ring)
    assert {"variant", "source", "@regime", "indkaldelse.md", "preview"} <= set(seen), seen
    assert all(seen.values()), f"no visible focus on: {[k for k, v in seen.items() if not v]}"
    # Inside the preview: arrow keys move between sentences, Enter opens the line.
    page.locator("#preview").focus()
    page.frame_locator("#preview").locator("[data-src][tabindex='0']").focus()
    for _ in range(5):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.inner_text("#caret").startswith("Linje ")
    assert page.evaluate("() => document.activeElement.id") == "source"
    # Choosing another variant with the arrow keys updates the letter.
    page.locator("#variant").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => new URL(location.href).searchParams.get('variant') !== 'dagpenge-video'")


def test_an_expired_session_keeps_the_edits_and_picks_up_after_signing_in_again(page, template_copy):
    page.goto(page.base + "/brev/tilbud?variant=kursus-dagpenge")
    version = _wait_for_checks(page)
    page.context.clear_cookies()  # the session ends (expired, or signed out elsewhere)
    _select_text(page, "Svar os senest")
    page.keyboard.type("Giv os svar senest")
    page.wait_for_selector("#status a[href='/login']", timeout=20000)
    assert "Dine ændringer er her stadig" in page.inner_text("#status")
    assert page.url.endswith("/brev/tilbud?variant=kursus-dagpenge"), "the editor never leaves unsaved text"
    other = page.context.new_page()  # the user signs in again in another tab
    sign_in(other, page.base)
    other.close()
    page.keyboard.type(" ")  # and carries on typing: the editor fetches the new session's token
    _wait_for_checks(page, version)
    assert "Giv os svar senest" in page.frame_locator("#preview").locator("body").inner_text()
    assert page.csp_errors == []
