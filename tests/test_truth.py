"""Issue 13: letters that are true and can be carried out.

Each defect class found in the shipped letters is caught by a logic or text rule (a failing
example below, run through the real rule set), and is absent from every shipped letter in every
format. An error-level logic finding stops the letter in every entry point, naming the field.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, example_id, sampled
from extract import EXTRACT, normalise
from fastapi.testclient import TestClient

from brevgen import generate_letter
from brevgen.casefile import read_case_file
from brevgen.cli import main
from brevgen.errors import CaseDataError
from brevgen.lint import lint_paths
from brevgen.lint.gate import logic_problems
from brevgen.lint.ruleset import Example, default_rules, example_document, example_hits
from brevgen.paths import examples_dir
from brevgen.pipeline import build_letter
from brevgen.service import create_app

CASES = [example_id(p) for p in EXAMPLES]


@pytest.fixture(scope="module")
def rules():
    return default_rules()
FORMATS = ("pdf", "docx", "html")

TUE_THU = {"key": "caseworker", "name": "Rasmus Fjeldsø", "phone": "33 17 82 40", "hours": ["tirsdag og torsdag 9.00-11.00"], "writes": True}

# (defect class from the issue, the rule that catches it, a text from the shipped letters, the case)
DEFECTS = [
    ("ring senest efter telefontiden", "LO01",
     "Passer tiden ikke? Så ring til Rasmus Fjeldsø på 33 17 82 40 senest tirsdag den 13. oktober 2026 kl. 12.00.",
     {"letter_date": "2026-10-05", "contacts": [TUE_THU]}),
    ("ring senest en dag uden telefontid", "LO01",
     "Passer tiden ikke? Så ring til Rasmus Fjeldsø senest onsdag den 14. oktober 2026 kl. 10.00.",
     {"letter_date": "2026-10-05", "contacts": [TUE_THU]}),
    ("'kommer til samtalen' i en telefonsamtale", "LO07",
     "Hvis du ikke kommer til samtalen uden en rimelig grund, trækker vi i din kontanthjælp.", {"mode": "telefon"}),
    ("'kommer til samtalen' i en videosamtale", "LO07", "Kan du ikke komme? Så ring til os.", {"mode": "video"}),
    ("dobbelt nægtelse 'ikke … uden'", "KS16",
     "Hvis du ikke kommer til samtalen uden en rimelig grund, trækker vi i din kontanthjælp.", None),
    ("'jobsamtale' i to betydninger", "TE01", "Du har en rimelig grund, hvis du er til jobsamtale.", None),
    ("løn i perioden og træk i kontanthjælpen", "LO10",
     "Du får ikke kontanthjælp i perioden.\n\nVi trækker i din kontanthjælp for de dage, du ikke deltager.", {"income": "løn"}),
    ("samme dag trukket og ret igen samme dag", "LO11",
     "Vi trækker også for selve dagen, selv om du ringer samme dag. Du får ret til hjælpen igen fra den dag, du kontakter os.", None),
    ("mindst N samtaler og færre samtaler", "LO12",
     "Du har mindst 4 samtaler om job. Vi kan aftale færre samtaler med dig.", None),
    ("mindst N samtaler og som regel ingen", "LO12",
     "I de første 6 måneder holder vi mindst 4 samtaler med dig. Så skal du som regel ikke til samtaler hos os.", None),
    ("pligten lyder som et valg", "KS23", "Ring eller skriv til Lene Damgård, og sig, om du tager imod tilbuddet.", None),
    ("'Du skal ikke tage imod' læses som et forbud", "KS24", "Du skal ikke tage imod tilbuddet, hvis du har fået job.", None),
    ("pligten står ikke på side 1", "LO06",
     "[kort-fortalt] Ring eller skriv til Lene Damgård, og sig, om du tager imod tilbuddet.", {"event": "tilbud"}),
    ("fagsprog: står til rådighed", "TE01", "Det kan betyde, at du ikke får dagpenge, så længe du ikke står til rådighed.", None),
    ("fagord uden forklaring", "TE02", "Siger du nej uden en rimelig grund, trækker vi i din kontanthjælp.", None),
    ("trapper, som sagen ikke nævner", "LO09", "Der er trapper. Ring til os, hvis du har brug for hjælp.", {"access": "ukendt"}),
    ("begrundelse efter underskriften", "LO05",
     "[hilsen] Med venlig hilsen Lene Damgård\n\n## Derfor giver vi dig tilbuddet\n\nVi har lagt vægt på din uddannelse.", None),
    ("en frist på en søndag", "LO02", "Svar os senest søndag den 8. november 2026.", None),
    ("en frist efter det, den gælder", "LO03", "Svar os senest mandag den 23. november 2026.",
     {"letter_date": "2026-11-02", "moments": {"tilbuddet": "2026-11-23"},
      "deadlines": [{"key": "answer_by", "at": "2026-11-23", "field": "answer_by", "serves": "tilbuddet"}]}),
    ("to datoer for samme samtale", "LO04", "Samtalen er torsdag den 19. februar 2026 kl. 11.00.",
     {"moments": {"samtalen": "2026-02-19T10:00"}}),
]


@pytest.mark.parametrize(("what", "rule_id", "text", "facts"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_each_defect_class_is_caught_by_a_rule(rules, what, rule_id, text, facts):
    rule = rules.rule(rule_id)
    assert rule is not None, f"{rule_id} mangler"
    hits = example_hits(rule, example_document(Example(text=text, facts=facts), rule, rules.analyzer))
    assert hits, f"{rule_id} fanger ikke: {what}"
    assert rule.level == "error" or rule_id == "KS16", f"{rule_id} skal stoppe brevet"


# Phrases of the defects in the shipped letters before issue 13: none may stand in any letter.
OLD_DEFECTS = [
    "Hvis du ikke kommer til samtalen uden",
    "uden en rimelig grund, trækker vi i din kontanthjælp. Vi trækker for hver dag fra samtalens dag, til",
    "selv om du ringer samme dag",
    "Du får ret til hjælpen igen",
    "Du skal ikke tage imod",
    "sig, om du tager imod",
    "står til rådighed",
    "jobsamtale",
    "Jobsamtale",
    "fritage",
    "kl. 0.",
    "https://",
    "for de dage, du ikke deltager",
]


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_no_shipped_letter_has_the_old_defects_in_any_format(rendered_examples, case_id):
    _path, data, letter, files = rendered_examples[case_id]
    assert logic_problems(letter) == []
    for fmt in FORMATS:
        text = normalise(EXTRACT[fmt](files[fmt]))
        found = [phrase for phrase in OLD_DEFECTS if phrase in text]
        assert not found, f"{case_id}.{fmt}: {found}"
        venue = (data.get("meeting") or data.get("self_booking") or data.get("first_followup") or {}).get("venue")
        if venue is not None and "step_free" not in venue:
            assert "Der er trapper" not in text and "uden at gå på trapper" not in text
            assert "Har du brug for at komme ind uden trapper?" in text


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_every_shipped_letter_file_passes_brevgen_lint(rendered_examples, rules, tmp_path, case_id):
    """`brevgen lint letter.pdf|.docx|.html` exits 0 on every shipped letter."""
    _path, _data, letter, files = rendered_examples[case_id]
    # The § references under "Regler" and the case number in the letterhead are not findings.
    prefixes = set(re.findall(r"[A-Z]{2,}", letter.meta.case_ref))
    for fmt in FORMATS:
        target = tmp_path / f"brev.{fmt}"
        target.write_bytes(files[fmt])
        report = lint_paths([target], rules)
        errors = [f"{f.rule_id} {f.location.line}: {f.message}" for f in report.findings if f.level == "error"]
        assert report.exit_code == 0, f"{case_id}.{fmt}: {errors}"
        findings = report.findings
        assert not [f for f in findings if f.rule_id == "KS15"], fmt
        assert not [f for f in findings if f.rule_id == "KS14" and f.match in prefixes], fmt
        assert not [f for f in findings if letter.meta.recipient.name.split()[0] in (f.match or "")], fmt


def test_the_shipped_templates_times_every_example_have_no_logic_findings(rules):
    report = lint_paths([examples_dir().parent / "templates" / "da"], rules)
    logic = [f for f in report.findings if f.rule_id.startswith(("LO", "TE")) or f.rule_id in ("KS16", "KS23", "KS24")]
    assert [f"{f.rule_id} {f.location.where()} {f.message}" for f in logic if f.level == "error"] == []
    assert report.exit_code == 0


# --- the deadline for moving a meeting lies in the phone hours ---------------------------------------


def test_tuesday_thursday_caseworker_gets_a_tuesday_deadline():
    letter = build_letter("indkaldelse", read_case_file(examples_dir() / "indkaldelse" / "kontanthjaelp-video.yaml"))
    text = " ".join(letter.body_lines())
    # The meeting is on Thursday 15 October; Wednesday has no phone hours: the deadline is
    # Tuesday at the end of the caseworker's phone hours, and whom to call is named.
    assert "ring til Rasmus Fjeldsø senest tirsdag den 13. oktober 2026 kl. 11.00" in text
    assert "onsdag den 14. oktober" not in text
    # The general line's hours are printed too.
    assert "Du kan også ringe til Jobcenter København på 33 66 33 66. Der er åbent mandag til fredag kl. 9.00 til 15.00." in text


def _video_case() -> dict:
    return read_case_file(examples_dir() / "indkaldelse" / "kontanthjaelp-video.yaml")


def test_a_deadline_outside_the_phone_hours_stops_the_letter_naming_the_field():
    data = _video_case()
    data["cancel_by"] = "2026-10-14T12:00"  # a Wednesday: the caseworker answers Tuesday and Thursday
    with pytest.raises(CaseDataError) as info:
        build_letter("indkaldelse", data)
    (problem,) = info.value.problems
    assert problem.path == "cancel_by" and problem.label == "Frist for at flytte eller aflyse"
    assert problem.message.startswith("LO01: Borgeren kan ikke nå at ringe 'onsdag den 14. oktober 2026 kl. 12.00'")
    assert "tirsdag og torsdag kl. 9.00 til 11.00" in problem.message


def test_nobody_answers_before_the_meeting_is_refused():
    data = _video_case()
    data["letter_date"] = "2026-10-13"  # Tuesday; the meeting is Thursday 10.30, Wednesday has no hours
    data["sender"]["phone_hours"] = [{"days": "fredag", "opens": "09:00", "closes": "12:00"}]
    data["caseworker"]["phone_hours"] = [{"days": "tirsdag og torsdag", "opens": "11:00", "closes": "12:00"}]
    with pytest.raises(CaseDataError) as info:
        build_letter("indkaldelse", data)
    assert [p.path for p in info.value.problems] == ["caseworker.phone_hours"]


def test_the_logic_stops_the_letter_in_every_entry_point(tmp_path):
    data = _video_case()
    data["cancel_by"] = "2026-10-14T12:00"
    case = tmp_path / "sag.yaml"
    import yaml

    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "ud"
    # CLI: exit 1, the field in Danish on stderr, nothing written.
    result = CliRunner().invoke(main, ["render", "indkaldelse", str(case), "--out", str(out)])
    assert result.exit_code == 1
    assert "cancel_by (Frist for at flytte eller aflyse): LO01" in result.output
    assert not out.exists() or not any(out.iterdir())
    # Python API.
    with pytest.raises(CaseDataError):
        generate_letter("indkaldelse", data, ["pdf"])
    # HTTP: problem+json with the field.
    client = TestClient(create_app(api_key=""))
    response = client.post("/v1/letters/indkaldelse", json=json.loads(json.dumps(data, default=str)), headers={"accept": "application/pdf"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["cancel_by"]
    # Batch: the record goes to errors.jsonl with the field.
    from brevgen import run_batch

    jsonl = tmp_path / "breve.jsonl"
    jsonl.write_text(json.dumps({"id": "sag-1", "event": "indkaldelse", "data": data}, default=str) + "\n", encoding="utf-8")
    result = run_batch(jsonl, tmp_path / "batch", workers=1)
    errors = (tmp_path / "batch" / "errors.jsonl").read_text(encoding="utf-8")
    assert "cancel_by" in errors and "LO01" in errors


# --- the caseworker's free text is checked at render time ----------------------------------------------


def test_free_text_with_an_error_stops_the_letter_at_its_field():
    data = read_case_file(examples_dir() / "indkaldelse" / "dagpenge-fremmoede.yaml")
    data["bring"] = ["Dit sundhedskort", "Kontoudtog bedes medbragt"]
    with pytest.raises(CaseDataError) as info:
        build_letter("indkaldelse", data)
    assert [p.path for p in info.value.problems] == ["bring[2]"]
    assert info.value.problems[0].message.startswith("KS04a:")


def test_free_text_with_a_warning_becomes_a_note():
    data = read_case_file(examples_dir() / "indkaldelse" / "dagpenge-fremmoede.yaml")
    data["prepare"] = ["Tænk over, hvilke job der er blevet slået op i dit område i den seneste måned, og som du kunne søge"]
    letter = build_letter("indkaldelse", data)
    assert any(n.startswith("Fritekst i prepare[1]:") for n in letter.meta.notes)


# --- facts nobody entered are not printed -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("step_free", "says"),
    [(True, "Du kan komme ind uden at gå på trapper."), (False, "Der er trapper."), (None, "Har du brug for at komme ind uden trapper?")],
)
def test_access_is_said_only_when_the_case_says_it(step_free, says):
    data = read_case_file(examples_dir() / "indkaldelse" / "dagpenge-fremmoede.yaml")
    venue = data["meeting"]["venue"]
    venue.pop("step_free", None)
    if step_free is not None:
        venue["step_free"] = step_free
    text = " ".join(build_letter("indkaldelse", data).body_lines())
    assert says in text
    others = {"Du kan komme ind uden at gå på trapper.", "Der er trapper.", "Har du brug for at komme ind uden trapper?"} - {says}
    assert not any(o in text for o in others)
