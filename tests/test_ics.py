"""Calendar entries (.ics): they open with the icalendar library, in Danish local time, without a CPR."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES, example_id
from delivery_data import TEST_CPR, cpr_forms, has_meeting, load
from icalendar import Calendar

from brevgen import CaseDataError, UsageError, formatting, generate_letter
from brevgen.cli import main

CPH = ZoneInfo("Europe/Copenhagen")
MEETING_CASES = [example_id(p) for p in EXAMPLES if has_meeting(example_id(p), load(example_id(p)))]


def calendar_of(event: str, data: dict) -> tuple[bytes, Calendar]:
    raw = generate_letter(event, data, ["ics"]).files["ics"]
    return raw, Calendar.from_ical(raw)


def the_event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


@pytest.mark.parametrize("case_id", MEETING_CASES)
def test_ics_opens_and_holds_the_meeting(case_id):
    data = load(case_id)
    event_name = case_id.split("/")[0]
    raw, calendar = calendar_of(event_name, data)
    event = the_event(calendar)
    meeting = data.get("meeting") or data["first_followup"]
    start = dt.datetime.fromisoformat(meeting["start"]).replace(tzinfo=CPH)
    assert event.decoded("dtstart") == start
    assert event.decoded("dtstart").tzinfo.key == "Europe/Copenhagen"
    assert event.decoded("dtend") == start + dt.timedelta(minutes=meeting.get("duration_minutes", 60))
    assert b"DTSTART;TZID=Europe/Copenhagen:" in raw
    (timezone,) = calendar.walk("VTIMEZONE")
    assert str(timezone["tzid"]) == "Europe/Copenhagen"

    sender = data["sender"]["unit"]
    summary = str(event["summary"])
    assert summary in (f"Samtale om job med {sender}", f"Samtale om din sygemelding med {sender}")
    assert data["citizen"]["name"] not in raw.decode("utf-8")
    assert data["caseworker"]["name"] in str(event["description"])
    mode = meeting.get("mode", "fremmøde")
    if mode == "fremmøde":
        venue = meeting["venue"]
        assert str(event["location"]).startswith(f"{venue['name']}, {venue['address']['street']}")
    elif mode == "telefon":
        assert str(event["location"]) == "Telefonmøde"
        assert formatting.phone(meeting["phone"]["number"]) in str(event["description"])
    else:
        assert str(event["location"]) == "Videomøde"
        assert meeting["video"]["join_url"] in str(event["description"])
        assert str(event["url"]) == meeting["video"]["join_url"]
    if "cpr" in data["citizen"]:
        assert not any(form in raw.decode("utf-8") for form in cpr_forms(data["citizen"]["cpr"]))


def test_same_local_time_on_both_sides_of_the_daylight_saving_change():
    """DST starts 2026-03-29: 10:00 is 09:00 UTC on the 27th and 08:00 UTC on the 30th."""
    data = load("indkaldelse/dagpenge-fremmoede")
    data["letter_date"] = "2026-03-02"
    seen = {}
    for day in ("2026-03-27", "2026-03-30"):
        data["meeting"]["start"] = f"{day}T10:00"
        _raw, calendar = calendar_of("indkaldelse", data)
        start = the_event(calendar).decoded("dtstart")
        assert (start.hour, start.minute) == (10, 0)
        # The VTIMEZONE in the file itself (not the reader's tz database) gives the offset.
        (timezone,) = calendar.walk("VTIMEZONE")
        own = timezone.to_tz()
        seen[day] = start.replace(tzinfo=own).astimezone(dt.timezone.utc)
    assert seen["2026-03-27"] == dt.datetime(2026, 3, 27, 9, 0, tzinfo=dt.timezone.utc)
    assert seen["2026-03-30"] == dt.datetime(2026, 3, 30, 8, 0, tzinfo=dt.timezone.utc)


def test_uid_is_stable_for_the_same_case_and_meeting():
    data = load("indkaldelse/dagpenge-telefon")
    first = the_event(calendar_of("indkaldelse", data)[1])
    moved = dict(data, meeting=dict(data["meeting"], start="2026-04-28T13:00"))
    second = the_event(calendar_of("indkaldelse", moved)[1])
    assert str(first["uid"]).endswith("@brevgen")
    # A corrected letter for the same case replaces the calendar entry.
    assert str(first["uid"]) == str(second["uid"])
    assert first.decoded("dtstart") != second.decoded("dtstart")


def test_cpr_in_the_case_never_reaches_the_calendar():
    data = load("indkaldelse/kontanthjaelp-telefon")
    data["citizen"]["cpr"] = TEST_CPR
    raw, _ = calendar_of("indkaldelse", data)
    assert not any(form.encode() in raw for form in cpr_forms(TEST_CPR))


def test_offer_has_no_calendar_entry():
    with pytest.raises(UsageError) as info:
        generate_letter("tilbud", load("tilbud/kursus-dagpenge"), ["ics"])
    assert info.value.code == "usage" and info.value.exit_code == 2
    assert str(info.value) == (
        "formatet ics kan ikke bruges til brevtypen 'tilbud', fordi brevet ikke aftaler et møde. "
        "Det kan bruges til: indkaldelse, sygedagpenge (med en første samtale)"
    )


def test_sick_leave_without_a_first_conversation_names_the_field(tmp_path):
    data = load("sygedagpenge/arbejdsgiver-ukendt")
    with pytest.raises(CaseDataError) as info:
        generate_letter("sygedagpenge", data, ["ics"])
    assert info.value.lines() == ["first_followup (Første opfølgningssamtale): skal udfyldes for at lave en kalenderaftale (ics)"]
    case = tmp_path / "sag.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", "sygedagpenge", str(case), "--format", "pdf,ics", "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"fejl: {case}: first_followup (Første opfølgningssamtale): skal udfyldes for at lave en kalenderaftale (ics)"
    assert not out.exists()


def test_cli_offer_ics_is_a_usage_error_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    path = str(next(p for p in EXAMPLES if example_id(p) == "tilbud/kursus-dagpenge"))
    result = CliRunner().invoke(main, ["render", "tilbud", path, "--format", "html,ics", "--out", str(out)])
    assert result.exit_code == 2
    assert "fejl: formatet ics kan ikke bruges til brevtypen 'tilbud'" in result.stderr
    assert not out.exists()


def test_self_booking_summons_has_no_calendar_entry_yet():
    data = load("indkaldelse/dagpenge-selvbooking")
    assert not data.get("meeting")
    with pytest.raises(CaseDataError) as info:
        generate_letter("indkaldelse", data, ["ics"])
    assert info.value.lines() == [
        "meeting (Samtalen): skal udfyldes for at lave en kalenderaftale (ics); ved selvbooking er der endnu ingen tid"
    ]


def test_a_meeting_time_with_a_zone_is_one_instant_in_the_letter_the_calendar_and_digital_post():
    """08:00Z is 09:00 in Copenhagen in March: the letter said kl. 8.00 while .ics and MeMo said 09:00."""
    from lxml import etree

    data = load("indkaldelse/dagpenge-fremmoede")
    data["meeting"]["start"] = "2026-03-16T08:00:00Z"
    data["citizen"]["cpr"], data["sender"]["cvr"] = TEST_CPR, "29189781"
    result = generate_letter("indkaldelse", data, ["html", "ics", "memo"])
    assert "mandag den 16. marts 2026 kl. 9.00" in result.files["html"].decode().replace("\xa0", " ")  # no-break spaces keep a date on one line
    start = the_event(Calendar.from_ical(result.files["ics"])).decoded("dtstart")
    assert start == dt.datetime(2026, 3, 16, 9, 0, tzinfo=CPH)
    memo = etree.fromstring(result.files["memo"])
    starts = {el.text for el in memo.iter("{https://DigitalPost.dk/MeMo-1}startDateTime")}
    assert starts == {"2026-03-16T08:00:00Z"}


def test_a_moved_meeting_keeps_its_uid_and_gets_a_higher_sequence():
    """A calendar replaces an entry only by one with a higher SEQUENCE (RFC 5546 2.1.5)."""
    data = load("indkaldelse/dagpenge-telefon")
    first = the_event(calendar_of("indkaldelse", data)[1])
    assert int(first["sequence"]) > 0
    again = the_event(calendar_of("indkaldelse", data)[1])
    assert int(again["sequence"]) == int(first["sequence"])  # the same letter, the same file
    later_same_day = dict(data, meeting=dict(data["meeting"], start="2026-04-28T13:00"))
    # Moved to an earlier time, by a letter dated a week later.
    earlier_next_letter = dict(data, letter_date="2026-04-20", meeting=dict(data["meeting"], start="2026-04-24T09:00"), cancel_by="2026-04-22T09:30")
    previous = first
    for moved in (later_same_day, earlier_next_letter):
        entry = the_event(calendar_of("indkaldelse", moved)[1])
        assert str(entry["uid"]) == str(first["uid"])
        assert int(entry["sequence"]) > int(previous["sequence"])
        previous = entry
    assert int(previous["sequence"]) < 2**31
