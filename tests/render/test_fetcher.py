"""WeasyPrint's URL fetcher is locked down: it reads brevgen's own template folder and data:
URLs, and nothing else. Each way out is tried for real through html_to_pdf (the PDF
renderer's own path with its stylesheets, fonts and fetcher):

- file:// outside the template folder, by absolute URL, by ../ and by another host;
- a symbolic link inside the folder that points out of it;
- the network: http and https to a real local server, which must see no request at all
  (so nothing is fetched and no redirect is followed);
- redirects: the fetcher has no redirect handler;
- attached files: <link rel=attachment> and <a rel=attachment>, even of a file in the folder;
- data: URLs and the folder's own fonts do work.
"""

from __future__ import annotations

import http.server
import io
import shutil
import threading
from urllib.request import HTTPRedirectHandler

import pikepdf
import pytest

from brevgen.errors import RenderError
from brevgen.paths import templates_dir
from brevgen.render.pdf import _fetcher_class, html_to_pdf

PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def page(body: str, head: str = "") -> str:
    return f"<!doctype html><html lang='da'><head><title>t</title>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "../../../../../../etc/passwd", "file://evil.example/etc/hostname", "file:///proc/self/environ"],
)
def test_files_outside_the_template_folder_are_refused(url):
    with pytest.raises(RenderError, match="uden for skabelonmappen"):
        html_to_pdf(page(f"<p><img src='{url}'></p>"))
    with pytest.raises(RenderError, match="uden for skabelonmappen"):
        html_to_pdf(page("<p>x</p>", f"<link rel='stylesheet' href='{url}'>"))


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path):
    root = tmp_path / "da"
    shutil.copytree(templates_dir(), root)
    secret = tmp_path / "hemmelig.css"
    secret.write_text("p { color: red }", encoding="utf-8")
    (root / "ud.css").symlink_to(secret)
    with pytest.raises(RenderError, match="uden for skabelonmappen"):
        html_to_pdf(page("<p>x</p>", "<link rel='stylesheet' href='ud.css'>"), root=root)


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        self.hits.append(self.path)
        self.send_response(302)  # every answer a redirect, to see whether one is followed
        self.send_header("Location", "http://127.0.0.1:9/andet")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Counting.hits = []
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_no_network_and_no_redirects(server, scheme):
    base = f"{scheme}://{server}"
    attempts = [
        page(f"<p><img src='{base}/billede.png'></p>"),
        page("<p>x</p>", f"<link rel='stylesheet' href='{base}/typer.css'>"),
        page("<p>x</p>", f"<style>@font-face {{ font-family: X; src: url({base}/font.ttf) }} p {{ font-family: X }}</style>"),
        page("<p>x</p>", f"<style>@import url({base}/import.css);</style>"),
    ]
    for html in attempts:
        with pytest.raises(RenderError, match="uden for skabelonmappen"):
            html_to_pdf(html)
    assert _Counting.hits == []  # refused before any connection: nothing to redirect


def test_the_fetcher_cannot_follow_redirects_or_use_other_protocols():
    from weasyprint.urls import FatalURLFetchingError

    fetcher = _fetcher_class()(templates_dir())
    assert not any(isinstance(handler, HTTPRedirectHandler) for handler in fetcher.handlers)
    for url in ("ftp://127.0.0.1/x", "http://127.0.0.1:9/x", "https://127.0.0.1:9/x", "gopher://x/"):
        with pytest.raises(FatalURLFetchingError, match="uden for skabelonmappen"):
            fetcher.fetch(url)


@pytest.mark.parametrize(
    "html",
    [
        page("<p>x</p>", "<link rel='attachment' href='fonts/OFL.txt'>"),
        page("<p><a rel='attachment' href='fonts/OFL.txt'>bilag</a></p>"),
        page("<p><a rel='attachment' href='file:///etc/passwd'>bilag</a></p>"),
    ],
)
def test_attached_files_are_refused(html):
    with pytest.raises(RenderError):
        html_to_pdf(html)


def test_data_urls_and_the_folders_own_fonts_work():
    data = html_to_pdf(page(f"<p>Hej <img src='{PNG}' alt='prik'></p>"))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        resources = pdf.pages[0].Resources
        images = [k for k, v in resources.get("/XObject", {}).items() if v.get("/Subtype") == "/Image"]
        fonts = {str(f.get("/BaseFont")) for f in resources.Font.values()}
        assert images and any("Noto" in f for f in fonts)
        assert not pdf.attachments
