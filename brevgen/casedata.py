"""The parts of case data every letter shares: sender, citizen, caseworker, addresses, venues.

Each event's own case model (in :mod:`brevgen.events`) builds on :class:`LetterCase`.
Field names are English (integrators read them); every field has a Danish ``title`` that
validation messages and the JSON Schema show to caseworkers. Values that a citizen reads
(modes, offer kinds, benefit types) are the Danish words the letters use.

The CPR number is accepted (Digital Post needs it later) as a ``SecretStr`` so it cannot
leak through ``repr``, logs or ``model_dump``; nothing in the letter pipeline reads it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import unquote_plus

from annotated_types import MaxLen
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    field_validator,
    model_validator,
)

from . import cpr as cpr_numbers
from . import formatting
from .danish_time import COPENHAGEN

# --- limits on what a field may hold -------------------------------------------------------
# Checked by the models before any letter is made; docs/reliability.md lists them. A letter is
# a few pages: these are generous for real case data and keep every step's work bounded.
MAX_NAME = 100  # a person's or organisation's name
MAX_ADDRESS_LINE = 80  # a street, a c/o name, a city
MAX_TEXT = 200  # a short text: a title, a platform, a room
MAX_LONG_TEXT = 1000  # a sentence or two: a purpose, a task, a reason
MAX_URL = 256  # Digital Post (MeMo) carries links of at most 256 characters
MAX_EMAIL = 254  # RFC 5321
MAX_ITEMS = 20  # points in a list (what to bring, tasks, reasons)
FIRST_YEAR, LAST_YEAR = 2000, 2100  # every date in a case

# Characters no letter can print, by what a caseworker would call them. Refused, with the field
# named: they end in broken files (lxml refuses NUL), reverse a name (right-to-left override),
# push the address out of the envelope window (line separators) or collide with brevgen's own
# invisible markers (private-use characters).
_DIRECTION = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that show nothing (zero-width, fillers, blank braille): a name of only these is empty.
_INVISIBLE = set("\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0")


@dataclass(frozen=True)
class Input:
    """How a person is asked for a value of a shared type: extra metadata on the type, which
    pydantic keeps and neither validation nor the JSON Schema reads. The caseworker desk picks
    its form control by it, and validation messages their example (``"3460"`` for a postcode).

    ``kind``: "phone", "email", "url", "postcode", "cvr", "case-ref" or "weekdays";
    ``example``: a value written the way the field wants it."""

    kind: str
    example: str


PHONE = Input("phone", "46 11 22 33")
EMAIL = Input("email", "navn@kommune.dk")
URL = Input("url", "https://www.kommune.dk/side")
POSTCODE = Input("postcode", "3460")
CVR = Input("cvr", "29189781")
CASE_REF = Input("case-ref", "JC-2026-0412")
WEEKDAYS_INPUT = Input("weekdays", "mandag til torsdag")


def input_of(metadata: Any) -> Input | None:
    """The :class:`Input` among a field's metadata (``FieldInfo.metadata`` or an Annotated's)."""
    return next((m for m in metadata or () if isinstance(m, Input)), None)


def _unprintable(ch: str) -> str | None:
    """Why ``ch`` cannot stand in a letter, or None."""
    if ch in ("\n", "\r", "\u2028", "\u2029", "\x85"):
        return "må ikke have linjeskift. Skriv teksten på én linje"
    if ch in _DIRECTION:
        return "har et usynligt tegn, der vender skriveretningen (fx højre-mod-venstre). Fjern det"
    category = unicodedata.category(ch)
    if category == "Cc":
        return "har et styretegn (fx NUL, tabulator eller ESC), som ikke kan stå i et brev. Fjern det"
    if category in ("Cs", "Co", "Cn"):
        return "har et tegn, der ikke findes i Unicode eller ikke kan vises (fx U+FFFE). Fjern det"
    return None


def _visible(ch: str) -> bool:
    return not (ch.isspace() or ch in _INVISIBLE or unicodedata.category(ch) in ("Cf", "Mn", "Me", "Zs"))


def has_cpr_number(value: str) -> bool:
    """A CPR number in the text, also when percent-encoded in a link."""
    return cpr_numbers.contains(value) or ("%" in value and cpr_numbers.contains(unquote_plus(value)))


def clean_text(value: str) -> str:
    """Every free text in a case: printable, not empty to the eye, and no CPR number in it."""
    for ch in value:
        if ord(ch) < 0x20 or ord(ch) >= 0x7F:
            why = _unprintable(ch)
            if why:
                raise ValueError(why)
    if not any(_visible(ch) for ch in value):
        raise ValueError("er tom: den har kun usynlige tegn. Skriv teksten")
    if has_cpr_number(value):
        raise ValueError(cpr_numbers.MESSAGE)
    return value


def _text(max_length: int) -> Any:
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length), AfterValidator(clean_text)]


Text = _text(MAX_TEXT)
LongText = _text(MAX_LONG_TEXT)
Name = _text(MAX_NAME)
AddressLine = _text(MAX_ADDRESS_LINE)
# A list of points a letter prints, at most MAX_ITEMS of them.
Items = Annotated[list[LongText], MaxLen(MAX_ITEMS)]


def _check_phone(value: str) -> str:
    try:
        return formatting.phone_parts(value)[0]
    except ValueError:
        raise ValueError("er ikke et gyldigt telefonnummer. Skriv fx 33 66 33 66") from None


Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), AfterValidator(clean_text), AfterValidator(_check_phone), PHONE
]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("er ikke en gyldig e-mailadresse. Skriv fx navn@kommune.dk")
    return value


Email = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_EMAIL), AfterValidator(clean_text), AfterValidator(_check_email), EMAIL
]


def _check_https(value: str) -> str:
    if not re.fullmatch(r"https://[^\s/$.?#][^\s]*", value):
        raise ValueError("skal være et fuldt link, der begynder med https://")
    return value


Url = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_URL), AfterValidator(clean_text), AfterValidator(_check_https), URL
]


def in_range(low: int, high: int, unit: str) -> AfterValidator:
    """A number a caseworker may have mistyped: refused outside ``low``-``high`` with the reason."""

    def check(value: Any) -> Any:
        if not low <= value <= high:
            raise ValueError(
                f"ser forkert ud: skal ligge mellem {formatting.number(low)} og {formatting.number(high)} {unit}. Tjek tallet"
            )
        return value

    return AfterValidator(check)


def _year_in_range(value: dt.date) -> dt.date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"skal ligge mellem år {FIRST_YEAR} og {LAST_YEAR}")
    return value


# --- dates as a Danish caseworker writes them --------------------------------------------------
# "10. december 2026", "torsdag den 10. december 2026 kl. 10.00", "10.12.2026 10:00": day, month,
# year in that order, with a four-digit year, so no reading is ambiguous (ISO is year first; a
# slash, which some write month first, is not read). A weekday that does not fit the date is
# refused rather than guessed at.

MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december")
_MONTH_WORDS = {**{m: i for i, m in enumerate(MONTHS, start=1)}, **{m[:3]: i for i, m in enumerate(MONTHS, start=1)}, "sept": 9}
_DANISH_DATE = re.compile(
    r"^(?:(?P<weekday>[a-zæøå]+)\s+)?(?:den\s+)?(?P<day>\d{1,2})\.\s*(?:(?P<month_name>[a-zæøå]+)\.?|(?P<month>\d{1,2})\.)\s*(?P<year>\d{4})"
    r"(?:\s*,?\s+(?:kl\.?\s*)?(?P<hour>\d{1,2})[.:](?P<minute>\d{2}))?$"
)
DATE_EXAMPLE = "2026-03-02 eller 2. marts 2026"
DATE_TIME_EXAMPLE = "2026-03-02 10:00 eller 2. marts 2026 kl. 10.00"


def parse_danish_date(text: str) -> tuple[dt.date, dt.time | None] | None:
    """A date (and a time, if given) written the Danish way, or None when ``text`` is not one.

    Raises ValueError for a Danish date that does not exist or whose weekday is wrong."""
    match = _DANISH_DATE.match(" ".join(text.strip().lower().split()))
    if match is None:
        return None
    month = int(match["month"]) if match["month"] else _MONTH_WORDS.get(match["month_name"])
    if month is None:
        return None
    try:
        day = dt.date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        raise ValueError("er ikke en gyldig dato: den dag findes ikke i kalenderen. Tjek dag og måned") from None
    weekday = match["weekday"]
    if weekday is not None:
        if weekday not in WEEKDAYS:
            return None
        if WEEKDAYS.index(weekday) != day.weekday():
            raise ValueError(f"{formatting.short_date(day)} er en {WEEKDAYS[day.weekday()]}, ikke en {weekday}. Tjek datoen")
    if match["hour"] is None:
        return day, None
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise ValueError(f"er ikke et gyldigt klokkeslæt. Skriv fx {DATE_TIME_EXAMPLE}")
    return day, dt.time(hour, minute)


def _danish_date(value: Any) -> Any:
    if isinstance(value, str):
        found = parse_danish_date(value)
        if found is not None:
            if found[1] is not None:
                raise ValueError("skal være en dato uden klokkeslæt")
            return found[0]
    return value


Date = Annotated[dt.date, BeforeValidator(_danish_date), AfterValidator(_year_in_range)]

_DATE_ONLY = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*")


def _require_clock(value: Any) -> Any:
    # pydantic reads "2026-03-02" as midnight; a meeting without a time would print "kl. 0.00".
    if (isinstance(value, dt.date) and not isinstance(value, dt.datetime)) or (isinstance(value, str) and _DATE_ONLY.fullmatch(value)):
        raise ValueError(f"mangler et klokkeslæt. Skriv fx {DATE_TIME_EXAMPLE}")
    if isinstance(value, str):
        found = parse_danish_date(value)
        if found is not None:
            if found[1] is None:
                raise ValueError(f"mangler et klokkeslæt. Skriv fx {DATE_TIME_EXAMPLE}")
            return dt.datetime.combine(*found)
    return value


def _danish_wall_clock(value: dt.datetime) -> dt.datetime:
    """One instant in every format: a time with a zone (``08:00Z``) becomes Danish wall-clock
    time (``09:00``), which the letter prints and the calendar and Digital Post read as
    Europe/Copenhagen. Seconds would print as a whole minute in the letter but not elsewhere."""
    _year_in_range(value)
    if value.second or value.microsecond:
        raise ValueError("skal være et helt minut, fx 10:00 (uden sekunder)")
    if value.tzinfo is not None:
        value = value.astimezone(COPENHAGEN).replace(tzinfo=None)
    return value


DateTime = Annotated[dt.datetime, BeforeValidator(_require_clock), AfterValidator(_danish_wall_clock)]


def _wall_clock_time(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("skal være et klokkeslæt uden tidszone, fx 09:30 (dansk tid)")
    if value.second or value.microsecond:
        raise ValueError("skal være et helt minut, fx 09:30 (uden sekunder)")
    return value



class CaseModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Address(CaseModel):
    co: AddressLine | None = Field(None, title="c/o-navn")
    street: AddressLine = Field(title="Vej og husnummer")
    floor_door: AddressLine | None = Field(None, title="Etage og dør")
    postcode: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$"), POSTCODE] = Field(title="Postnummer")
    city: AddressLine = Field(title="By")

    def lines(self) -> list[str]:
        first = self.street + (f", {self.floor_door}" if self.floor_door else "")
        out = [f"c/o {self.co}"] if self.co else []
        return out + [first, f"{self.postcode} {self.city}"]


# --- weekdays and clock times -----------------------------------------------------------------

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
_DAYS_HELP = 'Skriv fx "mandag til torsdag", "tirsdag og torsdag", "mandag, onsdag og fredag" eller "hverdage"'
_RANGE = re.compile(r"^(\w+)\.?\s*(?:til|-|–)\s*(\w+)\.?$")
_SHORT = {"man": 0, "tir": 1, "tirs": 1, "ons": 2, "tor": 3, "tors": 3, "fre": 4, "lør": 5, "søn": 6}


def _weekday(word: str) -> int | None:
    word = word.rstrip(".")
    return WEEKDAYS.index(word) if word in WEEKDAYS else _SHORT.get(word)


def parse_weekdays(text: str) -> tuple[int, ...]:
    """Danish weekdays as written by a caseworker -> weekday numbers (Monday is 0).

    "mandag til torsdag", "tirsdag og torsdag", "mandag, onsdag og fredag", "hverdage",
    "mandag-onsdag og fredag". Anything else is refused with an example of how to write it:
    a deadline can only be checked against phone hours whose days are known.
    """
    low = " ".join(text.lower().replace("alle ", "").split())
    if low in ("hverdage", "hverdag", "på hverdage"):
        return (0, 1, 2, 3, 4)
    days: set[int] = set()
    for part in re.split(r"\s*,\s*|\s+og\s+", low):
        if not part:
            continue
        if _weekday(part) is not None:
            days.add(_weekday(part))
            continue
        span = _RANGE.match(part)
        if span and _weekday(span.group(1)) is not None and _weekday(span.group(2)) is not None:
            first, last = _weekday(span.group(1)), _weekday(span.group(2))
            if last <= first:
                raise ValueError(f'"{part}" går baglæns. {_DAYS_HELP}')
            days.update(range(first, last + 1))
            continue
        raise ValueError(f'"{part}" er ikke en ugedag, brevgen kan læse. {_DAYS_HELP}')
    if not days:
        raise ValueError(f"skal udfyldes. {_DAYS_HELP}")
    return tuple(sorted(days))


def weekdays_text(days: tuple[int, ...]) -> str:
    """Weekday numbers -> "mandag til torsdag", "tirsdag og torsdag", "mandag, onsdag og fredag"."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{WEEKDAYS[run[0]]} til {WEEKDAYS[run[-1]]}")
        else:
            parts.extend(WEEKDAYS[d] for d in run)
    return formatting.word_list(parts)


_CLOCK = re.compile(r"^(?:kl\.?\s*)?([01]?\d|2[0-3])[:.]([0-5]\d)(?::([0-5]\d))?$")


_CLOCK_WITH_ZONE = re.compile(r"^\d{1,2}[:.]\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})$")


def _parse_clock(value: object) -> object:
    """A clock time given as text ("09:00", "9:00", "9.00", "kl. 9.00"). Never a number: YAML 1.1
    reads an unquoted 9:00 as 540 and pydantic would take that as 0.09 (seconds since midnight)."""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        raise ValueError('er et tal, ikke et klokkeslæt. Skriv klokkeslættet i anførselstegn, fx "09:00"')
    if isinstance(value, str):
        if _CLOCK_WITH_ZONE.match(value.strip()):
            raise ValueError("skal være et klokkeslæt uden tidszone, fx 09:30 (dansk tid)")
        match = _CLOCK.match(value.strip())
        if not match:
            raise ValueError('er ikke et gyldigt klokkeslæt. Skriv fx "09:30"')
        return dt.time(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
    return value


# Danish wall-clock time as text: no number, no time zone, whole minutes.
ClockTime = Annotated[dt.time, BeforeValidator(_parse_clock), AfterValidator(_wall_clock_time)]


class PhoneHours(CaseModel):
    """When a phone line answers: on which weekdays, from and to what time."""

    days: Annotated[Text, WEEKDAYS_INPUT] = Field(title="Dage", examples=["mandag til torsdag", "tirsdag og torsdag", "hverdage"])
    opens: ClockTime = Field(title="Åbner", examples=["09:00"])
    closes: ClockTime = Field(title="Lukker", examples=["12:00"])

    @field_validator("days")
    @classmethod
    def _days_readable(cls, value: str) -> str:
        # Stored in one form ("mandag til torsdag"), so every letter writes the days the same way.
        return weekdays_text(parse_weekdays(value))

    @model_validator(mode="after")
    def _closes_after_opens(self) -> PhoneHours:
        if self.closes <= self.opens:
            raise ValueError("telefontiden skal slutte senere, end den begynder")
        return self

    @property
    def weekdays(self) -> tuple[int, ...]:
        return parse_weekdays(self.days)

    def open_on(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays


class Sender(CaseModel):
    authority: Name = Field(title="Myndighed", examples=["Rudersdal Kommune"])
    unit: Name = Field(title="Afdeling", examples=["Jobcenter Rudersdal"])
    address: Address = Field(title="Afdelingens adresse")
    phone: Phone = Field(title="Afdelingens telefonnummer")
    phone_hours: list[PhoneHours] = Field(min_length=1, max_length=7, title="Afdelingens telefontid")
    web: Url | None = Field(None, title="Hjemmeside")
    cvr: Annotated[str, StringConstraints(pattern=r"^[0-9]{8}$"), CVR] | None = Field(None, title="CVR-nummer")


class Substitute(CaseModel):
    name: Name = Field(title="Stedfortræderens navn")
    phone: Phone = Field(title="Stedfortræderens telefonnummer")


class Caseworker(CaseModel):
    name: Name = Field(title="Sagsbehandlerens navn")
    title: Text = Field(title="Sagsbehandlerens stilling", examples=["jobkonsulent"])
    phone: Phone = Field(title="Sagsbehandlerens direkte telefonnummer")
    phone_hours: list[PhoneHours] = Field(min_length=1, max_length=7, title="Sagsbehandlerens telefontid")
    email: Email = Field(title="Sagsbehandlerens e-mail")
    substitute: Substitute = Field(title="Stedfortræder, når sagsbehandleren er væk")


class Citizen(CaseModel):
    name: Name = Field(title="Borgerens navn")
    address: Address = Field(title="Borgerens adresse")
    cpr: SecretStr | None = Field(None, title="CPR-nummer (kun til Digital Post, vises aldrig)")

    @field_validator("cpr")
    @classmethod
    def _cpr_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Never echo the value: the message names only what is wrong.
        if value is None:
            return value
        raw = value.get_secret_value().strip()
        if not re.fullmatch(r"[0-9]{6}-?[0-9]{4}", raw):
            raise ValueError("skal have 10 cifre (DDMMÅÅ-XXXX)")
        if not cpr_numbers.is_cpr(raw):
            raise ValueError("er ikke et gyldigt CPR-nummer: de første seks cifre skal være en dato (DDMMÅÅ)")
        return value


class Representative(CaseModel):
    """Someone who acts for the citizen: a guardian (værge) or a representative with a power of attorney."""

    name: Name = Field(title="Repræsentantens navn")
    role: Literal["værge", "partsrepræsentant"] = Field(title="Repræsentantens rolle")
    address: Address | None = Field(None, title="Repræsentantens adresse (til kopien)")


class LetterCase(CaseModel):
    """Fields every letter needs."""

    letter_date: Date = Field(title="Brevets dato")
    case_ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"), CASE_REF] = Field(
        title="Sagsnummer", description="Bruges i filnavne: kun bogstaver a-z, tal, punktum, bindestreg."
    )
    sender: Sender = Field(title="Afsender")
    citizen: Citizen = Field(title="Borger")
    caseworker: Caseworker = Field(title="Sagsbehandler")
    representative: Representative | None = Field(None, title="Værge eller partsrepræsentant (får en kopi)")

    @field_validator("case_ref")
    @classmethod
    def _case_ref_not_cpr(cls, value: str) -> str:
        if cpr_numbers.contains(value) or re.search(r"[0-9]{10}", value):
            raise ValueError("ligner et CPR-nummer. Brug sagens nummer, ikke borgerens CPR-nummer")
        return value


class Venue(CaseModel):
    name: Name = Field(title="Stedets navn", examples=["Jobcenter Rudersdal"])
    address: Address = Field(title="Mødestedets adresse")
    room: Text | None = Field(None, title="Etage eller lokale")
    reception: LongText | None = Field(None, title="Hvor borgeren melder sin ankomst")
    # None: nobody said. The letter then asks whether the citizen needs step-free access
    # instead of asserting stairs (a fact the case data does not state is never printed).
    step_free: bool | None = Field(None, title="Der er adgang uden trapper (tom: vi ved det ikke)")

    def one_line(self) -> str:
        """``Jobcenter Rudersdal, Stationsvej 36, 3460 Birkerød``: a calendar entry's location."""
        address = self.address
        street = address.street + (f", {address.floor_door}" if address.floor_door else "")
        return ", ".join([self.name, street, f"{address.postcode} {address.city}"])

    def arrival_lines(self) -> list[str]:
        """Where to go once there, as short sentences."""
        lines = []
        if self.room:
            lines.append(f"Gå til {self.room}.")
        if self.reception:
            lines.append(self.reception)
        return lines
