"""Letter -> tagged PDF with WeasyPrint, from the same page as the HTML renderer.

Variants (``render_pdf(..., variant=...)``, ``brevgen render --pdf-variant``):

- ``pdf/ua-1`` (default): tagged PDF/UA-1 for Digital Post and screen readers.
- ``pdf/a-2a`` and ``pdf/a-3a``: tagged PDF/A for the archive. WeasyPrint takes one
  variant per call (Kozea/WeasyPrint#2783), so brevgen asks it for the PDF/A variant and
  adds the PDF/UA-1 identification itself: the tag tree, language, title and
  DisplayDocTitle are the ones the PDF/UA variant makes, and the PDF/A extension schema
  for ``pdfuaid`` is declared as PDF/A requires.

Every variant carries the provenance stamp in its XMP metadata (namespace
:data:`PROVENANCE_NS`), marks the page numbers as pagination artifacts (WeasyPrint tags
margin-box text but leaves it outside the structure tree, Kozea/WeasyPrint#1836), gives
table header cells a /Scope, and has the letter's date as creation date, so the same
letter gives the same bytes.

Fonts and stylesheets come from the template folder only (and ``data:`` URLs, which hold
their content themselves): any other URL (http, https, ftp, a file outside the folder, a
symbolic link out of it, a ``file://`` URL naming another host) stops the rendering before
anything is opened, redirects are never followed, and a PDF that would carry an attached file
(``<link rel=attachment>``, ``<a rel=attachment>``) is refused; so no letter ever depends on
the network or the machine's files. The parsed stylesheets and the font configuration are built once per process:
re-parsing them for every letter is the largest avoidable cost in a batch.
"""

from __future__ import annotations

import io
import logging
import threading
from functools import lru_cache
from pathlib import Path

from ..errors import RenderError, UsageError
from ..letter import Letter
from ..paths import templates_dir
from . import Format, RenderJob, Stamp, register_format
from .html import letter_assets, render_html
from .pdf_metadata import PDF_VARIANT, PDF_VARIANTS, PROVENANCE_NS, check_variant, stamp_xmp

__all__ = ["PDF_ENGINE", "PDF_ENGINES", "PDF_VARIANT", "PDF_VARIANTS", "PROVENANCE_NS", "check_engine", "check_variant", "render_pdf"]

# The engines that make the PDF format: WeasyPrint from the HTML page (this module), and
# Typst from a fixed template (render/pdf_typst.py). WeasyPrint stays the default until the
# Typst letter is shown equal in every check (see benchmarks/README.md).
PDF_ENGINE = "weasyprint"
PDF_ENGINES = ("weasyprint", "typst")


def check_engine(engine: str | None) -> str:
    """The engine's canonical name, or a Danish usage error naming the choices."""
    canonical = (engine or PDF_ENGINE).strip().lower()
    if canonical not in PDF_ENGINES:
        raise UsageError(f"ukendt PDF-motor: {engine}. Vælg blandt: {', '.join(PDF_ENGINES)}")
    return canonical

log = logging.getLogger(__name__)


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class TemplateOnlyFetcher(URLFetcher):
        """Serves files inside the template folder and data: URLs; refuses everything else."""

        def __init__(self, root: Path):
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, timeout=1)
            self.root = root.resolve()

        def fetch(self, url, headers=None):
            from urllib.parse import unquote, urlparse

            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                parsed = urlparse(url)
                path = Path(unquote(parsed.path)).resolve()  # symbolic links resolved: no way out
                if parsed.netloc in ("", "localhost") and path.is_relative_to(self.root) and path.is_file():
                    return super().fetch(path.as_uri(), headers)
            raise FatalURLFetchingError(f"brevgen henter ikke ressourcer uden for skabelonmappen: {url[:80]}")

    return TemplateOnlyFetcher


@lru_cache(maxsize=4)
def _resources(root: Path):
    """Parsed stylesheets, font configuration and fetcher, shared by every letter."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    _warn_without_harfbuzz_subset()
    fetcher = _fetcher_class()(root)
    font_config = FontConfiguration()
    _remove_font_folder_at_exit(font_config)
    base = root.as_uri() + "/"
    sheets = [
        CSS(filename=str(root / "fonts.css"), base_url=base, url_fetcher=fetcher, font_config=font_config),
        CSS(filename=str(root / "brev.css"), base_url=base, url_fetcher=fetcher, font_config=font_config),
    ]
    return sheets, font_config, fetcher, base


def load_fonts(root: Path | None = None) -> str:
    """Load the template folder's stylesheets and shipped fonts now (readiness check); says which."""
    root = (root or templates_dir()).resolve()
    fonts = sorted(p.name for p in (root / "fonts").glob("*.[ot]tf")) if (root / "fonts").is_dir() else []
    if not fonts:
        raise FileNotFoundError(f"ingen skrifttyper i {root / 'fonts'}")
    _resources(root)
    return f"{len(fonts)} skrifttyper indlæst ({', '.join(fonts)})"


def _remove_font_folder_at_exit(font_config) -> None:
    """Delete the folder where WeasyPrint copies the @font-face fonts (2 MB) when this
    process ends.

    WeasyPrint removes it in ``FontConfiguration.__del__``, but a configuration cached for
    the whole process is only deleted during interpreter shutdown, when that method fails
    (``TypeError: 'NoneType' object is not callable``) and the folder stays in /tmp; batch
    workers end with ``os._exit`` and never call it. So: at exit in this process (atexit),
    and at a multiprocessing worker's end (``util.Finalize``), only in the process that
    made the folder (a forked worker shares its parent's cached configuration).
    """
    import atexit
    import os
    import shutil
    from multiprocessing import util

    owner = os.getpid()

    def remove() -> None:
        folder = getattr(font_config, "_folder", None)
        if folder and os.getpid() == owner:
            shutil.rmtree(folder, ignore_errors=True)
            font_config._folder = None

    atexit.register(remove)
    util.Finalize(None, remove, exitpriority=0)


_warned = False


def _warn_without_harfbuzz_subset() -> None:
    """WeasyPrint falls back to fontTools (about 3x slower per PDF) without libharfbuzz-subset."""
    global _warned
    if _warned:
        return
    _warned = True
    import ctypes.util

    if ctypes.util.find_library("harfbuzz-subset") is None:
        log.warning(
            "libharfbuzz-subset0 is not installed: PDF font subsetting falls back to fontTools and is "
            "about 3x slower. Install it with: apt-get install libharfbuzz-subset0"
        )


def prepare(root: Path | None = None) -> None:
    """Parse the stylesheets and set up the fonts now, so a worker's first letter does not wait."""
    _resources((root or templates_dir()).resolve())


def render_pdf(letter: Letter, root: Path | None = None, variant: str = PDF_VARIANT) -> bytes:
    variant = check_variant(variant)
    page = render_html(letter, inline_css=False)
    return html_to_pdf(
        page,
        root or letter_assets(letter),  # the folder the letter was composed from (a pinned version's)
        variant,
        identifier=letter.meta.data_sha256[:32].encode("ascii"),
        finish=lambda pdf: _finish(pdf, letter, variant),
    )


def html_to_pdf(page: str, root: Path | None = None, variant: str = PDF_VARIANT, identifier: bytes | None = None, finish=None) -> bytes:
    """A page of HTML -> PDF with the template folder's stylesheets, fonts and locked-down
    fetcher. Raises RenderError for a resource outside the folder or an attached file."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    root = (root or templates_dir()).resolve()

    def finisher(_doc, pdf) -> None:
        _refuse_attachments(pdf)
        if finish is not None:
            finish(pdf)

    try:
        sheets, font_config, fetcher, base = _resources(root)
        document = HTML(string=page, base_url=base, url_fetcher=fetcher)
        return document.write_pdf(
            stylesheets=sheets,
            font_config=font_config,
            pdf_variant=variant,
            pdf_tags=True,
            pdf_identifier=identifier,
            finisher=finisher,
        )
    except FatalURLFetchingError as exc:
        raise RenderError(str(exc)) from None


def _refuse_attachments(pdf) -> None:
    """A letter carries no files: an attachment (even one from the template folder) stops it."""
    for obj in pdf.objects:
        entries = getattr(obj, "extra", obj)
        if not hasattr(entries, "get"):
            continue
        kind, subtype = str(entries.get("Type", "")), str(entries.get("Subtype", ""))
        if kind in ("/EmbeddedFile", "/Filespec") or subtype == "/FileAttachment":
            raise RenderError("brevet ville have en vedhæftet fil; brevgen laver ikke breve med vedhæftede filer")


# --- post-processing of WeasyPrint's pydyf object graph, before it is written ---------


def _obj(pdf, reference):
    """The pydyf object behind an indirect reference such as b'12 0 R'."""
    if isinstance(reference, bytes):
        reference = reference.decode("ascii")
    return pdf.objects[int(str(reference).split()[0])]


def _finish(pdf, letter: Letter, variant: str) -> None:
    _stamp_xmp(pdf, letter, variant)
    _paginate_artifacts(pdf)
    _scope_table_headers(pdf)


def _stamp_xmp(pdf, letter: Letter, variant: str) -> None:
    """Add the provenance (and, for PDF/A, the PDF/UA-1 identification) to the XMP packet."""
    stream = _obj(pdf, pdf.catalog["Metadata"])
    packet = b"".join(part if isinstance(part, bytes) else str(part).encode() for part in stream.stream)
    stream.stream = [stamp_xmp(packet, letter, variant)]


def _reachable_struct_elements(pdf) -> set[int]:
    root = _obj(pdf, pdf.catalog["StructTreeRoot"])
    seen: set[int] = set()
    todo = [ref for ref in root["K"]]
    while todo:
        ref = todo.pop()
        if not isinstance(ref, bytes):  # an MCID
            continue
        number = int(ref.split()[0])
        if number in seen:
            continue
        seen.add(number)
        kids = pdf.objects[number].get("K", ())
        todo.extend(kids if isinstance(kids, list) else [kids])
    return seen


def _paginate_artifacts(pdf) -> None:
    """Turn the page-number text (margin boxes) into /Artifact marked content.

    WeasyPrint marks that text with MCIDs whose structure elements hang outside the tree;
    PDF/UA wants running page numbers as pagination artifacts, read by no screen reader.
    """
    from pydyf import Dictionary

    reachable = _reachable_struct_elements(pdf)
    nums = _obj(pdf, _obj(pdf, pdf.catalog["StructTreeRoot"])["ParentTree"])["Nums"]
    kids = pdf.pages["Kids"]
    page_numbers = [kids[i] for i in range(0, len(kids), 3)]
    for page_index, page_number in enumerate(page_numbers):
        mcids = nums[2 * page_index + 1]
        outside = {mcid for mcid, ref in enumerate(mcids) if isinstance(ref, bytes) and int(ref.split()[0]) not in reachable}
        if not outside:
            continue
        ops = _obj(pdf, pdf.objects[page_number]["Contents"]).stream
        for i in range(1, len(ops) - 1):
            props = ops[i]
            if isinstance(props, Dictionary) and props.get("MCID") in outside and ops[i + 1] == b"BDC":
                ops[i - 1] = "/Artifact"
                ops[i] = Dictionary({"Type": "/Pagination"})
        for mcid in outside:
            mcids[mcid] = "null"


def _scope_table_headers(pdf) -> None:
    """Header cells get /Scope /Column (brevgen tables have column headers only)."""
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("S") == "/TH":
            obj.setdefault("A", {})["Scope"] = "/Column"


# --- the format ----------------------------------------------------------------------------

# WeasyPrint's shared font configuration (Pango/fontconfig) is not safe to use from two threads
# at once: parallel renders in one process made GLib report "corrupted double-linked list".
# The GIL gives threads no PDF speed-up anyway; processes (brevgen serve --workers) do.
_PDF_LOCK = threading.Lock()
# One Typst compiler per process, shared: one compilation at a time through it.
_TYPST_LOCK = threading.Lock()


def _render(letter: Letter, job: RenderJob) -> bytes:
    variant = job.pdf_variant or PDF_VARIANT
    if check_engine(job.pdf_engine) == "typst":
        from .pdf_typst import render_pdf_typst

        with _TYPST_LOCK:
            return render_pdf_typst(letter, variant=variant, root=letter_assets(letter))
    with _PDF_LOCK:
        return render_pdf(letter, variant=variant, root=letter_assets(letter))


def read_stamp(data: bytes) -> Stamp:
    """Title, language, PDF/UA and PDF/A identification and the provenance from the XMP packet."""
    import pikepdf
    from lxml import etree

    with pikepdf.open(io.BytesIO(data)) as pdf:
        lang = str(pdf.Root.Lang) if "/Lang" in pdf.Root else None
        title = str(pdf.docinfo["/Title"]) if "/Title" in pdf.docinfo else None
        packet = pdf.Root.Metadata.read_bytes() if "/Metadata" in pdf.Root else b""
    provenance: dict[str, str] = {}
    conformance: list[str] = []
    if packet:
        start, end = packet.find(b"<x:xmpmeta"), packet.rfind(b"</x:xmpmeta>")
        root = etree.fromstring(packet[start : end + len(b"</x:xmpmeta>")])
        for element in root.iter(f"{{{PROVENANCE_NS}}}*"):
            provenance["brevgen-" + etree.QName(element).localname] = (element.text or "").strip()
        rdf_about = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"
        for description in root.iter(rdf_about):
            # XMP writes a simple property as an attribute (WeasyPrint) or as a child element (Typst).
            attrs = {etree.QName(k).localname + "@" + (etree.QName(k).namespace or ""): v for k, v in description.attrib.items()}
            for child in description:
                if isinstance(child.tag, str) and len(child) == 0:
                    qname = etree.QName(child)
                    attrs.setdefault(qname.localname + "@" + (qname.namespace or ""), (child.text or "").strip())
            ua = attrs.get("part@http://www.aiim.org/pdfua/ns/id/")
            if ua:
                conformance.append(f"PDF/UA-{ua}")
            pdfa = attrs.get("part@http://www.aiim.org/pdfa/ns/id/")
            if pdfa:
                conformance.append(f"PDF/A-{pdfa}{attrs.get('conformance@http://www.aiim.org/pdfa/ns/id/', '')}")
    return Stamp(title, lang, provenance, sorted(conformance, reverse=True))


def texts(data: bytes) -> list[str]:
    """What a PDF carries besides its page text: the document info, the XMP packet, link
    targets, bookmarks and attached file names (read with pikepdf). The page text is the
    Letter's, checked before rendering; tests read it back with poppler as well."""
    import pikepdf

    out: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out += [str(value) for value in pdf.docinfo.values()]
        if "/Metadata" in pdf.Root:
            out += pdf.Root.Metadata.read_bytes().decode("utf-8", "replace").splitlines()
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", None) or []:
                action = annot.get("/A")
                if action is not None and "/URI" in action:
                    out.append(str(action.URI))
        if "/Outlines" in pdf.Root:
            with pdf.open_outline() as outline:
                todo = list(outline.root)
                while todo:
                    item = todo.pop()
                    out.append(str(item.title))
                    todo += list(item.children)
        out += list(pdf.attachments.keys())
    return out


register_format(
    Format(
        name="pdf",
        suffix="pdf",
        media_type="application/pdf",
        title="PDF (tilgængelig, PDF/UA)",
        render=_render,
        default=True,
        order=1,
        sniff=lambda data: data.startswith(b"%PDF-"),
        read_stamp=read_stamp,
        texts=texts,
    )
)
