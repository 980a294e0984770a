"""Phone hours the letter logic can reason about: weekdays read from Danish, clock times as text."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from brevgen import workdays
from brevgen.casedata import PhoneHours, parse_weekdays, weekdays_text
from brevgen.casefile import parse_case_text
from brevgen.errors import CaseDataError
from brevgen.pipeline import build_letter
from brevgen.casefile import read_case_file
from brevgen.paths import examples_dir


def load_example(event: str, name: str) -> dict:
    return read_case_file(examples_dir() / event / f"{name}.yaml")


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mandag til torsdag", (0, 1, 2, 3)),
        ("tirsdag og torsdag", (1, 3)),
        ("mandag, onsdag og fredag", (0, 2, 4)),
        ("hverdage", (0, 1, 2, 3, 4)),
        ("alle hverdage", (0, 1, 2, 3, 4)),
        ("Mandag-Onsdag og fredag", (0, 1, 2, 4)),
        ("man.-fre.", (0, 1, 2, 3, 4)),
        ("fredag", (4,)),
    ],
)
def test_danish_weekdays_are_read(text, days):
    assert parse_weekdays(text) == days


@pytest.mark.parametrize("text", ["weekend", "fredag til mandag", "hver anden uge", "mandag og"])
def test_unreadable_days_are_refused_with_an_example(text):
    with pytest.raises(ValueError) as info:
        parse_weekdays(text)
    assert "Skriv fx" in str(info.value) or "skal udfyldes" in str(info.value)


def test_days_are_stored_in_one_form():
    assert weekdays_text((0, 1, 2, 3)) == "mandag til torsdag"
    assert weekdays_text((1, 3)) == "tirsdag og torsdag"
    assert weekdays_text((0, 2, 4)) == "mandag, onsdag og fredag"
    assert PhoneHours(days="hverdage", opens="9:00", closes="12:00").days == "mandag til fredag"


@pytest.mark.parametrize("raw", ["9:00", "09:00", "9.00", "kl. 9.00", "09:00:00"])
def test_clock_times_are_read_from_text(raw):
    assert PhoneHours(days="mandag", opens=raw, closes="12:00").opens == dt.time(9, 0)


@pytest.mark.parametrize("raw", [540, 9.0, True])
def test_a_number_is_never_a_clock_time(raw):
    with pytest.raises(ValidationError) as info:
        PhoneHours(days="mandag", opens=raw, closes="12:00")
    assert "anførselstegn" in str(info.value)


def test_unquoted_yaml_times_stay_text_and_mixed_quoting_works():
    data = parse_case_text('hours: {days: mandag, opens: 9:00, closes: "12:00"}\nlater: 13:30:00\nwhen: 2026-03-02T10:00')
    assert data["hours"]["opens"] == "9:00" and data["later"] == "13:30:00"
    assert PhoneHours(**data["hours"]).opens == dt.time(9, 0)


def test_an_unquoted_time_in_a_case_file_prints_as_that_time():
    data = load_example("indkaldelse", "dagpenge-fremmoede")
    raw = parse_case_text("opens: 9:00\ncloses: 10:00")
    data["caseworker"]["phone_hours"] = [{"days": "mandag til fredag", **raw}]
    letter = build_letter("indkaldelse", data)
    body = "\n".join(letter.body_lines())
    assert "kl. 9.00 til 10.00" in body.replace("\xa0", " ")
    assert "0.09" not in body


def test_a_number_as_a_time_stops_the_letter_naming_the_field():
    data = load_example("indkaldelse", "dagpenge-fremmoede")
    data["caseworker"]["phone_hours"][0]["opens"] = 540
    with pytest.raises(CaseDataError) as info:
        build_letter("indkaldelse", data)
    assert any(p.path == "caseworker.phone_hours[1].opens" and "anførselstegn" in p.message for p in info.value.problems)


class _Hours:
    def __init__(self, days, opens, closes):
        self.weekdays, self.opens, self.closes = days, dt.time(*opens), dt.time(*closes)


TUE_THU = [_Hours((1, 3), (9, 0), (11, 0))]


def test_call_windows_follow_the_printed_days():
    wednesday = dt.datetime(2026, 10, 14, 12, 0)
    assert not workdays.can_call_at(TUE_THU, wednesday)
    assert workdays.can_call_at(TUE_THU, dt.datetime(2026, 10, 13, 11, 0))
    assert not workdays.can_call_at(TUE_THU, dt.datetime(2026, 10, 13, 12, 0))  # after closing
    assert not workdays.can_call_at(TUE_THU, dt.datetime(2026, 10, 13, 9, 0))  # not open yet
    assert workdays.last_call_before(TUE_THU, dt.datetime(2026, 10, 15, 10, 0), dt.date(2026, 10, 1)) == dt.datetime(2026, 10, 13, 11, 0)
    # The meeting day itself, before the meeting, when nothing comes earlier:
    assert workdays.last_call_before(TUE_THU, dt.datetime(2026, 10, 15, 10, 0), dt.date(2026, 10, 14)) == dt.datetime(2026, 10, 15, 10, 0)
    assert workdays.last_call_before(TUE_THU, dt.datetime(2026, 10, 14, 10, 0), dt.date(2026, 10, 13)) is None
    # Holidays: nobody answers on Christmas Day, a Friday in 2026.
    fridays = [_Hours((4,), (9, 0), (12, 0))]
    assert not workdays.can_call_on(fridays, dt.date(2026, 12, 25))
