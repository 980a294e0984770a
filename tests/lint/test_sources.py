"""`brevgen lint FILE` for .md, .txt, .html, .docx and .pdf: real files, real readers."""

from __future__ import annotations


import pytest
from docx import Document as DocxDocument

from brevgen import build_letter, render_letter
from brevgen.lint import lint_paths
from brevgen.lint.sources import read_source
from brevgen.paths import examples_dir
from brevgen.casefile import read_case_file

OLD_LETTER = """\
Jobcenter Rudersdal
Stationsvej 36
3460 Birkerød

Indkaldelse til samtale

Såfremt De er forhindret, bedes De ringe til undertegnede.

Regler

Lov om en aktiv beskæftigelsesindsats § 31, stk. 2.
"""


def _found(report):
    return {(f.location.line, f.rule_id) for f in report.findings}


def test_txt_letter_keeps_lines_columns_and_reads_headings(tmp_path, rules):
    path = tmp_path / "gammelt-brev.txt"
    path.write_text(OLD_LETTER, encoding="utf-8")
    report = lint_paths([path], rules)
    found = _found(report)
    assert {(7, "KS01"), (7, "KS02"), (7, "KS04a")} <= found
    saafremt = next(f for f in report.findings if f.rule_id == "KS01" and f.match == "Såfremt")
    assert (saafremt.location.line, saafremt.location.col) == (7, 1)
    # "Regler" is a heading, so the § reference under it is where it belongs.
    assert not any(rule == "KS15" for _, rule in found)
    # One paragraph per line: the address block is three short lines, not one long sentence.
    source = read_source(path)
    assert [u.text for u in source.document.units[:3]] == ["Jobcenter Rudersdal", "Stationsvej 36", "3460 Birkerød"]


def test_markdown_markup_is_stripped_but_columns_still_point_into_the_file(tmp_path, rules):
    path = tmp_path / "brev.md"
    path.write_text("# Om din samtale\n\nDu skal **ringe** til os, [såfremt](https://x.dk) du er syg.\n", encoding="utf-8")
    report = lint_paths([path], rules)
    (finding,) = [f for f in report.findings if f.rule_id == "KS01"]
    assert (finding.location.line, finding.location.col) == (3, 28)  # the "s" after "["
    assert read_source(path).document.units[1].text == "Du skal ringe til os, såfremt du er syg."


@pytest.fixture(scope="module")
def example_letter():
    path = examples_dir() / "indkaldelse" / "dagpenge-fremmoede.yaml"
    return build_letter("indkaldelse", read_case_file(path))


def test_html_from_brevgen_keeps_roles_and_skips_the_letterhead(tmp_path, rules, example_letter):
    path = tmp_path / "brev.html"
    path.write_bytes(render_letter(example_letter, ["html"])["html"])
    source = read_source(path)
    texts = [u.text for u in source.document.units]
    assert example_letter.meta.recipient.name not in " ".join(texts)  # address block not linted
    assert source.document.event == "indkaldelse"
    kontakt = [u for u in source.document.units if "kontakt" in u.roles]
    assert kontakt and kontakt[0].kind == "heading" and kontakt[0].text == "Hvem kan du kontakte?"
    report = lint_paths([path], rules)
    # The same required-content check as on the letter itself (the shipped templates may still
    # lack some roles; whatever is missing must be a role the letter really does not have).
    missing = {f.match for f in report.findings if f.rule_id == "IN01"}
    present = {r for u in source.document.units for r in u.roles}
    assert missing.isdisjoint(present)
    assert "kontakt" not in missing and "konsekvens" not in missing


def test_docx_paragraphs_are_numbered_and_headings_recognised(tmp_path, rules):
    doc = DocxDocument()
    doc.add_heading("Indkaldelse til samtale", level=1)
    doc.add_paragraph("Vi har modtaget din ansøgning.")
    doc.add_paragraph("Såfremt De er forhindret, bedes De ringe til os.")
    path = tmp_path / "brev.docx"
    doc.save(path)
    report = lint_paths([path], rules)
    assert {(3, "KS01"), (3, "KS02"), (3, "KS04a")} <= _found(report)
    units = read_source(path).document.units
    assert [u.kind for u in units] == ["heading", "body", "body"]


def test_brevgen_docx_is_readable(tmp_path, rules, example_letter):
    path = tmp_path / "brev.docx"
    path.write_bytes(render_letter(example_letter, ["docx"])["docx"])
    text = " ".join(u.text for u in read_source(path).document.units)
    assert "Hvad sker der, hvis du ikke gør det?" in text


def test_pdf_text_is_linted(tmp_path, rules):
    # A real PDF: WeasyPrint (brevgen's PDF engine) prints an officialese page.
    from weasyprint import HTML

    html = "<html lang='da'><body><h1>Indkaldelse</h1><p>Såfremt De er forhindret, bedes De ringe til os.</p><p>Side 1 af 1</p></body></html>"
    path = tmp_path / "brev.pdf"
    path.write_bytes(HTML(string=html).write_pdf())
    report = lint_paths([path], rules)
    rules_found = {f.rule_id for f in report.findings}
    assert {"KS01", "KS02", "KS04a"} <= rules_found
    assert all("Side 1 af 1" not in u.text for u in read_source(path).document.units)


def test_unknown_file_type_is_a_usage_error(tmp_path, rules):
    from brevgen.errors import UsageError

    path = tmp_path / "brev.rtf"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="kan ikke læse filtypen '.rtf'"):
        lint_paths([path], rules)
