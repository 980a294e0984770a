"""The PDF as its real readers see it: qpdf, pikepdf (structure), pdftotext, pdfplumber, pdfua.

Every check runs on both PDF engines, WeasyPrint (render/pdf.py) and Typst
(render/pdf_typst.py), parametrised by ``engine``; where the engines write the same thing
differently, the expectation is given per engine.

- every example passes ``qpdf --check`` and is tagged PDF/UA-1 (structure tree, Marked,
  /Lang da, title in docinfo and XMP, DisplayDocTitle, embedded shipped fonts);
- page numbers are pagination artifacts, not stray tagged content;
- the PDF/A variants identify as PDF/A-2a/3a and PDF/UA-1 and declare their XMP schemas;
- the provenance stamp is in the XMP; the same letter gives the same bytes;
- the recipient address sits in the envelope window and nothing else does;
- page breaks never leave a heading alone at a page end or split the contact box or signature;
- links are link annotations with the letter's address and an alternative text;
- the pdfua machine checks of PDF/UA-1 find nothing.
"""

from __future__ import annotations

import collections
import io
import re
import subprocess

import pdfplumber
import pikepdf
import pytest
from conftest import EXAMPLES, example_id, sampled
from extract import comparable, normalise, pdf_text
from pdf_checks import ENGINES, embedded_font_names, letter_fonts, pdfua_problems, render_with, table_attributes
from synthetic import TABLE_HEADER, TABLE_ROWS, example_letter, filler, plan_table, two_ordered_lists, with_blocks

from brevgen.errors import UsageError
from brevgen.letter import Heading, Letter, block_lines
from brevgen.render.pdf import PDF_VARIANTS, PROVENANCE_NS

CASES = [example_id(p) for p in EXAMPLES]
MM = 72 / 25.4
# The envelope window (C5/DL, DIN 5008 form B address field) in mm from the top left corner
# of the page: the whole field, 45-90 mm down, 20-110 mm across. The address is printed
# from 50 mm down and 20 mm in, 85 x 40 mm (templates/da/brev.css).
WINDOW_FIELD = (20, 45, 110, 90)  # x0, top, x1, bottom
ADDRESS_BOX = (20, 50, 105, 90)
XMP = {"x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/"}


def struct_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element reachable from the root, in document order."""
    found = []

    def visit(node):
        found.append(node)
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                visit(kid)

    for top in pdf.Root.StructTreeRoot.K:
        visit(top)
    return found


def xmp_root(pdf: pikepdf.Pdf):
    from lxml import etree

    packet = pdf.Root.Metadata.read_bytes()
    return etree.fromstring(packet[packet.index(b"<x:xmpmeta") : packet.rindex(b"</x:xmpmeta>") + 12])


@pytest.mark.parametrize("engine", ENGINES)
def test_every_example_passes_qpdf_check(example_pdfs, engine, tmp_path):
    failures = {}
    for case_id, (_letter, data) in example_pdfs(engine).items():
        target = tmp_path / (case_id.replace("/", "_") + ".pdf")
        target.write_bytes(data)
        run = subprocess.run(["qpdf", "--check", str(target)], capture_output=True, text=True)
        if run.returncode != 0 or "No syntax or stream encoding errors found" not in run.stdout:
            failures[case_id] = run.stdout + run.stderr
    assert not failures, failures


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case_id", sampled(CASES))
def test_pdf_is_tagged_pdf_ua(example_pdfs, engine, case_id):
    letter, data = example_pdfs(engine)[case_id]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        assert bool(root.MarkInfo.Marked)
        assert str(root.Lang) == "da"
        assert bool(root.ViewerPreferences.DisplayDocTitle)
        assert str(pdf.docinfo["/Title"]) == letter.meta.subject
        xmp = xmp_root(pdf)
        assert xmp.findtext(".//dc:title/rdf:Alt/rdf:li", namespaces=XMP) == letter.meta.subject
        assert xmp.findtext(".//dc:language/rdf:Bag/rdf:li", namespaces=XMP) == "da"
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
        elements = struct_elements(pdf)
        tags = collections.Counter(str(el.S) for el in elements)
        headings = collections.Counter(b.level for _roles, b in letter.walk() if isinstance(b, Heading))
        assert tags["/H1"] == 1  # the subject
        assert tags["/H2"] == headings[2] and tags["/H3"] == headings[3]
        assert tags["/P"] > 0 and tags["/L"] > 0 and tags["/LI"] == tags["/LBody"] == tags["/Lbl"] > 0
        # Every heading marks real text (pdfua's own check of this cannot run, see pdf_checks).
        assert all(marks_content(el) for el in elements if re.fullmatch(r"/H[1-6]", str(el.S)))
        for page in pdf.pages:
            assert page.get("/Tabs") == "/S"  # tab order follows the structure
        fonts = embedded_font_names(pdf)  # asserts every font is embedded
        assert fonts and fonts <= letter_fonts(engine)
        if engine == "weasyprint":
            assert all(name.startswith("Noto-Sans") for name in fonts)


def marks_content(element) -> bool:
    """True if a structure element or one below it points at marked content (an MCID)."""
    kids = element.get("/K")
    if kids is None:
        return False
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int) or (isinstance(kid, pikepdf.Dictionary) and ("/MCID" in kid or marks_content(kid))):
            return True
    return False


@pytest.mark.parametrize("engine", ENGINES)
def test_pdf_headings_are_in_reading_order(example_pdfs, engine):
    """The tagged headings, read in structure order, are the letter's headings in order."""
    letter, data = example_pdfs(engine)[CASES[0]]
    text = pdf_text(data)
    positions = [normalise(text).find(b.text) for _r, b in letter.walk() if isinstance(b, Heading)]
    assert -1 not in positions and positions == sorted(positions)


@pytest.mark.parametrize("engine", ENGINES)
def test_page_numbers_are_pagination_artifacts(example_pdfs, engine):
    _letter, data = example_pdfs(engine)[CASES[0]]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        reachable = {el.objgen for el in struct_elements(pdf)}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for page in pdf.pages:
            for ref in parents[int(page.StructParents)]:
                assert ref is None or ref.objgen in reachable, "tagged content outside the structure tree"
            ops = pikepdf.parse_content_stream(page)
            artifacts = [op for op in ops if str(op.operator) == "BDC" and str(op.operands[0]) == "/Artifact"]
            assert any(
                isinstance(a.operands[1], pikepdf.Dictionary) and a.operands[1].get("/Type") == "/Pagination" for a in artifacts
            )
    assert "Side 1 af" in pdf_text(data)  # still printed for the reader of paper


@pytest.mark.parametrize("engine", ENGINES)
def test_provenance_in_xmp(example_pdfs, engine):
    letter, data = example_pdfs(engine)[CASES[-1]]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        xmp = xmp_root(pdf)
    stamp = {el.tag.split("}")[1]: el.text for el in xmp.iter(f"{{{PROVENANCE_NS}}}*")}
    assert {f"brevgen-{k}": v for k, v in stamp.items()} == letter.meta.provenance()
    assert len(stamp["data-sha256"]) == 64


# The creation date is the letter's date; WeasyPrint writes the date alone, Typst the
# date at midnight UTC (both in the document info and the XMP, as PDF/A wants them equal).
CREATION_DATE = {"weasyprint": ("D:%Y%m%d", "%Y-%m-%d"), "typst": ("D:%Y%m%d000000Z", "%Y-%m-%dT00:00:00Z")}


@pytest.mark.parametrize("engine", ENGINES)
def test_same_letter_same_pdf_bytes_and_letter_date_as_creation_date(example_pdfs, engine):
    letter, data = example_pdfs(engine)[CASES[0]]
    again = render_with(engine, letter)
    assert again == data
    info_format, xmp_format = CREATION_DATE[engine]
    with pikepdf.open(io.BytesIO(again)) as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == letter.meta.letter_date.strftime(info_format)
        with pdf.open_metadata() as meta:
            assert meta.get("xmp:CreateDate") == letter.meta.letter_date.strftime(xmp_format)
        # The document ID comes from the letter (its data hash), not from the clock.
        assert bytes(pdf.trailer.ID[0]) == letter.meta.data_sha256[:32].encode("ascii")


# PDF/A extension schemas each engine declares: WeasyPrint only what brevgen adds; Typst
# also its own XMP Media Management and Adobe PDF properties.
DECLARED_SCHEMAS = {
    "weasyprint": {"http://www.aiim.org/pdfua/ns/id/", PROVENANCE_NS},
    "typst": {"http://www.aiim.org/pdfua/ns/id/", PROVENANCE_NS, "http://ns.adobe.com/xap/1.0/mm/", "http://ns.adobe.com/pdf/1.3/"},
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("variant,part", [("pdf/a-2a", "2"), ("pdf/a-3a", "3")])
def test_pdf_a_variant_is_archival_and_still_accessible(tmp_path, engine, variant, part):
    letter = example_letter("sygedagpenge/selv-under-8-uger")
    data = render_with(engine, letter, variant=variant)
    target = tmp_path / "arkiv.pdf"
    target.write_bytes(data)
    check = subprocess.run(["qpdf", "--check", str(target)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata() as meta:
            assert meta.get("pdfaid:part") == part
            assert meta.get("pdfaid:conformance") == "A"
            assert meta.get("pdfuaid:part") == "1"
        assert str(pdf.Root.OutputIntents[0].S) == "/GTS_PDFA1"
        assert bool(pdf.Root.MarkInfo.Marked) and str(pdf.Root.Lang) == "da"
        declared = [el.text for el in xmp_root(pdf).iter("{http://www.aiim.org/pdfa/ns/schema#}namespaceURI")]
        assert set(declared) == DECLARED_SCHEMAS[engine] and len(declared) == len(set(declared))
        assert len(list(xmp_root(pdf).iter("{http://www.aiim.org/pdfa/ns/extension/}schemas"))) == 1
        stamp = {el.tag.split("}")[1]: el.text for el in xmp_root(pdf).iter(f"{{{PROVENANCE_NS}}}*")}
        assert stamp["data-sha256"] == letter.meta.data_sha256
    assert comparable(letter.meta.subject, "pdf") in comparable(pdf_text(data), "pdf")
    assert pdfua_problems(data, tmp_path) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_unknown_variant_is_a_danish_usage_error(engine):
    with pytest.raises(UsageError, match="ukendt PDF-variant: pdf/x-4. Vælg blandt: pdf/ua-1, pdf/a-2a, pdf/a-3a"):
        render_with(engine, example_letter(), variant="pdf/x-4")
    assert PDF_VARIANTS[0] == "pdf/ua-1"


def _words_touching(page, box_mm):
    x0, top, x1, bottom = (v * MM for v in box_mm)
    return [w for w in page.extract_words() if w["x1"] > x0 and w["x0"] < x1 and w["bottom"] > top and w["top"] < bottom]


def address_window_problems(pdf_bytes: bytes, letter: Letter) -> list[str]:
    """Everything wrong with the envelope window on page 1, in words (empty when right)."""
    problems = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        page = pdf.pages[0]
        in_field = _words_touching(page, WINDOW_FIELD)
        expected = " ".join([letter.meta.recipient.name, *letter.meta.recipient.lines])
        got = " ".join(w["text"] for w in in_field)
        if got != expected:
            problems.append(f"i ruden står {got!r}, ventet {expected!r}")
        x0, top, x1, bottom = ADDRESS_BOX
        for w in in_field:
            if not (x0 * MM - 0.5 <= w["x0"] and w["x1"] <= x1 * MM + 0.5 and top * MM - 0.5 <= w["top"] and w["bottom"] <= bottom * MM + 0.5):
                problems.append(f"{w['text']!r} står uden for adressefeltet: x {w['x0'] / MM:.1f}-{w['x1'] / MM:.1f} mm, y {w['top'] / MM:.1f}-{w['bottom'] / MM:.1f} mm")
        fx0, ftop, fx1, fbottom = (v * MM for v in WINDOW_FIELD)
        for kind in ("rects", "lines", "curves", "images"):
            for obj in getattr(page, kind):
                if obj["x1"] > fx0 and obj["x0"] < fx1 and obj["bottom"] > ftop and obj["top"] < fbottom:
                    problems.append(f"grafik ({kind}) i ruden ved y {obj['top'] / MM:.1f} mm")
    return problems


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case_id", sampled(CASES))
def test_address_in_envelope_window_and_nothing_else(example_pdfs, engine, case_id):
    letter, data = example_pdfs(engine)[case_id]
    assert address_window_problems(data, letter) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_table_has_header_cells_scoped_and_repeated_on_each_page(engine):
    """Header cells are TH with /Scope and every data cell points at its header.

    WeasyPrint tags a table that runs over a page break as one /Table per page; each part
    starts with the repeated header row, so each is a complete table for a screen reader.
    Typst tags one /Table and marks the header rows it repeats as artifacts, so a screen
    reader meets the header once; on paper both repeat it on every page.
    """
    letter = with_blocks(example_letter(), after=(plan_table(rows=len(TABLE_ROWS)),))
    data = render_with(engine, letter)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        elements = struct_elements(pdf)
        tags = collections.Counter(str(el.S) for el in elements)
        parts = tags["/Table"]
        if engine == "weasyprint":
            assert parts >= 2, "the long table should run over a page break"
        else:
            assert parts == 1
        assert tags["/TH"] == parts * len(TABLE_HEADER)
        assert tags["/TD"] == len(TABLE_ROWS) * len(TABLE_HEADER)
        header_ids = set()
        for el in elements:
            if el.S == "/TH":
                assert table_attributes(el)["/Scope"] == "/Column"
                header_ids.add(bytes(el.ID))
        for el in elements:
            if el.S == "/TD":
                headers = table_attributes(el)["/Headers"]
                assert len(headers) == 1 and bytes(headers[0]) in header_ids
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        texts = [normalise(p.extract_text() or "") for p in pdf.pages]
    table_pages = [t for t in texts if "Samtale nummer" in t]
    assert len(table_pages) >= 2
    if engine == "weasyprint":
        assert len(table_pages) == parts
    for text in table_pages:  # the header row repeats on every page the table runs over
        assert "Dato Hvad Hvor" in text


@pytest.mark.parametrize("engine", ENGINES)
def test_ordered_lists_number_their_items_in_text_and_tags(engine):
    letter = with_blocks(example_letter(), after=(two_ordered_lists(),))
    data = render_with(engine, letter)
    text = normalise(pdf_text(data))
    assert "1. Find dit skema. 2. Udfyld det. Og bagefter: 1. Send skemaet. 2. Vent på svar." in text
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tags = collections.Counter(str(el.S) for el in struct_elements(pdf))
    assert tags["/LI"] == tags["/Lbl"] == tags["/LBody"]


def page_lines(data: bytes) -> list[list[str]]:
    """The text lines of each page, top to bottom, without the page number."""
    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            lines = [normalise(line["text"]) for line in page.extract_text_lines()]
            pages.append([line for line in lines if line and not line.startswith("Side ")])
    return pages


def break_problems(letter: Letter, data: bytes) -> list[str]:
    pages = page_lines(data)
    headings = {b.text for _r, b in letter.walk() if isinstance(b, Heading)} | {letter.meta.subject}
    problems = []
    for number, lines in enumerate(pages[:-1], start=1):
        if lines and lines[-1] in headings:
            problems.append(f"side {number} slutter med overskriften {lines[-1]!r}")
    page_text = [comparable(" ".join(lines), "pdf") for lines in pages]
    for role in ("kontakt", "hilsen"):
        (section,) = letter.sections(role)
        first, last = block_lines(section)[0], block_lines(section)[-1]
        on = {i + 1 for i, text in enumerate(page_text) if comparable(first[:40], "pdf") in text}
        ends = {i + 1 for i, text in enumerate(page_text) if comparable(last[-40:], "pdf") in text}
        if on != ends:
            problems.append(f"{role} er delt over siderne {sorted(on | ends)}")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES)
def test_long_letters_break_cleanly_at_every_position(engine):
    """Push the whole tilbud letter down one line at a time over a full page, so that
    every heading, the contact box and the signature meet the page end once."""
    base = example_letter()
    problems = {}
    for n in range(0, 36):
        letter = with_blocks(base, before=filler(n))
        found = break_problems(letter, render_with(engine, letter))
        if found:
            problems[n] = found
    assert not problems, problems


def letter_links(letter: Letter) -> set[str]:
    return {run.href for _r, b in letter.walk() for runs in _block_runs(b) for run in runs if run.href}


def _block_runs(block):
    if hasattr(block, "runs"):
        return [block.runs]
    if hasattr(block, "items"):
        return list(block.items)
    if hasattr(block, "rows"):
        return [*block.header, *(cell for row in block.rows for cell in row)]
    return []


@pytest.mark.parametrize("engine", ENGINES)
def test_links_are_tagged_annotations_with_the_letters_addresses(example_pdfs, engine):
    """Every link of the letter is a link annotation to the same address, with an
    alternative text, inside a /Link structure element (PDF/UA 7.18.5)."""
    checked = 0
    for case_id, (letter, data) in example_pdfs(engine).items():
        with pikepdf.open(io.BytesIO(data)) as pdf:
            annotations = [a for page in pdf.pages for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"]
            assert {str(a.A.URI) for a in annotations} == letter_links(letter), case_id
            for annotation in annotations:
                assert str(annotation.get("/Contents", "")).strip(), f"{case_id}: link without alternative text"
                assert "/StructParent" in annotation
            tags = collections.Counter(str(el.S) for el in struct_elements(pdf))
            assert tags["/Link"] >= len(letter_links(letter))
        checked += bool(annotations)
    assert checked >= 10  # the examples with a link to a booking page, video meeting or e-mail


@pytest.mark.parametrize("engine", ENGINES)
def test_pdfua_machine_checks_find_nothing(example_pdfs, engine, tmp_path):
    """pdfua (the machine-checkable part of PDF/UA-1 and WCAG 2.1) on every example and on
    a letter with a table and ordered lists."""
    problems = {}
    letters = dict(example_pdfs(engine))
    extra = with_blocks(example_letter(), after=(plan_table(rows=len(TABLE_ROWS)), two_ordered_lists()))
    letters["tabel-og-nummererede-lister"] = (extra, render_with(engine, extra))
    for case_id, (_letter, data) in letters.items():
        found = pdfua_problems(data, tmp_path)
        if found:
            problems[case_id] = found
    assert not problems, problems


@pytest.mark.parametrize("case_id", sampled(CASES))
def test_both_engines_break_the_letter_into_the_same_pages(example_pdfs, case_id):
    """Typst's letter has the same lines on the same pages as WeasyPrint's: the same page
    breaks and, line by line, the same line breaks (same column, sizes and spacing).

    The two line breakers differ in one place no example meets: a link too long for its
    line may break after a "/" that a digit follows in WeasyPrint (Pango), never in Typst
    (Unicode line breaking, UAX #14 rule LB25). Such a letter would still have the same text
    on each page; the first assertion says so on its own."""
    pages, lines = {}, {}
    for engine in ENGINES:
        _letter, data = example_pdfs(engine)[case_id]
        lines[engine] = page_lines(data)
        pages[engine] = [comparable(" ".join(page), "pdf") for page in lines[engine]]
    assert pages["typst"] == pages["weasyprint"]
    assert lines["typst"] == lines["weasyprint"]


def test_both_engines_lay_out_a_long_table_and_ordered_lists_alike():
    """No example has a table: a synthetic one running over two page breaks, with ordered
    lists after it, has the same lines on the same pages in both engines (Typst's columns
    are CSS's automatic table layout, measured in the template)."""
    letter = with_blocks(example_letter(), after=(plan_table(rows=len(TABLE_ROWS)), two_ordered_lists()))
    lines = {engine: [[comparable(line, "pdf") for line in page] for page in page_lines(render_with(engine, letter))] for engine in ENGINES}
    assert len(lines["weasyprint"]) >= 4
    assert lines["typst"] == lines["weasyprint"]
