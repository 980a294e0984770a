"""Data protection and the template sandbox."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES
from extract import EXTRACT, normalise

from brevgen import LetterError, TemplateError, build_letter, render_letter
from brevgen.cli import main
from brevgen.templating import TemplateSet
from brevgen.compose import compose_letter
from brevgen.api import validate_case

SUMMONS = next(p for p in EXAMPLES if p.parent.name == "indkaldelse")
CPR = "010190-1234"


def summons_data(**changes) -> dict:
    data = yaml.safe_load(SUMMONS.read_text(encoding="utf-8"))
    data = yaml.safe_load(yaml.safe_dump(data, default_flow_style=False))
    for dotted, value in changes.items():
        target = data
        *parents, leaf = dotted.split(".")
        for p in parents:
            target = target[p]
        target[leaf] = value
    return data


def _cpr_forms(cpr: str) -> list[bytes]:
    digits = cpr.replace("-", "")
    return [cpr.encode(), digits.encode(), f"{digits[:6]} {digits[6:]}".encode()]


def test_cpr_never_reaches_files_names_or_logs(tmp_path, caplog):
    from click.testing import CliRunner

    case = tmp_path / "sag.yaml"
    case.write_text(yaml.safe_dump(summons_data(**{"citizen.cpr": CPR}), allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    caplog.set_level(logging.DEBUG)
    result = CliRunner().invoke(main, ["render", "indkaldelse", str(case), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    files = list(out.iterdir())
    assert len(files) == 3
    for path in files:
        assert "010190" not in path.name and "1234" not in path.name
        raw = path.read_bytes()
        text = EXTRACT[path.suffix[1:]](raw)
        for form in _cpr_forms(CPR):
            assert form not in raw, path.name
            assert form.decode() not in text.replace(" ", "").replace("-", "") or form.decode() not in text
        assert not re.search(r"0101901234|010190-1234", re.sub(r"\s", "", text))
    assert CPR not in result.output and "0101901234" not in result.output
    assert all(CPR not in r.getMessage() for r in caplog.records)


def test_cpr_not_in_model_repr_or_dump():
    case = validate_case("indkaldelse", summons_data(**{"citizen.cpr": CPR}))
    assert CPR not in repr(case) and CPR not in str(case.model_dump())
    assert CPR not in case.model_dump_json()


def test_invalid_cpr_error_does_not_echo_it():
    from brevgen import CaseDataError

    with pytest.raises(CaseDataError) as info:
        validate_case("indkaldelse", summons_data(**{"citizen.cpr": "0101901234567"}))
    assert "0101901234567" not in str(info.value)
    assert info.value.lines() == ["citizen.cpr (CPR-nummer (kun til Digital Post, vises aldrig)): skal have 10 cifre (DDMMÅÅ-XXXX)"]


def test_case_data_with_cpr_shaped_free_text_is_refused_naming_the_field():
    from brevgen import CaseDataError

    data = summons_data(**{"bring": ["Kopi af dit sygesikringskort (010190\u20131234)"]})
    with pytest.raises(CaseDataError) as info:
        build_letter("indkaldelse", data)
    assert info.value.lines() == [
        "bring[1] (Det skal borgeren tage med): ligner et CPR-nummer. Et CPR-nummer må aldrig stå i et brev: fjern det"
    ]


def test_letter_guard_stops_a_template_that_prints_a_cpr_number(tmp_path):
    root = _template_copy(tmp_path)
    path = root / "indkaldelse.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Kom til samtalen til tiden.", "Dit nummer er 01.01.90 1234."), encoding="utf-8")
    case = validate_case("indkaldelse", summons_data())
    with pytest.raises(LetterError, match="ligner et CPR-nummer"):
        compose_letter("indkaldelse", case, TemplateSet(root))


HOSTILE = "<script>alert('x')</script> **fed** {{ 7*7 }} {% if true %}ja{% endif %} [link](https://evil.example)"


def test_case_data_is_printed_literally_in_every_format():
    # A name may have 100 characters; the whole payload goes in a longer field.
    letter = build_letter("indkaldelse", summons_data(**{"citizen.name": "Anna " + HOSTILE[:60], "prepare": [HOSTILE]}))
    files = render_letter(letter)
    html = files["html"].decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert 'href="https://evil.example"' not in html
    for fmt, data in files.items():
        text = normalise(EXTRACT[fmt](data))
        assert normalise(HOSTILE) in text, fmt
        assert "49" not in text.replace("2026-0412", "")


def _template_copy(tmp_path: Path) -> Path:
    from brevgen.paths import templates_dir

    root = tmp_path / "da"
    shutil.copytree(templates_dir(), root)
    return root


@pytest.mark.parametrize(
    "expression",
    [
        "{{ case.__class__.__mro__ }}",
        "{{ ''.__class__.__subclasses__() }}",
        "{{ derived.letter_date.__class__ }}",
        "{{ lipsum.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_sandbox_stops_python_internals(tmp_path, expression):
    root = _template_copy(tmp_path)
    path = root / "indkaldelse.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{{% block detaljer %}}\n{expression}\n{{% endblock %}}\n", encoding="utf-8")
    case = validate_case("indkaldelse", summons_data())
    with pytest.raises(TemplateError) as info:
        compose_letter("indkaldelse", case, TemplateSet(root))
    assert str(info.value).startswith("indkaldelse.md:")


def test_missing_value_names_the_field_and_line(tmp_path):
    root = _template_copy(tmp_path)
    path = root / "indkaldelse.md"
    source = path.read_text(encoding="utf-8")
    line = source.count("\n", 0, source.index("Kom til samtalen til tiden.")) + 1
    path.write_text(source.replace("Kom til samtalen til tiden.", "Kom til {{ case.meeting.floor }} til tiden."), encoding="utf-8")
    case = validate_case("indkaldelse", summons_data())
    with pytest.raises(TemplateError) as info:
        compose_letter("indkaldelse", case, TemplateSet(root))
    assert str(info.value) == f"indkaldelse.md:{line}: feltet 'floor' findes ikke i sagens data eller i skabelonens værdier"


def test_empty_optional_value_is_an_error_not_a_blank(tmp_path):
    root = _template_copy(tmp_path)
    path = root / "indkaldelse.md"
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace("Kom til samtalen til tiden.", "Kom til tiden, {{ case.cancel_by }}."), encoding="utf-8")
    case = validate_case("indkaldelse", summons_data())
    with pytest.raises(TemplateError, match="en værdi er tom"):
        compose_letter("indkaldelse", case, TemplateSet(root))


def test_cpr_is_not_available_to_templates(tmp_path):
    root = _template_copy(tmp_path)
    path = root / "indkaldelse.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Kom til samtalen til tiden.", "{{ case.citizen.cpr }}"), encoding="utf-8")
    case = validate_case("indkaldelse", summons_data(**{"citizen.cpr": CPR}))
    with pytest.raises(TemplateError, match="'cpr' findes ikke"):
        compose_letter("indkaldelse", case, TemplateSet(root))


def test_every_block_knows_its_template_line():
    letter = build_letter("indkaldelse", summons_data())
    source = (Path(__file__).parent.parent / "templates/da/indkaldelse.md").read_text(encoding="utf-8").splitlines()
    for _roles, block in letter.walk():
        assert block.source is not None and block.source.template
    (konsekvens,) = letter.sections("konsekvens")
    last = konsekvens.blocks[-1]
    assert last.source.template == "indkaldelse.md"
    assert source[last.source.line - 1].startswith("Du har en rimelig grund")
    data_runs = [r for r in konsekvens.blocks[1].runs if r.origin.kind == "data"]
    assert data_runs and data_runs[0].text.startswith("Deltager du ikke i samtalen")
