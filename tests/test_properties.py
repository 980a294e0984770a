"""Property tests (hypothesis): generated case records through the pipeline.

Each record is one of the examples with one to three things changed: a free-text field set to
generated text (any Unicode, markup and template syntax, CPR numbers in the spellings brevgen
knows, long texts), a number, a meeting time (any year, with or without a time zone), or the
structure (an unknown key, a missing or wrongly typed field, deep nesting). For every record:

- no crash: brevgen answers with a letter or with one of its own errors, never anything else;
- no CPR number in any output: not in an error message, and, when a letter is made, in none of
  its files (read with the independent oracle of tests/leaks.py) or file names;
- no markup from data interpreted: text put into a field that every letter prints appears in
  the HTML and the DOCX exactly as typed, and the HTML holds no element but brevgen's own.

Two profiles (tests/conftest.py): ``fast`` (the default run, every format of every letter made)
and ``thorough`` (10,000 records, marked slow, run by .ci/run: HTML and DOCX of every letter
made, PDF, MeMo and .ics for one in 40).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re

import pytest
from conftest import EXAMPLES
from delivery_data import TEST_CVR
from extract import docx_text, html_text, normalise
from hypothesis import given, settings
from hypothesis import strategies as st
from leaks import leaks, text_leaks
from lxml import html as lxml_html

from brevgen import BrevgenError
from brevgen.casefile import read_case_file
from brevgen.pipeline import available_formats, build_case_letter, render_letter

EXAMPLE_DATA = {}
for _path in EXAMPLES:
    EXAMPLE_DATA.setdefault(_path.parent.name, []).append(read_case_file(_path))

# Fields every letter of the event prints (so typed text must appear as typed), and other
# free-text fields (printed in some variants, or only in a copy or a calendar entry).
PRINTED = {
    "indkaldelse": [("citizen", "name"), ("caseworker", "name"), ("caseworker", "title")],
    "tilbud": [("citizen", "name"), ("offer", "title"), ("offer", "purpose"), ("reasoning", "facts", 0)],
    "sygedagpenge": [("citizen", "name"), ("caseworker", "name")],
}
OTHER_TEXT = [
    ("citizen", "address", "street"), ("citizen", "address", "city"), ("sender", "authority"), ("sender", "unit"),
    ("caseworker", "substitute", "name"), ("meeting", "venue", "name"), ("meeting", "venue", "reception"), ("bring", 0),
    ("prepare", 0), ("offer", "tasks", 0), ("offer", "schedule"), ("offer", "provider", "name"), ("employer_name",),
    ("first_followup", "venue", "room"), ("a_kasse", "name"), ("sender", "phone_hours", 0, "days"),
]
NUMBERS = [("meeting", "duration_minutes"), ("offer", "hours_per_week"), ("offer", "wage_per_hour"), ("first_followup", "duration_minutes")]
TIMES = [("meeting", "start"), ("first_followup", "start"), ("cancel_by",)]

MARKUP = [
    "<script>alert(1)</script>", "<b>fed</b>", "**fed**", "_kursiv_", "# Overskrift", "[link](https://ond.example)",
    "{{ 7*7 }}", "{% if true %}ja{% endif %}", "{# kommentar #}", "&amp;", "&lt;", "| a | b |", "---", "`kode`",
    "<!-- x -->", "]]>", "<![CDATA[x]]>", "\\", "\"'", "javascript:alert(1)", "<img src=x onerror=alert(1)>",
]
WORDS = ["Søren", "Ærø", "Åberg", "kontor", "mødelokale", "2. sal", "Jobcenter", "nr.", "kl. 10.00", "1.234,50 kr."]
SEPARATORS = ["", "-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", " ", "\u00a0", ".", "/", " - ", " / "]
DATE_SEPARATORS = ["", "", "", ".", "/", "-", " "]


@st.composite
def cpr_numbers(draw) -> tuple[str, str]:
    """(spelling, the ten digits) of a CPR number with a real day and month."""
    digits = f"{draw(st.integers(1, 28)):02d}{draw(st.integers(1, 12)):02d}{draw(st.integers(0, 99)):02d}{draw(st.integers(0, 9999)):04d}"
    a, b = draw(st.sampled_from(DATE_SEPARATORS)), draw(st.sampled_from(DATE_SEPARATORS))
    spelling = digits[:2] + a + digits[2:4] + b + digits[4:6] + draw(st.sampled_from(SEPARATORS)) + digits[6:]
    if draw(st.booleans()):
        spelling = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in spelling)  # fullwidth
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(1, len(spelling) - 1))
        spelling = spelling[:at] + draw(st.sampled_from(["\u200b", "\u00ad", "\u2060", "\ufeff"])) + spelling[at:]
    return spelling, digits


TEXT = st.one_of(
    st.text(min_size=1, max_size=40),  # any Unicode, control characters included
    st.lists(st.sampled_from(MARKUP + WORDS), min_size=1, max_size=5).map(" ".join),
    st.text(alphabet=st.sampled_from("abcæøåABCÆØÅ 0123456789-.,/–"), min_size=1, max_size=60),
    st.text(min_size=90, max_size=400),
)


@st.composite
def records(draw):
    event = draw(st.sampled_from(sorted(EXAMPLE_DATA)))
    data = copy.deepcopy(draw(st.sampled_from(EXAMPLE_DATA[event])))
    data["sender"].setdefault("cvr", TEST_CVR)
    typed: list[tuple[tuple, str, bool]] = []  # (where, text, always printed)
    numbers: list[str] = []  # CPR numbers put in, as their ten digits
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["printed", "printed", "text", "cpr", "cpr", "number", "time", "structure"]))
        if kind in ("printed", "text", "cpr"):
            fields = [f for f in (PRINTED[event] if kind == "printed" else PRINTED[event] + OTHER_TEXT) if _has(data, f)]
            if not fields:  # an earlier change removed them
                continue
            where = draw(st.sampled_from(fields))
            value = draw(TEXT)
            if kind == "cpr":
                spelling, digits = draw(cpr_numbers())
                value = draw(st.sampled_from(["{}", "{} {}", "Nr. {}.", "{}x", "x{} {}"])).format(spelling, draw(st.sampled_from(WORDS)))
                numbers.append(digits)
            _put(data, where, value)
            typed.append((where, value, kind == "printed" and where in PRINTED[event]))
        elif kind == "number":
            fields = [f for f in NUMBERS if _has(data, f[:-1]) and isinstance(_get(data, f[:-1]), dict)]
            if not fields:
                continue
            where = draw(st.sampled_from(fields))
            _put(data, where, draw(st.one_of(st.integers(), st.floats(), st.decimals(allow_nan=True).map(str), st.text(max_size=5))))
        elif kind == "time":
            fields = [f for f in TIMES if _has(data, f[:-1]) and isinstance(_get(data, f[:-1]), dict)]
            if fields:
                when = draw(st.datetimes(timezones=st.one_of(st.none(), st.timezones())))
                text = draw(st.sampled_from([when.isoformat(), when.date().isoformat(), when.isoformat(timespec="minutes")]))
                _put(data, draw(st.sampled_from(fields)), text)
        else:
            change = draw(st.sampled_from(["unknown", "missing", "type", "deep"]))
            fields = [f for f in PRINTED[event] + OTHER_TEXT if _has(data, f)]
            if not fields:
                continue
            where = draw(st.sampled_from(fields))
            if change == "unknown":
                key = draw(st.one_of(st.text(max_size=30), cpr_numbers().map(lambda c: c[0])))
                data[key] = "x"
            elif change == "missing":
                _delete(data, where)
            elif change == "type":
                _put(data, where, draw(st.sampled_from([None, 17, 2.5, True, [], {}, ["a"], {"a": 1}])))
            else:
                _put(data, where, _deep(draw(st.integers(5, 40))))
    return event, data, typed, numbers


def _has(data, where) -> bool:
    try:
        for key in where:
            if not isinstance(data, (dict, list)):
                return False
            data = data[key]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _get(data, where):
    for key in where:
        data = data[key]
    return data


def _put(data, where, value) -> None:
    for key in where[:-1]:
        data = data[key]
    data[where[-1]] = value


def _delete(data, where) -> None:
    for key in where[:-1]:
        data = data[key]
    del data[where[-1]]


def _deep(levels: int):
    value: object = "x"
    for _ in range(levels):
        value = {"a": [value]}
    return value


def _allowed_html_elements() -> set[str]:
    from brevgen.pipeline import make_letter

    found: set[str] = set()
    for event, cases in EXAMPLE_DATA.items():
        for data in cases:
            _letter, files = make_letter(event, data, ["html"])
            found |= {el.tag for el in lxml_html.fromstring(files["html"]).iter() if isinstance(el.tag, str)}
    return found


ALLOWED_ELEMENTS: set[str] = set()


def check_record(event, data, typed, numbers, every_format: bool) -> str:
    """Run one record through the pipeline and check the properties; returns the outcome."""
    global ALLOWED_ELEMENTS
    if not ALLOWED_ELEMENTS:
        ALLOWED_ELEMENTS = _allowed_html_elements()
    try:
        case, letter = build_case_letter(event, data)
        possible = [f for f, why in available_formats(letter, case).items() if why is None]
        key = hashlib.sha256(json.dumps([event, data], sort_keys=True, default=str).encode()).digest()[0]
        formats = possible if every_format or key % 40 == 0 else [f for f in possible if f in ("html", "docx")]
        files = render_letter(letter, formats, case=case)
    except BrevgenError as exc:
        message = "\n".join(exc.lines())
        for digits in numbers:
            assert not text_leaks(digits, message), "an error message echoes a CPR number"
        return "refused"
    # Anything else than a BrevgenError is a crash: hypothesis reports it with the record.
    names = {f"file name ({fmt})": f"{letter.meta.event}_{letter.meta.case_ref}_{letter.meta.letter_date}" for fmt in files}
    for digits in numbers:
        assert leaks(digits, files, names) == [], f"CPR number {digits[:2]}... in an output"
    page = lxml_html.fromstring(files["html"])
    elements = {el.tag for el in page.iter() if isinstance(el.tag, str)}
    assert elements <= ALLOWED_ELEMENTS, f"elements from data: {sorted(elements - ALLOWED_ELEMENTS)}"
    shown_html = normalise(html_text(files["html"]))
    shown_docx = normalise(docx_text(files["docx"]))
    final = {where: (value, printed) for where, value, printed in typed}  # a field changed twice: the last
    for where, (value, printed) in final.items():
        if printed and _has(data, where) and _get(data, where) == value:
            expected = normalise(value.strip())
            assert expected in shown_html, f"{where}: not printed as typed in the HTML"
            assert expected in shown_docx, f"{where}: not printed as typed in the DOCX"
    assert not re.search(r"<script", files["html"].decode("utf-8"), re.I) or "&lt;script" in files["html"].decode("utf-8")
    return "made"


@given(records())
def test_generated_records_fast(record):
    check_record(*record, every_format=True)


@pytest.mark.slow
@settings(settings.get_profile("thorough"))
@given(records())
def test_generated_records_thorough(record):
    check_record(*record, every_format=False)
