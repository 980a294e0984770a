"""Checks that a PDF is a standalone, tagged PDF/UA-1 letter (shared by render and batch tests)."""

from __future__ import annotations

import io

import pikepdf
from extract import pdf_text

LETTER_FONTS = {"Noto-Sans", "Noto-Sans-Bold", "Noto-Sans-Italic", "Noto-Sans-BoldItalic"}


def assert_standalone_pdf_ua(data: bytes, letter) -> None:
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
        fonts = set()
        for page in pdf.pages:
            for _name, font in page.Resources.get("/Font", {}).items():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                desc = descendant.FontDescriptor
                assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), "font not embedded"
                fonts.add(str(desc.FontName).split("+")[-1])
        assert fonts and fonts <= LETTER_FONTS
        pages = len(pdf.pages)
    text = pdf_text(data)
    for n in range(1, pages + 1):
        assert f"Side {n} af {pages}" in text
    assert f"Side {pages + 1} af" not in text
