"""Case data written the way a caseworker writes it, in a YAML file or a form: Danish dates and
times are read, and the mistakes YAML invites get an answer that says how to fix them.

These are the pain points a caseworker met trying brevgen from the README (issue 16): an
unquoted postcode or phone number was refused with "skal være tekst" and no hint about quotes,
the hint for a time showed the ISO ``T`` form, a misspelt field gave two unrelated lines, and a
Danish "10. december 2026 kl. 10.00" was refused.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from pydantic import TypeAdapter, ValidationError

from brevgen import CaseDataError
from brevgen.api import validate_case
from brevgen.casedata import Date, DateTime, parse_danish_date
from brevgen.casefile import parse_case_text, read_case_file
from brevgen.paths import examples_dir

EXAMPLE = examples_dir() / "indkaldelse" / "dagpenge-fremmoede.yaml"  # letter 2026-03-02, meeting 16 March 10:00


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10. december 2026 kl. 10.00", dt.datetime(2026, 12, 10, 10, 0)),
        ("torsdag den 10. december 2026 kl. 10.00", dt.datetime(2026, 12, 10, 10, 0)),
        ("Torsdag den 10. December 2026 kl. 10:00", dt.datetime(2026, 12, 10, 10, 0)),
        ("10. dec. 2026, kl. 9.30", dt.datetime(2026, 12, 10, 9, 30)),
        ("10.12.2026 10:00", dt.datetime(2026, 12, 10, 10, 0)),
        ("2026-12-10 10:00", dt.datetime(2026, 12, 10, 10, 0)),
        ("2026-12-10T10:00", dt.datetime(2026, 12, 10, 10, 0)),
    ],
)
def test_a_meeting_time_may_be_written_the_danish_way(text, expected):
    assert TypeAdapter(DateTime).validate_python(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("10. december 2026", dt.date(2026, 12, 10)), ("fredag den 11. december 2026", dt.date(2026, 12, 11)), ("10.12.2026", dt.date(2026, 12, 10))],
)
def test_a_date_may_be_written_the_danish_way(text, expected):
    assert TypeAdapter(Date).validate_python(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("mandag den 10. december 2026 kl. 10.00", "10. december 2026 er en torsdag, ikke en mandag. Tjek datoen"),
        ("30. februar 2026 kl. 10.00", "er ikke en gyldig dato: den dag findes ikke i kalenderen. Tjek dag og måned"),
        ("10. december 2026", "mangler et klokkeslæt. Skriv fx 2026-03-02 10:00 eller 2. marts 2026 kl. 10.00"),
    ],
)
def test_a_danish_time_that_cannot_be_meant_is_refused_with_the_reason(text, message):
    with pytest.raises(ValidationError) as info:
        TypeAdapter(DateTime).validate_python(text)
    assert info.value.errors()[0]["ctx"]["error"].args[0] == message


def test_slashes_are_not_read_because_some_write_the_month_first():
    assert parse_danish_date("10/12/2026") is None
    with pytest.raises(ValidationError):
        TypeAdapter(DateTime).validate_python("10/12/2026 10:00")


def _problems(text: str) -> list[str]:
    with pytest.raises(CaseDataError) as info:
        validate_case("indkaldelse", parse_case_text(text))
    return info.value.lines()


def test_an_unquoted_postcode_or_phone_number_is_told_to_use_quotes():
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('postcode: "3460", city: Birkerød}\n  phone: "46 11 00 00"', 'postcode: 3460, city: Birkerød}\n  phone: 46110000', 1)
    assert _problems(text) == [
        'sender.address.postcode (Postnummer): skal være tekst. Skriv det i anførselstegn, fx "3460"',
        'sender.phone (Afdelingens telefonnummer): skal være tekst. Skriv det i anførselstegn, fx "46 11 22 33"',
    ]


def test_an_unquoted_number_in_a_field_without_an_example_is_never_echoed():
    text = EXAMPLE.read_text(encoding="utf-8").replace("co: Hanne Østergård", "co: 7391824")
    assert _problems(text) == ['citizen.address.co (c/o-navn): skal være tekst. Skriv det i anførselstegn ("...")']


def test_a_danish_meeting_time_in_a_case_file_makes_the_same_letter(tmp_path):
    data = read_case_file(EXAMPLE)
    data["meeting"]["start"] = "mandag den 16. marts 2026 kl. 10.00"
    assert validate_case("indkaldelse", data).meeting.start == dt.datetime(2026, 3, 16, 10, 0)


def test_a_misspelt_field_is_one_line_with_what_was_meant():
    text = EXAMPLE.read_text(encoding="utf-8").replace("\nbenefit: dagpenge", "\nbenfit: dagpenge")
    assert _problems(text) == ["benfit: kendes ikke. Mente du 'benefit'?"]


def test_the_cli_hint_for_a_time_is_readable(tmp_path):
    case = tmp_path / "sag.yaml"
    case.write_text(EXAMPLE.read_text(encoding="utf-8").replace("start: 2026-03-16T10:00", "start: 16/3 kl 10"), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "brevgen.cli", "render", "indkaldelse", str(case), "--out", str(tmp_path / "ud")], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip() == f"fejl: {case}: meeting.start (Mødets tidspunkt): er ikke et gyldigt tidspunkt. Skriv fx 2026-03-02 10:00 eller 2. marts 2026 kl. 10.00"
