"""Checks that a PDF is a standalone, tagged PDF/UA-1 letter (shared by render and batch tests).

Both PDF engines, WeasyPrint (``render/pdf.py``) and Typst (``render/pdf_typst.py``), go
through the same checks; where the engines write the same thing in different but equally
valid PDF, the expectation is stated per engine here, never loosened for both.
"""

from __future__ import annotations

import io
from functools import lru_cache

import pikepdf
from extract import pdf_text

from brevgen.paths import templates_dir

LETTER_FONTS = {"Noto-Sans", "Noto-Sans-Bold", "Noto-Sans-Italic", "Noto-Sans-BoldItalic"}

ENGINES = ("weasyprint", "typst")


def render_with(engine: str, letter, variant: str = "pdf/ua-1") -> bytes:
    if engine == "weasyprint":
        from brevgen.render.pdf import render_pdf

        return render_pdf(letter, variant=variant)
    if engine == "typst":
        from brevgen.render.pdf_typst import render_pdf_typst

        return render_pdf_typst(letter, variant=variant)
    raise ValueError(engine)


@lru_cache(maxsize=1)
def shipped_postscript_names() -> frozenset[str]:
    """PostScript names of the fonts in templates/da/fonts (Typst embeds fonts under these)."""
    from fontTools.ttLib import TTFont

    return frozenset(str(TTFont(path)["name"].getDebugName(6)) for path in (templates_dir() / "fonts").glob("*.ttf"))


def letter_fonts(engine: str) -> set[str]:
    """The embedded font names each engine gives the shipped Noto Sans files.

    WeasyPrint names them after the family and style ("Noto-Sans-Bold"); Typst uses the
    font file's PostScript name ("NotoSans-Bold"), read here from the shipped files.
    """
    return set(LETTER_FONTS) if engine == "weasyprint" else set(shipped_postscript_names())


def embedded_font_names(pdf: pikepdf.Pdf) -> set[str]:
    """The font names on every page, each asserted to be embedded."""
    fonts = set()
    for page in pdf.pages:
        for _name, font in page.Resources.get("/Font", {}).items():
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            desc = descendant.FontDescriptor
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), "font not embedded"
            fonts.add(str(desc.FontName).split("+")[-1])
    return fonts


def assert_standalone_pdf_ua(data: bytes, letter, engine: str = "weasyprint") -> None:
    """Tagged, Danish, titled PDF/UA-1 with embedded letter fonts and its own page numbers."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert bool(root.MarkInfo.Marked)
        assert str(root.Lang) == "da"
        assert str(pdf.docinfo["/Title"]) == letter.meta.subject
        assert bool(root.ViewerPreferences.DisplayDocTitle)
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        fonts = embedded_font_names(pdf)
        assert fonts and fonts <= letter_fonts(engine)
        pages = len(pdf.pages)
    text = pdf_text(data)
    for n in range(1, pages + 1):
        assert f"Side {n} af {pages}" in text
    assert f"Side {pages + 1} af" not in text


def table_attributes(element: pikepdf.Dictionary) -> dict:
    """A structure element's /A attributes owned by /Table, whether /A is one dictionary
    (WeasyPrint) or an array of dictionaries with different owners (Typst)."""
    found = element.get("/A")
    if found is None:
        return {}
    dictionaries = list(found) if isinstance(found, pikepdf.Array) else [found]
    merged: dict = {}
    for attributes in dictionaries:
        if attributes.get("/O", pikepdf.Name.Table) == pikepdf.Name.Table:
            merged.update({str(k): v for k, v in attributes.items()})
    return merged


# pdfua 0.1.3 rules that cannot run on any tagged PDF with pikepdf 10: UA-14-001 (empty
# headings) asks getattr(array, "is_integer", False), and pikepdf 10 raises ValueError,
# not AttributeError, for a missing attribute of an Array. The rule is skipped for every
# heading whose /K is an array, on both engines; test_pdf.py checks non-empty headings
# itself. Any other skip, or this one for another reason, is a problem.
PDFUA_KNOWN_SKIPS = {
    "UA-14-001": "pikepdf.Object is not a Dictionary or Stream: cannot get key '/is_integer' on object of type array",
}


def pdfua_problems(data: bytes, tmp_path) -> list[str]:
    """Every finding of the pdfua machine checks, and every rule that could not run."""
    import pdfua

    target = tmp_path / "pdfua-check.pdf"
    target.write_bytes(data)
    report = pdfua.validate(str(target))
    problems = [f"{f.rule_id} {f.severity.name}: {f.message} ({f.location.describe()})" for f in report.findings]
    for outcome in report.skipped:
        known = PDFUA_KNOWN_SKIPS.get(outcome.rule_id)
        if not (known and known in (outcome.skipped_reason or "")):
            problems.append(f"{outcome.rule_id} kunne ikke køre: {outcome.skipped_reason}")
    ran = {o.rule_id for o in report.outcomes if not o.skipped}
    if len(ran) < 11:
        problems.append(f"kun {len(ran)} pdfua-regler kørte: {sorted(ran)}")
    return problems
