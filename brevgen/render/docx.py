"""Letter -> DOCX with python-docx: Word's own styles, Danish language, the PDF's layout.

A caseworker may open and edit the file, so it uses Word's styles (Heading 1-3, List
Bullet, List Number, Table Grid, Hyperlink) rather than direct formatting, and every
style and the document defaults are Danish, so text typed later is spell-checked as
Danish too. The letterhead is a borderless table with rows of exact height, so the
recipient address sits in the envelope window at the same place as in the PDF
(:data:`WINDOW`) whatever is edited around it, and nothing else reaches into the window.

Speed: a prepared template (styles, page geometry, footer with page numbers; unused
parts and table styles removed) is built once per process; each letter only parses that
small package, adds its body and is written straight to a zip with the letter's date on
every entry, so the same letter gives the same bytes. The letter's paragraphs, runs and
paragraph properties are built with lxml directly (:func:`_text_run`, :func:`_ppr_set`):
python-docx's object layer resolved every element's possible successors on each call and
took about two thirds of a letter's 36 ms; now a letter takes about 13 ms.

Provenance: core properties hold title, subject, keywords and category (each at most
255 characters); the full stamp is in docProps/custom.xml as custom properties named
like the HTML meta tags (``brevgen-template`` ...), which ``brevgen inspect`` reads.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from functools import lru_cache
from xml.sax.saxutils import escape as xml_escape

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from ..formatting import short_date
from ..letter import Block, Heading, Letter, ListBlock, Paragraph, Run, Section, Table
from . import Format, RenderJob, Stamp, StampError, register_format

LANG = "da-DK"
FONT = "Noto Sans"
ACCENT = RGBColor(0x00, 0x50, 0x7A)
MUTED = RGBColor(0x4A, 0x4A, 0x4A)

# Page geometry, the same as templates/da/brev.css (@media print).
PAGE_MARGIN_MM = (20, 20, 18, 20)  # top, right, bottom, left
# Body text in a 134 mm column (at most about 75 characters a line at 11 pt), as in the PDF:
# a right indent on the Normal style, which the letterhead and the list of rules undo.
BODY_WIDTH_MM = 134
BODY_SIZE_PT = 11
# Line height 1.3 x the font size, as the stylesheet's line-height: Word's "multiple" is relative
# to the font's own line height (Noto Sans: 1.362 em), so 1.3 / 1.362 of single spacing.
LINE_MULTIPLE = round(240 * 1.3 / 1.362)
# The envelope window (C5/DL, DIN 5008 form B address field), from the page's top left
# corner in mm: x, y, width, height. The address starts 50 mm down, 5 mm into the field.
WINDOW = (20, 50, 85, 40)
SENDER_ROW_MM = WINDOW[1] - PAGE_MARGIN_MM[0]  # from the top margin down to the window
BODY_GAP_MM = 3  # window bottom (90 mm) to the subject heading (93 mm), as in the PDF

STYLES_WITH_EFFECTS_RT = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
CUSTOM_PROPERTIES_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_PROPERTIES_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # fixed by OOXML for custom.xml
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_P, _W_R, _W_RPR, _W_T, _W_B, _W_I, _W_BR, _W_TAB = (qn(f"w:{t}") for t in ("p", "r", "rPr", "t", "b", "i", "br", "tab"))
_W_HYPERLINK, _W_RSTYLE, _W_VAL, _W_SECTPR = qn("w:hyperlink"), qn("w:rStyle"), qn("w:val"), qn("w:sectPr")
_R_ID, _XML_SPACE, _W_PPR, _W_SZ = qn("r:id"), qn("xml:space"), qn("w:pPr"), qn("w:sz")
# Children of w:pPr in the order the schema requires; a child is inserted at its place.
_PPR_ORDER = {
    qn(f"w:{t}"): i
    for i, t in enumerate(
        (
            "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
            "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
            "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
            "rPr", "sectPr", "pPrChange",
        )
    )
}

# Style names -> ids in python-docx's default template. Looking a style up by name scans
# all 160 styles; setting the id directly makes a letter about 5x faster.
STYLE_ID = {
    "Normal": "Normal",
    "Heading 1": "Heading1",
    "Heading 2": "Heading2",
    "Heading 3": "Heading3",
    "List Bullet": "ListBullet",
    "List Number": "ListNumber",
    "Table Grid": "TableGrid",
}


def _set_lang(style_element) -> None:
    _set_lang_on_rpr(style_element.get_or_add_rPr())


def _set_lang_on_rpr(rpr) -> None:
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
    normal.font.size = Pt(BODY_SIZE_PT)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FONT)
    normal.paragraph_format.space_after = Pt(5)
    text_width = 210 - PAGE_MARGIN_MM[1] - PAGE_MARGIN_MM[3]
    normal.paragraph_format.right_indent = Mm(text_width - BODY_WIDTH_MM)
    spacing = normal.element.get_or_add_pPr().get_or_add_spacing()
    spacing.set(qn("w:line"), str(LINE_MULTIPLE))
    spacing.set(qn("w:lineRule"), "auto")
    if "Hyperlink" not in [s.name for s in styles]:
        link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
        link.font.color.rgb = ACCENT
        link.font.underline = True
    for style in styles:
        # Every style Danish, not only the ones this letter uses: a caseworker may pick any.
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
            _set_lang(style.element)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        style = styles[name]
        style.font.name = FONT
        style.font.color.rgb = ACCENT
        rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            rfonts.attrib.pop(qn(attr), None)
        style.paragraph_format.keep_with_next = True  # never a heading alone at a page end
    styles["Heading 1"].font.size = Pt(15)
    styles["Heading 2"].font.size = Pt(12.5)
    styles["Heading 3"].font.size = Pt(BODY_SIZE_PT)
    styles["Heading 3"].font.color.rgb = RGBColor(0x1A, 0x1A, 0x1A)
    styles["Footer"].font.size = Pt(9)
    styles["Footer"].font.color.rgb = MUTED
    # Document defaults: text typed anywhere by a caseworker is Danish too.
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    _set_lang_on_rpr(rpr_default.find(qn("w:rPr")))
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = OxmlElement("w:themeFontLang")
        settings.append(theme_lang)
    for attr in list(theme_lang.attrib):
        del theme_lang.attrib[attr]
    theme_lang.set(qn("w:val"), LANG)
    preview = settings.find(qn("w:savePreviewPicture"))
    if preview is not None:
        settings.remove(preview)


def _plain_bullets(doc) -> None:
    """Bullets as U+2022 in the letter's font, not the Symbol font's private-use glyph
    (which screen readers and text extraction see as an unknown character)."""
    numbering = doc.part.numbering_part.element
    for lvl in numbering.iter(qn("w:lvl")):
        fmt = lvl.find(qn("w:numFmt"))
        text = lvl.find(qn("w:lvlText"))
        if fmt is None or fmt.get(qn("w:val")) != "bullet" or text is None:
            continue
        text.set(qn("w:val"), "\u2022")
        rpr = lvl.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            lvl.append(rpr)
        for old in rpr.findall(qn("w:rFonts")):
            rpr.remove(old)
        fonts = OxmlElement("w:rFonts")
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attr), FONT)
        rpr.insert(0, fonts)


def _drop_unused_table_styles(doc) -> None:
    """Keep the two table styles a letter uses. The other 98 built-in table styles are
    340 kB of the 360 kB styles part that every letter would parse and write again; Word
    still offers them (they stay listed in latentStyles) and adds one back when chosen."""
    keep = {"TableNormal", STYLE_ID["Table Grid"]}
    root = doc.styles.element
    for style in list(root.iterchildren(qn("w:style"))):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in keep:
            root.remove(style)


def _drop_unused_parts(doc) -> None:
    """python-docx's default template ships a thumbnail of itself, a Word 2010 style copy
    and a bibliography part: none belongs in a letter."""
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rid)
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype in (STYLES_WITH_EFFECTS_RT, RT.CUSTOM_XML):
            doc.part.rels.pop(rid)


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


def _footer(section) -> None:
    p = section.footer.paragraphs[0]  # python-docx's footer paragraph has the Footer style
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.add_run("Side ")
    _add_field(p, "PAGE")
    p.add_run(" af ")
    _add_field(p, "NUMPAGES")


@lru_cache(maxsize=1)
def _template() -> bytes:
    """The prepared, empty letter: styles, page, footer. Built once per process."""
    doc = Document()
    _prepare_styles(doc)
    _plain_bullets(doc)
    _drop_unused_table_styles(doc)
    _drop_unused_parts(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    top, right, bottom, left = PAGE_MARGIN_MM
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
    section.footer_distance = Mm(10)
    _footer(section)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    raw = io.BytesIO()
    doc.save(raw)
    return raw.getvalue()


# --- the letter ---------------------------------------------------------------------


def _ppr_set(p, name: str, **attrs: str) -> None:
    """Set ``<w:name w:attr=...>`` in the paragraph's properties, adding it (and the
    properties) in schema order if missing. python-docx's property setters do the same but
    resolve every possible successor's name on each call, which was a third of a letter's time."""
    ppr = p.find(_W_PPR)
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        p.insert(0, ppr)
    tag = qn(f"w:{name}")
    child = ppr.find(tag)
    if child is None:
        child = OxmlElement(f"w:{name}")
        rank = _PPR_ORDER[tag]
        later = next((i for i, c in enumerate(ppr) if _PPR_ORDER.get(c.tag, len(_PPR_ORDER)) > rank), None)
        if later is None:
            ppr.append(child)
        else:
            ppr.insert(later, child)
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), value)


def _paragraph(doc, style: str):
    """A new body paragraph with a style set by id (see STYLE_ID), before the body's sectPr."""
    p = OxmlElement("w:p")
    if style != "Normal":
        _ppr_set(p, "pStyle", val=STYLE_ID[style])
    body = doc.element.body
    sect_pr = body[-1] if len(body) and body[-1].tag == _W_SECTPR else None
    if sect_pr is not None:
        sect_pr.addprevious(p)
    else:
        body.append(p)
    return DocxParagraph(p, doc._body)


def _add_hyperlink(paragraph, text: str, url: str, bold: bool, italic: bool) -> None:
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = etree.SubElement(paragraph._p, _W_HYPERLINK)
    link.set(_R_ID, r_id)
    _text_run(link, text, bold, italic, link_style=True)


def _text_run(parent, text: str, bold: bool, italic: bool, link_style: bool = False, size: float | None = None) -> None:
    """``<w:r>`` with optional bold/italic/size and the text; tabs become ``<w:tab/>`` as in
    python-docx. Built with lxml directly: python-docx's run API looks up or creates each
    property element in turn, which was most of a letter's DOCX time."""
    r = etree.SubElement(parent, _W_R)
    if bold or italic or link_style or size:
        rpr = etree.SubElement(r, _W_RPR)  # children in schema order: rStyle, b, i, sz
        if link_style:
            etree.SubElement(rpr, _W_RSTYLE).set(_W_VAL, "Hyperlink")
        if bold:
            etree.SubElement(rpr, _W_B)
        if italic:
            etree.SubElement(rpr, _W_I)
        if size:
            etree.SubElement(rpr, _W_SZ).set(_W_VAL, str(round(size * 2)))  # half-points
    for i, chunk in enumerate(text.split("\t")):
        if i:
            etree.SubElement(r, _W_TAB)
        if chunk:
            t = etree.SubElement(r, _W_T)
            t.text = chunk
            if chunk != chunk.strip():
                t.set(_XML_SPACE, "preserve")


def _line_break(parent) -> None:
    etree.SubElement(etree.SubElement(parent, _W_R), _W_BR)


def _add_runs(paragraph, runs: tuple[Run, ...], bold: bool = False) -> None:
    p = paragraph._p
    for run in runs:
        parts = run.text.split("\n")
        for i, part in enumerate(parts):
            if part:
                if run.href:
                    _add_hyperlink(paragraph, part, run.href, run.bold or bold, run.italic)
                else:
                    _text_run(p, part, run.bold or bold, run.italic)
            if i < len(parts) - 1:
                _line_break(p)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    cant_split = OxmlElement("w:cantSplit")
    tr_pr.append(cant_split)


def _numbering_restart(doc) -> str:
    """A new numbering instance of List Number, so each ordered list starts at 1."""
    numbering = doc.part.numbering_part.element
    style_num = doc.styles.element.get_by_id(STYLE_ID["List Number"]).pPr.numPr.numId.val
    abstract_id = numbering.num_having_numId(style_num).abstractNumId.val
    num = numbering.add_num(abstract_id)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


def _block(doc, block: Block) -> None:
    if isinstance(block, Heading):
        _add_runs(_paragraph(doc, f"Heading {min(block.level, 3)}"), block.runs)
    elif isinstance(block, Paragraph):
        _add_runs(_paragraph(doc, "Normal"), block.runs)
    elif isinstance(block, ListBlock):
        num_id = _numbering_restart(doc) if block.ordered else None
        for n, item in enumerate(block.items, start=1):
            p = _paragraph(doc, "List Number" if block.ordered else "List Bullet")
            if n < len(block.items):  # letters' lists are short: never leave one item behind
                _ppr_set(p._p, "keepNext")
            if num_id is not None:
                num_pr = p._p.get_or_add_pPr().get_or_add_numPr()
                num_pr.get_or_add_ilvl().val = 0
                num_pr.get_or_add_numId().val = num_id
            _add_runs(p, item)
    elif isinstance(block, Table):
        ncols = max([len(block.header), *(len(r) for r in block.rows)])
        table = doc.add_table(rows=0, cols=ncols)
        table._tbl.tblPr.get_or_add_tblStyle().val = STYLE_ID["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        if block.header:
            row = table.add_row()
            _repeat_header(row)
            for cell, runs in zip(row.cells, block.header):
                _add_runs(cell.paragraphs[0], runs, bold=True)
        for data_row in block.rows:
            row = table.add_row()
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            for cell, runs in zip(row.cells, data_row):
                _add_runs(cell.paragraphs[0], runs)
        # Space after the table, as the stylesheet gives the PDF.
        _ppr_set(_paragraph(doc, "Normal")._p, "spacing", after="0")
    elif isinstance(block, Section):
        before = set(doc.element.body.iterchildren(qn("w:p")))
        for child in block.blocks:
            _block(doc, child)
        added = [p for p in doc.element.body.iterchildren(qn("w:p")) if p not in before]
        if block.role in ("kontakt", "hilsen", "kort-fortalt", "frist"):
            _keep_together(added)
        if block.role == "kontakt" and added:
            _ppr_set(added[-1], "keepNext")  # the signature never stands alone on a page
        if block.role == "lovgrundlag":
            for p in added:  # the list of rules: 10 pt over the full width, as in the PDF
                _ppr_set(p, "ind", right="0")
                for r in p.iter(_W_R):
                    rpr = r.find(_W_RPR)
                    if rpr is None:
                        rpr = etree.Element(_W_RPR)
                        r.insert(0, rpr)
                    if rpr.find(_W_SZ) is None:
                        etree.SubElement(rpr, _W_SZ).set(_W_VAL, "20")
    else:
        raise TypeError(block)


def _keep_together(paragraphs) -> None:
    """The contact box, the signature and the other boxes stay on one page."""
    for p in paragraphs[:-1]:
        _ppr_set(p, "keepNext")
    for p in paragraphs:
        _ppr_set(p, "keepLines")


def _cell_text(cell, lines: list[str], *, bold_first: bool = False, size: float = 11, align: str | None = None, space_before_mm: float = 0):
    p = cell.paragraphs[0]._p
    spacing = {"before": str(Mm(space_before_mm).twips)} if space_before_mm else {}
    _ppr_set(p, "spacing", **spacing, after="0")
    _ppr_set(p, "ind", right="0")  # the letterhead uses the full width
    if align is not None:
        _ppr_set(p, "jc", val=align)
    for i, line in enumerate(lines):
        if i:
            _line_break(p)
        _text_run(p, line, bold_first and i == 0, False, size=size)


def _exact_height(row, mm: float) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    height = OxmlElement("w:trHeight")
    height.set(qn("w:val"), str(round(mm * 1440 / 25.4)))
    height.set(qn("w:hRule"), "exact")
    tr_pr.append(height)
    tr_pr.append(OxmlElement("w:cantSplit"))


def _letterhead(doc, letter: Letter) -> None:
    """Sender top right; recipient in the envelope window; date and case number beside it.

    A layout table without borders or cell padding. Its rows have exact heights, so the
    window row starts exactly at WINDOW's top and nothing typed above can push it down.
    """
    meta = letter.meta
    text_width = 210 - PAGE_MARGIN_MM[1] - PAGE_MARGIN_MM[3]
    left_mm = WINDOW[2]
    table = doc.add_table(rows=2, cols=2)
    tbl_pr = table._tbl.tblPr
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), "0")
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tbl_pr.append(margins)
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), "Brevhoved: afsender, modtager, dato og sagsnummer")
    tbl_pr.append(caption)
    widths = (Mm(left_mm), Mm(text_width - left_mm))
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    _exact_height(table.rows[0], SENDER_ROW_MM)
    _exact_height(table.rows[1], WINDOW[3])
    _cell_text(table.cell(0, 0), [""])
    _cell_text(table.cell(0, 1), [meta.sender_unit, *meta.sender_lines], bold_first=True, size=9, align="right")
    _cell_text(table.cell(1, 0), [meta.recipient.name, *meta.recipient.lines])
    _cell_text(
        table.cell(1, 1),
        [f"Dato: {short_date(meta.letter_date)}", f"Sagsnummer: {meta.case_ref}"],
        size=9,
        align="right",
        space_before_mm=16,
    )


def render_docx(letter: Letter) -> bytes:
    doc = Document(io.BytesIO(_template()))
    _letterhead(doc, letter)
    title = _paragraph(doc, "Heading 1")
    _ppr_set(title._p, "spacing", before=str(Mm(BODY_GAP_MM).twips))
    _text_run(title._p, letter.meta.subject, False, False)
    for block in letter.blocks:
        _block(doc, block)
    _properties(doc, letter)
    _custom_properties(doc, letter)
    return _save(doc, letter.meta.letter_date)


def _properties(doc, letter: Letter) -> None:
    meta = letter.meta
    props = doc.core_properties
    stamp = dt.datetime.combine(meta.letter_date, dt.time(0, 0))
    props.title = meta.subject[:255]
    props.subject = (meta.title or meta.event)[:255]
    props.author = meta.sender_unit[:255]
    props.last_modified_by = meta.sender_unit[:255]
    props.language = LANG
    props.category = meta.event
    props.keywords = f"{meta.event}; {meta.template_id} {meta.template_version}; {meta.regime_id}"[:255]
    props.comments = f"brevgen {meta.brevgen_version}; sag {meta.case_ref}; data sha256:{meta.data_sha256}"[:255]
    props.created = stamp
    props.modified = stamp
    props.revision = 1


def _custom_properties(doc, letter: Letter) -> None:
    """docProps/custom.xml: the whole provenance stamp, one text property per value."""
    items = "".join(
        f'<property fmtid="{CUSTOM_PROPERTIES_FMTID}" pid="{pid}" name="{xml_escape(name)}">'
        f"<vt:lpwstr>{xml_escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(letter.meta.provenance().items(), start=2)  # pid 0, 1 are reserved
    )
    blob = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{items}</Properties>"
    ).encode("utf-8")
    package = doc.part.package
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_PROPERTIES_CT, blob, package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def _save(doc, day: dt.date) -> bytes:
    """Write the package with the letter's date on every zip entry (python-docx stamps
    the current time, which would make every rendering differ)."""
    from docx.opc.pkgwriter import _ContentTypesItem

    package = doc.part.package
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        def write(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name.lstrip("/"), date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)

        write("[Content_Types].xml", _ContentTypesItem.from_parts(parts).blob)
        write("_rels/.rels", package.rels.xml)
        for part in parts:
            write(part.partname, part.blob)
            if len(part.rels):
                write(part.partname.rels_uri, part.rels.xml)
    return out.getvalue()


# --- the format ----------------------------------------------------------------------------


def _render(letter: Letter, job: RenderJob) -> bytes:
    return render_docx(letter)


def read_stamp(data: bytes) -> Stamp:
    """Title and language from the core properties, the provenance from docProps/custom.xml."""
    ns = {
        "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
        "dc": "http://purl.org/dc/elements/1.1/",
        "op": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    }
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        if "word/document.xml" not in names:
            raise StampError("filen er en zip-fil, men ikke et Word-dokument (DOCX)")
        core = etree.fromstring(zf.read("docProps/core.xml")) if "docProps/core.xml" in names else None
        custom = etree.fromstring(zf.read("docProps/custom.xml")) if "docProps/custom.xml" in names else None
    title = lang = None
    if core is not None:
        title = core.findtext("dc:title", namespaces=ns)
        lang = core.findtext("dc:language", namespaces=ns)
    provenance: dict[str, str] = {}
    if custom is not None:
        for prop in custom.iterfind("op:property", ns):
            key = prop.get("name", "")
            if key.startswith("brevgen-"):
                provenance[key] = "".join(prop.itertext()).strip()
    return Stamp(title, lang, provenance)


def texts(data: bytes) -> list[str]:
    """Every part of the package: each paragraph's text (runs joined), every other text node
    and every attribute (hyperlink targets, document properties), and the part names."""
    out: list[str] = []
    paragraph = qn("w:p")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            out.append(name)
            if not name.endswith((".xml", ".rels")):
                continue
            root = etree.fromstring(zf.read(name))
            for el in root.iter():
                if not isinstance(el.tag, str):
                    continue
                out.extend(el.attrib.values())
                if el.tag == paragraph:
                    out.append("".join(el.itertext()))
                elif el.text and el.text.strip():
                    out.append(el.text)
    return out


register_format(
    Format(
        name="docx",
        suffix="docx",
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        title="DOCX (Word)",
        render=_render,
        default=True,
        order=2,
        sniff=lambda data: data.startswith(b"PK\x03\x04"),
        read_stamp=read_stamp,
        texts=texts,
    )
)
