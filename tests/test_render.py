"""Structure of the real files: tagged PDF with Danish metadata, DOCX with real styles."""

from __future__ import annotations

import io
import shutil

import pytest
from conftest import EXAMPLES, example_id
from docx import Document
from pdf_checks import assert_standalone_pdf_ua

from brevgen import build_letter
from brevgen.errors import RenderError
from brevgen.render.pdf import render_pdf
from brevgen.casefile import read_case_file

FIRST = example_id(EXAMPLES[0])


def test_pdf_is_tagged_danish_titled_embeds_fonts_and_numbers_its_pages(rendered_examples):
    _path, _data, letter, files = rendered_examples[FIRST]
    assert_standalone_pdf_ua(files["pdf"], letter)


def test_docx_uses_heading_styles_danish_and_title(rendered_examples):
    _path, _data, letter, files = rendered_examples[FIRST]
    doc = Document(io.BytesIO(files["docx"]))
    styles = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", letter.meta.subject) in styles
    assert ("Heading 2", "Hvad sker der, hvis du ikke gør det?") in styles
    assert doc.core_properties.title == letter.meta.subject
    assert doc.core_properties.language == "da-DK"
    lang = doc.styles["Normal"].element.rPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}lang")
    assert lang.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") == "da-DK"
    footer = doc.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer


def test_same_letter_same_docx_bytes(rendered_examples):
    from brevgen import render_letter

    _path, _data, letter, files = rendered_examples[FIRST]
    assert render_letter(letter, ["docx"])["docx"] == files["docx"]


def test_pdf_renderer_never_fetches_from_the_network(tmp_path):
    from brevgen.paths import templates_dir

    root = tmp_path / "da"
    shutil.copytree(templates_dir(), root)
    css = root / "brev.css"
    css.write_text('@import url("https://fonts.example.com/x.css");\n' + css.read_text(encoding="utf-8"), encoding="utf-8")
    letter = build_letter(EXAMPLES[0].parent.name, read_case_file(EXAMPLES[0]))
    with pytest.raises(RenderError, match="henter ikke ressourcer uden for skabelonmappen: https://fonts.example.com"):
        render_pdf(letter, root)


def test_warns_once_when_libharfbuzz_subset_is_missing(monkeypatch, caplog):
    """Without libharfbuzz-subset0 WeasyPrint subsets fonts with fontTools, ~3x slower:
    say so once per process, with the command that fixes it. (The library is installed
    here, so the lookup is made to miss.)"""
    import ctypes.util
    import logging

    from brevgen.render import pdf

    real = ctypes.util.find_library
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None if name == "harfbuzz-subset" else real(name))
    monkeypatch.setattr(pdf, "_warned", False)
    with caplog.at_level(logging.WARNING, logger="brevgen.render.pdf"):
        pdf._warn_without_harfbuzz_subset()
        pdf._warn_without_harfbuzz_subset()
    warnings = [r.getMessage() for r in caplog.records if r.name == "brevgen.render.pdf"]
    assert warnings == [
        "libharfbuzz-subset0 is not installed: PDF font subsetting falls back to fontTools and is "
        "about 3x slower. Install it with: apt-get install libharfbuzz-subset0"
    ]


def test_no_warning_when_libharfbuzz_subset_is_installed(monkeypatch, caplog):
    import logging

    from brevgen.render import pdf

    monkeypatch.setattr(pdf, "_warned", False)
    with caplog.at_level(logging.WARNING, logger="brevgen.render.pdf"):
        pdf._warn_without_harfbuzz_subset()
    assert [r for r in caplog.records if r.name == "brevgen.render.pdf"] == []
