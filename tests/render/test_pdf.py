"""The PDF as its real readers see it: qpdf, pikepdf (structure), pdftotext and pdfplumber.

- every example passes ``qpdf --check`` and is tagged PDF/UA-1 (structure tree, Marked,
  /Lang da, title in docinfo and XMP, DisplayDocTitle, embedded shipped fonts);
- page numbers are pagination artifacts, not stray tagged content;
- the PDF/A variants identify as PDF/A-2a/3a and PDF/UA-1 and declare their XMP schemas;
- the provenance stamp is in the XMP; the same letter gives the same bytes;
- the recipient address sits in the envelope window and nothing else does;
- page breaks never leave a heading alone at a page end or split the contact box or signature.
"""

from __future__ import annotations

import collections
import io
import subprocess

import pdfplumber
import pikepdf
import pytest
from conftest import EXAMPLES, example_id
from extract import comparable, normalise, pdf_text
from synthetic import TABLE_HEADER, TABLE_ROWS, example_letter, filler, plan_table, with_blocks

from brevgen.errors import UsageError
from brevgen.letter import Heading, Letter, block_lines
from brevgen.render.pdf import PDF_VARIANTS, PROVENANCE_NS, render_pdf

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


def test_every_example_passes_qpdf_check(rendered_examples, tmp_path):
    failures = {}
    for case_id, (_path, _data, _letter, files) in rendered_examples.items():
        target = tmp_path / (case_id.replace("/", "_") + ".pdf")
        target.write_bytes(files["pdf"])
        run = subprocess.run(["qpdf", "--check", str(target)], capture_output=True, text=True)
        if run.returncode != 0 or "No syntax or stream encoding errors found" not in run.stdout:
            failures[case_id] = run.stdout + run.stderr
    assert not failures, failures


@pytest.mark.parametrize("case_id", CASES)
def test_pdf_is_tagged_pdf_ua(rendered_examples, case_id):
    _path, _data, letter, files = rendered_examples[case_id]
    with pikepdf.open(io.BytesIO(files["pdf"])) as pdf:
        root = pdf.Root
        assert bool(root.MarkInfo.Marked)
        assert str(root.Lang) == "da"
        assert bool(root.ViewerPreferences.DisplayDocTitle)
        assert str(pdf.docinfo["/Title"]) == letter.meta.subject
        xmp = xmp_root(pdf)
        assert xmp.findtext(".//dc:title/rdf:Alt/rdf:li", namespaces=XMP) == letter.meta.subject
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
        tags = collections.Counter(str(el.S) for el in struct_elements(pdf))
        headings = collections.Counter(b.level for _roles, b in letter.walk() if isinstance(b, Heading))
        assert tags["/H1"] == 1  # the subject
        assert tags["/H2"] == headings[2] and tags["/H3"] == headings[3]
        assert tags["/P"] > 0 and tags["/L"] > 0 and tags["/LI"] == tags["/LBody"] == tags["/Lbl"] > 0
        for page in pdf.pages:
            assert page.get("/Tabs") == "/S"  # tab order follows the structure
            for _name, font in page.Resources.get("/Font", {}).items():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                desc = descendant.FontDescriptor
                assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), "font not embedded"
                assert str(desc.FontName).split("+")[-1].startswith("Noto-Sans")


def test_pdf_headings_are_in_reading_order(rendered_examples):
    """The tagged headings, read in structure order, are the letter's headings in order."""
    _path, _data, letter, files = rendered_examples[CASES[0]]
    text = pdf_text(files["pdf"])
    positions = [normalise(text).find(b.text) for _r, b in letter.walk() if isinstance(b, Heading)]
    assert -1 not in positions and positions == sorted(positions)


def test_page_numbers_are_pagination_artifacts(rendered_examples):
    _path, _data, _letter, files = rendered_examples[CASES[0]]
    with pikepdf.open(io.BytesIO(files["pdf"])) as pdf:
        reachable = {el.objgen for el in struct_elements(pdf)}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        for i, page in enumerate(pdf.pages):
            for ref in nums[2 * i + 1]:
                assert ref is None or ref.objgen in reachable, "tagged content outside the structure tree"
            ops = pikepdf.parse_content_stream(page)
            artifacts = [op for op in ops if str(op.operator) == "BDC" and str(op.operands[0]) == "/Artifact"]
            assert any(
                isinstance(a.operands[1], pikepdf.Dictionary) and a.operands[1].get("/Type") == "/Pagination" for a in artifacts
            )
    assert "Side 1 af" in pdf_text(files["pdf"])  # still printed for the reader of paper


def test_provenance_in_xmp(rendered_examples):
    _path, _data, letter, files = rendered_examples[CASES[-1]]
    with pikepdf.open(io.BytesIO(files["pdf"])) as pdf:
        xmp = xmp_root(pdf)
    stamp = {el.tag.split("}")[1]: el.text for el in xmp.iter(f"{{{PROVENANCE_NS}}}*")}
    assert {f"brevgen-{k}": v for k, v in stamp.items()} == letter.meta.provenance()
    assert len(stamp["data-sha256"]) == 64


def test_same_letter_same_pdf_bytes_and_letter_date_as_creation_date(rendered_examples):
    _path, _data, letter, files = rendered_examples[CASES[0]]
    again = render_pdf(letter)
    assert again == files["pdf"]
    with pikepdf.open(io.BytesIO(again)) as pdf:
        assert str(pdf.docinfo["/CreationDate"]) == "D:" + letter.meta.letter_date.strftime("%Y%m%d")
        with pdf.open_metadata() as meta:
            assert meta.get("xmp:CreateDate") == letter.meta.letter_date.isoformat()


@pytest.mark.parametrize("variant,part", [("pdf/a-2a", "2"), ("pdf/a-3a", "3")])
def test_pdf_a_variant_is_archival_and_still_accessible(tmp_path, variant, part):
    letter = example_letter("sygedagpenge/selv-under-8-uger")
    data = render_pdf(letter, variant=variant)
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
        declared = {el.text for el in xmp_root(pdf).iter("{http://www.aiim.org/pdfa/ns/schema#}namespaceURI")}
        assert declared == {"http://www.aiim.org/pdfua/ns/id/", PROVENANCE_NS}
        stamp = {el.tag.split("}")[1]: el.text for el in xmp_root(pdf).iter(f"{{{PROVENANCE_NS}}}*")}
        assert stamp["data-sha256"] == letter.meta.data_sha256
    assert comparable(letter.meta.subject, "pdf") in comparable(pdf_text(data), "pdf")


def test_unknown_variant_is_a_danish_usage_error():
    with pytest.raises(UsageError, match="ukendt PDF-variant: pdf/x-4. Vælg blandt: pdf/ua-1, pdf/a-2a, pdf/a-3a"):
        render_pdf(example_letter(), variant="pdf/x-4")
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


@pytest.mark.parametrize("case_id", CASES)
def test_address_in_envelope_window_and_nothing_else(rendered_examples, case_id):
    _path, _data, letter, files = rendered_examples[case_id]
    assert address_window_problems(files["pdf"], letter) == []


def test_table_has_header_cells_scoped_and_repeated_on_each_page():
    """Header cells are TH with /Scope and every data cell points at its header.

    WeasyPrint tags a table that runs over a page break as one /Table per page; each part
    starts with the repeated header row, so each is a complete table for a screen reader.
    """
    letter = with_blocks(example_letter(), after=(plan_table(rows=len(TABLE_ROWS)),))
    data = render_pdf(letter)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        elements = struct_elements(pdf)
        tags = collections.Counter(str(el.S) for el in elements)
        parts = tags["/Table"]
        assert parts >= 2, "the long table should run over a page break"
        assert tags["/TH"] == parts * len(TABLE_HEADER)
        assert tags["/TD"] == len(TABLE_ROWS) * len(TABLE_HEADER)
        header_ids = set()
        for el in elements:
            if el.S == "/TH":
                assert el.A.Scope == "/Column"
                header_ids.add(bytes(el.ID))
            if el.S == "/TD":
                assert len(el.A.Headers) == 1 and bytes(el.A.Headers[0]) in header_ids
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        texts = [normalise(p.extract_text() or "") for p in pdf.pages]
    table_pages = [t for t in texts if "Samtale nummer" in t]
    assert len(table_pages) == parts
    for text in table_pages:  # the header row repeats on every page the table runs over
        assert "Dato Hvad Hvor" in text


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
def test_long_letters_break_cleanly_at_every_position():
    """Push the whole tilbud letter down one line at a time over a full page, so that
    every heading, the contact box and the signature meet the page end once."""
    base = example_letter()
    problems = {}
    for n in range(0, 36):
        letter = with_blocks(base, before=filler(n))
        found = break_problems(letter, render_pdf(letter))
        if found:
            problems[n] = found
    assert not problems, problems
