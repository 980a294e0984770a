"""Letters built in code from a real example, for layout cases no example has yet:
tables, several ordered lists, and letters long enough to break at every position.

They go through the real renderers; only the blocks differ from the example's.
"""

from __future__ import annotations

import dataclasses

from conftest import EXAMPLES

from brevgen import build_letter
from brevgen.letter import Heading, Letter, ListBlock, Origin, Paragraph, Run, Section, Table
from brevgen.casefile import read_case_file

HERE = Origin("template", "tests/synthetic.py", 1)


def runs(text: str, bold: bool = False) -> tuple[Run, ...]:
    return (Run(text, HERE, bold=bold),)


def example_letter(name: str = "tilbud/loentilskud-dagpenge") -> Letter:
    path = next(p for p in EXAMPLES if f"{p.parent.name}/{p.stem}" == name)
    return build_letter(path.parent.name, read_case_file(path), record=str(path))


TABLE_HEADER = ("Dato", "Hvad", "Hvor")
TABLE_ROWS = tuple(
    (f"{day}. juni 2026", f"Samtale nummer {n} om dit forløb", "Jobcenteret, Stationsvej 36")
    for n, day in enumerate(range(1, 29), start=1)
)


def plan_table(rows: int = 4) -> Section:
    return Section(
        role="plan",
        blocks=(
            Heading(2, runs("Dine samtaler")),
            Table(header=tuple(runs(h) for h in TABLE_HEADER), rows=tuple(tuple(runs(c) for c in row) for row in TABLE_ROWS[:rows])),
        ),
    )


def two_ordered_lists() -> Section:
    return Section(
        role="trin",
        blocks=(
            Heading(2, runs("Sådan gør du")),
            ListBlock(items=(runs("Find dit skema."), runs("Udfyld det.")), ordered=True),
            Paragraph(runs("Og bagefter:")),
            ListBlock(items=(runs("Send skemaet."), runs("Vent på svar.")), ordered=True),
        ),
    )


def with_blocks(letter: Letter, *, before=(), after=()) -> Letter:
    """The letter with extra blocks before its first block and after its last."""
    return dataclasses.replace(letter, blocks=(*before, *letter.blocks, *after))


def filler(n: int) -> tuple[Paragraph, ...]:
    """n one-line paragraphs that push everything after them down by one step each."""
    return tuple(Paragraph(runs(f"Linje {i + 1} af {n}, som kun skubber resten af brevet ned.")) for i in range(n))
