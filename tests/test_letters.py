"""Every example letter, in every format, says what a citizen needs, in the same words.

Text is extracted from the real files: pdftotext for the PDF (from WeasyPrint and from the
Typst engine, "pdf-typst"), python-docx for the DOCX, lxml for the HTML. The expectations are Danish text a citizen reads.
"""

from __future__ import annotations

import pytest
from conftest import EXAMPLES, example_id
from extract import EXTRACT, comparable, letter_text

from brevgen import workdays
from brevgen import formatting

FORMATS = ("pdf", "pdf-typst", "docx", "html")  # "pdf-typst": the PDF from the Typst engine
CASES = [example_id(p) for p in EXAMPLES]


def kind(fmt: str) -> str:
    """The file format behind a format name: both PDF engines are read as PDF."""
    return fmt.split("-")[0]


def all_files(rendered_examples, typst_examples, case_id: str) -> dict[str, bytes]:
    _path, _data, _letter, files = rendered_examples[case_id]
    return {**files, "pdf-typst": typst_examples[case_id]}

# The consequence sentence a citizen must read, per event and benefit (same wording in every regime
# so far; tests/test_regime.py checks it per regime).
CONSEQUENCE = {
    ("indkaldelse", "dagpenge"): "Deltager du ikke i samtalen, og har du ikke en rimelig grund, skal vi give din a-kasse besked.",
    ("indkaldelse", "kontanthjælp"): "Deltager du ikke i samtalen, og har du ikke en rimelig grund, trækker vi i din kontanthjælp.",
    ("selvbooking", "dagpenge"): "Booker du ikke en tid inden fristen, og har du ikke en rimelig grund, skal vi give din a-kasse besked.",
    ("selvbooking", "kontanthjælp"): "Booker du ikke en tid inden fristen, og har du ikke en rimelig grund, trækker vi i din kontanthjælp.",
    ("tilbud", "dagpenge"): "Siger du nej til tilbuddet uden en rimelig grund, skal vi give din a-kasse besked.",
    ("tilbud", "kontanthjælp"): "Siger du nej til tilbuddet uden en rimelig grund, trækker vi i din kontanthjælp.",
    ("sygedagpenge", None): "Springer du skemaet eller en samtale over uden en rimelig grund, kan du miste retten til sygedagpenge.",
}


def shown(url: str) -> str:
    """A web address as the letter prints it: without "https://" (the link keeps it)."""
    return url.split("://", 1)[-1].rstrip("/")


def expected_phrases(event: str, data: dict, letter) -> list[str]:
    """What this letter must say, computed from the case data with brevgen's own formatting."""
    import datetime as dt

    def d(value: str) -> dt.date:
        return dt.date.fromisoformat(value[:10])

    cw = data["caseworker"]
    phrases = [cw["name"], formatting.phone(cw["phone"])]
    if event == "indkaldelse" and "self_booking" in data:
        book_by = workdays.next_working_day(d(data["self_booking"]["book_by"]))
        phrases += [
            "Book tiden senest " + formatting.long_date(book_by),
            shown(data["self_booking"]["url"]),
            CONSEQUENCE[("selvbooking", data["benefit"])],
            "Det samme gælder den samtale, du booker.",
        ]
    elif event == "indkaldelse":
        meeting = data["meeting"]
        start = dt.datetime.fromisoformat(meeting["start"])
        phrases += [formatting.long_date(start), formatting.clock(start)]
        if meeting["mode"] == "fremmøde":
            phrases += [meeting["venue"]["address"]["street"], meeting["venue"]["name"]]
        elif meeting["mode"] == "telefon":
            phrases += ["i telefonen", formatting.phone(meeting["phone"]["number"])]
        else:
            phrases += ["Samtalen er på video", shown(meeting["video"]["join_url"])]
        phrases.append(CONSEQUENCE[(event, data["benefit"])])
    elif event == "tilbud":
        offer = data["offer"]
        phrases += [
            formatting.long_date(d(offer["start_date"])),
            formatting.long_date(d(offer["end_date"])),
            offer["provider"]["name"],
            offer["provider"]["address"]["street"],
            "Svar os senest",
            "Sådan klager du",
            "Ankestyrelsen",
            CONSEQUENCE[(event, data["benefit"])],
        ]
    else:
        phrases += [
            formatting.long_date(d(data["first_absence_day"])),
            "Udfyld oplysningsskemaet senest",
            shown(data["questionnaire_url"]),
            "Du har altid ret til at bede om en samtale.",
            CONSEQUENCE[(event, None)],
        ]
        if data.get("first_followup"):
            start = dt.datetime.fromisoformat(data["first_followup"]["start"])
            phrases += [formatting.long_date(start), data["first_followup"]["venue"]["address"]["street"]]
    return phrases


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case_id", CASES)
def test_letter_says_what_the_citizen_needs(rendered_examples, typst_examples, case_id, fmt):
    path, data, letter, _files = rendered_examples[case_id]
    files = all_files(rendered_examples, typst_examples, case_id)
    text = comparable(EXTRACT[kind(fmt)](files[fmt]), kind(fmt))
    phrases = expected_phrases(path.parent.name, data, letter)
    missing = [p for p in phrases if comparable(p, kind(fmt)) not in text]
    assert not missing, f"{case_id}.{fmt} mangler: {missing}"


@pytest.mark.parametrize("case_id", CASES)
def test_same_text_in_every_format(rendered_examples, typst_examples, case_id):
    """The body a citizen reads is identical in PDF (both engines), DOCX and HTML (after normalising space)."""
    _path, _data, letter, _files = rendered_examples[case_id]
    files = all_files(rendered_examples, typst_examples, case_id)
    for fmt in FORMATS:
        text = comparable(EXTRACT[kind(fmt)](files[fmt]), kind(fmt))
        assert comparable(letter.meta.subject, kind(fmt)) in text, f"{fmt}: emnelinjen mangler"
        head = comparable(" ".join(letter.head_lines()[:-1]), kind(fmt))
        assert head in text, f"{fmt}: afsender, modtager eller dato afviger"
        body = comparable(letter_text(letter, kind(fmt)), kind(fmt))
        assert body in text, f"{fmt}: brødteksten afviger fra brevets tekst"


@pytest.mark.parametrize("case_id", CASES)
def test_whole_text_identical_in_every_format(rendered_examples, typst_examples, case_id):
    """Not only contained: the whole text of each file is the letter's text, nothing more.

    Letterhead, subject and body, in reading order; only layout differs (page numbers,
    bullets, and for the PDF the ordered-list numbers it prints as text).
    """
    _path, _data, letter, _files = rendered_examples[case_id]
    files = all_files(rendered_examples, typst_examples, case_id)
    for fmt in FORMATS:
        text = comparable(EXTRACT[kind(fmt)](files[fmt]), kind(fmt))
        expected = comparable(" ".join(letter.head_lines()) + " " + letter_text(letter, kind(fmt)), kind(fmt))
        assert text == expected, f"{fmt}: teksten er ikke præcis brevets tekst"


@pytest.mark.parametrize("case_id", CASES)
def test_expectation_block_answered(rendered_examples, case_id):
    """The five questions are there, in order, and none is left without an answer."""
    _path, _data, letter, _files = rendered_examples[case_id]
    for role, question in [
        ("hvad-sker-der-nu", "Hvad sker der nu?"),
        ("hvad-skal-du-goere", "Hvad skal du gøre?"),
        ("frist", "Hvornår?"),
        ("konsekvens", "Hvad sker der, hvis du ikke gør det?"),
        ("kontakt", "Hvem kan du kontakte?"),
    ]:
        (section,) = letter.sections(role)
        assert section.blocks[0].text == question
        assert len(section.blocks) >= 2, f"{role} har intet svar"
    lines = letter.body_lines()
    order = [lines.index(q) for q in ("Hvad sker der nu?", "Hvad skal du gøre?", "Hvornår?", "Hvad sker der, hvis du ikke gør det?", "Hvem kan du kontakte?")]
    assert order == sorted(order)
