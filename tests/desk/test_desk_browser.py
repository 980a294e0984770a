"""The caseworker desk in a real browser (Debian's chromium through Playwright), as the issue
describes it: a caseworker with a saved profile fills a summons, an offer and a sick-leave
letter from nothing; a letter-logic finding appears at its field while the call-by deadline
falls outside the phone hours and goes when it is fixed; the PDF the desk hands out has the
same text as ``brevgen render`` makes from the case the desk exports. A CPR number in a name
field is refused at that field. axe-core finds no violations, also at 320 px.

Each scenario counts the fields the caseworker fills (the letter date, prefilled with today,
is set only to make the test independent of the day it runs): docs/desk.md reports them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract import pdf_text
from studio.studio_helpers import AXE, axe

pytestmark = pytest.mark.slow

LO01 = (
    "Borgeren kan ikke nå at ringe 'torsdag den 12. marts 2026 kl. 14.00'. Fristen er torsdag den 12. marts 2026 kl. 14.00, "
    "men telefontiden er: Mette Kjær (mandag til fredag kl. 8.30 til 10.00). Ret fristen eller telefontiden, eller skriv i samme "
    "sætning, at borgeren også kan skrive."
)


class Filler:
    """Fills fields as a person would and counts the distinct fields filled."""

    def __init__(self, page):
        self.page = page
        self.fields: set[str] = set()

    def fill(self, selector: str, value: str, count: bool = True) -> None:
        self.page.fill(selector, value)
        if count:
            self.fields.add(selector.removesuffix("-kl"))

    def choose(self, label: str) -> None:
        self.page.get_by_label(label, exact=True).check()
        self.fields.add(label)


def settled(page, previous: str | None = None) -> str:
    """Wait until the preview answers the form as it is now; returns its sequence number."""
    page.wait_for_function(
        "(prev) => document.body.dataset.pending === '0' && document.body.dataset.seq && document.body.dataset.seq !== prev",
        arg=previous,
        timeout=30000,
    )
    return page.evaluate("() => document.body.dataset.seq")


def letter_shows(page, needle: str) -> None:
    """Wait until the letter beside the form shows ``needle`` (spaces as the reader sees them)."""
    page.wait_for_function(
        """(needle) => {
            const doc = document.getElementById('letter').contentDocument;
            return !!doc && !!doc.body && doc.body.innerText.replace(/\\u00a0/g, ' ').includes(needle);
        }""",
        arg=needle,
        timeout=20000,
    )


def open_letter(page, event: str) -> str:
    page.get_by_role("link", name={"indkaldelse": "Indkaldelse til første jobsamtale", "tilbud": "Tilbud om aktivering",
                                   "sygedagpenge": "Velkommen: opfølgning på din sygemelding"}[event]).click()
    page.wait_for_url(f"**/breve/{event}")
    return settled(page)


def fill_citizen(f: Filler, case_ref: str) -> None:
    f.fill("#f-case_ref", case_ref)
    f.fill("#f-citizen-name", "Søren Ærø Åberg")
    f.fill("#f-citizen-address-street", "Bøgevej 7")
    f.fill("#f-citizen-address-postcode", "3460")
    f.fill("#f-citizen-address-city", "Birkerød")


def download(page, button: str = "Hent brevet") -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("button", name=button, exact=True).click()
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


def export_json(page, tmp_path: Path) -> Path:
    tools = page.locator("details.tools")
    if not tools.get_attribute("open") is not None:
        tools.locator("summary").click()
    name, data = download(page, "Gem sagen som JSON")
    assert name.endswith(".json")
    path = tmp_path / name
    path.write_bytes(data)
    return path


def cli_pdf(event: str, case: Path, out: Path) -> bytes:
    from brevgen.cli import main

    result = CliRunner().invoke(main, ["render", event, str(case), "--format", "pdf", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (pdf,) = out.glob("*.pdf")
    return pdf.read_bytes()


def same_letter_as_cli(page, event: str, tmp_path: Path) -> str:
    name, pdf = download(page)
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
    case = export_json(page, tmp_path)
    exported = json.loads(case.read_text(encoding="utf-8"))
    assert "cpr" not in exported["citizen"]
    text = pdf_text(pdf)
    assert text == pdf_text(cli_pdf(event, case, tmp_path / "cli"))
    return text


def test_a_summons_from_nothing_with_a_logic_finding_that_comes_and_goes(desk_page, tmp_path, record_property):
    page = desk_page
    seq = open_letter(page, "indkaldelse")
    # The profile is filled in: the caseworker and the sender, and the meeting place.
    assert page.input_value("#f-caseworker-name") == "Mette Kjær"
    assert page.input_value("#f-sender-unit") == "Jobcenter Rudersdal"
    assert "felter mangler" in page.inner_text("#desk-status")
    f = Filler(page)
    f.fill("#f-letter_date", "2026-03-02", count=False)
    fill_citizen(f, "JC-2026-0412")
    f.choose("Kontanthjælp")
    f.choose("Vi giver en fast tid")
    f.fill("#f-meeting-start", "2026-03-16")
    f.fill("#f-meeting-start-kl", "10:00")
    f.fill("#f-meeting-duration_minutes", "45")
    f.choose("Fremmøde")
    assert page.input_value("#f-meeting-venue-name") == "Jobcenter Rudersdal"  # the sender's address, from the profile
    assert page.is_hidden("#f-a_kasse-name")  # a-kasse only with dagpenge
    assert page.is_hidden("#f-meeting-phone-number")  # phone details only for a phone meeting
    seq = settled(page, seq)
    assert page.inner_text("#desk-status").startswith("Brevet er opdateret.")
    letter_shows(page, "Du skal til en samtale om job med Mette Kjær")

    # A call-by deadline outside the phone hours: the logic finding appears at that field ...
    f.fill("#f-cancel_by", "2026-03-12")
    f.fill("#f-cancel_by-kl", "14:00")
    seq = settled(page, seq)
    error = page.locator("#f-cancel_by-fejl")
    assert error.is_visible()
    assert error.inner_text() == LO01
    assert page.get_attribute("#f-cancel_by", "aria-invalid") == "true"
    assert "f-cancel_by-fejl" in page.get_attribute("#f-cancel_by", "aria-describedby")
    assert page.inner_text("#desk-status") == "Brevet kan ikke laves endnu: 1 ting skal rettes."
    # ... and goes when the deadline lies in the phone hours.
    page.fill("#f-cancel_by-kl", "09:30")
    seq = settled(page, seq)
    assert page.is_hidden("#f-cancel_by-fejl")
    assert page.inner_text("#desk-status").startswith("Brevet er opdateret.")
    letter_shows(page, "torsdag den 12. marts 2026 kl. 9.30")
    assert page.locator("#kort-fortalt-check li.missing").count() == 0

    text = same_letter_as_cli(page, "indkaldelse", tmp_path)
    assert "Søren Ærø Åberg" in text and "Mette Kjær" in text
    record_property("fields_filled", len(f.fields))
    Path(tmp_path / "fields.txt").write_text(str(len(f.fields)))
    print(f"\nindkaldelse: {len(f.fields)} felter udfyldt")


def test_an_offer_from_nothing(desk_page, tmp_path):
    page = desk_page
    seq = open_letter(page, "tilbud")
    f = Filler(page)
    f.fill("#f-letter_date", "2026-04-20", count=False)
    fill_citizen(f, "JC-2026-0777")
    f.choose("Dagpenge")
    f.choose("Kursus")
    assert page.is_hidden("#f-offer-wage_per_hour")  # the wage only for løntilskud
    f.fill("#f-offer-title", "Kursus i truckkørsel")
    f.fill("#f-offer-provider-name", "AMU-center Viby")
    f.fill("#f-offer-provider-address-street", "Skanderborgvej 277")
    f.fill("#f-offer-provider-address-postcode", "8260")
    f.fill("#f-offer-provider-address-city", "Viby J")
    f.fill("#f-offer-start_date", "2026-05-04")
    f.fill("#f-offer-end_date", "2026-05-15")
    f.fill("#f-offer-hours_per_week", "35")
    f.fill("#f-offer-schedule", "mandag til torsdag kl. 8.00 til 15.30 og fredag kl. 8.00 til 13.00")
    f.fill("#f-offer-purpose", "at du får truckcertifikat. Mange lagre kræver det, når de ansætter.")
    f.fill("#f-offer-tasks", "Lære at køre sikkert med gaffeltruck\nGå til prøve og få dit truckcertifikat")
    f.fill("#f-answer_by", "2026-05-05")
    f.fill("#f-reasoning-facts", "Du har været ledig i 3 måneder.\nDu vil gerne arbejde på et lager.")
    f.fill("#f-reasoning-considerations", "Med et truckcertifikat kan du søge flere job.")
    seq = settled(page, seq)
    # An answer deadline after the first day is refused at that field, in Danish ...
    assert page.inner_text("#f-answer_by-fejl") == "Skal ligge før tilbuddets første dag"
    page.fill("#f-answer_by", "2026-04-28")
    seq = settled(page, seq)
    assert page.is_hidden("#f-answer_by-fejl")
    assert page.inner_text("#desk-status").startswith("Brevet er opdateret.")
    text = same_letter_as_cli(page, "tilbud", tmp_path)
    assert "Kursus i truckkørsel" in text
    print(f"\ntilbud: {len(f.fields)} felter udfyldt")


def test_a_sick_leave_letter_from_nothing(desk_page, tmp_path):
    page = desk_page
    seq = open_letter(page, "sygedagpenge")
    f = Filler(page)
    f.fill("#f-letter_date", "2026-08-24", count=False)
    fill_citizen(f, "JC-2026-0824")
    f.fill("#f-first_absence_day", "2026-07-27")
    f.choose("Borgeren selv")
    assert page.is_hidden("#f-employer_name")  # the employer only when the employer reported it
    f.choose("Over 8 uger")
    f.fill("#f-questionnaire_sent", "2026-08-24")
    f.fill("#f-questionnaire_url", "https://www.borger.dk/sygedagpenge-oplysningsskema")
    page.get_by_label("Tilføj første opfølgningssamtale").check()
    f.fields.add("first_followup")
    f.fill("#f-first_followup-start", "2026-09-08")
    f.fill("#f-first_followup-start-kl", "13:00")
    assert page.input_value("#f-first_followup-duration_minutes") == "60"  # the model's default
    assert page.input_value("#f-first_followup-venue-name") == "Jobcenter Rudersdal"
    seq = settled(page, seq)
    assert page.inner_text("#desk-status").startswith("Brevet er opdateret."), page.inner_text("#letter-problems")
    text = same_letter_as_cli(page, "sygedagpenge", tmp_path)
    assert "sygemelding" in text
    print(f"\nsygedagpenge: {len(f.fields)} felter udfyldt")


def test_a_cpr_number_in_a_name_field_is_refused_at_that_field_and_memo_asks_for_it_masked(desk_page, tmp_path):
    page = desk_page
    seq = open_letter(page, "indkaldelse")
    page.fill("#f-citizen-name", "010190-1234")
    page.locator("#f-citizen-name").blur()
    seq = settled(page, seq)
    assert page.inner_text("#f-citizen-name-fejl") == "Ligner et CPR-nummer. Et CPR-nummer må aldrig stå i et brev: fjern det"
    assert page.get_attribute("#f-citizen-name", "aria-invalid") == "true"
    # The CPR field is there only for Digital Post, and masked.
    assert page.is_hidden("#cpr")
    page.get_by_label("Digital Post (MeMo)").check()
    assert page.is_visible("#cpr") and page.get_attribute("#cpr", "type") == "password"
    page.get_by_label("PDF (til print og arkiv)").check()
    assert page.is_hidden("#cpr")


def test_axe_core_finds_no_violations_on_the_desk_also_at_320_px(browser, desk_server):
    assert AXE.is_file(), "axe-core mangler: kør bash scripts/setup.sh --test"
    from studio.studio_helpers import PASSWORD

    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="da-DK", bypass_csp=True)
    page = context.new_page()
    page.goto(desk_server + "/login?naeste=/breve")
    page.get_by_label("Brugernavn").fill("mette")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(desk_server + "/breve")
    results = {"home": axe(page)}
    page.goto(desk_server + "/breve/profil")
    results["profile"] = axe(page)
    for event in ("indkaldelse", "tilbud", "sygedagpenge"):
        page.goto(desk_server + f"/breve/{event}")
        settled(page)
        results[event] = axe(page)
    page.goto(desk_server + "/breve/indkaldelse")
    seq = settled(page)
    page.get_by_role("button", name="Vis dem").click()
    page.get_by_label("Digital Post (MeMo)").check()
    results["with errors and CPR"] = axe(page)
    page.set_viewport_size({"width": 320, "height": 800})
    results["320 px"] = axe(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    context.close()
    assert {k: v for k, v in results.items() if v} == {}
    assert width <= 320, f"the page scrolls sideways at 320 px ({width} px wide)"
