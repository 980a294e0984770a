"""One template set, one regime table: validation, derived values and compose read the same one.

Regression: validation used to read regimes.yml from the default template folder while compose
read the template set's own, so a case could be valid under one table and composed under another.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from brevgen import CaseDataError, build_letter
from brevgen.casefile import read_case_file
from brevgen.paths import examples_dir, templates_dir
from brevgen.templating import TemplateSet
from brevgen.validation import validate_case


@pytest.fixture()
def own_templates(tmp_path: Path) -> Path:
    root = tmp_path / "skabeloner"
    shutil.copytree(templates_dir(), root)
    return root


def _edit_regimes(root: Path, old: str, new: str) -> None:
    path = root / "regimes.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_case_before_the_sets_first_regime_fails_in_validation(own_templates: Path):
    _edit_regimes(own_templates, "effective_from: 2024-01-01", "effective_from: 2025-01-01")
    data = read_case_file(examples_dir() / "sygedagpenge" / "graense-2024-01-01.yaml")
    templates = TemplateSet(own_templates)
    with pytest.raises(CaseDataError) as err:
        validate_case("sygedagpenge", data, templates.regimes, record="sag")
    assert err.value.lines() == [
        "sag: letter_date (Brevets dato): ligger før det første regelsæt i regimes.yml, som gælder fra "
        "1. januar 2025. Brevet kan ikke laves"
    ]
    # The default folder's table does cover it: the same case is valid there.
    assert build_letter("sygedagpenge", data).meta.regime_id == "2024-forenklet-kontaktforloeb"


def test_cross_field_rules_use_the_template_sets_own_table(own_templates: Path):
    _edit_regimes(own_templates, "offer_min_weeks: 2 ", "offer_min_weeks: 4 ")
    data = read_case_file(examples_dir() / "tilbud" / "kursus-dagpenge.yaml")  # a two-week course
    build_letter("tilbud", data)  # valid under the shipped table
    with pytest.raises(CaseDataError) as err:
        build_letter("tilbud", data, record="kursus", templates=TemplateSet(own_templates))
    assert err.value.lines() == [
        "kursus: offer.end_date (Sidste dag): tilbuddet er for kort. Efter reglerne skal det vare mindst 4 uger, "
        "så sidste dag skal være fredag den 29. maj 2026 eller senere"
    ]
