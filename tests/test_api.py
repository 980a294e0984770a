"""The Python API at the package root: same letters and the same errors as the CLI."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner
from delivery_data import load
from extract import EXTRACT, comparable, letter_text

import brevgen
from brevgen import BrevgenError, CaseDataError, UsageError, generate_letter
from brevgen.cli import main
from brevgen.events.indkaldelse import Summons


def test_root_exports_the_documented_api():
    for name in ("generate_letter", "validate_case", "case_schema", "list_events", "available_formats",
                 "register_report", "GeneratedLetter", "CaseDataError", "UsageError", "TemplateError",
                 "LetterError", "RenderError", "ALL_FORMATS"):
        assert name in brevgen.__all__ and hasattr(brevgen, name), name
    assert brevgen.ALL_FORMATS == ("pdf", "docx", "html", "memo", "ics")
    assert [e.event for e in brevgen.list_events()] == ["indkaldelse", "tilbud", "sygedagpenge"]
    assert brevgen.case_schema("tilbud")["properties"]["answer_by"]["title"] == "Svarfrist"


def test_generate_from_dict_gives_the_letter_in_every_asked_format():
    data = load("indkaldelse/dagpenge-fremmoede")
    result = generate_letter("indkaldelse", data, ["html", "pdf", "docx", "memo", "ics"])
    assert list(result.files) == ["html", "pdf", "docx", "memo", "ics"]
    for fmt in ("pdf", "docx", "html"):
        text = comparable(EXTRACT[fmt](result.files[fmt]), fmt)
        assert comparable(letter_text(result.letter, fmt), fmt) in text
    assert result.files["pdf"].startswith(b"%PDF-")
    assert result.event == "indkaldelse"
    assert result.provenance["brevgen-case-ref"] == data["case_ref"]
    lint = result.reports["lint"]
    assert lint["ok"] is True and lint["summary"]["errors"] == 0
    assert result.filename("memo") == "indkaldelse_JC-2026-0412_2026-03-02.memo.xml"


def test_generate_from_the_pydantic_model_gives_the_same_bytes():
    data = load("indkaldelse/dagpenge-fremmoede")
    model = Summons.model_validate(data)
    from_dict = generate_letter("indkaldelse", data, "html,memo")
    from_model = generate_letter("indkaldelse", model, "html,memo")
    assert from_model.files == from_dict.files  # the CPR number survives the model (memo needs it)


def test_model_of_the_wrong_event_is_a_usage_error():
    model = Summons.model_validate(load("indkaldelse/dagpenge-fremmoede"))
    with pytest.raises(UsageError) as info:
        generate_letter("tilbud", model)
    assert str(info.value) == "sagens data er en Summons, men brevtypen 'tilbud' bruger Offer"


def test_cross_field_rules_apply_to_models_too():
    data = load("indkaldelse/dagpenge-fremmoede")
    data["meeting"]["start"] = "2026-02-27T10:00"  # a Friday before the letter date
    data.pop("cancel_by", None)
    model = Summons.model_validate(data)  # pydantic alone accepts it
    with pytest.raises(CaseDataError) as info:
        generate_letter("indkaldelse", model, ["html"])
    assert info.value.lines() == ["meeting.start (Mødets tidspunkt): skal ligge efter brevets dato"]


@pytest.mark.parametrize(
    "event, formats, code, message",
    [
        ("ukendt", ["pdf"], "usage", "ukendt brevtype. Vælg en af: indkaldelse, tilbud, sygedagpenge"),
        ("indkaldelse", ["pdf", "odt"], "usage", "ukendt format: odt. Vælg blandt: pdf, docx, html, memo, ics"),
        ("indkaldelse", [], "usage", "ukendt format: (intet). Vælg blandt: pdf, docx, html, memo, ics"),
    ],
)
def test_usage_errors_have_codes(event, formats, code, message):
    with pytest.raises(BrevgenError) as info:
        generate_letter(event, load("indkaldelse/dagpenge-fremmoede"), formats)
    assert (info.value.code, info.value.exit_code, str(info.value)) == (code, 2, message)


def test_invalid_data_gives_the_same_problems_as_the_cli(tmp_path):
    data = load("tilbud/kursus-dagpenge")
    data["offer"].pop("title")
    data["answer_by"] = "2026-02-30"
    data["citizen"]["address"]["postcode"] = "80"
    with pytest.raises(CaseDataError) as info:
        generate_letter("tilbud", data, ["pdf"])
    error = info.value
    assert (error.code, error.exit_code) == ("invalid-case-data", 1)
    case = tmp_path / "sag.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cli = CliRunner().invoke(main, ["render", "tilbud", str(case), "--json", "--out", str(tmp_path / "out")])
    assert cli.exit_code == 1
    assert json.loads(cli.stdout)["error"]["problems"] == [p.as_dict() for p in error.problems]
    assert [p.path for p in error.problems] == ["citizen.address.postcode", "offer.title", "answer_by"]


def test_not_a_mapping_is_a_usage_error():
    with pytest.raises(UsageError):
        generate_letter("indkaldelse", ["not", "a", "case"])


def test_available_formats_says_why_not():
    offer = brevgen.available_formats("tilbud", load("tilbud/virksomhedspraktik-dagpenge"))
    assert offer["pdf"] is None and offer["memo"] == (
        "sender.cvr (CVR-nummer): skal udfyldes, når brevet skal sendes som Digital Post (MeMo)"
    )
    assert offer["ics"].startswith("formatet ics kan ikke bruges til brevtypen 'tilbud'")
    summons = brevgen.available_formats("indkaldelse", load("indkaldelse/dagpenge-fremmoede"))
    assert set(summons.values()) == {None}


def test_reports_hook_carries_a_registered_check():
    from brevgen import api

    brevgen.register_report("headings", lambda letter: {"count": sum(1 for _r, b in letter.walk() if b.kind == "heading")})
    try:
        result = generate_letter("indkaldelse", load("indkaldelse/dagpenge-video"), ["html"])
    finally:
        api._REPORTS.pop("headings")
    assert result.reports["headings"]["count"] >= 5


def test_write_is_atomic_and_named_without_personal_data(tmp_path):
    data = load("indkaldelse/kontanthjaelp-video")
    result = generate_letter("indkaldelse", data, ["html", "memo", "ics"])
    paths = result.write(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths) == sorted(
        f"indkaldelse_{data['case_ref']}_{data['letter_date']}.{ext}" for ext in ("html", "memo.xml", "ics")
    )
    assert all(p.read_bytes() == result.files[fmt] for p, fmt in zip(paths, result.files))
