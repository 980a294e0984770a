"""The bar the shipped product must meet: every template rendered with every example has no
error findings, LIX at most 35 and all required content. CI fails otherwise."""

from __future__ import annotations

import pytest

from brevgen.lint.report import finding_line
from brevgen.lint.templates import lint_templates
from brevgen.paths import templates_dir


@pytest.fixture(scope="module")
def shipped(rules):
    return lint_templates(templates_dir(), rules)


def test_every_example_letter_is_linted(shipped):
    from brevgen.paths import examples_dir

    cases = sorted(f"{p.parent.name}/{p.stem}" for p in examples_dir().glob("*/*.yaml"))
    assert sorted(d.name for d in shipped.documents) == cases


def test_shipped_templates_have_no_errors_lix_at_most_35_and_all_required_content(shipped):
    errors = [finding_line(f, "templates") for f in shipped.findings if f.level == "error" and f.silenced is None]
    assert errors == [], "\n".join(errors)
    too_hard = [(d.name, round(d.lix.lix, 1)) for d in shipped.documents if d.lix.lix > 35]
    assert too_hard == []
