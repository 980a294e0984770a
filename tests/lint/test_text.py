"""The Danish sentence splitter and tokenizer on the cases letters are full of."""

from __future__ import annotations

import pytest

# (text, expected sentences)
TRICKY = [
    ("Samtalen er mandag den 3. marts 2026 kl. 10.00. Den varer 45 minutter.",
     ["Samtalen er mandag den 3. marts 2026 kl. 10.00.", "Den varer 45 minutter."]),
    ("Tag f.eks. dit pas med. Vi ses.", ["Tag f.eks. dit pas med.", "Vi ses."]),
    ("Tag f.eks. Jobnet med i dine overvejelser.", ["Tag f.eks. Jobnet med i dine overvejelser."]),
    ("Se jf. reglerne. Du bor i nr. 5. Ring til os.", ["Se jf. reglerne.", "Du bor i nr. 5.", "Ring til os."]),
    ("Du bor i nr. 5 på 2. th. i Birkerød.", ["Du bor i nr. 5 på 2. th. i Birkerød."]),
    ("Gå til 1. sal. Sig til i receptionen.", ["Gå til 1. sal.", "Sig til i receptionen."]),
    ("Din første samtale er i uge 8. Derefter ringer vi.", ["Din første samtale er i uge 8.", "Derefter ringer vi."]),
    ("Den 1. og 2. april er lukket.", ["Den 1. og 2. april er lukket."]),
    ("Du får 125,50 kr. i timen. Det er 1.234 kr. Vi betaler.", ["Du får 125,50 kr. i timen.", "Det er 1.234 kr.", "Vi betaler."]),
    ("Tag pas, kørekort osv. med. Vi ringer.", ["Tag pas, kørekort osv. med.", "Vi ringer."]),
    ("Tag pas, kørekort osv. Vi ringer.", ["Tag pas, kørekort osv.", "Vi ringer."]),
    ("Ring på 46 11 22 33. Skriv til mette.kjaer@rudersdal.dk. Se https://www.rudersdal.dk/jobcenter.",
     ["Ring på 46 11 22 33.", "Skriv til mette.kjaer@rudersdal.dk.", "Se https://www.rudersdal.dk/jobcenter."]),
    ("Hvad sker der nu? Du skal møde op! Husk det…", ["Hvad sker der nu?", "Du skal møde op!", "Husk det…"]),
    ("Han sagde: »Kom i morgen.« Vi kom.", ["Han sagde: »Kom i morgen.«", "Vi kom."]),
    ("H. C. Andersen boede i Odense.", ["H. C. Andersen boede i Odense."]),
    ("Tag det her med: pas; kørekort.", ["Tag det her med: pas; kørekort."]),
    ("Med venlig hilsen\nMette Kjær\njobkonsulent", ["Med venlig hilsen", "Mette Kjær", "jobkonsulent"]),
    ("Hvad sker der nu", ["Hvad sker der nu"]),  # a heading: the unit's end ends the sentence
    ("Kontakt os senest den 13. marts 2026 kl. 12.00", ["Kontakt os senest den 13. marts 2026 kl. 12.00"]),  # a list item
]


@pytest.mark.parametrize(("text", "expected"), TRICKY, ids=[t[:30] for t, _ in TRICKY])
def test_sentences(rules, text, expected):
    analysis = rules.analyzer.analyse(text)
    assert [text[s.start : s.end] for s in analysis.sentences] == expected


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("kl. 10.00", [("kl.", "abbr"), ("10.00", "number")]),
        ("f.eks. bl.a. ca. 45", [("f.eks.", "abbr"), ("bl.a.", "abbr"), ("ca.", "abbr"), ("45", "number")]),
        ("a-kasse og CPR-nummer", [("a-kasse", "word"), ("og", "word"), ("CPR-nummer", "word")]),
        ("1.234,50 kr.", [("1.234,50", "number"), ("kr.", "abbr")]),
        ("ring 70 30 03 00", [("ring", "word"), ("70 30 03 00", "phone")]),
        ("se www.borger.dk.", [("se", "word"), ("www.borger.dk", "url"), (".", "end")]),
        ("3F A-kasse", [("3F", "number"), ("A-kasse", "word")]),
        ("den 3/3-26", [("den", "word"), ("3/3-26", "number")]),
        ("Søren Ærø Åberg", [("Søren", "word"), ("Ærø", "word"), ("Åberg", "word")]),
    ],
)
def test_tokens(rules, text, tokens):
    assert [(t.text, t.kind) for t in rules.analyzer.tokenize(text)] == tokens


def test_word_length_counts_letters_only(rules):
    tokens = {t.text: t.letters for t in rules.analyzer.tokenize("a-kasse 10.00 CPR-nummer f.eks.")}
    assert tokens == {"a-kasse": 6, "10.00": 0, "CPR-nummer": 9, "f.eks.": 4}
