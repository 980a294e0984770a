"""The legal-regime table: checked at load, selected by the letter date, and visible in the letter.

The per-regime tests build real letters (same case, moved to a date in each regime), render
them to HTML and DOCX and read the text a citizen gets. The expected counts, wordings and
names are written out here, not read from regimes.yml, so a wrong edit of the table fails.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from case_dates import shift_dates
from conftest import EXAMPLES, example_id
from extract import EXTRACT, normalise

from brevgen import workdays
from brevgen import CaseDataError, TemplateError, build_letter, render_letter
from brevgen import formatting
from brevgen.templating import TemplateSet
from brevgen.paths import templates_dir
from brevgen.compose import compose_letter
from brevgen.regime import load_regimes, parse_regimes
from brevgen.api import validate_case
from brevgen.casefile import read_case_file

TABLE = templates_dir() / "regimes.yml"
BY_ID = {example_id(p): p for p in EXAMPLES}

# --- the table ----------------------------------------------------------------------------------


def test_table_covers_one_unbroken_period_from_2024():
    table = load_regimes(TABLE)
    assert [r.id for r in table.regimes] == [
        "2024-forenklet-kontaktforloeb",
        "2026-02-reform-fase-1",
        "2026-07-fleksibelt-kontaktforloeb",
        "2027-ny-hovedlov",
    ]
    assert table.regimes[0].effective_from == dt.date(2024, 1, 1)
    for a, b in zip(table.regimes, table.regimes[1:]):
        assert a.effective_to + dt.timedelta(days=1) == b.effective_from
    assert table.regimes[-1].effective_to is None
    assert [r.provisional for r in table.regimes] == [False, False, False, True]


@pytest.mark.parametrize(
    "day, regime_id",
    [
        ("2024-01-01", "2024-forenklet-kontaktforloeb"),
        ("2026-01-31", "2024-forenklet-kontaktforloeb"),
        ("2026-02-01", "2026-02-reform-fase-1"),
        ("2026-06-30", "2026-02-reform-fase-1"),
        ("2026-07-01", "2026-07-fleksibelt-kontaktforloeb"),
        ("2026-12-31", "2026-07-fleksibelt-kontaktforloeb"),
        ("2027-01-01", "2027-ny-hovedlov"),
        ("2031-06-02", "2027-ny-hovedlov"),
    ],
)
def test_letter_date_selects_the_regime(day, regime_id):
    assert load_regimes(TABLE).for_date(dt.date.fromisoformat(day)).id == regime_id


@pytest.mark.parametrize(
    "case_id, regime_id",
    [
        ("sygedagpenge/graense-2024-01-01", "2024-forenklet-kontaktforloeb"),
        ("tilbud/graense-2026-01-31-kontanthjaelp", "2024-forenklet-kontaktforloeb"),
        ("tilbud/graense-2026-02-01-kontanthjaelp", "2026-02-reform-fase-1"),
        ("indkaldelse/graense-2026-06-30-dagpenge", "2026-02-reform-fase-1"),
        ("indkaldelse/graense-2026-07-01-dagpenge", "2026-07-fleksibelt-kontaktforloeb"),
        ("sygedagpenge/graense-2026-06-30-arbejdsgiver", "2026-02-reform-fase-1"),
        ("sygedagpenge/graense-2026-07-01-arbejdsgiver", "2026-07-fleksibelt-kontaktforloeb"),
        ("indkaldelse/graense-2026-12-31-kontanthjaelp", "2026-07-fleksibelt-kontaktforloeb"),
        ("indkaldelse/graense-2027-01-01-kontanthjaelp", "2027-ny-hovedlov"),
    ],
)
def test_boundary_examples_carry_their_regime(case_id, regime_id):
    path = BY_ID[case_id]
    letter = build_letter(path.parent.name, read_case_file(path))
    assert letter.meta.regime_id == regime_id
    assert letter.meta.provenance()["brevgen-regime"] == regime_id


def _raw() -> dict:
    return yaml.safe_load(TABLE.read_text(encoding="utf-8"))


def _break(change) -> dict:
    raw = copy.deepcopy(_raw())
    change(raw["regimes"])
    return raw


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda r: r[0].update(effective_to="2026-02-01"),
            "regimes.yml: '2024-forenklet-kontaktforloeb' overlapper '2026-02-reform-fase-1'",
        ),
        (
            lambda r: r[0].update(effective_to="2026-01-29"),
            "regimes.yml: der er et hul mellem '2024-forenklet-kontaktforloeb' og '2026-02-reform-fase-1' "
            "(2026-01-30 til 2026-01-31)",
        ),
        (
            lambda r: r[2].update(effective_to=None),
            "regimes.yml: '2026-07-fleksibelt-kontaktforloeb' overlapper '2027-ny-hovedlov'",
        ),
        (
            lambda r: r[3].update(effective_from="2027-13-01"),
            "regimes.yml: regimes[4] (2027-ny-hovedlov): effective_from: '2027-13-01' er ikke en dato (ÅÅÅÅ-MM-DD)",
        ),
        (
            lambda r: r[3].update(deadlines={"complaint_weeks": "fire"}),
            "regimes.yml: regimes[4] (2027-ny-hovedlov): deadlines.complaint_weeks: skal være et helt tal",
        ),
        (
            lambda r: r[3].update(authority_word="jobcentret"),
            "regimes.yml: regimes[4] (2027-ny-hovedlov): authority_word: skal være en af: 'jobcenteret' eller 'kommunen'",
        ),
        (
            lambda r: r[3].update(consequnce={}),
            "regimes.yml: regimes[4] (2027-ny-hovedlov): consequnce: kendes ikke. Mente du 'consequence'?",
        ),
        (
            lambda r: r[3].update(provisional_values=["contact_plan.ledighedsydelse"]),
            "regimes.yml: regimes[4] (2027-ny-hovedlov): provisional_values: 'contact_plan.ledighedsydelse' "
            "findes ikke i regelsættet",
        ),
        (
            lambda r: r[3].update(inherits="2025-findes-ikke"),
            "regimes.yml: regimes[4] (2027-ny-hovedlov): inherits '2025-findes-ikke' skal være et regelsæt, der står før dette",
        ),
        (lambda r: r[1].pop("name"), "regimes.yml: regimes[2] (2026-02-reform-fase-1): 'name' mangler"),
        (
            lambda r: r[1].update(inherits="2025-findes-ikke"),
            # The regimes that inherit from the broken one are not reported again.
            "regimes.yml: regimes[2] (2026-02-reform-fase-1): inherits '2025-findes-ikke' skal være et regelsæt, "
            "der står før dette",
        ),
    ],
)
def test_broken_table_is_refused_with_every_problem_named(change, message):
    with pytest.raises(TemplateError) as info:
        parse_regimes(_break(change), TABLE)
    assert str(info.value) == message


def test_missing_text_is_reported_for_every_regime_that_lacks_it():
    def drop(regimes):
        del regimes[0]["consequence"]["tilbud"]["kontanthjælp"]

    with pytest.raises(TemplateError) as info:
        parse_regimes(_break(drop), TABLE)
    # The three later regimes inherit the gap; each is named, so nobody has to guess.
    assert str(info.value) == "regimes.yml: " + "; ".join(
        f"regimes[{i}] ({rid}): consequence.tilbud.kontanthjælp: skal udfyldes"
        for i, rid in [
            (1, "2024-forenklet-kontaktforloeb"),
            (2, "2026-02-reform-fase-1"),
            (3, "2026-07-fleksibelt-kontaktforloeb"),
            (4, "2027-ny-hovedlov"),
        ]
    )


def test_empty_table_is_refused():
    with pytest.raises(TemplateError) as info:
        parse_regimes({}, TABLE)
    assert str(info.value) == "regimes.yml: filen skal have en liste 'regimes' med mindst ét regelsæt"


# --- the letter date outside every regime --------------------------------------------------------


def test_letter_dated_before_the_first_regime_is_an_error_naming_letter_date():
    data = read_case_file(BY_ID["sygedagpenge/graense-2024-01-01"])
    data["letter_date"] = data["questionnaire_sent"] = "2023-12-31"
    with pytest.raises(CaseDataError) as info:
        build_letter("sygedagpenge", data)
    assert info.value.lines() == [
        "letter_date (Brevets dato): ligger før det første regelsæt i regimes.yml, som gælder fra 1. januar 2024. "
        "Brevet kan ikke laves"
    ]


def test_letter_dated_after_a_closed_table_is_an_error(tmp_path):
    root = _templates_with(tmp_path, lambda r: r[-1].update(effective_to="2027-12-31"))
    case = validate_case("indkaldelse", _shifted(BY_ID["indkaldelse/dagpenge-fremmoede"], dt.date(2028, 3, 6)))
    with pytest.raises(CaseDataError) as info:
        compose_letter("indkaldelse", case, TemplateSet(root))
    assert info.value.lines() == [
        "letter_date (Brevets dato): ligger efter det sidste regelsæt i regimes.yml, som gælder til 31. december 2027. "
        "Brevet kan ikke laves"
    ]


# --- what the letter says in each regime ---------------------------------------------------------

# One Monday in each regime; every example used below is dated a Monday, so moving a case by
# whole weeks keeps its meetings on weekdays.
SAMPLE_DATE = {
    "2024-forenklet-kontaktforloeb": dt.date(2025, 3, 3),
    "2026-02-reform-fase-1": dt.date(2026, 3, 2),
    "2026-07-fleksibelt-kontaktforloeb": dt.date(2026, 9, 7),
    "2027-ny-hovedlov": dt.date(2027, 3, 1),
}
REGIMES = list(SAMPLE_DATE)

# Where the regime lets us agree on fewer conversations, the letter promises "som regel", never
# "mindst" next to "færre" (rule LO12).
DAGPENGE_PLAN = {
    "2024-forenklet-kontaktforloeb": ["har du mindst 6 samtaler om job.", "3 er med din a-kasse i måned 1 til 3", "3 er med jobcenteret i måned 4 til 6"],
    "2026-02-reform-fase-1": ["har du mindst 6 samtaler om job.", "3 er med din a-kasse i måned 1 til 3", "3 er med jobcenteret i måned 4 til 6"],
    "2026-07-fleksibelt-kontaktforloeb": ["har du som regel 4 samtaler om job.", "2 er med din a-kasse i måned 1 til 3", "2 er med jobcenteret i måned 4 til 6"],
    "2027-ny-hovedlov": ["har du som regel 4 samtaler om job.", "2 er med din a-kasse i måned 1 til 3", "2 er med kommunen i måned 4 til 6"],
}
KONTANTHJAELP_PLAN = {
    "2024-forenklet-kontaktforloeb": "har du mindst 4 samtaler om job med jobcenteret.",
    "2026-02-reform-fase-1": "har du mindst 4 samtaler om job med jobcenteret.",
    "2026-07-fleksibelt-kontaktforloeb": "har du som regel 4 samtaler om job med jobcenteret.",
    "2027-ny-hovedlov": "har du som regel 4 samtaler om job med kommunen.",
}
FEWER_MEETINGS = "Vi kan aftale færre samtaler med dig, hvis vi vurderer, at du selv kan finde et job."
FLEXIBLE = {"2026-07-fleksibelt-kontaktforloeb", "2027-ny-hovedlov"}
REFORM_LAW = "Lov nr. 1750 af 29. december 2025"

CONSEQUENCE = {
    ("indkaldelse", "dagpenge"): "Deltager du ikke i samtalen, og har du ikke en rimelig grund, skal vi give din a-kasse besked. Det kan betyde, at du ikke får dagpenge fra samtalens dag, og indtil du kontakter os.",
    ("indkaldelse", "kontanthjælp"): "Deltager du ikke i samtalen, og har du ikke en rimelig grund, trækker vi i din kontanthjælp. Vi trækker for hver dag fra samtalens dag til dagen før, du kontakter os. Samtalens dag trækker vi altid, også hvis du kontakter os samme dag.",
    ("tilbud", "dagpenge"): "Siger du nej til tilbuddet uden en rimelig grund, skal vi give din a-kasse besked. Det samme gælder, hvis du bliver væk fra tilbuddet. Det kan betyde, at du ikke får dagpenge i en periode.",
    # A løntilskud job pays a wage: no deduction from a benefit the citizen does not get (rule LO10).
    ("tilbud", "kontanthjælp"): "Siger du nej til tilbuddet uden en rimelig grund, trækker vi i din kontanthjælp. Bliver du væk fra jobbet, får du ikke løn for de timer, du er væk.",
    ("sygedagpenge", None): "Springer du skemaet eller en samtale over uden en rimelig grund, kan du miste retten til sygedagpenge. Vi skriver altid til dig, før vi stopper dem. Du får sygedagpenge igen fra den dag, du deltager igen.",
}
AKTIVLOVEN = "Lov om aktiv socialpolitik"
RAADIGHED = "Bekendtgørelse om rådighed"

def _shifted(path: Path, letter_date: dt.date) -> dict:
    """The example's case moved so its letter is dated ``letter_date`` (every date moves alike)."""
    data = read_case_file(path)
    return shift_dates(data, (letter_date - dt.date.fromisoformat(data["letter_date"])).days)


def _text(letter) -> dict[str, str]:
    files = render_letter(letter, ["html", "docx"])
    return {fmt: normalise(EXTRACT[fmt](raw)) for fmt, raw in files.items()}


def _says(texts: dict[str, str], phrase: str) -> bool:
    return all(normalise(phrase) in text for text in texts.values())


def _letter(case_id: str, regime_id: str):
    path = BY_ID[case_id]
    data = _shifted(path, SAMPLE_DATE[regime_id])
    letter = build_letter(path.parent.name, data)
    assert letter.meta.regime_id == regime_id
    return data, letter, _text(letter)


@pytest.mark.parametrize("regime_id", REGIMES)
@pytest.mark.parametrize(
    "case_id, benefit",
    [("indkaldelse/dagpenge-fremmoede", "dagpenge"), ("indkaldelse/kontanthjaelp-fremmoede", "kontanthjælp")],
)
def test_summons_says_the_contact_plan_and_consequence_of_its_date(regime_id, case_id, benefit):
    data, letter, texts = _letter(case_id, regime_id)
    plan = DAGPENGE_PLAN[regime_id] if benefit == "dagpenge" else [KONTANTHJAELP_PLAN[regime_id]]
    for phrase in plan + [CONSEQUENCE[("indkaldelse", benefit)]]:
        assert _says(texts, phrase), f"{regime_id}: mangler '{phrase}'"
    assert _says(texts, FEWER_MEETINGS) == (regime_id in FLEXIBLE)
    # Who the letter is from: the unit until 2027, the municipality under the new law.
    sender = data["sender"]["authority"] if regime_id == "2027-ny-hovedlov" else data["sender"]["unit"]
    assert _says(texts, f"{data['caseworker']['title']}, {sender}")
    assert _says(texts, f"Du kan også ringe til {sender} på")
    # Legal references follow the benefit: a dagpenge summons does not cite the kontanthjælp law.
    assert _says(texts, AKTIVLOVEN) == (benefit == "kontanthjælp")
    assert _says(texts, RAADIGHED) == (benefit == "dagpenge")
    assert _says(texts, REFORM_LAW) == (regime_id in ("2026-02-reform-fase-1", "2026-07-fleksibelt-kontaktforloeb"))
    if benefit == "dagpenge":
        assert _says(texts, "Din a-kasse må gerne være med i samtalen. Det bestemmer du.")
        assert _says(texts, "Meld dig også syg på Jobnet samme dag.")
    else:
        assert _says(texts, "Det er ikke nok at melde dig syg på Jobnet.")


@pytest.mark.parametrize("regime_id", REGIMES)
@pytest.mark.parametrize(
    "case_id, benefit",
    [("tilbud/virksomhedspraktik-dagpenge", "dagpenge"), ("tilbud/loentilskud-kontanthjaelp", "kontanthjælp")],
)
def test_offer_says_deadlines_rights_and_consequence_of_its_date(regime_id, case_id, benefit):
    data, letter, texts = _letter(case_id, regime_id)
    letter_date = SAMPLE_DATE[regime_id]
    start = dt.date.fromisoformat(data["offer"]["start_date"])
    complaint_by = workdays.next_working_day(letter_date + dt.timedelta(weeks=4))
    answer_by = workdays.next_working_day(dt.date.fromisoformat(data["answer_by"]))
    for phrase in [
        CONSEQUENCE[("tilbud", benefit)],
        f"Din klage skal være hos os senest {formatting.long_date(complaint_by)}. Det er 4 uger efter brevets dato.",
        f"Svar os senest {formatting.long_date(answer_by)}.",
        f"hvis et af de her begynder senest {formatting.long_date(start + dt.timedelta(weeks=6))}:",
        f"Fortæl os om det senest {formatting.long_date(answer_by)}.",
        "Ankestyrelsen",
    ]:
        assert _says(texts, phrase), f"{regime_id}: mangler '{phrase}'"
    assert _says(texts, AKTIVLOVEN) == (benefit == "kontanthjælp")
    assert _says(texts, RAADIGHED) == (benefit == "dagpenge")
    duty = {
        "dagpenge": "Reglerne siger, at du skal tage imod tilbud, så længe du er ledig og får dagpenge.",
        "kontanthjælp": "Reglerne siger, at du skal tage imod tilbud, så længe du får kontanthjælp.",
    }[benefit]
    assert _says(texts, duty)


@pytest.mark.parametrize("regime_id", REGIMES)
@pytest.mark.parametrize("case_id", ["sygedagpenge/arbejdsgiver-ukendt", "sygedagpenge/a-kasse-ukendt"])
def test_sick_leave_says_deadlines_plan_and_consequence_of_its_date(regime_id, case_id):
    data, letter, texts = _letter(case_id, regime_id)
    sent = dt.date.fromisoformat(data["questionnaire_sent"])
    absent = dt.date.fromisoformat(data["first_absence_day"])
    questionnaire_by = workdays.next_working_day(sent + dt.timedelta(days=8))
    week8_end = absent + dt.timedelta(weeks=8, days=-1)
    latest = week8_end if workdays.is_working_day(week8_end) else workdays.previous_working_day(week8_end)
    for phrase in [
        CONSEQUENCE[("sygedagpenge", None)],
        f"Udfyld oplysningsskemaet senest {formatting.long_date(questionnaire_by)}.",
        f"Din første samtale er senest {formatting.long_date(latest)}.",
        f"Vi holder samtalen senest {formatting.long_date(latest)}, i uge 8 af din sygemelding.",
        "Du har altid ret til at bede om en samtale.",
        "Er du alvorligt syg, fx med kræft? Så kan du holde pause fra samtalerne.",
    ]:
        assert _says(texts, phrase), f"{regime_id}: mangler '{phrase}'"
    employed = data["reported_by"] == "arbejdsgiver"
    exemption = "regner du og din arbejdsgiver med, at du er rask inden 26 uger?"
    assert _says(texts, exemption) == (employed and regime_id in FLEXIBLE)
    # With the exemption, the count is "som regel", never "mindst" (rule LO12).
    how = "som regel" if employed and regime_id in FLEXIBLE else "mindst"
    assert _says(texts, f"I de første 6 måneder holder vi {how} 4 samtaler med dig.")
    assert _says(texts, "Så kan du eller din arbejdsgiver bede om en samtale inden for 2 uger.") == employed
    payer = {
        True: "Din arbejdsgiver betaler løn eller sygedagpenge de første 30 dage.",
        False: "Din a-kasse betaler sygedagpenge i de første 14 dage.",
    }[employed]
    assert _says(texts, payer)
    # The sick-leave letter never cites the employment law's conversation rules.
    assert not _says(texts, "beskæftigelsesindsats § 31")


# --- data-driven parts that only the table decides -----------------------------------------------


def _templates_with(tmp_path: Path, change) -> Path:
    root = tmp_path / "da"
    shutil.copytree(templates_dir(), root)
    raw = yaml.safe_load((root / "regimes.yml").read_text(encoding="utf-8"))
    change(raw["regimes"])
    (root / "regimes.yml").write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


@pytest.mark.parametrize("granted", [True, False])
def test_repeated_offer_right_only_where_the_regime_grants_it(tmp_path, granted):
    root = _templates_with(tmp_path, lambda r: r[2].setdefault("offer", {}).update(repeated_offer_right=granted))
    case = validate_case("tilbud", read_case_file(BY_ID["tilbud/virksomhedspraktik-kontanthjaelp"]))
    letter = compose_letter("tilbud", case, TemplateSet(root))
    assert letter.meta.regime_id == "2026-07-fleksibelt-kontaktforloeb"
    text = " ".join(letter.body_lines())
    assert ("Du har ret til at sige nej til at tage det igen." in text) is granted


def test_changing_a_count_in_the_table_changes_the_letter(tmp_path):
    def change(regimes):
        regimes[0]["contact_plan"]["kontanthjælp"]["meetings"][0]["count"] = 5

    root = _templates_with(tmp_path, change)
    case = validate_case("indkaldelse", _shifted(BY_ID["indkaldelse/kontanthjaelp-fremmoede"], SAMPLE_DATE["2024-forenklet-kontaktforloeb"]))
    text = " ".join(compose_letter("indkaldelse", case, TemplateSet(root)).body_lines())
    assert "har du mindst 5 samtaler om job med jobcenteret." in text


# --- notes for the caseworker ----------------------------------------------------------------------


def test_provisional_regime_is_noted():
    path = BY_ID["indkaldelse/graense-2027-01-01-kontanthjaelp"]
    letter = build_letter("indkaldelse", read_case_file(path))
    assert letter.meta.notes == (
        "Regelsættet '2027-ny-hovedlov' er foreløbigt: reglerne er ikke vedtaget endnu. Få brevet tjekket, før du sender det.",
    )


def test_unconfirmed_values_the_letter_uses_are_noted():
    path = BY_ID["sygedagpenge/a-kasse-ukendt"]
    letter = build_letter("sygedagpenge", _shifted(path, SAMPLE_DATE["2024-forenklet-kontaktforloeb"]))
    assert letter.meta.notes == (
        # Week 8 ends on Easter Monday: the last working day before it is the Wednesday before Easter.
        "Første samtale senest: 21. april 2025 er en helligdag (Anden påskedag). "
        "Brevet nævner i stedet den sidste hverdag før, onsdag den 16. april 2025.",
        "Brevet bruger værdier fra regelsættet '2024-forenklet-kontaktforloeb', som ikke er bekræftet i loven: "
        "hvem der betaler sygedagpenge og hvornår (sick_leave.payer.a-kasse). Få dem tjekket, før du sender brevet.",
    )


# --- the boundary examples, read from the real PDF ----------------------------------------------------


@pytest.mark.parametrize(
    "before, after, said_before, said_after",
    [
        (
            "indkaldelse/graense-2026-06-30-dagpenge",
            "indkaldelse/graense-2026-07-01-dagpenge",
            "3 er med din a-kasse i måned 1 til 3",
            "2 er med din a-kasse i måned 1 til 3",
        ),
        (
            "indkaldelse/graense-2026-12-31-kontanthjaelp",
            "indkaldelse/graense-2027-01-01-kontanthjaelp",
            "som regel 4 samtaler om job med jobcenteret.",
            "som regel 4 samtaler om job med kommunen.",
        ),
        (
            "indkaldelse/graense-2026-12-31-kontanthjaelp",
            "indkaldelse/graense-2027-01-01-kontanthjaelp",
            "sagsbehandler, Jobcenter Esbjerg",
            "sagsbehandler, Esbjerg Kommune",
        ),
        (
            "tilbud/graense-2026-01-31-kontanthjaelp",
            "tilbud/graense-2026-02-01-kontanthjaelp",
            "Lov om en aktiv beskæftigelsesindsats § 57, stykke 3 (praktik, du selv finder)",
            REFORM_LAW,
        ),
    ],
)
def test_boundary_pair_differs_where_the_law_changed(rendered_examples, before, after, said_before, said_after):
    from extract import comparable

    texts = {cid: comparable(EXTRACT["pdf"](rendered_examples[cid][3]["pdf"]), "pdf") for cid in (before, after)}
    assert comparable(said_before, "pdf") in texts[before]
    assert comparable(said_after, "pdf") in texts[after]
    if said_before != said_after and not said_after.startswith(REFORM_LAW):
        assert comparable(said_before, "pdf") not in texts[after]
    if said_after == REFORM_LAW:
        assert comparable(REFORM_LAW, "pdf") not in texts[before]


def test_sick_leave_boundary_adds_the_26_week_rule(rendered_examples):
    from extract import comparable

    rule = comparable("regner du og din arbejdsgiver med, at du er rask inden 26 uger?", "pdf")
    before = comparable(EXTRACT["pdf"](rendered_examples["sygedagpenge/graense-2026-06-30-arbejdsgiver"][3]["pdf"]), "pdf")
    after = comparable(EXTRACT["pdf"](rendered_examples["sygedagpenge/graense-2026-07-01-arbejdsgiver"][3]["pdf"]), "pdf")
    assert rule not in before and rule in after


def test_every_unconfirmed_value_has_danish_words_for_the_caseworker():
    """The note about unconfirmed values names each in Danish (the desk and the CLI show it to
    caseworkers), with its key in regimes.yml in brackets for communications staff."""
    import yaml

    from brevgen.derive import PROVISIONAL_LABELS
    from brevgen.paths import templates_dir

    table = yaml.safe_load((templates_dir() / "regimes.yml").read_text(encoding="utf-8"))
    listed = {key for regime in table["regimes"] for key in regime.get("provisional_values") or []}
    assert listed and sorted(key for key in listed if key not in PROVISIONAL_LABELS) == []
