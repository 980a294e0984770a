"""Does the recipient's name and address fit the envelope window? Measured, not guessed.

The address block is printed 85 mm wide and 40 mm high in the window of a C5/DL envelope
(templates/da/brev.css, brevgen.render.docx.WINDOW), in Noto Sans at 10.5 pt. Lines that are
too long wrap; a block that then needs more lines than the window shows would hide the street
or the postcode (the window clips it), and a word wider than the window would be cut off. Both
are refused before any letter is made, naming the field to shorten.

Widths come from the template folder's own font file (advance widths, read with fontTools),
wrapped greedily at spaces: at least as many lines as WeasyPrint or Word make, which may also
break after a hyphen. Characters the font lacks count as one em (wider than any Latin letter).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WIDTH_MM = 85.0
FONT_SIZE_PT = 10.5
MAX_LINES = 7  # 40 mm at line height 1.4 (5.2 mm): 7 lines, measured to fit in the PDF and in the DOCX (LibreOffice)
SAFETY = 0.97  # measure against 97 % of the width: kerning and rounding differ between engines
FONT_FILE = "fonts/NotoSans-Regular.ttf"
_MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class AddressLine:
    path: str  # the field to shorten, e.g. "citizen.address.street"
    text: str


@lru_cache(maxsize=4)
def _metrics(font: Path) -> tuple[dict[int, int], int] | None:
    try:
        from fontTools.ttLib import TTFont
    except ImportError:  # pragma: no cover - fontTools comes with WeasyPrint
        return None
    if not font.is_file():
        return None
    with TTFont(str(font), lazy=True) as tt:
        widths = {code: tt["hmtx"][name][0] for code, name in tt.getBestCmap().items()}
        return widths, tt["head"].unitsPerEm


def text_width_mm(text: str, font: Path) -> float:
    metrics = _metrics(font)
    em_mm = FONT_SIZE_PT * _MM_PER_PT
    if metrics is None:
        return len(text) * em_mm  # no font to measure with: every character one em wide
    widths, units = metrics
    return sum(widths.get(ord(ch), units) for ch in text) / units * em_mm


def wrapped_lines(text: str, font: Path, width_mm: float = WIDTH_MM * SAFETY) -> tuple[int, bool]:
    """How many lines ``text`` takes when wrapped at spaces, and whether one word is too wide."""
    space = text_width_mm(" ", font)
    lines, current, too_wide = 1, 0.0, False
    for word in text.split():
        width = text_width_mm(word, font)
        too_wide = too_wide or width > width_mm
        if current and current + space + width > width_mm:
            lines, current = lines + 1, width
        else:
            current = current + space + width if current else width
    return lines, too_wide


def window_problems(lines: list[AddressLine], templates_root: Path) -> list[tuple[str, str]]:
    """(field path, Danish message) for an address block that does not fit the window."""
    font = templates_root / FONT_FILE
    problems: list[tuple[str, str]] = []
    counted = []
    for line in lines:
        n, too_wide = wrapped_lines(line.text, font)
        counted.append((n, line))
        if too_wide:
            problems.append((line.path, "har et ord, der er for bredt til ruden i kuverten. Forkort det, eller del det med mellemrum"))
    total = sum(n for n, _ in counted)
    if total > MAX_LINES and not problems:
        n, longest = max(counted, key=lambda item: (item[0], len(item[1].text)))
        problems.append(
            (
                longest.path,
                f"er for lang til ruden i kuverten: navn og adresse fylder {total} linjer, men der er plads til {MAX_LINES}. Forkort teksten",
            )
        )
    return problems
