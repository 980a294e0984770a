"""Every example letter has the sections the required-content check looks for, each with text.

The lint finds content by ``data-role``, never by guessing from the wording, so a missing or
empty role is a letter that does not say everything. "Kort fortalt" is always three lines:
what, when, what you must do.
"""

from __future__ import annotations

import pytest
from conftest import EXAMPLES, example_id

from brevgen import build_letter
from brevgen.letter import Heading, ListBlock, Section, block_lines
from brevgen.casefile import read_case_file

ALL = ("kort-fortalt", "hvad-sker-der-nu", "hvad-skal-du-goere", "frist", "konsekvens", "kontakt", "lovgrundlag")
PER_EVENT = {
    "indkaldelse": ("moedested", "afbud", "kontaktplan", "hjaelp"),
    "tilbud": ("tilbud", "formaal", "indtaegt", "svarfrist", "rettigheder", "begrundelse", "klagevejledning"),
    "sygedagpenge": ("oplysningsskema", "foerste-samtale", "ret-til-samtale", "kontaktplan", "udbetaling", "standby"),
}


@pytest.fixture(scope="module")
def letters():
    return {example_id(p): (p.parent.name, build_letter(p.parent.name, read_case_file(p))) for p in EXAMPLES}


def _text(section: Section) -> list[str]:
    """The section's lines without its own heading."""
    return [line for b in section.blocks if not isinstance(b, Heading) for line in block_lines(b)]


@pytest.mark.parametrize("case_id", [example_id(p) for p in EXAMPLES])
def test_required_roles_present_and_not_empty(letters, case_id):
    event, letter = letters[case_id]
    for role in ALL + PER_EVENT[event]:
        sections = letter.sections(role)
        assert sections, f"{case_id}: rollen '{role}' mangler"
        assert all(_text(s) for s in sections), f"{case_id}: rollen '{role}' er tom"


@pytest.mark.parametrize("case_id", [example_id(p) for p in EXAMPLES])
def test_kort_fortalt_has_three_lines_what_when_do(letters, case_id):
    event, letter = letters[case_id]
    (section,) = letter.sections("kort-fortalt")
    (summary,) = [b for b in section.blocks if isinstance(b, ListBlock)]
    what, when, do = [line for line in block_lines(summary)]
    assert what.startswith(("Du skal", "Vi tilbyder dig", "Vi skal følge op")), what
    assert any(year in when for year in ("2024", "2026", "2027")), f"'{when}' har ingen dato"
    assert do.split()[0] in {"Kom", "Ring", "Hav", "Klik", "Book", "Udfyld"} or do.startswith("Du skal tage imod"), f"'{do}' siger ikke, hvad du skal gøre"


def test_representative_gets_a_copy_line():
    letters = {
        example_id(p): build_letter(p.parent.name, read_case_file(p))
        for p in EXAMPLES
        if example_id(p) in ("indkaldelse/kontanthjaelp-vaerge", "tilbud/kursus-dagpenge-partsrepraesentant")
    }
    vaerge = letters["indkaldelse/kontanthjaelp-vaerge"]
    assert _text(vaerge.sections("repraesentant")[0]) == ["Vi sender også en kopi af brevet til Else Ågesen, som er din værge."]
    assert _text(letters["tilbud/kursus-dagpenge-partsrepraesentant"].sections("repraesentant")[0]) == [
        "Vi sender også en kopi af brevet til Anne Krogh, 3F Herning. Du har givet en fuldmagt, så de må tale din sag."
    ]
    assert _text(vaerge.sections("kopi")[0]) == ["Kopi til: Else Ågesen (værge)"]
    parts = letters["tilbud/kursus-dagpenge-partsrepraesentant"]
    assert _text(parts.sections("kopi")[0]) == ["Kopi til: Anne Krogh, 3F Herning (partsrepræsentant)"]
    # The copy line is the last thing in the letter, after the rules.
    assert parts.blocks[-1].role == "kopi"
