"""Rule files: every rule's own examples, schema errors reported all at once, YAML booleans."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from brevgen.lint.ruleset import Example, RuleSetError, apply_fix, example_document, example_hits, load_rules
from brevgen.paths import rules_dir as default_rules_dir

RULES_DIR = default_rules_dir()
REPO = RULES_DIR.parent


def _all_examples():
    rules = load_rules()
    for rule in rules.rules:
        ex = rule.spec.examples
        for i, item in enumerate(ex.flags):
            yield pytest.param(rule.id, "flags", i, id=f"{rule.id}-flags-{i}")
        for i, item in enumerate(ex.passes):
            yield pytest.param(rule.id, "passes", i, id=f"{rule.id}-passes-{i}")
        for i, item in enumerate(ex.fixes):
            yield pytest.param(rule.id, "fixes", i, id=f"{rule.id}-fixes-{i}")


@pytest.mark.parametrize(("rule_id", "group", "index"), list(_all_examples()))
def test_rule_example(rules, rule_id, group, index):
    rule = rules.rule(rule_id)
    item = getattr(rule.spec.examples, group)[index]
    if group == "fixes":
        assert apply_fix(rule, item.from_, rules.analyzer) == item.to
        return
    example = item if isinstance(item, Example) else Example(text=item)
    hits = example_hits(rule, example_document(example, rule, rules.analyzer))
    if group == "flags":
        assert hits, f"{rule_id} should flag {example.text!r}"
        if example.message:
            assert hits[0].message == example.message
        if example.level:
            assert hits[0].level == example.level
        if example.field:
            assert hits[0].field == example.field
    else:
        assert hits == [], f"{rule_id} should pass {example.text!r}"


def test_part_a_rules_are_all_there(rules):
    ids = {r.id for r in rules.rules}
    for rule_id in ["KS01", "KS01a", "KS02", "KS03", "KS04", "KS04a", "KS05", "KS06", "KS07", "KS08", "KS09", "KS10",
                    "KS11", "KS12", "KS13", "KS13a", "KS14", "KS15", "KS16", "KS17", "KS18", "KS19", "KS20", "KS21", "ST01"]:
        assert rule_id in ids
    # Every rule has examples that flag and pass (the schema requires both).
    assert all(r.spec.examples.flags and r.spec.examples.passes for r in rules.rules)


def test_deponent_verbs_are_not_passive(rules):
    from .tests_helpers import ids_for

    assert ids_for(rules, "Vi skal mødes i morgen, og det lykkes nok. Der findes hjælp.") & {"KS04", "KS06"} == set()
    assert "KS04" in ids_for(rules, "Skemaet skal indsendes senest fredag.")


# --- broken rule files ---------------------------------------------------------------------------


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    target = tmp_path / "plain_language_rules"
    shutil.copytree(RULES_DIR, target)
    return target


BROKEN_LEVEL = """\
id: KS90
title: Prøve
type: existence
level: advarsel
message: "Skriv ikke '{match}'."
tokens: [pøj]
exeptions: [x]
examples:
  flags: ["pøj"]
  passes: ["hej"]
"""

BROKEN_EXAMPLE = """\
id: KS91
title: Prøve
type: existence
level: warning
message: "Skriv ikke '{match}' {antal}."
tokens: ['/(ugyldig/']
words_from: [findes_ikke]
examples:
  flags: ["noget helt andet"]
  passes: ["hej"]
"""

NO_EXAMPLES = """\
id: KS92
title: Prøve
type: substitution
level: warning
message: "Skriv {suggestion}."
swap: {såfremt: hvis}
"""


def test_every_broken_file_is_reported_at_once_with_file_line_and_field(rules_copy):
    (rules_copy / "ord" / "a.yml").write_text(BROKEN_LEVEL, encoding="utf-8")
    (rules_copy / "stil" / "b.yml").write_text(BROKEN_EXAMPLE, encoding="utf-8")
    (rules_copy / "stil" / "c.yml").write_text(NO_EXAMPLES, encoding="utf-8")
    with pytest.raises(RuleSetError) as err:
        load_rules(rules_copy)
    lines = err.value.lines()
    assert "plain_language_rules/ord/a.yml:4: felt 'level': skal være en af: 'suggestion', 'warning' eller 'error' (fik 'advarsel')" in lines
    assert "plain_language_rules/ord/a.yml:7: felt 'exeptions': kendes ikke. Mente du 'exceptions'?" in lines
    assert any(l.startswith("plain_language_rules/stil/b.yml:5: felt 'message': ukendt pladsholder {antal}") for l in lines)
    assert any(l.startswith("plain_language_rules/stil/b.yml:6: felt 'tokens[0]': '/(ugyldig/' er ikke et gyldigt regulært udtryk") for l in lines)
    assert any(l.startswith("plain_language_rules/stil/b.yml:7: felt 'words_from[0]': ordlisten 'findes_ikke' findes ikke") for l in lines)
    assert "plain_language_rules/stil/c.yml:1: felt 'examples': skal udfyldes" in lines
    assert err.value.exit_code == 2


def test_a_rule_whose_examples_fail_is_broken(rules_copy):
    path = rules_copy / "ord" / "kancellisprog.yml"
    text = path.read_text(encoding="utf-8").replace('    - "Hvis du er syg, skal du ringe til os."', '    - "Såfremt du er syg, ring."')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleSetError) as err:
        load_rules(rules_copy)
    assert err.value.lines() == [
        "plain_language_rules/ord/kancellisprog.yml: felt 'examples.passes[0]': reglen fanger eksemplet, men skulle "
        "lade det passere: 'Såfremt du er syg, ring.' ('Såfremt')"
    ]


def test_duplicate_ids_are_reported(rules_copy):
    shutil.copy(rules_copy / "ord" / "cpr.yml", rules_copy / "stil" / "cpr-kopi.yml")
    with pytest.raises(RuleSetError) as err:
        load_rules(rules_copy)
    assert err.value.lines() == ["plain_language_rules/stil/cpr-kopi.yml:1: felt 'id': id'et KS21 bruges også i plain_language_rules/ord/cpr.yml"]


def test_yaml_11_booleans_stay_words(rules_copy):
    # Unquoted no/yes/on/off would be booleans in YAML 1.1 and silently vanish from a word list.
    (rules_copy / "ord" / "boolsk.yml").write_text(
        """\
id: KS93
title: Ord der ligner ja og nej
type: existence
level: suggestion
message: "'{match}' er engelsk."
tokens: [no, yes, on, off]
examples:
  flags: ["Svaret er no.", "Sig yes til tilbuddet.", "Lyset er on."]
  passes: ["Svaret er nej."]
""",
        encoding="utf-8",
    )
    rules = load_rules(rules_copy)
    assert rules.rule("KS93").spec.tokens == ["no", "yes", "on", "off"]


def test_yaml_11_boolean_in_a_boolean_field_is_an_error(rules_copy):
    path = rules_copy / "ord" / "fyldord.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("level: suggestion", "level: suggestion\nenabled: no"), encoding="utf-8")
    with pytest.raises(RuleSetError) as err:
        load_rules(rules_copy)
    assert err.value.lines() == ["plain_language_rules/ord/fyldord.yml:6: felt 'enabled': skal være ja (true) eller nej (false)"]


def test_broken_rules_exit_2_from_the_cli(rules_copy, tmp_path):
    (rules_copy / "ord" / "a.yml").write_text(BROKEN_LEVEL, encoding="utf-8")
    letter = tmp_path / "brev.txt"
    letter.write_text("Hej.", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "brevgen.cli", "lint", "--rules", str(rules_copy), str(letter)],
        capture_output=True, text=True, cwd=REPO,
    )
    assert out.returncode == 2
    assert out.stdout == ""
    assert "fejl: plain_language_rules/ord/a.yml:4: felt 'level': skal være en af" in out.stderr
    assert "fejl: plain_language_rules/ord/a.yml:7: felt 'exeptions'" in out.stderr


def test_json_schema_for_editors_is_current():
    import json

    from brevgen.lint.schema import rule_json_schema

    shipped = json.loads((RULES_DIR / "_schema" / "rule.schema.json").read_text(encoding="utf-8"))
    assert shipped == rule_json_schema(), "run: python -m brevgen.lint.schema"
