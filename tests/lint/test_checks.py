"""The rules on whole texts: a deliberately officialese letter and its plain rewrite."""

from __future__ import annotations


from brevgen.lint import lint_paths

from .conftest import DATA
from .tests_helpers import ids_for

# Every finding the officialese letter must give: (line, column, rule). Written in the style the
# seed documents criticise (KMD standard letters): De/Deres, passive, § in the body, papirord.
OFFICIALESE_FINDINGS = {
    (1, 1, "KS12"),  # LIX of the whole letter (anchored at the top)
    (3, 1, "KS01"), (3, 1, "KS12a"), (3, 22, "KS02"), (3, 50, "KS04"), (3, 60, "KS02"),
    (5, 1, "KS01"), (5, 9, "KS02"), (5, 40, "KS04a"), (5, 46, "KS02"), (5, 58, "KS01"),
    (5, 72, "KS13a"), (5, 76, "KS15"), (5, 82, "KS15"),
    (7, 10, "KS04"), (7, 23, "KS20"),
    (9, 9, "KS05"), (9, 15, "KS08"), (9, 41, "KS02"),
    (11, 1, "KS06"), (11, 65, "KS01"), (11, 87, "KS01"),
    (13, 1, "KS01"), (13, 1, "KS07"), (13, 1, "KS09"), (13, 22, "KS01"), (13, 22, "KS04"), (13, 33, "KS01a"),
    (13, 47, "KS02"), (13, 61, "KS01a"), (13, 88, "KS13a"), (13, 113, "KS01a"), (13, 118, "KS02"),
    # Rare words (wordfreq), terms and the glossary (termer.yml):
    (11, 18, "KS25"),  # 'udeblivelse'
    (11, 35, "TE02"),  # 'rimelig grund' not explained
    (11, 80, "TE01"),  # 'ydelse' for the benefit's name
    (13, 141, "TE01"),  # 'stå til rådighed'
}


def test_officialese_letter_gives_the_expected_findings_at_the_expected_places(rules):
    report = lint_paths([DATA / "kancellibrev.md"], rules)
    found = {(f.location.line, f.location.col, f.rule_id) for f in report.findings}
    assert found == OFFICIALESE_FINDINGS
    assert all(f.location.file == str(DATA / "kancellibrev.md") for f in report.findings)
    assert report.exit_code == 1


def test_officialese_letter_messages_say_what_to_write_instead(rules):
    report = lint_paths([DATA / "kancellibrev.md"], rules)
    messages = {(f.location.line, f.location.col): f.message for f in report.findings if f.rule_id in ("KS01", "KS13a", "KS09")}
    assert messages[(5, 1)] == "Skriv 'Hvis' i stedet for 'Såfremt'."
    assert messages[(5, 58)] == "Skriv 'jeg' i stedet for 'undertegnede'."
    assert messages[(5, 72)] == "Skriv 'se' eller 'ifølge' i stedet for 'jf.'."
    assert messages[(3, 1)] == "Skriv 'Du har skrevet til os om …' i stedet for 'Under henvisning til'."
    assert messages[(13, 1)] == "Sætningen har 27 ord. Del den op: højst 20 ord, og aldrig over 25."
    levels = {f.rule_id: f.level for f in report.findings}
    assert levels["KS09"] == "error"  # over 25 words


def test_officialese_letter_is_in_the_hard_lix_band(rules):
    report = lint_paths([DATA / "kancellibrev.md"], rules)
    (doc,) = report.documents
    assert doc.lix.band == "svær"
    assert 45 <= doc.lix.lix < 55
    # Hand count of the six prose paragraphs (the heading is left out; "3/3-26" and "10.00" are one
    # word each, "§" is none): 14+16+8+11+16+27 = 92 words, 6 sentences,
    # 6+4+3+4+6+11 = 34 words of 7+ letters. LIX = 92/6 + 100*34/92 = 52.3.
    assert (doc.lix.words, doc.lix.sentences, doc.lix.long_words) == (92, 6, 34)
    assert doc.lix.lix == 92 / 6 + 100 * 34 / 92
    lix_finding = next(f for f in report.findings if f.rule_id == "KS12")
    assert lix_finding.message == "Brevets LIX er 52 (svær). Det må højst være 35: skriv kortere sætninger og brug kortere ord."


def test_the_plain_rewrite_has_no_errors_and_low_lix(rules):
    report = lint_paths([DATA / "klart_brev.md"], rules)
    assert [f for f in report.findings if f.level == "error"] == []
    (doc,) = report.documents
    assert doc.lix.lix <= 35


def test_legal_references_are_allowed_only_in_the_closing_sections(rules):
    text = "Vi har lagt vægt på § 57, stk. 3."
    assert "KS15" in ids_for(rules, text, roles=("hvad-sker-der-nu",))
    for role in ("lovgrundlag", "klagevejledning", "begrundelse"):
        assert "KS15" not in ids_for(rules, text, roles=(role,))


def test_cpr_shaped_numbers_are_errors_everywhere(rules):
    for kind, roles in [("body", ()), ("subject", ()), ("list_item", ("lovgrundlag",)), ("body", ("kontakt",))]:
        assert "KS21" in ids_for(rules, "Borgerens nummer er 010190-1234.", kind, roles)
    assert "KS21" not in ids_for(rules, "Ring på 46 11 22 33 eller 70 30 03 00.")


def test_formal_address_is_not_confused_with_sentence_initial_de(rules):
    assert "KS02" not in ids_for(rules, "De to samtaler ligger i marts. Deres tider står nedenfor.")
    assert "KS02" in ids_for(rules, "Vi har modtaget Deres brev.")
