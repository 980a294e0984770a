"""Typography and length of every example PDF (issue 13): 11 pt body, lines of at most about
75 characters, no break inside a phone number, date or amount or after a URL's scheme, no
headline widow, a summons and a sick-leave letter on 2 pages and an offer on 3, and the
signature never alone on a page. Read from the real PDF with pdfplumber, from both PDF engines
(WeasyPrint and Typst)."""

from __future__ import annotations

import io
import re
from collections import Counter

import pdfplumber
import pytest
from conftest import EXAMPLES, Made, example_id, sampled
from pdf_checks import ENGINES

CASES = [example_id(p) for p in EXAMPLES]
MAX_PAGES = {"indkaldelse": 2, "sygedagpenge": 2, "tilbud": 3}
BODY_PT = 11.0
# What may be smaller than the body: the letterhead and page numbers (9 pt) and the list of
# rules at the end (10 pt).
SMALL = {9.0: "brevhoved og sidetal", 10.0: "Regler"}


def _lines(pdf) -> list[tuple[int, float, str, list]]:
    out = []
    for number, page in enumerate(pdf.pages, start=1):
        for line in page.extract_text_lines(return_chars=True):
            out.append((number, round(max(c["size"] for c in line["chars"]), 1), line["text"], line["chars"]))
    return out


@pytest.fixture(scope="module", params=ENGINES)
def pdfs(request, example_pdfs):
    """Every example's PDF from one engine (each test runs once per engine)."""
    made = example_pdfs(request.param)
    opened: dict = {}

    def open_pdf(case_id):
        opened[case_id] = pdfplumber.open(io.BytesIO(made[case_id][1]))
        return opened[case_id]

    yield Made(made, open_pdf)
    for pdf in opened.values():
        pdf.close()


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_letter_fits_its_page_budget(pdfs, case_id):
    event = case_id.split("/")[0]
    assert len(pdfs[case_id].pages) <= MAX_PAGES[event], f"{case_id}: {len(pdfs[case_id].pages)} sider"


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_body_is_11_pt_and_only_letterhead_page_numbers_and_rules_are_smaller(pdfs, case_id):
    sizes = Counter()
    rules_started = False
    for _page, size, text, chars in _lines(pdfs[case_id]):
        for ch in chars:
            sizes[round(ch["size"], 1)] += 1
        if text.strip() == "Regler":
            rules_started = True
        if size < BODY_PT:
            assert size in SMALL, f"{size} pt: {text!r}"
            if size == 10.0:
                assert rules_started, f"10 pt før 'Regler': {text!r}"
    assert sizes.most_common(1)[0][0] == BODY_PT


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_body_lines_are_at_most_about_75_characters(pdfs, case_id):
    body = [len(text) for _page, size, text, _chars in _lines(pdfs[case_id]) if size == BODY_PT]
    body.sort()
    assert body[int(0.95 * (len(body) - 1))] <= 76, body[-10:]
    assert body[-1] <= 82, body[-5:]


_PHONE = re.compile(r"(?<!\d)\d{2}[ \xa0]\d{2}[ \xa0]\d{2}[ \xa0]\d{2}(?!\d)")
_DATE = re.compile(
    r"(?:(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)[ \xa0]den[ \xa0])?\d{1,2}\.[ \xa0]"
    r"(?:januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december)[ \xa0]\d{4}"
)
_AMOUNT = re.compile(r"\d[\d.]*,\d{2}[ \xa0]kr\.")


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_no_break_inside_a_phone_number_date_or_amount(rendered_examples, pdfs, case_id):
    letter = rendered_examples[case_id][2]
    flat = " ".join(letter.body_lines()).replace("\xa0", " ")
    wanted = Counter(m.group() for pattern in (_PHONE, _DATE, _AMOUNT) for m in pattern.finditer(flat))
    on_one_line = Counter()
    for _page, _size, text, _chars in _lines(pdfs[case_id]):
        text = text.replace("\xa0", " ")
        for pattern in (_PHONE, _DATE, _AMOUNT):
            on_one_line.update(m.group() for m in pattern.finditer(text))
    broken = {k: v for k, v in wanted.items() if on_one_line[k] < v}
    assert not broken, f"brudt over to linjer: {broken}"


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_no_line_ends_with_a_urls_scheme(pdfs, case_id):
    for _page, _size, text, _chars in _lines(pdfs[case_id]):
        assert not re.search(r"https?://?$|www\.$", text.strip()), text


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_headline_has_no_widow(pdfs, case_id):
    lines = [(text, size) for _page, size, text, _chars in _lines(pdfs[case_id]) if size == 15.0]
    assert lines, "ingen overskrift i 15 pt"
    assert len(lines[-1][0].split()) >= 2, f"sidste linje af overskriften: {lines[-1][0]!r}"


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_signature_never_stands_alone_on_a_page(pdfs, case_id):
    pdf = pdfs[case_id]
    (page,) = [p for p in pdf.pages if "Med venlig hilsen" in (p.extract_text() or "")]
    before = (page.extract_text() or "").split("Med venlig hilsen")[0]
    body_before = [line for line in before.splitlines() if line.strip() and not line.strip().startswith("Side ")]
    # The contact box stands on the same page, right above the signature.
    assert "Hvem kan du kontakte?" in before, f"{case_id}: underskriften står uden kontaktboksen"
    assert len(body_before) >= 3
