"""Letter -> standalone HTML page (lang="da", semantic headings, phone-friendly, printable).

The PDF renderer lays out this same page with WeasyPrint, so the two cannot drift apart.
Every text is escaped here: case data is text, never markup.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from ..formatting import short_date
from ..letter import Block, Heading, Letter, ListBlock, Paragraph, Run, Section, Table
from ..paths import templates_dir

STYLESHEET = "brev.css"

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


def _block(block: Block, shift: int) -> str:
    if isinstance(block, Heading):
        level = min(6, block.level + shift)
        return f"<h{level}>{_runs(block.runs)}</h{level}>"
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
        # A section that starts with a heading is a landmark-worthy <section>; others are plain groups.
        tag = "section" if block.blocks and isinstance(block.blocks[0], Heading) else "div"
        return f'<{tag} class="{classes}" data-role="{escape(block.role)}">\n{inner}\n</{tag}>'
    raise TypeError(block)


def head_html(letter: Letter) -> str:
    meta = letter.meta
    sender = "<br>".join(escape(line) for line in meta.sender_lines)
    recipient = "<br>".join(escape(line) for line in (meta.recipient.name, *meta.recipient.lines))
    return f"""<header class="letterhead">
<div class="sender"><p><strong>{escape(meta.sender_unit)}</strong><br>{sender}</p></div>
<div class="recipient"><p>{recipient}</p></div>
<p class="letter-meta">Dato: {escape(short_date(meta.letter_date))}<br>Sagsnummer: {escape(meta.case_ref)}</p>
</header>"""


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


def stylesheet_text() -> str:
    """The shared stylesheet plus the small-screen rules (WeasyPrint cannot read those)."""
    root = templates_dir()
    return "\n".join((root / name).read_text(encoding="utf-8") for name in (STYLESHEET, "screen.css"))


def render_html(letter: Letter, *, inline_css: bool = True, extra_head: str = "") -> str:
    """A standalone page. ``inline_css`` puts the stylesheet in the page (for a file on disk)."""
    body = "\n".join(_block(b, 0) for b in letter.blocks)
    css = f"<style>\n{stylesheet_text()}\n</style>" if inline_css else ""
    return f"""<!DOCTYPE html>
<html lang="{letter.meta.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(letter.meta.subject)}</title>
{meta_tags(letter)}
{css}{extra_head}
</head>
<body>
{head_html(letter)}
<main>
<h1>{escape(letter.meta.subject)}</h1>
{body}
</main>
</body>
</html>
"""


def stylesheet_path() -> Path:
    return templates_dir() / STYLESHEET
