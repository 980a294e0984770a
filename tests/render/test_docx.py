"""The DOCX as Word's data model and as LibreOffice sees it.

python-docx checks the model (styles, language, properties, repeating header rows, the
letterhead geometry); LibreOffice (headless, one run for every file) converts each example
to PDF, and that PDF must say the same words and put the address in the envelope window.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile

import pytest
from conftest import EXAMPLES, example_id, sampled
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from extract import comparable, letter_text, pdf_text
from lxml import etree
from synthetic import TABLE_HEADER, example_letter, plan_table, two_ordered_lists, with_blocks
from test_pdf import address_window_problems

from brevgen.letter import Heading, block_lines
from brevgen.render.docx import WINDOW, render_docx

CASES = [example_id(p) for p in EXAMPLES]
TWIPS_PER_MM = 1440 / 25.4


def test_headings_use_word_heading_styles_in_letter_order(rendered_examples):
    _path, _data, letter, files = rendered_examples[CASES[0]]
    doc = Document(io.BytesIO(files["docx"]))
    got = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    want = [("Heading 1", letter.meta.subject)] + [
        (f"Heading {b.level}", b.text) for _r, b in letter.walk() if isinstance(b, Heading)
    ]
    assert got == want
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert bullets and all(bullets)


def test_every_style_and_the_defaults_are_danish(rendered_examples):
    _path, _data, _letter, files = rendered_examples[CASES[0]]
    doc = Document(io.BytesIO(files["docx"]))
    not_danish = []
    for style in doc.styles:
        if style.type == WD_STYLE_TYPE.LIST:  # numbering styles carry no text properties
            continue
        rpr = style.element.rPr
        lang = rpr.find(qn("w:lang")) if rpr is not None else None
        if lang is None or lang.get(qn("w:val")) != "da-DK":
            not_danish.append(style.name)
    assert not not_danish
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "da-DK"
    assert doc.settings.element.find(qn("w:themeFontLang")).get(qn("w:val")) == "da-DK"
    link_styles = {r.get(qn("w:val")) for r in doc.element.body.iter(qn("w:rStyle"))}
    assert link_styles <= {s.style_id for s in doc.styles}, "a run uses a style the file does not define"


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_core_and_custom_properties(rendered_examples, case_id):
    _path, _data, letter, files = rendered_examples[case_id]
    doc = Document(io.BytesIO(files["docx"]))
    props = doc.core_properties
    assert props.title == letter.meta.subject
    assert props.subject in ("Indkaldelse til første jobsamtale", "Tilbud om aktivering", "Velkommen: opfølgning på din sygemelding")
    assert props.keywords == f"{letter.meta.event}; {letter.meta.template_id} {letter.meta.template_version}; {letter.meta.regime_id}"
    assert props.language == "da-DK"
    assert props.created.date() == letter.meta.letter_date
    with zipfile.ZipFile(io.BytesIO(files["docx"])) as zf:
        custom = etree.fromstring(zf.read("docProps/custom.xml"))
        names = set(zf.namelist())
    ns = {"op": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"}
    stamp = {p.get("name"): "".join(p.itertext()) for p in custom.iterfind("op:property", ns)}
    assert stamp == letter.meta.provenance()
    assert "docProps/thumbnail.jpeg" not in names  # python-docx's picture of its own template


def test_page_numbers_in_footer(rendered_examples):
    _path, _data, _letter, files = rendered_examples[CASES[0]]
    footer = Document(io.BytesIO(files["docx"])).sections[0].footer.paragraphs[0]
    instructions = [t.text.strip() for t in footer._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert footer.text.startswith("Side ") and " af " in footer.text


def test_letterhead_puts_the_address_at_the_window_position(rendered_examples):
    """Top margin + first row = window top; the address column is the window's width."""
    _path, _data, letter, files = rendered_examples[CASES[0]]
    doc = Document(io.BytesIO(files["docx"]))
    section = doc.sections[0]
    table = doc.tables[0]
    assert doc.element.body[0] is table._tbl, "the letterhead is the first thing on the page"
    heights = [row._tr.trPr.find(qn("w:trHeight")) for row in table.rows]
    assert [h.get(qn("w:hRule")) for h in heights] == ["exact", "exact"]
    top_mm = section.top_margin.mm + int(heights[0].get(qn("w:val"))) / TWIPS_PER_MM
    assert round(top_mm, 1) == WINDOW[1]
    assert round(int(heights[1].get(qn("w:val"))) / TWIPS_PER_MM, 1) == WINDOW[3]
    assert round(section.left_margin.mm, 1) == WINDOW[0]
    assert round(table.cell(1, 0).width.mm, 1) == WINDOW[2]
    assert table.cell(1, 0).text == "\n".join([letter.meta.recipient.name, *letter.meta.recipient.lines])
    margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
    assert {m.get(qn("w:w")) for m in margins} == {"0"}


def test_table_header_row_repeats_and_rows_do_not_split():
    letter = with_blocks(example_letter(), after=(plan_table(rows=6),))
    doc = Document(io.BytesIO(render_docx(letter)))
    table = doc.tables[-1]
    assert table.style.name == "Table Grid"
    first, *rest = table.rows
    assert first._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in first.cells] == list(TABLE_HEADER)
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in rest)
    assert all(r._tr.trPr.find(qn("w:tblHeader")) is None for r in rest)


def test_each_ordered_list_starts_at_one():
    letter = with_blocks(example_letter(), after=(two_ordered_lists(),))
    doc = Document(io.BytesIO(render_docx(letter)))
    numbered = [p for p in doc.paragraphs if p.style.name == "List Number"]
    num_ids = [p._p.pPr.numPr.numId.val for p in numbered]
    assert len(numbered) == 4 and num_ids[0] == num_ids[1] != num_ids[2] == num_ids[3]
    numbering = doc.part.numbering_part.element
    for num_id in (num_ids[0], num_ids[2]):
        num = numbering.num_having_numId(num_id)
        assert num.find(qn("w:lvlOverride")).find(qn("w:startOverride")).get(qn("w:val")) == "1"


def test_contact_box_and_signature_are_kept_together(rendered_examples):
    _path, _data, letter, files = rendered_examples[CASES[0]]
    doc = Document(io.BytesIO(files["docx"]))
    texts = [" ".join(p.text.split()) for p in doc.paragraphs]
    for role in ("kontakt", "hilsen"):
        (section,) = letter.sections(role)
        lines = block_lines(section)
        start = texts.index(lines[0])
        group = doc.paragraphs[start : start + len(lines)]
        assert [" ".join(p.text.split()) for p in group] == lines
        assert all(p.paragraph_format.keep_together for p in group)
        assert all(p.paragraph_format.keep_with_next for p in group[:-1])
    assert doc.styles["Heading 2"].paragraph_format.keep_with_next


# --- LibreOffice --------------------------------------------------------------------


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "LibreOffice mangler: kør bash scripts/setup.sh --test"
    return found


@pytest.fixture(scope="session")
def libreoffice_pdfs(rendered_examples, tmp_path_factory):
    """Every example DOCX (and two synthetic ones) converted to PDF by one soffice run."""
    src = tmp_path_factory.mktemp("docx")
    out = tmp_path_factory.mktemp("lo-pdf")
    profile = tmp_path_factory.mktemp("lo-profile")
    letters = {case_id: entry[2] for case_id, entry in rendered_examples.items()}
    letters["syntetisk/tabel-og-lister"] = with_blocks(example_letter(), after=(plan_table(rows=6), two_ordered_lists()))
    for case_id, letter in letters.items():
        data = rendered_examples[case_id][3]["docx"] if case_id in rendered_examples else render_docx(letter)
        (src / f"{case_id.replace('/', '__')}.docx").write_bytes(data)
    command = [
        soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
        "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out), *sorted(str(p) for p in src.glob("*.docx")),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, env={**os.environ, "HOME": str(profile)})
    pdfs = {case_id: out / f"{case_id.replace('/', '__')}.pdf" for case_id in letters}
    return run, letters, pdfs


@pytest.mark.slow
def test_libreoffice_converts_every_docx_without_error(libreoffice_pdfs):
    run, _letters, pdfs = libreoffice_pdfs
    assert run.returncode == 0, run.stderr
    assert "Error" not in run.stderr and "error" not in run.stdout.lower(), run.stdout + run.stderr
    missing = [case_id for case_id, pdf in pdfs.items() if not pdf.exists() or pdf.stat().st_size == 0]
    assert not missing


@pytest.mark.slow
@pytest.mark.parametrize("case_id", [*CASES, "syntetisk/tabel-og-lister"])
def test_libreoffice_pdf_says_the_same_words(libreoffice_pdfs, case_id):
    """What LibreOffice prints is the letter's text: letterhead, subject and body, in order."""
    _run, letters, pdfs = libreoffice_pdfs
    letter = letters[case_id]
    text = comparable(pdf_text(pdfs[case_id].read_bytes()), "pdf")
    expected = comparable(" ".join(letter.head_lines()) + " " + letter_text(letter, "pdf"), "pdf")
    # A table's header row repeats on each page it runs over (by design): count it once.
    header = comparable(" ".join(TABLE_HEADER), "pdf")
    if header in expected:
        first = text.find(header) + len(header)
        text = text[:first] + text[first:].replace(header, "")
    assert text == expected


@pytest.mark.slow
@pytest.mark.parametrize("case_id", CASES)
def test_libreoffice_puts_the_address_in_the_envelope_window(libreoffice_pdfs, case_id):
    _run, letters, pdfs = libreoffice_pdfs
    assert address_window_problems(pdfs[case_id].read_bytes(), letters[case_id]) == []


@pytest.mark.slow
@pytest.mark.parametrize("case_id", CASES)
def test_libreoffice_keeps_the_page_budget_11_pt_and_the_signature_with_the_contact_box(libreoffice_pdfs, case_id):
    """The DOCX mirrors the PDF (issue 13): a summons and a sick-leave letter on 2 pages, an
    offer on 3, body text 11 pt, and "Med venlig hilsen" on the same page as the contact box."""
    import pdfplumber

    _run, _letters, pdfs = libreoffice_pdfs
    budget = {"indkaldelse": 2, "sygedagpenge": 2, "tilbud": 3}[case_id.split("/")[0]]
    with pdfplumber.open(pdfs[case_id]) as pdf:
        assert len(pdf.pages) <= budget, f"{case_id}: {len(pdf.pages)} sider i LibreOffice"
        sizes = [round(c["size"], 1) for page in pdf.pages for c in page.chars]
        assert max(set(sizes), key=sizes.count) == 11.0
        (page,) = [p for p in pdf.pages if "Med venlig hilsen" in (p.extract_text() or "")]
        assert "Hvem kan du kontakte?" in (page.extract_text() or "").split("Med venlig hilsen")[0]
