"""Letter -> tagged PDF (PDF/UA-1) with WeasyPrint, from the same page as the HTML renderer.

Fonts come from the template folder only; any other URL (http, https, a file outside the
folder) stops the rendering, so no letter ever depends on the network or the machine's
fonts. The parsed stylesheets and the font configuration are built once per process:
re-parsing them for every letter is the largest avoidable cost in a batch.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from ..errors import RenderError
from ..letter import Letter
from ..paths import templates_dir
from .html import render_html

log = logging.getLogger(__name__)

PDF_VARIANT = "pdf/ua-1"


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class TemplateOnlyFetcher(URLFetcher):
        """Serves files inside the template folder; refuses everything else."""

        def __init__(self, root: Path):
            super().__init__(allowed_protocols=("file",))
            self.root = root.resolve()

        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                from urllib.parse import unquote, urlparse

                path = Path(unquote(urlparse(url).path)).resolve()
                if path.is_relative_to(self.root) and path.is_file():
                    return super().fetch(url, headers)
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
    base = root.as_uri() + "/"
    sheets = [
        CSS(filename=str(root / "fonts.css"), base_url=base, url_fetcher=fetcher, font_config=font_config),
        CSS(filename=str(root / "brev.css"), base_url=base, url_fetcher=fetcher, font_config=font_config),
    ]
    return sheets, font_config, fetcher, base


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


def render_pdf(letter: Letter, root: Path | None = None, variant: str = PDF_VARIANT) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    root = (root or templates_dir()).resolve()
    page = render_html(letter, inline_css=False)
    try:
        sheets, font_config, fetcher, base = _resources(root)
        document = HTML(string=page, base_url=base, url_fetcher=fetcher)
        return document.write_pdf(
            stylesheets=sheets,
            font_config=font_config,
            pdf_variant=variant,
            pdf_tags=True,
            custom_metadata=True,
            pdf_identifier=letter.meta.data_sha256[:32].encode("ascii"),
        )
    except FatalURLFetchingError as exc:
        raise RenderError(str(exc)) from None
