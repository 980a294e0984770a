"""The caseworker desk without a browser: the form described from the case models, the saved
profile on SQLite and PostgreSQL, problems at their fields, the CPR number kept out, and the
exported case making the same letter as the desk."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from brevgen import events
from brevgen.desk import form as forms
from brevgen.desk import letters, profile
from brevgen.desk.routes import new_letter_data

from .conftest import PROFILE, add_desk_users

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(event: str, name: str) -> dict:
    return json.loads(json.dumps(yaml.safe_load((EXAMPLES / event / name).read_text(encoding="utf-8")), default=str))


def model_names(model, found=None) -> set[str]:
    from brevgen.problems import inner_model

    found = set() if found is None else found
    for name, info in model.model_fields.items():
        found.add(name)
        inner = inner_model(info.annotation)
        if inner is not None:
            model_names(inner, found)
    return found


@pytest.mark.parametrize("event", ["indkaldelse", "tilbud", "sygedagpenge"])
def test_every_field_has_a_danish_label_and_no_english_key_is_shown(event):
    info = events.get(event)
    description = forms.event_form(info)
    keys = {n for n in model_names(info.model) if "_" in n or n.isascii() and n not in ("video", "borger")}
    shown = []
    for field in forms.walk(description["fields"] + description["profile"]):
        assert field["label"], field["path"]
        shown += [field["label"], field.get("help", ""), field.get("placeholder", "")]
        shown += [o["label"] for o in field.get("options", [])]
    words = {w for text in shown for w in re.findall(r"[A-Za-z_]+", str(text))}
    assert not (words & {k for k in keys if "_" in k}), words & keys
    assert "citizen.cpr" not in {f["path"] for f in forms.walk(description["fields"])}


def test_the_summons_form_shows_fields_only_when_they_apply():
    by_path = {f["path"]: f for f in forms.walk(forms.event_form(events.get("indkaldelse"))["fields"])}
    assert by_path["meeting.venue"]["show_when"] == {"path": "meeting.mode", "values": ["fremmøde"]}
    assert by_path["meeting.phone"]["show_when"] == {"path": "meeting.mode", "values": ["telefon"]}
    assert by_path["meeting.video"]["show_when"] == {"path": "meeting.mode", "values": ["video"]}
    assert by_path["a_kasse"]["show_when"] == {"path": "benefit", "values": ["dagpenge"]}
    assert by_path["@tid"]["label"] == "Hvordan får borgeren en tid?"
    assert [o["label"] for o in by_path["@tid"]["options"]] == ["Vi giver en fast tid", "Borgeren booker selv en tid"]
    assert by_path["interpreter"]["optional"] is True
    # Controls that hand over one form only: no unquoted 9:00, no date read as a number.
    assert by_path["meeting.start"]["kind"] == "datetime"
    assert by_path["letter_date"]["kind"] == "date"
    assert by_path["citizen.address.postcode"]["kind"] == "postcode" and by_path["citizen.address.postcode"]["placeholder"] == "3460"
    assert by_path["meeting.phone.number"]["kind"] == "phone" and by_path["meeting.phone.number"]["placeholder"] == "46 11 22 33"
    assert by_path["bring"]["kind"] == "items"
    assert [o["label"] for o in by_path["meeting.phone.who_calls"]["options"]] == ["Jobcentret ringer op", "Borgeren ringer op"]
    offer = {f["path"]: f for f in forms.walk(forms.event_form(events.get("tilbud"))["fields"])}
    assert offer["offer.wage_per_hour"]["show_when"] == {"path": "offer.kind", "values": ["løntilskud"]}
    profile_fields = {f["path"]: f for f in forms.walk(forms.profile_form())}
    assert profile_fields["caseworker.phone_hours"]["kind"] == "groups"
    assert profile_fields["caseworker.phone_hours[].opens"]["kind"] == "time"
    assert profile_fields["caseworker.phone_hours[].days"]["kind"] == "weekdays"


def test_the_profile_is_saved_and_read_on_both_stores(store):
    add_desk_users(store, profile=False)
    assert profile.load(store, "mette") is None
    assert profile.save(store, "mette", PROFILE) == []
    assert profile.load(store, "mette") == PROFILE
    changed = json.loads(json.dumps(PROFILE))
    changed["caseworker"]["title"] = "sagsbehandler"
    assert profile.save(store, "mette", changed) == []
    assert profile.load(store, "mette")["caseworker"]["title"] == "sagsbehandler"


def test_a_profile_with_a_cpr_number_is_not_saved(sqlite_store):
    add_desk_users(sqlite_store, profile=False)
    bad = json.loads(json.dumps(PROFILE))
    bad["caseworker"]["substitute"]["name"] = "010190-1234"
    problems = profile.save(sqlite_store, "mette", bad)
    assert [(p.path, p.message) for p in problems] == [
        ("caseworker.substitute.name", "ligner et CPR-nummer. Et CPR-nummer må aldrig stå i et brev: fjern det")
    ]
    assert profile.load(sqlite_store, "mette") is None


def test_a_new_letter_starts_from_the_profile():
    data = new_letter_data(PROFILE, __import__("datetime").date(2026, 3, 2))
    assert data["letter_date"] == "2026-03-02"
    assert data["caseworker"] == PROFILE["caseworker"]
    assert data["meeting"]["venue"] == {"name": "Jobcenter Rudersdal", "address": PROFILE["sender"]["address"]}


def test_a_cpr_number_in_the_name_field_is_refused_at_that_field():
    case = example("indkaldelse", "dagpenge-fremmoede.yaml")
    case["citizen"]["name"] = "Søren 0101901234"
    result = letters.preview("indkaldelse", case)
    assert result["ok"] is False
    assert result["problems"] == [{
        "path": "citizen.name", "label": "Borgerens navn", "rule": None, "kind": "data", "level": "error",
        "message": "Ligner et CPR-nummer. Et CPR-nummer må aldrig stå i et brev: fjern det",
    }]


def test_the_logic_finding_is_at_the_call_by_field_with_how_to_fix_it():
    case = example("indkaldelse", "dagpenge-fremmoede.yaml")
    case["cancel_by"] = "2026-03-12T14:00"
    problems = letters.preview("indkaldelse", case)["problems"]
    assert [(p["path"], p["rule"], p["kind"]) for p in problems] == [("cancel_by", "LO01", "logic")]
    assert problems[0]["message"].endswith("Ret fristen eller telefontiden, eller skriv i samme sætning, at borgeren også kan skrive.")


def test_the_preview_has_the_letter_findings_at_fields_and_the_kort_fortalt_check():
    result = letters.preview("indkaldelse", example("indkaldelse", "dagpenge-fremmoede.yaml"))
    assert result["ok"] is True and result["problems"] == []
    assert '<html lang="da">' in result["html"] and "Mette Kjær" in result["html"]
    assert {(f["path"], f["rule"]) for f in result["findings"]} == {("prepare[1]", "KS25")}
    assert result["kort_fortalt"] == [
        {"text": "Brevet har en Kort fortalt-boks, der siger, hvad brevet handler om", "ok": True},
        {"text": "Kort fortalt nævner samtalen: 16. marts", "ok": True},
    ]
    assert result["formats"] == {"pdf": None, "docx": None, "html": None, "memo": None, "ics": None}


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize("event,name", [("indkaldelse", "dagpenge-fremmoede.yaml"), ("tilbud", "kursus-dagpenge.yaml"), ("sygedagpenge", "selv-trapper.yaml")])
def test_an_exported_case_makes_the_same_letter_and_holds_no_cpr(event, name, fmt, tmp_path):
    from brevgen.casefile import read_case_file

    case = example(event, name)
    case["citizen"]["cpr"] = "010190-1234"
    file_name, _media, text = letters.export_case(case, fmt)
    assert "010190" not in text and "cpr" not in text
    path = tmp_path / file_name
    path.write_text(text, encoding="utf-8")
    _n, _m, desk_html = letters.make_file(event, case, "html")
    from brevgen import generate_letter

    assert generate_letter(event, read_case_file(path), ["html"]).files["html"] == desk_html
    assert letters.import_case(text, file_name) == {"data": letters.without_cpr(case), "cpr_dropped": False}


def test_an_imported_case_drops_the_cpr_and_reads_danish_dates():
    case = example("indkaldelse", "dagpenge-fremmoede.yaml")
    case["meeting"]["start"] = "mandag den 16. marts 2026 kl. 10.00"
    got = letters.import_case(json.dumps(case), "sag.json")
    assert got["cpr_dropped"] is True
    assert "cpr" not in got["data"]["citizen"]
    assert got["data"]["meeting"]["start"] == "2026-03-16T10:00"
    with pytest.raises(letters.DeskError, match="Filen kan ikke læses ind: den er ikke gyldig JSON eller YAML."):
        letters.import_case("{nej", "sag.json")


def test_memo_needs_the_cpr_number_and_takes_it_only_from_the_download(tmp_path):
    case = example("indkaldelse", "dagpenge-fremmoede.yaml")
    with pytest.raises(letters.DeskError) as refused:
        letters.make_file("indkaldelse", case, "memo")
    assert refused.value.problems[0]["path"] == "citizen.cpr"
    name, media, data = letters.make_file("indkaldelse", letters.without_cpr(case), "memo", "010190-1234")
    assert name.endswith(".memo.xml") and b"0101901234" in data  # the recipient's number, as Digital Post needs


# --- over HTTP ------------------------------------------------------------------------------------


def test_the_desk_needs_the_caseworker_role(desk_app):
    from .conftest import signed_in

    reviewer = signed_in(desk_app, "bo")
    assert reviewer.get("/breve").status_code == 403
    response = reviewer.post("/api/breve/indkaldelse/forhaandsvisning", json={"case": {}}, headers=reviewer.api_headers)
    assert response.status_code == 403 and response.json()["detail"] == "Brevskrivning kræver rollen sagsbehandler."
    admin = signed_in(desk_app, "anna")
    assert admin.get("/breve/indkaldelse").status_code == 200


def test_a_caseworker_lands_on_the_desk_and_sees_no_english_key(desk_client):
    assert desk_client.get("/", follow_redirects=False).headers["location"] == "/breve"
    page = desk_client.get("/breve/indkaldelse")
    assert page.status_code == 200
    assert "Indkaldelse til første jobsamtale" in page.text
    assert 'type="password" id="cpr"' in page.text


def test_preview_download_and_export_over_http_without_logging_the_case(desk_client, caplog):
    case = example("indkaldelse", "dagpenge-fremmoede.yaml")
    h = desk_client.api_headers
    preview = desk_client.post("/api/breve/indkaldelse/forhaandsvisning", json={"case": case}, headers=h).json()
    assert preview["ok"] is True
    pdf = desk_client.post("/api/breve/indkaldelse/hent", json={"case": case, "format": "pdf"}, headers=h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == 'attachment; filename="indkaldelse_JC-2026-0412_2026-03-02.pdf"'
    ics = desk_client.post("/api/breve/indkaldelse/hent", json={"case": case, "format": "ics"}, headers=h)
    assert ics.status_code == 200 and b"BEGIN:VCALENDAR" in ics.content
    exported = desk_client.post("/api/breve/indkaldelse/eksport", json={"case": case, "format": "yaml"}, headers=h)
    assert exported.status_code == 200 and "010190" not in exported.text
    no_csrf = desk_client.post("/api/breve/indkaldelse/hent", json={"case": case, "format": "pdf"}, headers={"Origin": h["Origin"]})
    assert no_csrf.status_code == 403
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "Søren" not in logged and "010190" not in logged
