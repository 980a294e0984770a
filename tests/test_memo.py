"""Digital Post (MeMo 1.1): structure, the PDF inside, the AFTALE for meetings, and the CPR rule.

Structure is checked against tests/memo_subset.xsd, brevgen's closed schema for the MeMo 1.1
elements it writes (built from the published model; see the file's header for why the
official XSD is not copied here).
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES, Made, example_id, sampled
from delivery_data import TEST_CVR, cpr_forms, load, with_delivery_ids
from extract import comparable, letter_text, pdf_text
from lxml import etree

from brevgen import workdays
from brevgen import CaseDataError, formatting, generate_letter
from brevgen.cli import main

NS = {"memo": "https://DigitalPost.dk/MeMo-1"}
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "memo_subset.xsd")))
CASES = [example_id(p) for p in EXAMPLES]
CPH = ZoneInfo("Europe/Copenhagen")


def memo_of(data: dict, event: str):
    result = generate_letter(event, data, ["pdf", "memo"])
    return result, etree.fromstring(result.files["memo"])


def one(tree, xpath: str) -> str:
    (value,) = tree.xpath(xpath, namespaces=NS)
    return value.text if hasattr(value, "text") else str(value)


def utc(local: str) -> str:
    return dt.datetime.fromisoformat(local).replace(tzinfo=CPH).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def memos():
    """Every example as MeMo (with test CPR/CVR numbers where the example has none), each made
    when a test first asks for it."""

    def make(case_id):
        data = with_delivery_ids(load(case_id))
        return (data, *memo_of(data, case_id.split("/")[0]))

    return Made(CASES, make)


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_memo_is_valid_and_carries_the_letter(memos, case_id):
    data, result, tree = memos[case_id]
    assert SCHEMA.validate(tree), SCHEMA.error_log
    assert tree.tag == "{https://DigitalPost.dk/MeMo-1}Message"
    assert tree.get("memoVersion") == "1.1"
    header = "/memo:Message/memo:MessageHeader"
    assert one(tree, f"{header}/memo:messageType") == "DIGITALPOST"
    assert one(tree, f"{header}/memo:label") == result.letter.meta.subject
    assert one(tree, f"{header}/memo:Sender/memo:senderID") == data["sender"]["cvr"]
    assert one(tree, f"{header}/memo:Sender/memo:idType") == "CVR"
    assert one(tree, f"{header}/memo:Recipient/memo:recipientID") == data["citizen"]["cpr"].replace("-", "")
    assert one(tree, f"{header}/memo:Recipient/memo:idType") == "CPR"
    assert one(tree, f"{header}/memo:ContentData/memo:CaseID/memo:caseID") == data["case_ref"]

    file = "/memo:Message/memo:MessageBody/memo:MainDocument/memo:File"
    assert one(tree, f"{file}/memo:encodingFormat") == "application/pdf"
    assert one(tree, f"{file}/memo:language") == "da"
    assert one(tree, f"{file}/memo:filename") == result.filename("pdf")
    pdf = base64.b64decode(one(tree, f"{file}/memo:content"))
    assert pdf == result.files["pdf"]
    text = comparable(pdf_text(pdf), "pdf")
    assert comparable(letter_text(result.letter, "pdf"), "pdf") in text
    assert comparable(result.letter.meta.subject, "pdf") in text


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_cpr_only_in_recipient_id(memos, case_id):
    data, result, tree = memos[case_id]
    raw = result.files["memo"].decode("utf-8")
    digits = data["citizen"]["cpr"].replace("-", "")
    assert raw.count(digits) == 1
    (holder,) = [el for el in tree.iter() if el.text and digits in el.text]
    assert holder.tag == "{https://DigitalPost.dk/MeMo-1}recipientID"
    for form in cpr_forms(data["citizen"]["cpr"])[::2]:
        assert form not in raw
    # ...and never in the PDF inside, its file name or the label.
    pdf = result.files["pdf"]
    assert all(form.encode() not in pdf for form in cpr_forms(data["citizen"]["cpr"]))
    assert digits not in result.filename("memo") and digits not in result.letter.meta.subject


def test_self_booking_summons_has_no_aftale(memos):
    booking = [c for c in CASES if c.startswith("indkaldelse/") and not load(c).get("meeting")]
    assert booking, "the examples must include a self-booking summons"
    for case_id in booking:
        _data, _result, tree = memos[case_id]
        assert tree.xpath("//memo:Action[memo:actionCode='AFTALE']", namespaces=NS) == []


@pytest.mark.parametrize("case_id", [c for c in CASES if c.startswith("indkaldelse/") and load(c).get("meeting")])
def test_summons_books_the_meeting_as_aftale(memos, case_id):
    data, _result, tree = memos[case_id]
    meeting = data["meeting"]
    start = dt.datetime.fromisoformat(meeting["start"])
    end = start + dt.timedelta(minutes=meeting["duration_minutes"])
    (action,) = tree.xpath("//memo:MainDocument/memo:Action[memo:actionCode='AFTALE']", namespaces=NS)
    assert one(action, "memo:startDateTime") == utc(meeting["start"])
    assert one(action, "memo:endDateTime") == utc(end.isoformat())
    reservation = action.find("memo:Reservation", NS)
    assert one(reservation, "memo:startDateTime") == utc(meeting["start"])
    assert one(reservation, "memo:abstract") == f"Samtale om job med {data['sender']['unit']}"
    location = one(reservation, "memo:location")
    description = one(reservation, "memo:description")
    if meeting["mode"] == "fremmøde":
        venue = meeting["venue"]
        assert location.startswith(f"{venue['name']}, {venue['address']['street']}")
        assert location.endswith(f"{venue['address']['postcode']} {venue['address']['city']}")
    elif meeting["mode"] == "telefon":
        assert location == "Telefonmøde"
        assert formatting.phone(meeting["phone"]["number"]) in description
    else:
        assert location == "Videomøde"
        assert meeting["video"]["join_url"] in description
    assert one(reservation, "memo:organizerName") == data["caseworker"]["name"]


def test_offer_reply_by_is_the_end_of_the_answer_day_the_letter_prints(memos):
    for case_id in [c for c in CASES if c.startswith("tilbud/")]:
        data, result, tree = memos[case_id]
        printed = workdays.next_working_day(dt.date.fromisoformat(data["answer_by"]))
        assert f"Svar os senest {formatting.long_date(printed)}" in " ".join(result.letter.body_lines())
        expected = dt.datetime.combine(printed, dt.time(23, 59, 59), tzinfo=CPH).astimezone(dt.timezone.utc)
        assert one(tree, "//memo:replyByDateTime") == expected.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert not tree.xpath("//memo:Action[memo:actionCode='AFTALE']", namespaces=NS)


def test_sick_leave_questionnaire_action_and_first_followup(memos):
    data, _result, tree = memos["sygedagpenge/arbejdsgiver-over-8-uger"]
    (action,) = tree.xpath("//memo:Action[memo:actionCode='SELVBETJENING']", namespaces=NS)
    assert one(action, "memo:EntryPoint/memo:url") == data["questionnaire_url"]
    (meeting,) = tree.xpath("//memo:Action[memo:actionCode='AFTALE']", namespaces=NS)
    assert one(meeting, "memo:startDateTime") == utc(data["first_followup"]["start"])
    data, _result, tree = memos["sygedagpenge/a-kasse-ukendt"]  # no date for the first conversation yet
    assert not tree.xpath("//memo:Action[memo:actionCode='AFTALE']", namespaces=NS)


def test_message_uuid_is_stable_for_the_same_letter_and_new_for_another(memos):
    data, result, tree = memos["indkaldelse/dagpenge-fremmoede"]
    again = generate_letter("indkaldelse", data, ["memo"]).files["memo"]
    assert again == result.files["memo"]
    changed = dict(data, case_ref="JC-2026-9999")
    other = etree.fromstring(generate_letter("indkaldelse", changed, ["memo"]).files["memo"])
    uuid_path = "//memo:MessageHeader/memo:messageUUID"
    assert one(other, uuid_path) != one(tree, uuid_path)


def test_summer_and_winter_time_in_utc():
    data = with_delivery_ids(load("indkaldelse/dagpenge-fremmoede"))
    data["letter_date"] = "2026-03-02"
    for start, expected in [("2026-03-27T10:00", "2026-03-27T09:00:00Z"), ("2026-03-30T10:00", "2026-03-30T08:00:00Z")]:
        data["meeting"]["start"] = start
        _result, tree = memo_of(data, "indkaldelse")
        assert one(tree, "//memo:Reservation/memo:startDateTime") == expected


def test_no_cpr_means_no_memo_with_the_field_named():
    data = load("indkaldelse/dagpenge-video")
    assert "cpr" not in data["citizen"]
    with pytest.raises(CaseDataError) as info:
        generate_letter("indkaldelse", data, ["pdf", "memo"])
    assert info.value.code == "invalid-case-data"
    assert info.value.lines() == [
        "citizen.cpr (CPR-nummer (kun til Digital Post, vises aldrig)): skal udfyldes, når brevet skal sendes som Digital Post (MeMo)"
    ]


def test_cli_memo_without_cpr_or_cvr_fails_and_writes_nothing(tmp_path):
    data = load("tilbud/loentilskud-dagpenge")
    data["citizen"].pop("cpr")
    case = tmp_path / "sag.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", "tilbud", str(case), "--format", "pdf,memo", "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"fejl: {case}: sender.cvr (CVR-nummer): skal udfyldes, når brevet skal sendes som Digital Post (MeMo)",
        f"fejl: {case}: citizen.cpr (CPR-nummer (kun til Digital Post, vises aldrig)): skal udfyldes, når brevet skal sendes som Digital Post (MeMo)",
    ]
    assert not out.exists()


def test_cli_writes_memo_xml_with_a_safe_name(tmp_path):
    data = load("indkaldelse/kontanthjaelp-video")
    case = tmp_path / "sag.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["render", "indkaldelse", str(case), "--format", "memo", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "out").iterdir()
    assert path.name == f"indkaldelse_{data['case_ref']}_{data['letter_date']}.memo.xml"
    tree = etree.parse(str(path))
    assert SCHEMA.validate(tree), SCHEMA.error_log
    assert one(tree, "//memo:Sender/memo:senderID") == data["sender"]["cvr"] != TEST_CVR


def test_memo_options_from_the_api():
    data = load("indkaldelse/dagpenge-fremmoede")
    fresh = "0b5e6f3c-1d2a-4c3b-9a8f-7e6d5c4b3a21"
    result = generate_letter(
        "indkaldelse", data, ["memo"], memo_options={"case_system": "KMD Momentum", "message_uuid": fresh, "mandatory": True}
    )
    tree = etree.fromstring(result.files["memo"])
    assert one(tree, "//memo:CaseID/memo:caseSystem") == "KMD Momentum"
    assert one(tree, "//memo:MessageHeader/memo:messageUUID") == fresh
    assert one(tree, "//memo:MessageHeader/memo:mandatory") == "true"
    assert SCHEMA.validate(tree), SCHEMA.error_log


@pytest.mark.parametrize(
    "options, says",
    [
        ({"message_uuid": "not-a-uuid"}, "message_uuid skal være et UUID af version 4"),
        ({"message_uuid": "0b5e6f3c-1d2a-1c3b-9a8f-7e6d5c4b3a21"}, "message_uuid skal være et UUID af version 4"),  # version 1
        ({"message_uuid": "0b5e6f3c-1d2a-4c3b-7a8f-7e6d5c4b3a21"}, "message_uuid skal være et UUID af version 4"),  # wrong variant
        ({"case_system": "x" * 257}, "case_system skal være en tekst på 1-256 tegn"),
        ({"case_system": ""}, "case_system skal være en tekst på 1-256 tegn"),
        ({"mandatory": "ja"}, "mandatory skal være true eller false"),
        ({"recipient": "x"}, "ukendte MeMo-indstillinger: recipient"),
    ],
)
def test_memo_options_are_checked_before_anything_is_made(options, says):
    from brevgen.errors import UsageError

    data = with_delivery_ids(load("indkaldelse/dagpenge-fremmoede"))
    with pytest.raises(UsageError) as info:
        generate_letter("indkaldelse", data, ["memo"], memo_options=options)
    assert says in info.value.message and info.value.message.startswith("MeMo: ")


def test_a_valid_message_uuid_in_capitals_is_written_as_the_schema_wants():
    data = with_delivery_ids(load("indkaldelse/dagpenge-fremmoede"))
    fresh = "0B5E6F3C-1D2A-4C3B-9A8F-7E6D5C4B3A21"
    tree = etree.fromstring(generate_letter("indkaldelse", data, ["memo"], memo_options={"message_uuid": fresh}).files["memo"])
    assert one(tree, "//memo:MessageHeader/memo:messageUUID") == fresh.lower()
    assert SCHEMA.validate(tree), SCHEMA.error_log
