"""LIX = words/sentences + 100 * long words/words, checked against hand-counted texts."""

from __future__ import annotations

from fractions import Fraction

import pytest

from brevgen.lint import lix
from brevgen.lint.lix import lix_counts
from brevgen.lint.units import Document, Location, plain_unit

# (text, words, sentences, long words): counted by hand, long = 7 letters or more.
HAND_COUNTED = [
    # Vi har fået dit brev | Tak for det
    ("Vi har fået dit brev. Tak for det.", 8, 2, 0),
    # Kommunalbestyrelsen(19) behandler(9) ansøgningen(11)
    ("Kommunalbestyrelsen behandler ansøgningen.", 3, 1, 3),
    # Samtalen(8) er mandag(6) den 16 marts(5) 2026 kl. 10.00 | Ring på [46 11 22 33] f.eks. i morgen(6)
    ("Samtalen er mandag den 16. marts 2026 kl. 10.00. Ring på 46 11 22 33, f.eks. i morgen.", 15, 2, 1),
    # Læs mere på [URL: not a word] | Din a-kasse(6 letters) har dit CPR-nummer(9)
    ("Læs mere på https://www.borger.dk. Din a-kasse har dit CPR-nummer.", 8, 2, 1),
    # Udfyld(6) oplysningsskemaet(17) senest(6) fredag(6) | Hvorfor(7)? | Fordi(5) vi skal følge(5) op
    ("Udfyld oplysningsskemaet senest fredag. Hvorfor? Fordi vi skal følge op.", 10, 3, 2),
]


@pytest.mark.parametrize(("text", "words", "sentences", "long_words"), HAND_COUNTED, ids=[t[:25] for t, *_ in HAND_COUNTED])
def test_lix_matches_hand_count(rules, text, words, sentences, long_words):
    counted = lix.count(rules.analyzer.analyse(text).sentences)
    assert (counted.words, counted.sentences, counted.long_words) == (words, sentences, long_words)
    exact = Fraction(words, sentences) + Fraction(100 * long_words, words)
    assert counted.lix == pytest.approx(float(exact), abs=1e-9)


@pytest.mark.parametrize(
    ("value", "band"),
    [(0, "meget let"), (24.9, "meget let"), (25, "let"), (34.9, "let"), (35, "middel"), (44.9, "middel"), (45, "svær"), (54.9, "svær"), (55, "meget svær"), (80, "meget svær")],
)
def test_bands(value, band):
    assert lix.band(value) == band


def test_lix_sample_leaves_out_headings_contact_box_and_fact_lists(rules):
    units = [
        plain_unit("Hvad sker der nu", "heading", ("hvad-sker-der-nu",)),
        plain_unit("Vi har fået dit brev. Tak for det.", "body", ("hvad-sker-der-nu",)),
        plain_unit("Du kan kontakte sagsbehandleren Mette Kjær på telefonnummeret herunder.", "body", ("kontakt",)),
        plain_unit("Sted: Stationsvej 36, Birkerød", "list_item", ("tilbud",)),
        plain_unit("Svar os senest fredag.", "list_item", ("frist",)),
        plain_unit("Lov om en aktiv beskæftigelsesindsats § 31", "list_item", ("lovgrundlag",)),
    ]
    doc = Document(units, Location(None)).analyse(rules.analyzer)
    total, sections = lix_counts(doc, rules.config)
    # Only "Vi har fået dit brev. Tak for det." (8 words) and "Svar os senest fredag." (4 words).
    assert (total.words, total.sentences, total.long_words) == (12, 3, 0)
    assert [name for name, _ in sections] == ["hvad-sker-der-nu", "frist"]
