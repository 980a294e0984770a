"""What only the Typst engine needs checked; the letter itself is checked in test_pdf.py
(both engines) and test_letters.py ("pdf-typst").

- case data reaches the template only as JSON input and is printed, never run, whatever
  Typst markup it contains;
- only the shipped fonts are used; a character they cannot show stops the letter with a
  Danish message instead of a PDF with a box or a stranger's font;
- the in-place XMP/ID patch leaves a valid file and refuses a file of another shape;
- one compiler per process; the same bytes in a fresh process; a forked copy of a
  process that used Typst is refused instead of hanging.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import multiprocessing
import os
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from extract import normalise, pdf_text
from pdf_checks import assert_standalone_pdf_ua, pdfua_problems
from synthetic import HERE, example_letter, runs, with_blocks

from brevgen.errors import RenderError
from brevgen.inspect import inspect_file
from brevgen.letter import Heading, ListBlock, Paragraph, Party, Run, Section, Table
from brevgen.paths import templates_dir
from brevgen.render import pdf_typst
from brevgen.render.pdf import render_pdf
from brevgen.render.pdf_typst import compiler, letter_inputs, render_pdf_typst

# Typst markup and code a citizen's name, an address or a caseworker's free text might hold.
MARKUP = [
    "#",
    "$",
    "*",
    "[",
    "]",
    "\\",
    "<",
    "@",
    "//",
    "#import",
    '#read("/etc/passwd")',
    '#read("brev.typ")',
    '#import "brev.typ": *',
    "$x^2$ *fed* _kursiv_ [klamme] \\ <etiket> @henvisning // ikke en kommentar",
    '#{panic("stop")}',
    "#sys.inputs.letter",
    "= Ikke en overskrift",
    "- ikke et punkt",
    "```rå```",
    "a -- b --- c ... 'citat' \"citat\"",
    "~ ikke en hård mellemrumstegn",
    "/* ikke en kommentar */",
]


def letter_with_markup():
    """An example letter with markup in the recipient's name and address, a paragraph,
    a bold run, a link text, a list and a table cell."""
    base = example_letter()
    recipient = Party('#read("/etc/passwd") *Søren* $Ø$', ("[Vej] 1 \\ <st.> @2", "#import // 2000 By"))
    letter = dataclasses.replace(base, meta=dataclasses.replace(base.meta, recipient=recipient))
    extra = Section(
        role="markup",
        blocks=(
            Heading(2, runs("#heading[Overskrift]")),
            *(Paragraph(runs(text)) for text in MARKUP),
            Paragraph((Run("#strong[fed]", HERE, bold=True), Run(" og ", HERE), Run("#link(\"x\")", HERE, href="https://example.org/#x"))),
            ListBlock(items=(runs("#list[a]"), runs("@punkt"))),
            Table(header=(runs("#[hoved]"),), rows=((runs('#read("/etc/passwd")'),),)),
        ),
    )
    return with_blocks(letter, before=(extra,))


def test_case_data_with_typst_markup_is_printed_literally_and_never_run(tmp_path):
    letter = letter_with_markup()
    data = render_pdf_typst(letter)
    text = normalise(pdf_text(data))
    for line in MARKUP:
        assert normalise(line) in text, line
    for literal in ('#read("/etc/passwd") *Søren* $Ø$', "[Vej] 1 \\ <st.> @2", "#import // 2000 By", "#heading[Overskrift]",
                    "#strong[fed] og #link(\"x\")", "#list[a]", "@punkt", "#[hoved]"):
        assert literal in text, literal
    assert "root:" not in text and "/bin/" not in text  # nothing was read from /etc/passwd
    assert "#let letter" not in text  # nor from the template
    assert_standalone_pdf_ua(data, letter, engine="typst")
    assert pdfua_problems(data, tmp_path) == []


def test_letter_reaches_the_template_only_as_one_json_input():
    """The template gets one string, JSON, which decodes to the letter's own text."""
    letter = letter_with_markup()
    inputs = letter_inputs(letter)
    assert list(inputs) == ["letter"]
    decoded = json.loads(inputs["letter"])
    assert decoded["meta"]["recipient"][0] == letter.meta.recipient.name
    assert decoded["meta"]["subject"] == letter.meta.subject
    assert decoded["blocks"][0]["blocks"][1]["runs"] == [{"text": MARKUP[0]}]


def test_template_never_evaluates_reads_or_imports():
    """The fixed template has no way to turn data into code or to read a file."""
    template = (templates_dir() / "typst" / "brev.typ").read_text(encoding="utf-8")
    code = "\n".join(line.split("//")[0] for line in template.splitlines())  # without comments
    assert re.search(r"\b(eval|read|plugin|image)\s*\(", code) is None
    assert re.search(r"#(import|include)\b", code) is None
    assert "sys.inputs.letter" in code and code.count("sys.inputs") == 1


def test_white_space_as_a_browser_shows_it():
    """Spaces collapse (also across runs) and no line starts or ends with one, as in the
    HTML and WeasyPrint letters; the signature's lines start at the margin."""
    got = pdf_typst._runs(
        (
            Run("Med  venlig hilsen ", HERE),
            Run("\n", HERE),
            Run(" ", HERE),
            Run("Mikkel\tStrøm", HERE),
            Run(" ", HERE),
            Run(" mail", HERE, href="mailto:m@x.dk"),
            Run("\u00a0 nbsp ", HERE),
        )
    )
    assert got == [
        {"text": "Med venlig hilsen"},
        {"text": "\n"},
        {"text": "Mikkel Strøm"},
        {"text": " "},
        {"text": "mail", "href": "mailto:m@x.dk"},
        {"text": "\u00a0 nbsp"},
    ]


def test_signature_lines_start_at_the_margin(typst_examples, rendered_examples):
    import pdfplumber

    case_id = "indkaldelse/kontanthjaelp-tolk"
    letter = rendered_examples[case_id][2]
    (section,) = letter.sections("hilsen")
    wanted = [line.strip() for line in section.blocks[0].runs[0].text.split("\n")] + ["jobkonsulent, Jobcenter Ishøj"]
    with pdfplumber.open(io.BytesIO(typst_examples[case_id])) as pdf:
        lines = [line for page in pdf.pages for line in page.extract_text_lines()]
    starts = {line["text"]: round(line["x0"], 1) for line in lines}
    signature = [starts[text] for text in wanted if text in starts]
    assert len(signature) >= 2 and set(signature) == {round(20 * 72 / 25.4, 1)}


def test_only_the_shipped_fonts_and_a_character_they_lack_stops_the_letter():
    base = example_letter()
    for name in ("Nguyễn Thị Ánh", "Ελένη Παπαδοπούλου", "Олена Шевченко", "Åse Ærø-Østergård"):
        letter = dataclasses.replace(base, meta=dataclasses.replace(base.meta, recipient=Party(name, ("Vej 1",))))
        data = render_pdf_typst(letter)
        assert name in pdf_text(data)
        assert_standalone_pdf_ua(data, letter, engine="typst")  # only the shipped Noto Sans
    letter = dataclasses.replace(base, meta=dataclasses.replace(base.meta, recipient=Party("Zainab 李", ("Vej 1",))))
    with pytest.raises(RenderError, match="Typst kunne ikke lave PDF'en: .*李.*Noto Sans"):
        render_pdf_typst(letter)


def test_compiler_is_made_once_per_process():
    assert compiler() is compiler()
    before = pdf_typst._compiler.cache_info().misses
    render_pdf_typst(example_letter())
    render_pdf_typst(example_letter("sygedagpenge/selv-under-8-uger"))
    assert pdf_typst._compiler.cache_info().misses == before


def test_xmp_patch_keeps_a_valid_file_with_the_letters_id(tmp_path):
    letter = example_letter()
    for variant in ("pdf/ua-1", "pdf/a-2a", "pdf/a-3a"):
        data = render_pdf_typst(letter, variant)
        target = tmp_path / "brev.pdf"
        target.write_bytes(data)
        check = subprocess.run(["qpdf", "--check", str(target)], capture_output=True, text=True)
        assert check.returncode == 0 and "No syntax or stream encoding errors found" in check.stdout, check.stdout + check.stderr
        with pikepdf.open(io.BytesIO(data)) as pdf:
            with pdf.open_metadata() as meta:
                assert meta.get("xmpMM:DocumentID") == letter.meta.data_sha256[:32]
            assert "/Filter" not in pdf.Root.Metadata  # still uncompressed, readable by any XMP tool
        found = inspect_file(target)
        assert found.provenance == letter.meta.provenance()
        assert found.title == letter.meta.subject and found.lang == "da"
        expected = ["PDF/UA-1"] if variant == "pdf/ua-1" else ["PDF/UA-1", f"PDF/A-{variant[-2]}A"]
        assert found.conformance == expected


def test_a_pdf_of_another_shape_is_refused_not_half_patched():
    """WeasyPrint's PDF (compressed metadata, its own layout) is not what Typst writes."""
    letter = example_letter()
    with pytest.raises(RenderError, match="Typsts PDF har en form, brevgen ikke kender"):
        pdf_typst._finish(render_pdf(letter), letter, "pdf/ua-1")


def test_same_bytes_in_a_fresh_process(typst_examples, rendered_examples):
    case_id = "tilbud/kursus-dagpenge"
    path = rendered_examples[case_id][0]
    script = (
        "import sys; from pathlib import Path; from brevgen import build_letter;"
        "from brevgen.casefile import read_case_file; from brevgen.render.pdf_typst import render_pdf_typst;"
        f"p = Path({str(path)!r}); l = build_letter('tilbud', read_case_file(p), record=str(p));"
        "sys.stdout.buffer.write(render_pdf_typst(l))"
    )
    root = Path(__file__).parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}  # this checkout's brevgen, whatever is installed
    fresh = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, cwd=root, env=env)
    assert fresh.stdout == typst_examples[case_id]


def _render_in_child(_):
    try:
        return len(render_pdf_typst(example_letter()))
    except RenderError as exc:
        return str(exc)


def test_a_forked_copy_of_a_process_that_used_typst_is_refused_not_hung():
    """Typst's thread pool does not survive fork; the child says so instead of waiting."""
    render_pdf_typst(example_letter())  # this process has now used Typst
    with multiprocessing.get_context("fork").Pool(1) as pool:
        (answer,) = pool.map_async(_render_in_child, [0]).get(timeout=60)
    assert "Start arbejdsprocesserne med 'spawn' eller 'forkserver'" in str(answer)


# --- the engine option through every entry point ----------------------------------------------


def _is_typst(pdf: bytes) -> bool:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return "Typst" in str(doc.docinfo.get("/Creator", ""))


def test_engine_option_reaches_the_pdf_in_cli_api_and_http(tmp_path):
    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from brevgen import generate_letter
    from brevgen.casefile import read_case_file
    from brevgen.cli import main
    from brevgen.paths import examples_dir
    from brevgen.service import create_app

    path = examples_dir() / "tilbud" / "kursus-dagpenge.yaml"
    data = read_case_file(path)
    with_cpr = {**data, "citizen": {**data["citizen"], "cpr": "0101901234"}, "sender": {**data["sender"], "cvr": "29189781"}}
    api = generate_letter("tilbud", with_cpr, ["pdf", "memo"], pdf_engine="typst")
    assert _is_typst(api.files["pdf"])
    assert not _is_typst(generate_letter("tilbud", data, ["pdf"]).files["pdf"])  # WeasyPrint stays the default
    typst_pdf = generate_letter("tilbud", data, ["pdf"], pdf_engine="typst").files["pdf"]
    memo = api.files["memo"].decode("utf-8")
    assert base64.b64encode(api.files["pdf"]).decode("ascii") in memo  # MeMo carries the Typst PDF

    out = tmp_path / "ud"
    result = CliRunner().invoke(main, ["render", "tilbud", str(path), "--format", "pdf", "--pdf-engine", "typst", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "tilbud_AAR-2026-1420_2026-04-20.pdf").read_bytes() == typst_pdf

    client = TestClient(create_app(api_key=""))
    response = client.post("/v1/letters/tilbud?pdf_engine=typst", json=data, headers={"Accept": "application/pdf"})
    assert response.status_code == 200 and response.content == typst_pdf
    wrong = client.post("/v1/letters/tilbud?pdf_engine=latex", json=data, headers={"Accept": "application/pdf"})
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == "ukendt PDF-motor: latex. Vælg blandt: weasyprint, typst"


def test_batch_with_typst_workers_after_this_process_used_typst(tmp_path):
    """This test process has compiled with Typst: the batch must not fork its workers."""
    from brevgen import run_batch
    from brevgen.casefile import read_case_file
    from brevgen.paths import examples_dir

    render_pdf_typst(example_letter())
    source = tmp_path / "breve.jsonl"
    lines = []
    for i, path in enumerate(sorted((examples_dir() / "indkaldelse").glob("*.yaml"))[:4]):
        lines.append(json.dumps({"id": f"sag-{i}", "event": "indkaldelse", "data": read_case_file(path)}, default=str))
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_batch(source, tmp_path / "ud", "pdf", workers=2, pdf_engine="typst")
    assert (result.written, result.failed) == (4, 0)
    pdfs = sorted((tmp_path / "ud").glob("*.pdf"))
    assert len(pdfs) == 4 and all(_is_typst(p.read_bytes()) for p in pdfs)
