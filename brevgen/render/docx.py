"""Letter -> DOCX with python-docx: real heading styles, Danish language, page numbers.

A caseworker may open and edit the file, so it uses Word's own styles (Heading 1-3, List
Bullet, List Number, Table Grid) rather than direct formatting. The zip entries get the
letter's date as their timestamp, so the same letter gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..formatting import short_date
from ..letter import Block, Heading, Letter, ListBlock, Paragraph, Run, Section, Table

LANG = "da-DK"
FONT = "Noto Sans"
ACCENT = RGBColor(0x00, 0x50, 0x7A)


def _set_lang(rpr_parent) -> None:
    rpr = rpr_parent.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), LANG)


def _prepare_styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FONT)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "List Number", "Footer"):
        style = styles[name]
        _set_lang(style.element)
        if name.startswith("Heading") or name == "Title":
            style.font.name = FONT
            style.font.color.rgb = ACCENT
    styles["Heading 1"].font.size = Pt(15)
    styles["Heading 2"].font.size = Pt(12)
    styles["Heading 3"].font.size = Pt(10.5)
    # Document default language, so text typed by a caseworker is Danish too.
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = OxmlElement("w:themeFontLang")
        settings.append(theme_lang)
    theme_lang.set(qn("w:val"), LANG)


def _add_hyperlink(paragraph, text: str, url: str, bold: bool, italic: bool) -> None:
    part = paragraph.part
    r_id = part.relate_to(url, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink", is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    rpr.append(style)
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "00507A")
    rpr.append(color)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    rpr.append(underline)
    if bold:
        rpr.append(OxmlElement("w:b"))
    if italic:
        rpr.append(OxmlElement("w:i"))
    run.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _add_runs(paragraph, runs: tuple[Run, ...]) -> None:
    for run in runs:
        parts = run.text.split("\n")
        for i, part in enumerate(parts):
            if run.href:
                _add_hyperlink(paragraph, part, run.href, run.bold, run.italic)
            else:
                r = paragraph.add_run(part)
                r.bold = run.bold or None
                r.italic = run.italic or None
            if i < len(parts) - 1:
                paragraph.add_run().add_break()


def _add_field(paragraph, instruction: str) -> None:
    """A Word field such as PAGE or NUMPAGES (updated by Word/LibreOffice on open)."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)
        elif kind == "text":
            run.text = text
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _block(doc, block: Block) -> None:
    if isinstance(block, Heading):
        p = doc.add_paragraph(style=f"Heading {min(block.level, 3)}")
        _add_runs(p, block.runs)
    elif isinstance(block, Paragraph):
        p = doc.add_paragraph(style="Normal")
        _add_runs(p, block.runs)
    elif isinstance(block, ListBlock):
        style = "List Number" if block.ordered else "List Bullet"
        for item in block.items:
            _add_runs(doc.add_paragraph(style=style), item)
    elif isinstance(block, Table):
        ncols = max(len(block.header), *(len(r) for r in block.rows)) if block.rows else len(block.header)
        table = doc.add_table(rows=0, cols=ncols)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        if block.header:
            row = table.add_row()
            _repeat_header(row)
            for cell, runs in zip(row.cells, block.header):
                para = cell.paragraphs[0]
                _add_runs(para, tuple(r if r.bold else Run(r.text, r.origin, True, r.italic, r.href) for r in runs))
        for data_row in block.rows:
            row = table.add_row()
            for cell, runs in zip(row.cells, data_row):
                _add_runs(cell.paragraphs[0], runs)
    elif isinstance(block, Section):
        for child in block.blocks:
            _block(doc, child)
    else:
        raise TypeError(block)


def _letterhead(doc, letter: Letter) -> None:
    meta = letter.meta
    sender = doc.add_paragraph(style="Normal")
    sender.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sender.add_run(meta.sender_unit).bold = True
    for line in meta.sender_lines:
        sender.add_run().add_break()
        sender.add_run(line)
    recipient = doc.add_paragraph(style="Normal")
    recipient.paragraph_format.space_before = Mm(8)
    recipient.add_run(meta.recipient.name)
    for line in meta.recipient.lines:
        recipient.add_run().add_break()
        recipient.add_run(line)
    info = doc.add_paragraph(style="Normal")
    info.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    info.add_run(f"Dato: {short_date(meta.letter_date)}")
    info.add_run().add_break()
    info.add_run(f"Sagsnummer: {meta.case_ref}")


def _footer(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.add_run("Side ")
    _add_field(p, "PAGE")
    p.add_run(" af ")
    _add_field(p, "NUMPAGES")


def _properties(doc, letter: Letter) -> None:
    meta = letter.meta
    props = doc.core_properties
    stamp = dt.datetime.combine(meta.letter_date, dt.time(0, 0))
    props.title = meta.subject
    props.subject = meta.template_id
    props.author = meta.sender_unit
    props.last_modified_by = meta.sender_unit
    props.language = LANG
    props.category = meta.event
    # Core properties are limited to 255 characters each: the stamp is split over two.
    props.keywords = f"{meta.template_id} {meta.template_version}; {meta.regime_id}; sha256:{meta.data_sha256}"
    props.comments = f"brevgen {meta.brevgen_version}; sag {meta.case_ref}"
    props.created = stamp
    props.modified = stamp
    props.revision = 1


def render_docx(letter: Letter) -> bytes:
    doc = Document()
    _prepare_styles(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(20), Mm(22)
    _letterhead(doc, letter)
    title = doc.add_paragraph(style="Heading 1")
    _add_runs(title, (Run(letter.meta.subject, origin=None),))  # type: ignore[arg-type]
    for block in letter.blocks:
        _block(doc, block)
    _footer(section)
    _properties(doc, letter)
    raw = io.BytesIO()
    doc.save(raw)
    return _fixed_zip_dates(raw.getvalue(), letter.meta.letter_date)


def _fixed_zip_dates(data: bytes, day: dt.date) -> bytes:
    """Rewrite the zip with a fixed timestamp per entry (python-docx stamps the current time)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(max(day.year, 1980), day.month, day.day, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
