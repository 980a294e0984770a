"""The static template check and Jinja's errors in Danish (brevgen/template_check.py).

Parametrised tables: each expression a communications officer might type, and what the
check says about it, at which line. tests/test_cli_template_errors.py shows the same messages
reach `brevgen render` and `brevgen lint` as one line, never a traceback.
"""

from __future__ import annotations

import pytest

from brevgen.events import get as get_event
from brevgen.templating import FILTERS
from brevgen.paths import templates_dir
from brevgen.template_check import (
    LEAF,
    SAFE_BUILTIN_FILTERS,
    Allowed,
    Shape,
    check_source,
    check_subject,
    referenced_templates,
    shape_of_model,
    shape_of_value,
)

DERIVED = shape_of_value(
    {
        "cancel_by": "x",
        "consequence": "x",
        "contact_plan": {"months": 6, "meetings": [{"count": 3, "with": "a-kasse", "period": "x", "who": "x"}]},
    }
)
REGIME = shape_of_value({"authority_word": "kommunen", "consequence": {"indkaldelse": {"dagpenge": "x"}}})
ALLOWED = Allowed(
    names={"case": shape_of_model(get_event("indkaldelse").model), "regime": REGIME, "derived": DERIVED, "event": LEAF},
    filters=frozenset(FILTERS) | SAFE_BUILTIN_FILTERS,
    templates=frozenset({"partials/brev.md", "partials/kontakt.md"}),
)


def problems(source: str) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in check_source(source, "indkaldelse.md", ALLOWED)]


@pytest.mark.parametrize(
    "source",
    [
        "Du skal til samtale {{ case.meeting.start|dato_kl }} hos {{ case.meeting.venue.name }}.",
        "{% set m = case.meeting %}{% if m and m.mode == 'telefon' %}{{ m.phone.number|tlf }}{% endif %}",
        "{% for h in case.caseworker.phone_hours %}- {{ h.days }} {{ h.opens|tidsrum(h.closes) }}\n{% endfor %}",
        "{% for item in derived.contact_plan.meetings %}{{ loop.index }}. {{ item.who }}{% endfor %}",
        "{{ derived.contact_plan.meetings[0].count }} {{ derived.contact_plan.meetings|length }}",
        "{% set kind = {'fremmøde': 'et møde', 'video': 'et videomøde'}[case.meeting.mode] %}{{ kind }}",
        "{{ regime.consequence.indkaldelse.dagpenge }} {{ regime.authority_word|capitalize }}",
        '{% extends "partials/brev.md" %}{% block kort_hvad %}x{% endblock %}',
        '{% include "partials/kontakt.md" with context %}',
        "{% if case.interpreter is defined and case.interpreter %}tolk{% endif %}",
        "{{ case.bring|join(', ') }} {{ case.meeting.duration_minutes + 15 }}",
    ],
)
def test_what_the_shipped_templates_do_is_allowed(source):
    assert problems(source) == []


@pytest.mark.parametrize(
    ("source", "line", "says"),
    [
        # attribute walks into Python
        ("{{ case.__class__.__mro__ }}", 1, "'case.__class__' er ikke tilladt"),
        ("\n\n{{ ''.__class__ }}", 3, "er ikke tilladt: en skabelon må kun bruge sagens felter"),
        ("{{ derived.cancel_by.__class__ }}", 1, "'derived.cancel_by.__class__' er ikke tilladt"),
        # calls and imports
        ("{{ case.citizen.name.upper() }}", 1, "må ikke kalde funktioner eller metoder: 'case.citizen.name.upper(…)'"),
        ("{{ lipsum() }}", 1, "må ikke kalde funktioner eller metoder: 'lipsum(…)'"),
        ("{{ cycler.__init__.__globals__ }}", 1, "'cycler' findes ikke"),
        ("x\n{% import 'partials/brev.md' as b %}", 2, "{% import %} er ikke tilladt"),
        ("{% macro m() %}x{% endmacro %}", 1, "{% macro %} er ikke tilladt"),
        ("{% filter upper %}x{% endfilter %}", 1, "{% filter %} er ikke tilladt"),
        ("{{ 9 ** 9 }}", 1, "Regning med ** er ikke tilladt"),
        # unknown names, with a suggestion
        ("\n{{ case.caseworker.nam }}", 2, "Feltet 'case.caseworker.nam' findes ikke. Mente du 'case.caseworker.name'?"),
        ("{{ cas.benefit }}", 1, "'cas' findes ikke. Mente du 'case'?"),
        ("{{ case.caseworker.phone_hours.days }}", 1, "'case.caseworker.phone_hours' er en liste. Brug {% for x in case.caseworker.phone_hours %}"),
        ("{{ case.letter_date.year }}", 1, "'case.letter_date' er en enkelt værdi uden felter"),
        ("{{ case.citizen.cpr }}", 1, "CPR-nummeret vises ikke"),
        ("{{ derived.contact_plan.meetings[0].hvem }}", 1, "Feltet 'derived.contact_plan.meetings[0].hvem' findes ikke"),
        # filters, tests, templates
        ("{% if case.meeting %}\n{{ case.meeting.start|datoo }}\n{% endif %}", 2, "Filteret 'datoo' findes ikke. Mente du 'dato'?"),
        ("{{ case.benefit|safe }}", 1, "Filteret 'safe' findes ikke"),
        ("{% if case.benefit is sameas 'x' %}x{% endif %}", 1, "Testen 'is sameas' findes ikke"),
        ('{% include "partials/kontak.md" %}', 1, "Skabelonen 'partials/kontak.md' findes ikke. Mente du 'partials/kontakt.md'?"),
        ("{% include case.benefit %}", 1, "skal have et fast navn i anførselstegn"),
    ],
)
def test_forbidden_or_unknown_is_refused_at_its_line_in_danish(source, line, says):
    found = problems(source)
    assert found, source
    assert found[0][0] == line
    assert says in found[0][1]


@pytest.mark.parametrize(
    ("source", "line", "says"),
    [
        # An unclosed block is reported where it was opened, not where Jinja noticed.
        ("x\n{% if case.interpreter %}\ntolk\n\n{% block b %}{% endblock %}\n", 2, "{% if %} i linje 2 er ikke lukket"),
        ("{% block b %}\n{% if case.interpreter %}\ntolk\n{% endblock %}\n", 2, "Skriv {% endif %} før {% endblock %} i linje 4"),
        ("{% for x in case.bring %}\n- {{ x }}\n", 1, "{% for %} i linje 1 er ikke lukket. Skriv {% endfor %}"),
        ("a\nb\n{% endif %}\n", 3, "{% endif %} lukker ikke noget"),
        ("{% iff x %}{% endiff %}", 1, "{% iff %} findes ikke i skabeloner"),
        ("\n{{ case.benefit }", 2, "Der mangler en }"),
        ("{{ case.benefit case.x }}", 1, "Der står noget ekstra i {{ … }}"),
        ("{{ 'abc }}", 1, "anførselstegn er ikke lukket"),
        ("{# note", 1, "En kommentar er ikke lukket"),
        ("{% if %}x{% endif %}", 1, "Der mangler et felt eller en betingelse"),
        ("{% if a %}{% else %}{% else %}{% endif %}", 1, "Der kan kun være én {% else %}"),
    ],
)
def test_syntax_errors_become_one_danish_message_at_the_right_line(source, line, says):
    found = problems(source)
    assert len(found) == 1, found
    assert found[0][0] == line
    assert says in found[0][1]
    assert "Jinja" not in found[0][1] and "expected" not in found[0][1]


def test_the_subject_line_is_checked_at_its_line_in_the_file():
    (p,) = check_subject("Samtale {{ case.meeting.start|dto }}", "indkaldelse.md", 5, ALLOWED)
    assert (p.line, p.template) == (5, "indkaldelse.md")
    assert "Filteret 'dto' findes ikke" in p.message


def test_shapes_merge_optional_fields_and_list_items():
    a = shape_of_value({"x": [{"a": 1}], "y": 1})
    b = shape_of_value({"x": [{"b": 1}], "z": {"q": 1}})
    merged = a.merge(b)
    assert set(merged.fields) == {"x", "y", "z"}
    assert set(merged.fields["x"].item.fields) == {"a", "b"}
    assert Shape("leaf").merge(Shape("map")).kind == "any"


def test_referenced_templates_are_found_statically():
    source = (templates_dir() / "indkaldelse.md").read_text(encoding="utf-8")
    assert {"partials/brev.md", "partials/hjaelp.md"} <= referenced_templates(source)
    assert referenced_templates("{% if %}") == set()
