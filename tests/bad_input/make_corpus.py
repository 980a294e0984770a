"""Writes the bad-input corpus: one case file per bad input, and expected.yaml with the exact
Danish verdict each must get, from the CLI, the Python API, HTTP and batch alike.

    python tests/bad_input/make_corpus.py        # rewrites the files and expected.yaml

Every expected message below is written out by hand (with the field's Danish title, as the
case models name it); nothing here asks brevgen what it answers. Each case starts from one
example that makes a letter and changes one thing, so each file has exactly one problem.

Kinds of bad input:
- text: control characters (NUL, BEL, ESC, VT, TAB), U+FFFE, a private-use character (the
  kind brevgen's own placeholders use), a lone surrogate, a right-to-left override, a
  direction isolate, only zero-width characters, a line break, a line separator, one
  character over the field's limit, and a CPR number in eight spellings, over the free-text
  fields of all three letters (names, addresses, caseworker, authority, venue, lists, offer);
- numbers, dates and times that are impossible or implausible (issue 14's list and more);
- structure: duplicate keys, nesting, aliases, sizes, unknown keys, wrong encodings;
- the recipient's address block that does not fit the envelope window;
- links, e-mail, phone, CPR, CVR, postcode and case reference fields.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent.parent / "examples"

M_CONTROL = "har et styretegn (fx NUL, tabulator eller ESC), som ikke kan stå i et brev. Fjern det"
M_NOT_PRINTABLE = "har et tegn, der ikke findes i Unicode eller ikke kan vises (fx U+FFFE). Fjern det"
M_DIRECTION = "har et usynligt tegn, der vender skriveretningen (fx højre-mod-venstre). Fjern det"
M_INVISIBLE = "er tom: den har kun usynlige tegn. Skriv teksten"
M_LINE_BREAK = "må ikke have linjeskift. Skriv teksten på én linje"
M_CPR = "ligner et CPR-nummer. Et CPR-nummer må aldrig stå i et brev: fjern det"
M_TOO_DEEP = "sagens data er indlejret for dybt: højst 12 niveauer af grupper og lister inden i hinanden"
M_TOO_BIG_NUMBER = "er et for stort tal: højst 15 cifre"
M_NOT_FINITE = "er ikke et tal, der kan stå i et brev (uendeligt eller NaN)"
M_HOURS = "ser forkert ud: skal ligge mellem 1 og 37 timer om ugen. Tjek tallet"
M_WAGE = "ser forkert ud: skal ligge mellem 50 og 1.000 kr. i timen. Tjek tallet"
M_YEAR = "skal ligge mellem år 2000 og 2100"
M_NO_CLOCK = "mangler et klokkeslæt. Skriv fx 2026-03-02 10:00 eller 2. marts 2026 kl. 10.00"
M_WHOLE_MINUTE = "skal være et helt minut, fx 10:00 (uden sekunder)"
M_WINDOW_WORD = "har et ord, der er for bredt til ruden i kuverten. Forkort det, eller del det med mellemrum"


def hours(span: str) -> str:
    return f"ligger uden for mødetiden: et møde skal begynde kl. 7.00 eller senere og slutte senest kl. 18.00 (dette møde er {span})"


def too_long(n: int) -> str:
    return f"er for lang: højst {n} tegn"


CPR_SPELLINGS = {
    "bindestreg": "241299-0013",
    "tankestreg": "241299\u20130013",
    "mellemrum": "241299 0013",
    "uden": "2412990013",
    "punktum": "24.12.99-0013",
    "skraastreg": "24/12/99 0013",
    "fuldbredde": "\uff12\uff14\uff11\uff12\uff19\uff19\uff0d\uff10\uff10\uff11\uff13",
    "nulbredde": "241299\u200b0013",
}

# kind -> (how the field's value is changed, the message)
TEXT_KINDS = {
    "nul": (lambda v, n: v[:3] + "\x00" + v[3:], M_CONTROL),
    "bel": (lambda v, n: v + "\x07", M_CONTROL),
    "esc": (lambda v, n: "\x1b[31m" + v, M_CONTROL),
    "vt": (lambda v, n: v[:2] + "\x0b" + v[2:], M_CONTROL),
    "tab": (lambda v, n: v[:2] + "\t" + v[2:], M_CONTROL),
    "ufffe": (lambda v, n: v + "\ufffe", M_NOT_PRINTABLE),
    "privat": (lambda v, n: v[:2] + "\ue000" + "0" + "\ue001" + v[2:], M_NOT_PRINTABLE),
    "hoejre-mod-venstre": (lambda v, n: "\u202e" + v, M_DIRECTION),
    "isolat": (lambda v, n: v[:3] + "\u2067" + v[3:] + "\u2069", M_DIRECTION),
    "kun-nulbredde": (lambda v, n: "\u200b\u200c\u200d\u2060", M_INVISIBLE),
    "linjeskift": (lambda v, n: v[:3] + "\n" + v[3:], M_LINE_BREAK),
    "linjeseparator": (lambda v, n: v[:3] + "\u2028" + v[3:], M_LINE_BREAK),
    "for-lang": (lambda v, n: (v + " ") * (n // (len(v) + 1)) + "x" * (n + 1 - (n // (len(v) + 1)) * (len(v) + 1)), None),
    **{f"cpr-{name}": ((lambda s: lambda v, n: f"{v} {s}")(spelling), M_CPR) for name, spelling in CPR_SPELLINGS.items()},
}

# The free-text fields: path as a caseworker reads it, (keys to reach it), Danish title, limit.
FIELDS = {
    "indkaldelse": [
        ("citizen.name", ("citizen", "name"), "Borgerens navn", 100),
        ("citizen.address.street", ("citizen", "address", "street"), "Vej og husnummer", 80),
        ("citizen.address.co", ("citizen", "address", "co"), "c/o-navn", 80),
        ("citizen.address.city", ("citizen", "address", "city"), "By", 80),
        ("caseworker.name", ("caseworker", "name"), "Sagsbehandlerens navn", 100),
        ("caseworker.title", ("caseworker", "title"), "Sagsbehandlerens stilling", 200),
        ("caseworker.substitute.name", ("caseworker", "substitute", "name"), "Stedfortræderens navn", 100),
        ("sender.authority", ("sender", "authority"), "Myndighed", 100),
        ("sender.unit", ("sender", "unit"), "Afdeling", 100),
        ("sender.address.street", ("sender", "address", "street"), "Vej og husnummer", 80),
        ("sender.phone_hours[2].days", ("sender", "phone_hours", 1, "days"), "Dage", 200),
        ("meeting.venue.name", ("meeting", "venue", "name"), "Stedets navn", 100),
        ("meeting.venue.room", ("meeting", "venue", "room"), "Etage eller lokale", 200),
        ("meeting.venue.reception", ("meeting", "venue", "reception"), "Hvor borgeren melder sin ankomst", 1000),
        ("bring[2]", ("bring", 1), "Det skal borgeren tage med", 1000),
        ("prepare[1]", ("prepare", 0), "Det skal borgeren forberede", 1000),
        ("a_kasse.name", ("a_kasse", "name"), "A-kassens navn", 100),
    ],
    "tilbud": [
        ("offer.title", ("offer", "title"), "Tilbuddets navn", 200),
        ("offer.purpose", ("offer", "purpose"), "Formålet med tilbuddet", 1000),
        ("offer.tasks[2]", ("offer", "tasks", 1), "Opgaver eller indhold", 1000),
        ("offer.schedule", ("offer", "schedule"), "Mødetider", 1000),
        ("offer.provider.name", ("offer", "provider", "name"), "Virksomhed eller kursussted", 100),
        ("offer.provider.contact_name", ("offer", "provider", "contact_name"), "Kontaktperson på stedet", 100),
        ("offer.transport", ("offer", "transport"), "Transport og befordring", 1000),
        ("reasoning.facts[3]", ("reasoning", "facts", 2), "Oplysninger, vi har lagt vægt på", 1000),
        ("reasoning.considerations[1]", ("reasoning", "considerations", 0), "Hovedhensyn i vurderingen", 1000),
        ("citizen.address.floor_door", ("citizen", "address", "floor_door"), "Etage og dør", 80),
    ],
    "sygedagpenge": [
        ("employer_name", ("employer_name",), "Arbejdsgiver", 100),
        ("first_followup.venue.reception", ("first_followup", "venue", "reception"), "Hvor borgeren melder sin ankomst", 1000),
        ("first_followup.venue.room", ("first_followup", "venue", "room"), "Etage eller lokale", 200),
        ("citizen.name", ("citizen", "name"), "Borgerens navn", 100),
        ("caseworker.title", ("caseworker", "title"), "Sagsbehandlerens stilling", 200),
    ],
}
BASES = {
    "indkaldelse": EXAMPLES / "indkaldelse" / "dagpenge-fremmoede.yaml",
    "tilbud": EXAMPLES / "tilbud" / "loentilskud-dagpenge.yaml",
    "sygedagpenge": EXAMPLES / "sygedagpenge" / "arbejdsgiver-over-8-uger.yaml",
}
SLUG = {
    "citizen.name": "borger-navn", "citizen.address.street": "borger-vej", "citizen.address.co": "borger-co",
    "citizen.address.city": "borger-by", "caseworker.name": "sagsbeh-navn", "caseworker.title": "sagsbeh-titel",
    "caseworker.substitute.name": "stedfortraeder", "sender.authority": "myndighed", "sender.unit": "afdeling",
    "sender.address.street": "afsender-vej", "sender.phone_hours[2].days": "telefontid-dage", "meeting.venue.name": "moedested",
    "meeting.venue.room": "lokale", "meeting.venue.reception": "reception", "bring[2]": "medbring", "prepare[1]": "forbered",
    "a_kasse.name": "a-kasse", "offer.title": "tilbud-navn", "offer.purpose": "formaal", "offer.tasks[2]": "opgave",
    "offer.schedule": "moedetider", "offer.provider.name": "virksomhed", "offer.provider.contact_name": "kontaktperson",
    "offer.transport": "transport", "reasoning.facts[3]": "oplysning", "reasoning.considerations[1]": "hensyn",
    "citizen.address.floor_door": "borger-etage", "employer_name": "arbejdsgiver", "first_followup.venue.reception": "reception",
    "first_followup.venue.room": "lokale",
}


class _TextDates(yaml.SafeLoader):
    """Dates stay text, as in a case file read by brevgen (and so JSON can hold them)."""


_TextDates.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDates)  # noqa: S506


def load(event: str) -> dict:
    return read(BASES[event])


def put(data: dict, keys: tuple, value) -> None:
    target = data
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value


def get(data: dict, keys: tuple):
    for key in keys:
        data = data[key]
    return data


class Corpus:
    def __init__(self) -> None:
        self.entries: list[dict] = []
        self.files: dict[str, bytes] = {}

    def add(self, name: str, content: bytes, what: str, errors: list[str], **expect) -> None:
        # Batch makes a record id from the path without its suffix: unique, at most 64 characters.
        stem = name.rsplit(".", 1)[0]
        assert all(other.rsplit(".", 1)[0] != stem for other in self.files), name
        assert len(stem.replace("/", "-")) <= 64, name
        self.files[name] = content
        self.entries.append({"file": name, "what": what, "errors": errors, **expect})

    def case(self, event: str, slug: str, data: dict, what: str, errors: list[str], fmt: str = "json", **expect) -> None:
        if fmt == "json":
            content = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
        else:
            content = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")
        self.add(f"{event}/{slug}.{fmt}", content, what, errors, **expect)


def text_cases(corpus: Corpus) -> None:
    kinds = list(TEXT_KINDS)
    for event, fields in FIELDS.items():
        # Each kind on some fields, each field with some kinds: every pair of the rotation.
        per_kind = {"indkaldelse": 4, "tilbud": 2, "sygedagpenge": 1}[event]
        for k, kind in enumerate(kinds):
            change, message = TEXT_KINDS[kind]
            for j in range(per_kind):
                path, keys, title, limit = fields[(k * per_kind + j) % len(fields)]
                data = load(event)
                value = get(data, keys)
                put(data, keys, change(value, limit))
                expected = message or too_long(limit)
                fmt = "yaml" if (k + j) % 3 == 0 else "json"
                corpus.case(event, f"{kind}-{SLUG[path]}", data, f"{kind} i {path}", [f"{path} ({title}): {expected}"], fmt=fmt)


def summons(**changes) -> dict:
    data = load("indkaldelse")
    for dotted, value in changes.items():
        put(data, tuple(dotted.split(".")), value)
    return data


def offer(**changes) -> dict:
    data = load("tilbud")
    for dotted, value in changes.items():
        put(data, tuple(dotted.split(".")), value)
    return data


def sick(**changes) -> dict:
    data = load("sygedagpenge")
    for dotted, value in changes.items():
        put(data, tuple(dotted.split(".")), value)
    return data


def number_cases(c: Corpus) -> None:
    t, h, w, d = "tilbud", "offer.hours_per_week (Timer om ugen)", "offer.wage_per_hour (Timeløn (ved løntilskud))", "meeting.duration_minutes (Mødets længde i minutter)"
    c.case(t, "timer-0-001", offer(**{"offer.hours_per_week": 0.001}), "0,001 time om ugen (blev til '0 timer')", [f"{h}: må højst have 2 decimaler"])
    c.case(t, "timer-0", offer(**{"offer.hours_per_week": 0}), "0 timer om ugen", [f"{h}: {M_HOURS}"])
    c.case(t, "timer-40", offer(**{"offer.hours_per_week": 40}), "40 timer om ugen", [f"{h}: {M_HOURS}"])
    c.case(t, "timer-negativ", offer(**{"offer.hours_per_week": -5}), "-5 timer om ugen", [f"{h}: {M_HOURS}"], fmt="yaml")
    c.case(t, "timeloen-10-12", offer(**{"offer.wage_per_hour": 10**12}), "timeløn 10^12 kr.", [f"{w}: {M_WAGE}"])
    c.case(t, "timeloen-10", offer(**{"offer.wage_per_hour": 10}), "timeløn 10 kr.", [f"{w}: {M_WAGE}"], fmt="yaml")
    c.case(t, "timeloen-3-decimaler", offer(**{"offer.wage_per_hour": 142.555}), "timeløn med 3 decimaler", [f"{w}: må højst have 2 decimaler"])
    c.case(t, "timeloen-tekst", offer(**{"offer.wage_per_hour": "mange penge"}), "timeløn som tekst", [f"{w}: skal være et tal"])
    raw = json.dumps(offer(), ensure_ascii=False).replace('"hours_per_week": 37', '"hours_per_week": NaN')
    c.add("tilbud/timer-nan.json", raw.encode(), "NaN som timer (JSON)", [f"{h}: {M_NOT_FINITE}"])
    raw = json.dumps(offer(), ensure_ascii=False).replace('"wage_per_hour": 142.5', '"wage_per_hour": 1e400')
    c.add("tilbud/timeloen-uendelig.json", raw.encode(), "1e400 som timeløn (uendelig)", [f"{w}: {M_NOT_FINITE}"])
    raw = BASES[t].read_text(encoding="utf-8").replace("hours_per_week: 37", "hours_per_week: .inf")
    c.add("tilbud/timer-inf.yaml", raw.encode(), ".inf som timer (YAML)", [f"{h}: {M_NOT_FINITE}"], http="skip: YAML-værdien .inf findes ikke i JSON")
    i = "indkaldelse"
    raw = json.dumps(summons(), ensure_ascii=False).replace('"duration_minutes": 45', '"duration_minutes": ' + "9" * 5000)
    c.add(f"{i}/heltal-5000-cifre.json", raw.encode(), "et heltal med 5.000 cifre (HTTP 500 før)", [f"{d}: {M_TOO_BIG_NUMBER}"])
    raw = BASES[i].read_text(encoding="utf-8").replace("duration_minutes: 45", "duration_minutes: " + "9" * 5000)
    c.add(f"{i}/heltal-5000-cifre-yaml.yaml", raw.encode(), "et heltal med 5.000 cifre (YAML)", [f"{d}: {M_TOO_BIG_NUMBER}"],
          http="skip: det samme tal som JSON er heltal-5000-cifre.json")
    c.case(i, "varighed-10-20", summons(**{"meeting.duration_minutes": 10**20}), "mødelængde 10^20", [f"{d}: {M_TOO_BIG_NUMBER}"])
    c.case(i, "varighed-5", summons(**{"meeting.duration_minutes": 5}), "mødelængde 5 minutter", [f"{d}: skal være mindst 10"])
    c.case(i, "varighed-tekst", summons(**{"meeting.duration_minutes": "en time"}), "mødelængde som tekst", [f"{d}: skal være et helt tal"], fmt="yaml")


def time_cases(c: Corpus) -> None:
    i, m = "indkaldelse", "meeting.start (Mødets tidspunkt)"
    c.case(i, "moede-kun-dato", summons(**{"meeting.start": "2026-03-16"}), "mødet har kun en dato (blev 'kl. 0.00')", [f"{m}: {M_NO_CLOCK}"])
    c.case(i, "moede-aar-9999", summons(**{"meeting.start": "9999-12-31T23:30"}), "møde i år 9999 (OverflowError før)", [f"{m}: {M_YEAR}"])
    c.case(i, "moede-aar-9999-zone", summons(**{"meeting.start": "9999-12-31T23:30:00-05:00"}), "møde i år 9999 med tidszone", [f"{m}: {M_YEAR}"])
    c.case(i, "moede-aar-1899", summons(**{"meeting.start": "1899-12-29T10:00"}), "møde i år 1899", [f"{m}: {M_YEAR}"], fmt="yaml")
    c.case(i, "moede-kl-03", summons(**{"meeting.start": "2026-03-16T03:00"}), "møde kl. 3.00", [f"{m}: {hours('kl. 3.00 til 3.45')}"])
    c.case(i, "moede-kl-23-30", summons(**{"meeting.start": "2026-03-16T23:30"}), "møde kl. 23.30", [f"{m}: {hours('kl. 23.30 til 0.15')}"])
    c.case(i, "moede-slutter-18-15", summons(**{"meeting.start": "2026-03-16T17:30"}), "møde der slutter kl. 18.15", [f"{m}: {hours('kl. 17.30 til 18.15')}"])
    c.case(i, "moede-kl-06-59", summons(**{"meeting.start": "2026-03-16T06:59"}), "møde kl. 6.59", [f"{m}: {hours('kl. 6.59 til 7.44')}"], fmt="yaml")
    c.case(i, "moede-utc-kl-05", summons(**{"meeting.start": "2026-03-16T05:00:00Z"}), "møde 05:00Z = kl. 6.00 dansk tid", [f"{m}: {hours('kl. 6.00 til 6.45')}"])
    c.case(i, "moede-sekunder", summons(**{"meeting.start": "2026-03-16T10:00:30"}), "møde med sekunder", [f"{m}: {M_WHOLE_MINUTE}"])
    c.case(i, "moede-juleaften", summons(**{"letter_date": "2026-12-10", "meeting.start": "2026-12-24T10:00"}), "møde juleaftensdag",
           [f"{m}: ligger på juleaftensdag (24. december 2026), hvor jobcenteret holder lukket. Vælg en anden dag"])
    c.case(i, "moede-nytaarsaften", summons(**{"letter_date": "2026-12-10", "meeting.start": "2026-12-31T10:00"}), "møde nytårsaftensdag",
           [f"{m}: ligger på nytårsaftensdag (31. december 2026), hvor jobcenteret holder lukket. Vælg en anden dag"], fmt="yaml")
    c.case(i, "moede-grundlovsdag", summons(**{"letter_date": "2026-05-20", "meeting.start": "2026-06-05T10:00"}), "møde grundlovsdag",
           [f"{m}: ligger på grundlovsdag (5. juni 2026), hvor jobcenteret holder lukket. Vælg en anden dag"])
    c.case(i, "moede-soendag", summons(**{"meeting.start": "2026-03-15T10:00"}), "møde en søndag", [f"{m}: ligger på en søndag. Vælg en hverdag"])
    c.case(i, "moede-30-februar", summons(**{"meeting.start": "2026-02-30T10:00"}), "30. februar",
           [f"{m}: er ikke et gyldigt tidspunkt. Skriv fx 2026-03-02 10:00 eller 2. marts 2026 kl. 10.00"])
    c.case(i, "brevdato-aar-2200", summons(**{"letter_date": "2200-01-05"}), "brevets dato år 2200", [f"letter_date (Brevets dato): {M_YEAR}"])
    c.case(i, "telefontid-med-zone", summons(**{"caseworker.phone_hours": [{"days": "mandag", "opens": "09:00+01:00", "closes": "10:00"}]}),
           "telefontid med tidszone (TypeError før)", ["caseworker.phone_hours[1].opens (Åbner): skal være et klokkeslæt uden tidszone, fx 09:30 (dansk tid)"])
    c.case(i, "telefontid-sekunder", summons(**{"caseworker.phone_hours": [{"days": "mandag", "opens": "09:00", "closes": "10:00:15"}]}),
           "telefontid med sekunder", ["caseworker.phone_hours[1].closes (Lukker): skal være et helt minut, fx 09:30 (uden sekunder)"])
    s, f = "sygedagpenge", "first_followup.start (Første opfølgningssamtale)"
    c.case(s, "samtale-kl-19", sick(**{"first_followup.start": "2026-04-14T19:00"}), "første samtale kl. 19", [f"{f}: {hours('kl. 19.00 til 20.00')}"])
    c.case(s, "samtale-kun-dato", sick(**{"first_followup.start": "2026-04-14"}), "første samtale uden klokkeslæt", [f"{f}: {M_NO_CLOCK}"], fmt="yaml")


def deep(levels: int):
    value: object = "bund"
    for _ in range(levels):
        value = [value]
    return value


def structure_cases(c: Corpus) -> None:
    i = "indkaldelse"
    text = BASES[i].read_text(encoding="utf-8")
    dup = text.replace("benefit: dagpenge\n", "benefit: dagpenge\nbenefit: kontanthjælp\n")
    line = dup.splitlines().index("benefit: kontanthjælp") + 1
    c.add(f"{i}/dobbelt-noegle.yaml", dup.encode(), "samme nøgle to gange (YAML; den sidste vandt før)",
          [f"feltet 'benefit' står to gange i samme gruppe (linje {line}). Slet det ene (ellers ville det sidste gælde uden varsel)"],
          http="skip: dobbelte nøgler i YAML kan ikke sendes som JSON uden at miste dem")
    dup = text.replace("  name: Søren Ærø Åberg\n", "  name: Søren Ærø Åberg\n  name: Anders And\n")
    line = dup.splitlines().index("  name: Anders And") + 1
    c.add(f"{i}/dobbelt-noegle-inde.yaml", dup.encode(), "samme nøgle to gange inde i en gruppe (YAML)",
          [f"feltet 'name' står to gange i samme gruppe (linje {line}). Slet det ene (ellers ville det sidste gælde uden varsel)"],
          http="skip: dobbelte nøgler i YAML kan ikke sendes som JSON uden at miste dem")
    raw = json.dumps(summons(), ensure_ascii=False).replace('"benefit": "dagpenge"', '"benefit": "dagpenge", "benefit": "kontanthjælp"')
    c.add(f"{i}/dobbelt-noegle-json.json", raw.encode(), "samme nøgle to gange (JSON)",
          ["feltet 'benefit' står to gange i samme gruppe. Slet det ene (ellers ville det sidste gælde uden varsel)"])
    raw = json.dumps(summons(), ensure_ascii=False).replace('"mode": "fremmøde"', '"mode": "fremmøde", "mode": "video"')
    c.add(f"{i}/dobbelt-noegle-inde-json.json", raw.encode(), "samme nøgle to gange inde i en gruppe (JSON)",
          ["feltet 'mode' står to gange i samme gruppe. Slet det ene (ellers ville det sidste gælde uden varsel)"])
    c.case(i, "dybt-13", {**summons(), "ekstra": deep(12)}, "13 niveauer (det 13. er for dybt)", [M_TOO_DEEP])
    raw = json.dumps(summons(), ensure_ascii=False)[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    c.add(f"{i}/dybt-100000.json", raw.encode(), "100.000 niveauer (RecursionError og HTTP 500 før)", [M_TOO_DEEP])
    raw = text + "ekstra: " + "[" * 100_000 + "]" * 100_000 + "\n"
    c.add(f"{i}/dybt-100000-yaml.yaml", raw.encode(), "100.000 niveauer i YAML", [M_TOO_DEEP], http="skip: YAML-fil")
    block = "".join("  " * n + f"n{n}:\n" for n in range(20)) + "  " * 20 + "bund: 1\n"
    c.add(f"{i}/dybt-blok.yaml", (text + "ekstra:\n" + "".join("  " + ln + "\n" for ln in block.splitlines())).encode(),
          "20 niveauer med indrykning (YAML)", [M_TOO_DEEP], http="skip: YAML-fil")
    alias = text + "noter: &a [ja, ja, ja]\nflere: *a\n"
    line = alias.splitlines().index("flere: *a") + 1
    c.add(f"{i}/alias.yaml", alias.encode(), "et YAML-alias",
          [f"filen bruger et alias (*) i linje {line}. Skriv værdien ud i stedet: en sagsfil kan ikke bruge ankre og aliaser"], http="skip: YAML-fil")
    bomb = text + "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    line = bomb.splitlines().index("b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]") + 1
    c.add(f"{i}/alias-bombe.yaml", bomb.encode(), "en alias-bombe ('billion laughs')",
          [f"filen bruger et alias (*) i linje {line}. Skriv værdien ud i stedet: en sagsfil kan ikke bruge ankre og aliaser"], http="skip: YAML-fil")
    data = summons()
    data["citizen"]["241299-0013"] = "x"
    c.case(i, "ukendt-noegle-cpr", data, "en ukendt nøgle, der er et CPR-nummer (blev gentaget i fejlen før)",
           ["citizen.[CPR fjernet] (Borger): kendes ikke. Tjek stavemåden, eller fjern feltet"], fmt="yaml")
    data = summons()
    data["citizen"]["x" * 150] = "y"
    c.case(i, "noegle-150-tegn", data, "en nøgle på 150 tegn", ["citizen (Borger): har et feltnavn på over 100 tegn"])
    c.add(f"{i}/noegle-tal.yaml", (text + "1: et\n").encode(), "en nøgle, der er et tal (YAML)", ["har et feltnavn, der ikke er tekst"], http="skip: JSON-nøgler er altid tekst")
    c.case(i, "12000-vaerdier", summons(bring=["ting"] * 12000), "12.000 værdier", ["sagens data har for mange værdier: højst 10.000"])
    c.case(i, "21-punkter", summons(bring=[f"Ting nummer {n}" for n in range(1, 22)]), "21 ting at tage med",
           ["bring (Det skal borgeren tage med): har for mange punkter: højst 20"])
    c.case(i, "navn-300-tegn", summons(**{"citizen.name": ("Søren Ærø Åberg " * 19)[:300]}), "et navn på 300 tegn (uden for ruden før)",
           [f"citizen.name (Borgerens navn): {too_long(100)}"])
    big = json.dumps(summons(**{"citizen.name": "Søren " * 200_000}), ensure_ascii=False).encode("utf-8")
    size = f"{len(big):,}".replace(",", ".")
    c.add(f"{i}/navn-1-2-mb.json", big, "en sagsfil på 1,2 MB (et navn på 1.200.000 tegn; et 10 MB-navn kørte i over 5 minutter før)",
          [f"{{file}}: filen er for stor ({size} bytes). En sagsfil må højst fylde 1.000.000 bytes"], exit=2, http={"status": 413, "code": "too-large"})
    c.add(f"{i}/latin-1.yaml", text.encode("latin-1"), "en fil i Latin-1, ikke UTF-8", ["{file}: filen er ikke gemt som UTF-8"],
          exit=2, http={"status": 400, "code": "usage", "detail": "kroppen er ikke gyldig JSON (UTF-8)"})
    c.add(f"{i}/liste.json", b'[{"letter_date": "2026-03-02"}]', "en liste i stedet for en gruppe",
          ["{file}: filen skal indeholde en gruppe af felter, ikke en liste eller en tekst"], exit=2,
          http={"status": 400, "code": "usage", "detail": "kroppen skal være et JSON-objekt med sagens data"})
    c.add(f"{i}/tom.yaml", b"", "en tom fil", ["{file}: filen skal indeholde en gruppe af felter, ikke en liste eller en tekst"], exit=2,
          http={"status": 400, "code": "usage", "detail": "kroppen skal være et JSON-objekt med sagens data"})
    broken = text.replace("benefit: dagpenge", "benefit: [dagpenge")
    line = broken.splitlines().index("a_kasse: {name: 3F A-kasse, phone: \"70 30 03 00\"}") + 1
    c.add(f"{i}/yaml-syntaks.yaml", broken.encode(), "YAML med en klamme, der ikke lukkes", [f"{{file}}: filen kan ikke læses som YAML eller JSON (linje {line})"],
          exit=2, http="skip: YAML-fil")
    raw = json.dumps(summons(), ensure_ascii=True).replace("S\\u00f8ren", "S\\ud800ren")
    c.add(f"{i}/enlig-surrogat.json", raw.encode(), "en enlig surrogat (\\ud800) i navnet", [f"citizen.name (Borgerens navn): {M_NOT_PRINTABLE}"])


def window_cases(c: Corpus) -> None:
    i = "indkaldelse"
    wide = " ".join(["WWWWW MMMMM"] * 9)[:100]
    c.case(i, "rude-bredt-navn", summons(**{"citizen.name": wide}), "et navn af brede bogstaver, der fylder for mange linjer i ruden",
           ["citizen.name (Borgerens navn): er for lang til ruden i kuverten: navn og adresse fylder 8 linjer, men der er plads til 7. Forkort teksten"])
    c.case(i, "rude-langt-ord", summons(**{"citizen.name": "W" * 40}), "et ord, der er bredere end ruden",
           [f"citizen.name (Borgerens navn): {M_WINDOW_WORD}"])
    c.case(i, "rude-lang-vej", summons(**{"citizen.name": "Anne-Marie Christensen Kjærgaard Østergaard Nielsen Holm Bach",
                                          "citizen.address.co": "Hanne Østergård Mikkelsen Bach Kristiansen Frederiksen",
                                          "citizen.address.street": "Kongens Nytorv Nørregade Vestergade Østergade Amagertorv 12",
                                          "citizen.address.floor_door": "3. sal til venstre, dør nummer 4 ved siden af elevatoren"}),
           "langt navn, lang c/o og lang vej: hver for sig gyldige, sammen for mange linjer til ruden",
           ["citizen.address.street (Vej og husnummer): er for lang til ruden i kuverten: navn og adresse fylder 8 linjer, men der er plads til 7. Forkort teksten"])
    c.case(i, "rude-linjeseparator", summons(**{"citizen.name": "Søren\u2028Ærø\u2028Åberg\u2029Jensen"}), "linjeseparatorer i navnet (skubbede adressen ud af ruden)",
           [f"citizen.name (Borgerens navn): {M_LINE_BREAK}"], fmt="yaml")


def field_cases(c: Corpus) -> None:
    i = "indkaldelse"
    video = read(EXAMPLES / i / "dagpenge-video.yaml")
    data = copy.deepcopy(video)
    data["meeting"]["video"]["join_url"] += "/241299-0013"
    c.case(i, "cpr-i-videolink", data, "CPR-nummer i videolinket (linkmål)", [f"meeting.video.join_url (Link til videomødet): {M_CPR}"])
    data = copy.deepcopy(video)
    data["meeting"]["video"]["join_url"] += "?nr=241299%2D0013"
    c.case(i, "cpr-procentkodet-i-link", data, "procentkodet CPR-nummer i et link", [f"meeting.video.join_url (Link til videomødet): {M_CPR}"])
    c.case(i, "cpr-i-hjemmeside", summons(**{"sender.web": "https://www.rudersdal.dk/2412990013"}), "CPR-nummer i afsenderens hjemmeside",
           [f"sender.web (Hjemmeside): {M_CPR}"], fmt="yaml")
    c.case(i, "cpr-i-email", summons(**{"caseworker.email": "241299-0013@rudersdal.dk"}), "CPR-nummer i e-mailadressen",
           [f"caseworker.email (Sagsbehandlerens e-mail): {M_CPR}"])
    c.case(i, "cpr-i-telefon", summons(**{"caseworker.phone": "241299-0013"}), "CPR-nummer som telefonnummer",
           [f"caseworker.phone (Sagsbehandlerens direkte telefonnummer): {M_CPR}"])
    c.case(i, "sagsnummer-cpr", summons(case_ref="2412990013"), "CPR-nummer som sagsnummer",
           ["case_ref (Sagsnummer): ligner et CPR-nummer. Brug sagens nummer, ikke borgerens CPR-nummer"])
    c.case(i, "postnummer-arabiske-cifre", summons(**{"citizen.address.postcode": "\u0663\u0664\u0666\u0660"}), "postnummer med arabisk-indiske cifre",
           ["citizen.address.postcode (Postnummer): skal være 4 cifre, fx 3460"])
    c.case(i, "cvr-fuldbredde", summons(**{"sender.cvr": "\uff12\uff19\uff11\uff18\uff19\uff17\uff18\uff11"}), "CVR-nummer med fuldbredde-cifre",
           ["sender.cvr (CVR-nummer): skal være 8 cifre"])
    cpr_title = "citizen.cpr (CPR-nummer (kun til Digital Post, vises aldrig))"
    c.case(i, "cpr-ingen-dato", summons(**{"citizen.cpr": "321399-0013"}), "et CPR-nummer, hvis første seks cifre ikke er en dato",
           [f"{cpr_title}: er ikke et gyldigt CPR-nummer: de første seks cifre skal være en dato (DDMMÅÅ)"])
    c.case(i, "cpr-fuldbredde", summons(**{"citizen.cpr": CPR_SPELLINGS["fuldbredde"]}), "CPR-feltet med fuldbredde-cifre",
           [f"{cpr_title}: skal have 10 cifre (DDMMÅÅ-XXXX)"], fmt="yaml")
    c.case(i, "cpr-11-cifre", summons(**{"citizen.cpr": "24129900131"}), "CPR-feltet med 11 cifre", [f"{cpr_title}: skal have 10 cifre (DDMMÅÅ-XXXX)"])
    guardian = read(EXAMPLES / i / "kontanthjaelp-vaerge.yaml")
    guardian["representative"]["name"] += " 241299-0013"
    c.case(i, "cpr-i-vaerge", guardian, "CPR-nummer i værgens navn", [f"representative.name (Repræsentantens navn): {M_CPR}"])
    interpreter = read(EXAMPLES / i / "kontanthjaelp-tolk.yaml")
    interpreter["interpreter"]["language"] = "ara\x00bisk"
    c.case(i, "nul-i-tolkesprog", interpreter, "NUL i tolkens sprog", [f"interpreter.language (Tolkens sprog): {M_CONTROL}"], fmt="yaml")
    s = "sygedagpenge"
    c.case(s, "cpr-i-skemalink", sick(questionnaire_url="https://www.borger.dk/skema/241299-0013"), "CPR-nummer i linket til oplysningsskemaet",
           [f"questionnaire_url (Link til oplysningsskemaet): {M_CPR}"])
    c.case(s, "samtale-juleaften", sick(letter_date="2026-12-10", first_absence_day="2026-12-01", questionnaire_sent="2026-12-10",
                                        **{"first_followup.start": "2026-12-24T10:00"}), "første samtale juleaftensdag",
           ["first_followup.start (Første opfølgningssamtale): ligger på juleaftensdag (24. december 2026), hvor jobcenteret holder lukket. Vælg en anden dag"])


def main() -> None:
    corpus = Corpus()
    text_cases(corpus)
    number_cases(corpus)
    time_cases(corpus)
    structure_cases(corpus)
    window_cases(corpus)
    field_cases(corpus)
    for event in ("indkaldelse", "tilbud", "sygedagpenge"):
        shutil.rmtree(HERE / event, ignore_errors=True)
    for name, content in corpus.files.items():
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    header = (
        "# The bad-input corpus: each file, what is wrong with it, and the exact Danish verdict every door gives.\n"
        "# Written by tests/bad_input/make_corpus.py; checked by tests/test_bad_input.py.\n"
        "# errors: one line per problem, as 'brevgen render' prints it after 'fejl: <file>: ' ({file}: the file's path).\n"
        "# exit: the CLI's exit code (default 1); http: the HTTP answer when it differs from 422 with the same errors.\n"
    )
    text = header + yaml.safe_dump(corpus.entries, allow_unicode=True, sort_keys=False, width=200)
    (HERE / "expected.yaml").write_text(text, encoding="utf-8")
    print(f"{len(corpus.entries)} bad inputs written to {HERE}")


if __name__ == "__main__":
    main()
