"""Every cross-field rule, with the exact Danish line a caseworker reads, and nothing written.

Deadlines that land on a weekend or holiday are not errors: they move to the next working day
(a date we must meet moves back), and the result says so in its notes.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from conftest import EXAMPLES, example_id

from brevgen import CaseDataError, build_letter
from brevgen.api import validate_case
from brevgen.casefile import read_case_file

BY_ID = {example_id(p): p for p in EXAMPLES}


def case(case_id: str, **changes) -> dict:
    """The example's data with dotted-path changes; a value of ``None`` removes the field."""
    data = read_case_file(BY_ID[case_id])
    for dotted, value in changes.items():
        target = data
        *parents, leaf = dotted.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        if value is None:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return data


def problems(event: str, data: dict) -> list[str]:
    with pytest.raises(CaseDataError) as info:
        validate_case(event, data)
    return info.value.lines()


SUMMONS = "indkaldelse/dagpenge-fremmoede"  # letter 2026-03-02, meeting Monday 2026-03-16 10:00
# letter 2026-03-09, start Monday 2026-03-30, answer by 2026-03-18; 4 weeks after the letter is Easter Monday
OFFER = "tilbud/virksomhedspraktik-dagpenge"
EASTER_COMPLAINT = "Klagefrist: 6. april 2026 er en helligdag (Anden påskedag). Fristen er flyttet til tirsdag den 7. april 2026."
SICK = "sygedagpenge/arbejdsgiver-over-8-uger"  # absent from 2026-02-23, letter 2026-03-24, first talk 2026-04-14

RULES = [
    # --- summons ---------------------------------------------------------------------------------
    (
        "indkaldelse",
        case(SUMMONS, meeting=None),
        ["meeting (Samtalen): skal udfyldes. Brug self_booking i stedet, hvis borgeren selv skal booke en tid"],
    ),
    (
        "indkaldelse",
        case(SUMMONS, self_booking={"book_by": "2026-03-10", "url": "https://job.jobnet.dk"}),
        ["self_booking (Selvbooking (borgeren booker selv en tid)): kan ikke bruges sammen med en fast tid (meeting). Vælg den ene"],
    ),
    (
        "indkaldelse",
        case(SUMMONS, **{"meeting.mode": "video", "meeting.venue": None, "meeting.video": {"platform": "Microsoft Teams"}}),
        ["meeting.video.join_url (Link til videomødet): Et videomøde skal have et link"],
    ),
    (
        "indkaldelse",
        case(SUMMONS, **{"meeting.mode": "video", "meeting.venue": None}),
        ["meeting.video (Videomøde): Et videomøde skal have et link"],
    ),
    (
        "indkaldelse",
        case(SUMMONS, **{"meeting.mode": "telefon", "meeting.venue": None, "meeting.phone": {"number": "28 14 55 90"}}),
        [
            "meeting.phone.who_calls (Hvem ringer op): Et telefonmøde skal sige, hvem der ringer til hvem: "
            "jobcenter (vi ringer op) eller borger (borgeren ringer op)"
        ],
    ),
    (
        "indkaldelse",
        case(SUMMONS, **{"meeting.mode": "telefon", "meeting.venue": None}),
        ["meeting.phone (Telefonmøde): Et telefonmøde skal sige, hvem der ringer op, og til hvilket nummer"],
    ),
    (
        "indkaldelse",
        case(SUMMONS, **{"meeting.start": "2026-02-27T10:00"}),
        ["meeting.start (Mødets tidspunkt): skal ligge efter brevets dato"],
    ),
    (
        "indkaldelse",
        case(SUMMONS, **{"meeting.start": "2026-04-06T10:00"}),
        ["meeting.start (Mødets tidspunkt): ligger på en helligdag (Anden påskedag). Vælg en hverdag"],
    ),
    (
        "indkaldelse",
        case(SUMMONS, **{"meeting.start": "2026-03-14T10:00"}),
        ["meeting.start (Mødets tidspunkt): ligger på en lørdag. Vælg en hverdag"],
    ),
    (
        "indkaldelse",
        case(SUMMONS, meeting=None, self_booking={"book_by": "2026-03-02", "url": "https://job.jobnet.dk"}),
        ["self_booking.book_by (Frist for at booke en tid): skal ligge efter brevets dato"],
    ),
    (
        "indkaldelse",
        case(SUMMONS, meeting=None, cancel_by="2026-03-05T12:00", self_booking={"book_by": "2026-03-09", "url": "https://job.jobnet.dk"}),
        ["cancel_by (Frist for at flytte eller aflyse): bruges kun, når samtalen har en fast tid (meeting)"],
    ),
    (
        "indkaldelse",
        case(SUMMONS, cancel_by="2026-03-16T12:00"),
        ["cancel_by (Frist for at flytte eller aflyse): skal ligge mellem brevets dato og mødet"],
    ),
    (
        "indkaldelse",
        case(SUMMONS, a_kasse=None),
        ["a_kasse (A-kasse (ved dagpenge)): skal udfyldes, når borgeren får dagpenge"],
    ),
    # --- offer -----------------------------------------------------------------------------------
    (
        "tilbud",
        case(OFFER, answer_by="2026-03-06"),
        ["answer_by (Svarfrist): skal ligge efter brevets dato"],
    ),
    (
        "tilbud",
        case(OFFER, answer_by="2026-03-09"),
        ["answer_by (Svarfrist): skal ligge efter brevets dato"],
    ),
    (
        "tilbud",
        case(OFFER, answer_by="2026-03-30"),
        ["answer_by (Svarfrist): skal ligge før tilbuddets første dag"],
    ),
    (
        "tilbud",
        case(OFFER, answer_by="2026-03-28"),
        ["answer_by (Svarfrist): ligger på en lørdag, så fristen flytter til tilbuddets første dag. Vælg en tidligere svarfrist"],
    ),
    (
        "tilbud",
        case(OFFER, **{"offer.end_date": "2026-04-09"}),
        [
            "offer.end_date (Sidste dag): tilbuddet er for kort. Efter reglerne skal det vare mindst 2 uger, "
            "så sidste dag skal være fredag den 10. april 2026 eller senere"
        ],
    ),
    (
        "tilbud",
        case(OFFER, **{"offer.start_date": "2026-04-06"}),
        ["offer.start_date (Første dag): ligger på en helligdag (Anden påskedag). Tilbuddet skal begynde på en hverdag"],
    ),
    (
        "tilbud",
        case(OFFER, **{"offer.start_date": "2026-03-09"}),
        [
            "offer.start_date (Første dag): skal ligge efter brevets dato",
            "answer_by (Svarfrist): skal ligge før tilbuddets første dag",
        ],
    ),
    (
        "tilbud",
        case(OFFER, **{"offer.end_date": "2026-03-27"}),
        ["offer.end_date (Sidste dag): skal ligge samme dag som eller efter første dag"],
    ),
    (
        "tilbud",
        case(OFFER, **{"offer.kind": "løntilskud"}),
        ["offer.wage_per_hour (Timeløn (ved løntilskud)): skal udfyldes ved løntilskud"],
    ),
    (
        "tilbud",
        case(OFFER, **{"offer.kind": "kursus", "self_found_by": "2026-03-20"}),
        ["self_found_by (Frist for selv at finde en praktik (standard: svarfristen)): kan ikke bruges ved kursus: borgeren har ikke ret til selv at finde et"],
    ),
    (
        "tilbud",
        case(OFFER, self_found_by="2026-03-09"),
        ["self_found_by (Frist for selv at finde en praktik (standard: svarfristen)): skal ligge efter brevets dato"],
    ),
    (
        "tilbud",
        case(OFFER, self_found_by="2026-03-28"),
        ["self_found_by (Frist for selv at finde en praktik (standard: svarfristen)): skal ligge før tilbuddets første dag"],
    ),
    # --- sick leave ------------------------------------------------------------------------------
    (
        "sygedagpenge",
        case(SICK, **{"first_followup.start": "2026-04-20T10:00"}),
        [
            "first_followup.start (Første opfølgningssamtale): skal ligge senest ved udgangen af uge 8 af sygemeldingen, "
            "det vil sige senest søndag den 19. april 2026"
        ],
    ),
    (
        "sygedagpenge",
        case(SICK, **{"first_followup.start": "2026-03-24T10:00"}),
        ["first_followup.start (Første opfølgningssamtale): skal ligge efter brevets dato"],
    ),
    (
        "sygedagpenge",
        case(SICK, **{"first_followup.start": "2026-04-03T10:00"}),
        ["first_followup.start (Første opfølgningssamtale): ligger på en helligdag (Langfredag). Vælg en hverdag"],
    ),
    (
        "sygedagpenge",
        case(SICK, first_followup=None, letter_date="2026-04-17", questionnaire_sent="2026-04-17"),
        [
            "first_followup (Første opfølgningssamtale): skal udfyldes: vi skal holde den første samtale senest "
            "fredag den 17. april 2026, og den dag ligger ikke efter brevets dato"
        ],
    ),
    (
        "sygedagpenge",
        case(SICK, first_absence_day="2026-03-25"),
        ["first_absence_day (Første fraværsdag): kan ikke ligge efter brevets dato"],
    ),
    (
        "sygedagpenge",
        case(SICK, questionnaire_sent="2026-03-25"),
        ["questionnaire_sent (Dato for oplysningsskemaet): kan ikke ligge efter brevets dato"],
    ),
    # --- every event: the letter date must fall in a regime ---------------------------------------
    (
        "tilbud",
        case(OFFER, letter_date="2023-12-29", answer_by="2024-01-05", **{"offer.start_date": "2024-01-08", "offer.end_date": "2024-02-02"}),
        ["letter_date (Brevets dato): ligger før det første regelsæt i regimes.yml, som gælder fra 1. januar 2024. Brevet kan ikke laves"],
    ),
]


@pytest.mark.parametrize("event, data, expected", RULES, ids=[f"{e}:{i}" for i, (e, _d, _x) in enumerate(RULES)])
def test_cross_field_rule(event, data, expected):
    assert problems(event, data) == expected


def test_the_boundary_cases_of_the_rules_pass():
    """One day inside each limit is accepted (no off-by-one in the rules)."""
    validate_case("tilbud", case(OFFER, **{"offer.end_date": "2026-04-10"}))  # exactly 2 weeks
    validate_case("tilbud", case(OFFER, answer_by="2026-03-10"))  # the day after the letter
    validate_case("sygedagpenge", case(SICK, **{"first_followup.start": "2026-04-17T10:00"}))  # last working day of week 8
    validate_case("indkaldelse", case(SUMMONS, cancel_by="2026-03-16T09:00"))  # an hour before the meeting


def test_rule_error_on_the_command_line_writes_nothing(tmp_path):
    path = tmp_path / "sag.yaml"
    path.write_text(yaml.safe_dump(case(OFFER, **{"offer.end_date": "2026-04-09"}), allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "brevgen.cli", "render", "tilbud", str(path), "--out", str(out)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"fejl: {path}: offer.end_date (Sidste dag): tilbuddet er for kort. Efter reglerne skal det vare mindst 2 uger, "
        "så sidste dag skal være fredag den 10. april 2026 eller senere"
    ]
    assert not out.exists()


# --- deadlines on weekends and holidays: moved, and the result says so ------------------------------


@pytest.mark.parametrize(
    "event, data, notes, phrase",
    [
        (
            "tilbud",
            case(OFFER, answer_by="2026-03-21"),
            [EASTER_COMPLAINT, "Svarfrist: 21. marts 2026 er en lørdag. Fristen er flyttet til mandag den 23. marts 2026."],
            "Svar os senest mandag den 23. marts 2026.",
        ),
        (
            "tilbud",
            case(OFFER, letter_date="2026-03-06", answer_by="2026-03-18"),
            ["Klagefrist: 3. april 2026 er en helligdag (Langfredag). Fristen er flyttet til tirsdag den 7. april 2026."],
            "Din klage skal være hos os senest tirsdag den 7. april 2026.",
        ),
        (
            "tilbud",
            case(OFFER, self_found_by="2026-03-22"),
            [
                EASTER_COMPLAINT,
                "Frist for selv at finde en praktik: 22. marts 2026 er en søndag. Fristen er flyttet til mandag den 23. marts 2026.",
            ],
            "Fortæl os om det senest mandag den 23. marts 2026.",
        ),
        (
            "indkaldelse",
            case(SUMMONS, meeting=None, self_booking={"book_by": "2026-04-03", "url": "https://job.jobnet.dk"}),
            ["Frist for at booke en tid: 3. april 2026 er en helligdag (Langfredag). Fristen er flyttet til tirsdag den 7. april 2026."],
            "Book tiden senest tirsdag den 7. april 2026.",
        ),
        (
            "indkaldelse",
            case(SUMMONS, cancel_by="2026-03-14T10:00"),
            # Monday 10.00 would be the meeting itself: the deadline moves back to Friday (inside
            # the caseworker's phone hours, 8.30 to 10.00, as rule LO01 requires).
            ["Frist for at flytte eller aflyse: 14. marts 2026 er en lørdag. Fristen er flyttet til fredag den 13. marts 2026 kl. 10.00."],
            "senest fredag den 13. marts 2026 kl. 10.00",
        ),
        (
            "indkaldelse",
            case(SUMMONS, cancel_by="2026-03-08T09:30"),
            ["Frist for at flytte eller aflyse: 8. marts 2026 er en søndag. Fristen er flyttet til mandag den 9. marts 2026 kl. 9.30."],
            "senest mandag den 9. marts 2026 kl. 9.30",
        ),
        (
            "sygedagpenge",
            case(SICK, letter_date="2026-03-27", questionnaire_sent="2026-03-27"),
            ["Frist for oplysningsskemaet: 4. april 2026 er en lørdag. Fristen er flyttet til tirsdag den 7. april 2026."],
            "Udfyld oplysningsskemaet senest tirsdag den 7. april 2026.",
        ),
        (
            "sygedagpenge",
            case(SICK, first_followup=None),
            ["Første samtale senest: 19. april 2026 er en søndag. Brevet nævner i stedet den sidste hverdag før, fredag den 17. april 2026."],
            "Din første samtale med os er senest fredag den 17. april 2026.",
        ),
    ],
)
def test_moved_deadline_is_in_the_letter_and_in_the_notes(event, data, notes, phrase):
    letter = build_letter(event, data)
    moved = [n for n in letter.meta.notes if not n.startswith(("Brevet bruger", "Regelsættet"))]
    assert moved == notes
    assert phrase in " ".join(letter.body_lines()).replace("\xa0", " ")


def test_notes_reach_the_case_system_as_json(tmp_path):
    path = tmp_path / "sag.yaml"
    path.write_text(yaml.safe_dump(case(OFFER, answer_by="2026-03-21"), allow_unicode=True), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "brevgen.cli", "render", "tilbud", str(path), "--format", "html", "--json", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    notes = json.loads(result.stdout)["notes"]
    assert "Svarfrist: 21. marts 2026 er en lørdag. Fristen er flyttet til mandag den 23. marts 2026." in notes
