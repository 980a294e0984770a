"""Template lint: findings at template file:line:col, merged across examples, data vs template
vs shared partial, branch coverage from the Jinja AST, and suppression comments."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from brevgen.lint.templates import lint_templates
from brevgen.paths import examples_dir, templates_dir

from .conftest import DATA


@pytest.fixture(scope="module")
def template_report(tmp_path_factory, rules):
    """A copy of the shipped templates with a test template for 'indkaldelse' and two examples."""
    root = tmp_path_factory.mktemp("lint")
    templates = root / "templates" / "da"
    shutil.copytree(templates_dir(), templates)
    for other in ("tilbud.md", "sygedagpenge.md"):
        (templates / other).unlink()
    shutil.copy(DATA / "skabelon" / "indkaldelse.md", templates / "indkaldelse.md")
    shutil.copy(DATA / "skabelon" / "partials" / "proeve.md", templates / "partials" / "proeve.md")
    cases = root / "examples" / "indkaldelse"
    cases.mkdir(parents=True)
    for name in ("dagpenge-fremmoede", "dagpenge-telefon"):
        data = yaml.safe_load((examples_dir() / "indkaldelse" / f"{name}.yaml").read_text(encoding="utf-8"))
        data["caseworker"]["title"] = "den pågældende konsulent"
        (cases / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = lint_templates(templates, rules, examples=root / "examples")
    return report, str(templates)


def _find(report, rule_id, file_end, line):
    return [f for f in report.findings if f.rule_id == rule_id and f.location.file.endswith(file_end) and f.location.line == line]


def test_template_text_points_to_file_line_col_and_is_merged_across_examples(template_report):
    report, root = template_report
    (finding,) = _find(report, "KS01", "/indkaldelse.md", 11)
    assert finding.location.file == f"{root}/indkaldelse.md"
    assert finding.location.col == 1
    assert finding.location.origin == "template"
    assert finding.message == "Skriv 'Hvis' i stedet for 'Såfremt'."
    assert finding.letters == ["indkaldelse/dagpenge-fremmoede", "indkaldelse/dagpenge-telefon"]


def test_a_finding_in_one_branch_names_only_the_example_that_reached_it(template_report):
    report, _ = template_report
    (finding,) = _find(report, "KS04", "/indkaldelse.md", 20)
    assert finding.match == "afholdes"
    assert finding.location.col == 10
    assert finding.letters == ["indkaldelse/dagpenge-fremmoede"]


def test_shared_partials_and_case_data_are_told_apart(template_report):
    report, root = template_report
    (partial,) = _find(report, "KS04a", "partials/proeve.md", 2)
    assert partial.location.origin == "partial"
    assert partial.location.col == 11
    data = [f for f in _find(report, "KS01", "partials/proeve.md", 2)]
    assert len(data) == 1
    assert data[0].location.origin == "data"
    assert data[0].match == "den pågældende"
    assert data[0].location.inserted_at == f"{root}/partials/proeve.md:2"
    assert data[0].location.col == 29  # the {{ that inserted it


def test_subject_line_findings_point_to_the_front_matter(template_report):
    report, _ = template_report
    assert not _find(report, "ST01", "/indkaldelse.md", 5)  # the subject says what it is about


def test_branches_no_example_reached_are_listed(template_report):
    report, root = template_report
    mine = [b for b in report.branches if b.file == f"{root}/indkaldelse.md"]
    assert [(b.line, b.tag, b.covered) for b in mine] == [
        (19, '{% if case.meeting.mode == "fremmøde" %}', True),
        (21, '{% elif case.meeting.mode == "telefon" %}', True),
        (23, "{% else %}", False),
    ]
    (gap,) = _find(report, "KL10", "/indkaldelse.md", 23)
    assert gap.level == "warning"
    assert gap.message == "Intet eksempel når grenen {% else %}. Dens tekst er ikke tjekket: tilføj et eksempel i examples/."


def test_a_suppression_with_a_reason_silences_the_next_line_and_is_counted(template_report):
    report, _ = template_report
    (silenced,) = _find(report, "KS01a", "/indkaldelse.md", 13)
    assert silenced.silenced == "fast vending fra Ankestyrelsen"
    assert silenced in report.silenced()
    assert silenced not in report.shown()


def test_a_suppression_without_a_reason_is_an_error_and_silences_nothing(template_report):
    report, _ = template_report
    (bad,) = _find(report, "KL01", "/indkaldelse.md", 30)
    assert bad.level == "error"
    assert bad.message.startswith("Undtagelsen for KS17 mangler en begrundelse.")
    (still,) = _find(report, "KS17", "/indkaldelse.md", 31)
    assert still.silenced is None


def test_unknown_and_unused_suppressions_are_reported(template_report):
    report, _ = template_report
    (unknown,) = _find(report, "KL02", "/indkaldelse.md", 32)
    assert unknown.message == "Undtagelsen nævner en ukendt regel: KS99."
    (unused,) = _find(report, "KL03", "/indkaldelse.md", 34)
    assert unused.level == "warning"


def test_missing_roles_are_reported_where_the_template_starts(template_report):
    report, root = template_report
    missing = {f.match for f in report.findings if f.rule_id == "IN01"}
    assert {"hvad-sker-der-nu", "frist", "konsekvens", "kontakt", "afbud"} <= missing
    assert "kort-fortalt" not in missing and "moedested" not in missing


def test_a_broken_example_is_a_finding_not_a_crash(tmp_path, rules):
    templates = tmp_path / "templates" / "da"
    shutil.copytree(templates_dir(), templates)
    cases = tmp_path / "examples" / "tilbud"
    cases.mkdir(parents=True)
    (cases / "tom.yaml").write_text("letter_date: 2026-03-02\n", encoding="utf-8")
    report = lint_templates(templates, rules, examples=tmp_path / "examples", events=["tilbud"])
    (broken,) = [f for f in report.findings if f.rule_id == "KL20"]
    assert broken.level == "error"
    assert broken.message.startswith("Eksemplet tilbud/tom kan ikke laves: tilbud/tom: sagens data har")


def test_linting_one_template_reports_only_its_own_and_shared_branches(rules):
    report = lint_templates(templates_dir(), rules, events=["tilbud"])
    files = {Path(b.file).name for b in report.branches}
    assert "tilbud.md" in files
    assert not files & {"indkaldelse.md", "sygedagpenge.md"}
    assert {d.event for d in report.documents} == {"tilbud"}
