import datetime as dt
from decimal import Decimal

import pytest

from brevgen import workdays
from brevgen import formatting as f


@pytest.mark.parametrize(
    "value, expected",
    [
        (dt.date(2026, 3, 2), "mandag den 2. marts 2026"),
        (dt.date(2026, 12, 24), "torsdag den 24. december 2026"),
        (dt.datetime(2026, 1, 1, 9, 0), "torsdag den 1. januar 2026"),
    ],
)
def test_long_date(value, expected):
    assert f.long_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [(dt.time(10, 0), "kl. 10.00"), (dt.time(9, 5), "kl. 9.05"), (dt.datetime(2026, 3, 2, 13, 30), "kl. 13.30")],
)
def test_clock(value, expected):
    assert f.clock(value) == expected


def test_date_and_time_and_span():
    assert f.date_and_time(dt.datetime(2026, 3, 16, 10, 0)) == "mandag den 16. marts 2026 kl. 10.00"
    assert f.time_span(dt.time(9), dt.time(15, 30)) == "kl. 9.00 til 15.30"


@pytest.mark.parametrize(
    "value, expected",
    [(Decimal("1234.5"), "1.234,50 kr."), (0, "0,00 kr."), (Decimal("142.75"), "142,75 kr."), (1000000, "1.000.000,00 kr.")],
)
def test_amount(value, expected):
    assert f.amount(value) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [("33663366", "33 66 33 66"), ("+45 72 15 27 00", "72 15 27 00"), ("0045 46110000", "46 11 00 00"), ("+46 8 123 456 78", "+46 8 123 456 78")],
)
def test_phone(raw, expected):
    assert f.phone(raw) == expected


def test_invalid_phone():
    with pytest.raises(ValueError):
        f.phone("123")


@pytest.mark.parametrize(
    "day, working",
    [
        (dt.date(2026, 4, 2), False),  # skærtorsdag
        (dt.date(2026, 4, 3), False),  # langfredag
        (dt.date(2026, 4, 6), False),  # 2. påskedag
        (dt.date(2026, 5, 14), False),  # Kristi himmelfartsdag
        (dt.date(2026, 5, 1), True),  # Store bededag is no longer a holiday (abolished 2024); 1 May is a Friday
        (dt.date(2026, 3, 7), False),  # Saturday
        (dt.date(2026, 3, 9), True),
    ],
)
def test_working_days(day, working):
    assert workdays.is_working_day(day) is working


def test_deadline_moves_past_easter():
    # 8 days after 2026-03-26 is skærtorsdag 2026-04-03 -> langfredag, weekend, 2. påskedag -> tuesday 7 April
    day, moved = workdays.deadline(dt.date(2026, 3, 26), days=8)
    assert day == dt.date(2026, 4, 7) and moved
    assert workdays.deadline(dt.date(2026, 3, 2), days=8) == (dt.date(2026, 3, 10), False)


def test_add_and_previous_working_day():
    assert workdays.add_working_days(dt.date(2026, 4, 1), 1) == dt.date(2026, 4, 7)
    assert workdays.previous_working_day(dt.date(2026, 4, 7)) == dt.date(2026, 4, 1)
    assert workdays.holiday_name(dt.date(2026, 12, 25)) == "Juledag"
