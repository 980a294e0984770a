"""Required content: does the letter have every part its event needs, and is each part filled?

The check reads the roles the template put on sections (``data-role``), never the wording:
"Hvornår?" could be rephrased tomorrow, the role ``frist`` stays. What each event needs is
in ``plain_language_rules/indhold.yml``, written for communications staff.

- IN01 (error): a required part is missing.
- IN02 (error): the part is there but has no text.
- IN03 (error): the part must say something from the case (a date, a name, a place) and
  does not; only checked where the text's origin is known (letters brevgen composed).
"""

from __future__ import annotations

from collections.abc import Callable

from ..letter import Block, Heading, ListBlock, Paragraph, Run, Section, Table
from .findings import Hit
from .schema import RequiredContent, RequiredRole
from .units import Location


def requirements(config: RequiredContent, event: str | None) -> dict[str, RequiredRole]:
    if event is None:
        return {}
    return {**config.all_events, **config.events.get(event, {})}


def _sections(blocks: tuple[Block, ...], role: str) -> list[Section]:
    found: list[Section] = []
    for block in blocks:
        if isinstance(block, Section):
            if block.role == role:
                found.append(block)
            found.extend(_sections(block.blocks, role))
    return found


def _runs(block: Block) -> list[Run]:
    if isinstance(block, (Heading, Paragraph)):
        return list(block.runs)
    if isinstance(block, ListBlock):
        return [r for item in block.items for r in item]
    if isinstance(block, Table):
        rows = [block.header, *block.rows]
        return [r for row in rows for cell in row for r in cell]
    if isinstance(block, Section):
        return [r for b in block.blocks for r in _runs(b)]
    return []


def _content_runs(section: Section) -> list[Run]:
    # A heading alone is not content: "## Hvornår?" with nothing under it is an empty part.
    return [r for b in section.blocks if not isinstance(b, Heading) for r in _runs(b) if r.text.strip()]


def check_required(
    blocks: tuple[Block, ...],
    event: str | None,
    config: RequiredContent,
    anchor: Callable[[str], Location],
    *,
    origins_known: bool = True,
) -> list[Hit]:
    hits: list[Hit] = []
    for role, need in requirements(config, event).items():
        sections = _sections(blocks, role)
        where = anchor(role)
        if not sections:
            hits.append(Hit("IN01", "error", f"Brevet mangler afsnittet '{need.question}' (rolle '{role}').", where, match=role))
            continue
        runs = [r for s in sections for r in _content_runs(s)]
        if not runs:
            hits.append(Hit("IN02", "error", f"Afsnittet '{need.question}' (rolle '{role}') er tomt.", where, match=role))
            continue
        if need.data and origins_known and not any(r.origin.kind == "data" for r in runs):
            hits.append(
                Hit(
                    "IN03",
                    "error",
                    f"Afsnittet '{need.question}' (rolle '{role}') siger intet fra sagen. Indsæt fx datoen, navnet eller stedet.",
                    where,
                    match=role,
                )
            )
    return hits


RULE_INFO = {
    "IN01": ("Påkrævet afsnit mangler", "Brevtypen skal have afsnittet (se plain_language_rules/indhold.yml)."),
    "IN02": ("Påkrævet afsnit er tomt", "Afsnittet findes, men der står ingenting i det."),
    "IN03": ("Påkrævet afsnit uden oplysninger fra sagen", "Afsnittet skal nævne noget fra sagen, fx en dato eller et navn."),
}
