"""`brevgen inspect` reads the provenance stamp back from real PDF, DOCX and HTML files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, example_id

from brevgen.cli import main
from brevgen.render.html import render_html_fragment
from brevgen.render.pdf import render_pdf

CASES = [example_id(p) for p in EXAMPLES]


def inspect(*args: str):
    return CliRunner().invoke(main, ["inspect", *args])


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_inspect_reads_the_stamp_from_each_format(rendered_examples, tmp_path, fmt):
    _path, _data, letter, files = rendered_examples[CASES[1]]
    target = tmp_path / f"brev.{fmt}"
    target.write_bytes(files[fmt])
    result = inspect("--json", str(target))
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["format"] == fmt
    assert report["provenance"] == letter.meta.provenance()
    assert report["title"] == letter.meta.subject
    assert report["lang"] in ("da", "da-DK")
    if fmt == "pdf":
        assert report["conformance"] == ["PDF/UA-1"]


def test_inspect_text_output_for_several_files(rendered_examples, tmp_path):
    _path, _data, letter, files = rendered_examples[CASES[-1]]
    paths = []
    for fmt in ("pdf", "docx", "html"):
        paths.append(tmp_path / f"brev.{fmt}")
        paths[-1].write_bytes(files[fmt])
    result = inspect(*map(str, paths))
    assert result.exit_code == 0, result.output
    meta = letter.meta
    assert result.output.count(f"brevgen-data-sha256: {meta.data_sha256}") == 3
    assert result.output.count(f"brevgen-template: {meta.template_id}") == 3
    assert result.output.count(f"brevgen-regime: {meta.regime_id}") == 3
    assert f"titel: {meta.subject}" in result.output
    assert "standard: PDF/UA-1" in result.output


def test_inspect_pdf_a_shows_both_standards(tmp_path):
    from synthetic import example_letter

    letter = example_letter("indkaldelse/kontanthjaelp-video")
    target = tmp_path / "arkiv.pdf"
    target.write_bytes(render_pdf(letter, variant="pdf/a-3a"))
    report = json.loads(inspect("--json", str(target)).output)
    assert report["conformance"] == ["PDF/UA-1", "PDF/A-3A"]
    assert report["provenance"]["brevgen-data-sha256"] == letter.meta.data_sha256


def test_inspect_reads_an_embedded_fragment(tmp_path):
    from synthetic import example_letter

    letter = example_letter()
    target = tmp_path / "udsnit.html"
    target.write_text(render_html_fragment(letter), encoding="utf-8")
    report = json.loads(inspect("--json", str(target)).output)
    assert report["provenance"] == letter.meta.provenance()
    assert report["title"] == letter.meta.subject and report["lang"] == "da"


def test_render_writes_the_asked_pdf_variant(tmp_path):
    example = next(p for p in EXAMPLES if p.parent.name == "tilbud")
    out = tmp_path / "ud"
    result = CliRunner().invoke(main, ["render", "tilbud", str(example), "--format", "pdf", "--pdf-variant", "pdf/a-2a", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (pdf,) = out.glob("*.pdf")
    report = json.loads(inspect("--json", str(pdf)).output)
    assert report["conformance"] == ["PDF/UA-1", "PDF/A-2A"]


def test_render_refuses_an_unknown_pdf_variant_and_writes_nothing(tmp_path):
    example = next(p for p in EXAMPLES if p.parent.name == "tilbud")
    out = tmp_path / "ud"
    result = CliRunner().invoke(main, ["render", "tilbud", str(example), "--pdf-variant", "pdf/x-4", "--out", str(out)])
    assert result.exit_code == 2
    assert "fejl: ukendt PDF-variant: pdf/x-4. Vælg blandt: pdf/ua-1, pdf/a-2a, pdf/a-3a" in result.output
    assert not out.exists()


def test_file_without_stamp_is_a_clear_danish_error(tmp_path):
    plain = tmp_path / "andet.html"
    plain.write_text('<!DOCTYPE html><html lang="da"><head><title>Andet</title></head><body><p>Hej</p></body></html>', encoding="utf-8")
    result = inspect(str(plain))
    assert result.exit_code == 1
    assert f"fejl: {plain}: filen har intet brevgen-stempel (skabelon, regelsæt og datahash mangler)" in result.output


def test_unsupported_or_damaged_files(tmp_path):
    text = tmp_path / "noter.txt"
    text.write_text("bare tekst", encoding="utf-8")
    result = inspect(str(text))
    assert result.exit_code == 2
    assert f"fejl: {text}: brevgen kan kun læse PDF, DOCX og HTML" in result.output
    broken = tmp_path / "brev.pdf"
    broken.write_bytes(b"%PDF-1.7\nikke en rigtig pdf")
    result = inspect(str(broken))
    assert result.exit_code == 1
    assert f"fejl: {broken}: filen kan ikke læses som PDF" in result.output
