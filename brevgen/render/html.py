"""Letter -> HTML: a standalone accessible page, or a fragment to embed in another page.

The standalone page has lang="da", a title, semantic headings and landmarks, no JavaScript,
a print stylesheet and provenance meta tags. The fragment is one ``<article>`` for a case
system's or a citizen portal's page: no ``<html>``/``<head>``, the provenance in ``data-``
attributes, and a copy of the stylesheet whose every selector is scoped to the article, so
it neither leaks into nor depends on the host page.

The PDF renderer lays out the standalone page with WeasyPrint, so the two cannot drift
apart. Every text is escaped here: case data is text, never markup.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path

from ..formatting import short_date
from ..letter import Block, Heading, Letter, ListBlock, Paragraph, Run, Section, Table
from ..paths import templates_dir
from . import Format, RenderJob, Stamp, register_format

STYLESHEET = "brev.css"
SCREEN_STYLESHEET = "screen.css"  # small-screen rules; WeasyPrint cannot read them
FRAGMENT_CLASS = "brevgen-letter"

# Roles whose sections get a visible box (and stay whole on a page in print).
BOXED_ROLES = {"kort-fortalt", "kontakt", "frist"}


def _runs(runs: tuple[Run, ...]) -> str:
    out = []
    for run in runs:
        text = escape(run.text).replace("\n", "<br>\n")
        if run.href:
            text = f'<a href="{escape(run.href, quote=True)}">{text}</a>'
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        out.append(text)
    return "".join(out)


def _heading(level: int, inner: str, shift: int) -> str:
    """``<hN>``; a shifted heading keeps its look through the class of its own level."""
    tag = min(6, level + shift)
    cls = f' class="h{level}"' if shift else ""
    return f"<h{tag}{cls}>{inner}</h{tag}>"


def _block(block: Block, shift: int) -> str:
    if isinstance(block, Heading):
        return _heading(block.level, _runs(block.runs), shift)
    if isinstance(block, Paragraph):
        return f"<p>{_runs(block.runs)}</p>"
    if isinstance(block, ListBlock):
        tag = "ol" if block.ordered else "ul"
        items = "".join(f"<li>{_runs(item)}</li>" for item in block.items)
        return f"<{tag}>{items}</{tag}>"
    if isinstance(block, Table):
        head = ""
        if block.header:
            head = "<thead><tr>" + "".join(f'<th scope="col">{_runs(c)}</th>' for c in block.header) + "</tr></thead>"
        body = "".join("<tr>" + "".join(f"<td>{_runs(c)}</td>" for c in row) + "</tr>" for row in block.rows)
        return f"<table>{head}<tbody>{body}</tbody></table>"
    if isinstance(block, Section):
        inner = "\n".join(_block(b, shift) for b in block.blocks)
        classes = f"role role-{block.role}" + (" box" if block.role in BOXED_ROLES else "")
        # A section that starts with a heading is a <section>; others are plain groups.
        tag = "section" if block.blocks and isinstance(block.blocks[0], Heading) else "div"
        return f'<{tag} class="{classes}" data-role="{escape(block.role)}">\n{inner}\n</{tag}>'
    raise TypeError(block)


def head_html(letter: Letter, tag: str = "header") -> str:
    meta = letter.meta
    sender = "<br>".join(escape(line) for line in meta.sender_lines)
    recipient = "<br>".join(escape(line) for line in (meta.recipient.name, *meta.recipient.lines))
    return f"""<{tag} class="letterhead">
<div class="sender"><p><strong>{escape(meta.sender_unit)}</strong><br>{sender}</p></div>
<div class="recipient"><p>{recipient}</p></div>
<p class="letter-meta">Dato: {escape(short_date(meta.letter_date))}<br>Sagsnummer: {escape(meta.case_ref)}</p>
</{tag}>"""


def body_html(letter: Letter, shift: int = 0) -> str:
    """The subject heading and every block, as the reader meets them after the letterhead."""
    blocks = "\n".join(_block(b, shift) for b in letter.blocks)
    return f"{_heading(1, escape(letter.meta.subject), shift)}\n{blocks}"


def meta_tags(letter: Letter) -> str:
    meta = letter.meta
    tags = [
        ("author", meta.sender_unit),
        ("description", meta.subject),
        ("keywords", f"{meta.event}, {meta.template_id} {meta.template_version}, {meta.regime_id}"),
        ("generator", f"brevgen {meta.brevgen_version}"),
        ("dcterms.created", meta.letter_date.isoformat()),
        *meta.provenance().items(),
    ]
    return "\n".join(f'<meta name="{escape(k)}" content="{escape(v, quote=True)}">' for k, v in tags)


@lru_cache(maxsize=4)
def _stylesheet_text(root: Path) -> str:
    return "\n".join((root / name).read_text(encoding="utf-8") for name in (STYLESHEET, SCREEN_STYLESHEET))


def stylesheet_text(root: Path | None = None) -> str:
    """The shared stylesheet plus the small-screen rules of the template folder ``root``
    (default: the working folder), read once per process and folder."""
    return _stylesheet_text(Path(root) if root else templates_dir())


def letter_assets(letter: Letter) -> Path:
    """The folder whose stylesheets and fonts a letter is drawn with: its own template set's."""
    return Path(letter.meta.template_root) if letter.meta.template_root else templates_dir()


def render_html(letter: Letter, *, inline_css: bool = True, extra_head: str = "") -> str:
    """A standalone page. ``inline_css`` puts the stylesheet in the page (for a file on disk)."""
    css = f"<style>\n{stylesheet_text(letter_assets(letter))}\n</style>\n" if inline_css else ""
    return f"""<!DOCTYPE html>
<html lang="{escape(letter.meta.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(letter.meta.subject)}</title>
{meta_tags(letter)}
{css}{extra_head}</head>
<body>
{head_html(letter)}
<main>
{body_html(letter)}
</main>
</body>
</html>
"""


def render_html_fragment(letter: Letter, *, with_css: bool = True, top_heading: int = 2) -> str:
    """One ``<article>`` to put inside another page (a case system, a citizen portal).

    ``top_heading`` is the level of the letter's subject: 2 under a host page's own ``<h1>``.
    With ``with_css`` the article starts with the scoped stylesheet; without it, serve
    :func:`fragment_stylesheet` from the host page instead.
    """
    if not 1 <= top_heading <= 4:
        raise ValueError("top_heading must be 1-4")
    meta = letter.meta
    data = " ".join(
        f'data-{escape(k)}="{escape(v, quote=True)}"' for k, v in meta.provenance().items()
    )
    css = f"<style>\n{fragment_stylesheet(letter_assets(letter))}\n</style>\n" if with_css else ""
    return f"""<article class="{FRAGMENT_CLASS}" lang="{escape(meta.lang)}" {data}>
{css}{head_html(letter, tag="div")}
{body_html(letter, shift=top_heading - 1)}
</article>
"""


def fragment_stylesheet(root: Path | None = None) -> str:
    """The page stylesheet with every selector scoped to ``article.brevgen-letter``."""
    return _scoped_stylesheet(Path(root) if root else templates_dir(), FRAGMENT_CLASS)


@lru_cache(maxsize=4)
def _scoped_stylesheet(root: Path, scope_class: str) -> str:
    """Prefix each selector with the fragment's class; ``html``, ``body`` and ``:root`` become it.

    Parsed with tinycss2 (WeasyPrint's own CSS parser) once per process. ``@page`` and
    ``@font-face`` are dropped: a fragment does not own the page or the host's fonts.
    """
    import tinycss2

    scope = f".{scope_class}"

    def scope_selector(selector: str) -> str:
        selector = selector.strip()
        for own in ("html", "body", ":root"):
            if selector == own or selector.startswith((own + " ", own + ">", own + ".", own + ":")):
                return scope + selector[len(own):]
        return f"{scope} {selector}"

    def split_selectors(prelude) -> list[str]:
        # Commas inside :is(), :not() ... are nested in function tokens, so a top-level
        # comma always separates two selectors.
        parts: list[list] = [[]]
        for token in prelude:
            if token.type == "literal" and token.value == ",":
                parts.append([])
            else:
                parts[-1].append(token)
        return [text for part in parts if (text := tinycss2.serialize(part).strip())]

    def rules(nodes) -> list[str]:
        out: list[str] = []
        for node in nodes:
            if node.type == "qualified-rule":
                selectors = ", ".join(scope_selector(s) for s in split_selectors(node.prelude))
                out.append(f"{selectors} {{{tinycss2.serialize(node.content)}}}")
            elif node.type == "at-rule" and node.lower_at_keyword == "media" and node.content is not None:
                inner = rules(tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True))
                out.append(f"@media {tinycss2.serialize(node.prelude).strip()} {{\n" + "\n".join(inner) + "\n}")
        return out

    sheet = tinycss2.parse_stylesheet(_stylesheet_text(root), skip_comments=True, skip_whitespace=True)
    return "\n".join(rules(sheet))


def stylesheet_path() -> Path:
    return templates_dir() / STYLESHEET


# --- the format ----------------------------------------------------------------------------


def _render(letter: Letter, job: RenderJob) -> bytes:
    return render_html(letter).encode("utf-8")


def _sniff(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<article", b"<meta", b"<div", b"<section"))


def read_stamp(data: bytes) -> Stamp:
    """The provenance of a page (``<meta name=\"brevgen-...\">``) or a fragment (``data-brevgen-...``)."""
    from lxml import html

    # brevgen writes UTF-8; a fragment has no <meta charset> for lxml to find it by.
    tree = html.fromstring(data.decode("utf-8", errors="replace"))
    provenance: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = meta.get("name", "")
        if key.startswith("brevgen-"):
            provenance[key] = meta.get("content", "")
    title = tree.findtext(".//title")
    lang = tree.get("lang") if tree.tag in ("html", "article") else None
    if not provenance:  # a fragment: <article class="brevgen-letter" data-brevgen-...>
        for article in tree.iter("article"):
            stamp = {k.removeprefix("data-"): v for k, v in article.attrib.items() if k.startswith("data-" + "brevgen-")}
            if stamp:
                provenance, lang = stamp, article.get("lang")
                heading = next(iter(article.xpath(".//h1|.//h2|.//h3|.//h4")), None)
                title = heading.text_content().strip() if heading is not None else None
                break
    return Stamp(title.strip() if title else None, lang, provenance)


def texts(data: bytes) -> list[str]:
    """The whole page, entities decoded, line by line (text, attributes, metadata and links)."""
    from html import unescape

    return unescape(data.decode("utf-8")).splitlines()


register_format(
    Format(
        name="html",
        suffix="html",
        media_type="text/html",
        title="HTML (webside)",
        render=_render,
        default=True,
        text=True,
        order=3,
        sniff=_sniff,
        read_stamp=read_stamp,
        texts=texts,
    )
)
