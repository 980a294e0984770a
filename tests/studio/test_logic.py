"""The studio's interim letter-logic check: call-by deadlines inside phone hours (BL01)."""

from __future__ import annotations

import datetime as dt

import pytest

from brevgen.studio.logic import PhoneHours, call_deadlines, parse_days

HOURS = [
    PhoneHours(parse_days("mandag til torsdag"), dt.time(9), dt.time(10, 30), "mandag til torsdag kl. 9.00 til 10.30"),
    PhoneHours(parse_days("fredag"), dt.time(9), dt.time(12), "fredag kl. 9.00 til 12.00"),
]


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mandag til torsdag", {0, 1, 2, 3}),
        ("mandag, onsdag og fredag", {0, 2, 4}),
        ("Fredag", {4}),
        ("hverdage", {0, 1, 2, 3, 4}),
        ("alle dage undtagen i ferier", {0, 1, 2, 3, 4}),
        ("fredag til mandag", {4, 5, 6, 0}),
    ],
)
def test_phone_days_are_read_from_danish(text, days):
    assert parse_days(text) == days


def _check(text: str):
    return call_deadlines([(0, len(text), text)], HOURS)


@pytest.mark.parametrize(
    "text",
    [
        "Så ring senest mandag den 11. maj 2026 kl. 10.00.",  # Monday, inside
        "Ring senest fredag den 15. maj 2026 kl. 11.30.",  # Friday hours
        "Ring senest kl. 9.15.",  # no day: inside some window
        "Bliver du syg, så ring til os, før samtalen begynder.",  # no time
        "Samtalen er mandag den 11. maj 2026 kl. 19.00.",  # not a call-by deadline
    ],
)
def test_deadlines_that_can_be_met_pass(text):
    assert _check(text) == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Så ring senest mandag den 11. maj 2026 kl. 19.00.", "mandag den 11. maj 2026 kl. 19.00"),
        ("Ring senest fredag den 15. maj 2026 kl. 14.00.", "Ingen tager telefonen kl. 14.00"),
        ("Ring til os inden kl. 7.30.", "kl. 7.30"),
        ("Ring senest lørdag den 16. maj 2026 kl. 10.00.", "ikke en hverdag"),
    ],
)
def test_a_deadline_no_one_can_meet_is_an_error_with_its_span(text, says):
    (finding,) = _check(text)
    assert finding.rule_id == "BL01" and finding.level == "error"
    assert says in finding.message
    assert text[finding.start : finding.end].endswith(text.rstrip(".").split()[-1])
