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
from typing import Annotated, Literal

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

from . import formatting

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _check_phone(value: str) -> str:
    try:
        parsed = formatting.parse_phone(value)
    except ValueError:
        raise ValueError("er ikke et gyldigt telefonnummer. Skriv fx 33 66 33 66") from None
    return "+" + str(parsed.country_code) + str(parsed.national_number)


Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_check_phone)]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("er ikke en gyldig e-mailadresse. Skriv fx navn@kommune.dk")
    return value


Email = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_check_email)]


def _check_https(value: str) -> str:
    if not re.match(r"^https://[^\s/$.?#][^\s]*$", value):
        raise ValueError("skal være et fuldt link, der begynder med https://")
    return value


Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_check_https)]

# A CPR number has 10 digits, optionally DDMMYY-XXXX. Anything of that shape must never end
# up in a file name, so case references are checked against it too.
CPR_SHAPE = re.compile(r"(?<!\d)[0-3]\d[01]\d{3}-?\d{4}(?!\d)")


class CaseModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Address(CaseModel):
    co: Text | None = Field(None, title="c/o-navn")
    street: Text = Field(title="Vej og husnummer")
    floor_door: Text | None = Field(None, title="Etage og dør")
    postcode: Annotated[str, StringConstraints(pattern=r"^\d{4}$")] = Field(title="Postnummer")
    city: Text = Field(title="By")

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


def _parse_clock(value: object) -> object:
    """A clock time given as text ("09:00", "9:00", "9.00", "kl. 9.00"). Never a number: YAML 1.1
    reads an unquoted 9:00 as 540 and pydantic would take that as 0.09 (seconds since midnight)."""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        raise ValueError('er et tal, ikke et klokkeslæt. Skriv klokkeslættet i anførselstegn, fx "09:00"')
    if isinstance(value, str):
        match = _CLOCK.match(value.strip())
        if not match:
            raise ValueError('er ikke et gyldigt klokkeslæt. Skriv fx "09:30"')
        return dt.time(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
    return value


ClockTime = Annotated[dt.time, BeforeValidator(_parse_clock)]


class PhoneHours(CaseModel):
    """When a phone line answers: on which weekdays, from and to what time."""

    days: Text = Field(title="Dage", examples=["mandag til torsdag", "tirsdag og torsdag", "hverdage"])
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
    authority: Text = Field(title="Myndighed", examples=["Rudersdal Kommune"])
    unit: Text = Field(title="Afdeling", examples=["Jobcenter Rudersdal"])
    address: Address = Field(title="Afdelingens adresse")
    phone: Phone = Field(title="Afdelingens telefonnummer")
    phone_hours: list[PhoneHours] = Field(min_length=1, title="Afdelingens telefontid")
    web: Url | None = Field(None, title="Hjemmeside")
    cvr: Annotated[str, StringConstraints(pattern=r"^\d{8}$")] | None = Field(None, title="CVR-nummer")


class Substitute(CaseModel):
    name: Text = Field(title="Stedfortræderens navn")
    phone: Phone = Field(title="Stedfortræderens telefonnummer")


class Caseworker(CaseModel):
    name: Text = Field(title="Sagsbehandlerens navn")
    title: Text = Field(title="Sagsbehandlerens stilling", examples=["jobkonsulent"])
    phone: Phone = Field(title="Sagsbehandlerens direkte telefonnummer")
    phone_hours: list[PhoneHours] = Field(min_length=1, title="Sagsbehandlerens telefontid")
    email: Email = Field(title="Sagsbehandlerens e-mail")
    substitute: Substitute = Field(title="Stedfortræder, når sagsbehandleren er væk")


class Citizen(CaseModel):
    name: Text = Field(title="Borgerens navn")
    address: Address = Field(title="Borgerens adresse")
    cpr: SecretStr | None = Field(None, title="CPR-nummer (kun til Digital Post, vises aldrig)")

    @field_validator("cpr")
    @classmethod
    def _cpr_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Never echo the value: the message names only what is wrong.
        if value is not None and not re.fullmatch(r"\d{6}-?\d{4}", value.get_secret_value().strip()):
            raise ValueError("skal have 10 cifre (DDMMÅÅ-XXXX)")
        return value


class Representative(CaseModel):
    """Someone who acts for the citizen: a guardian (værge) or a representative with a power of attorney."""

    name: Text = Field(title="Repræsentantens navn")
    role: Literal["værge", "partsrepræsentant"] = Field(title="Repræsentantens rolle")
    address: Address | None = Field(None, title="Repræsentantens adresse (til kopien)")


class LetterCase(CaseModel):
    """Fields every letter needs."""

    letter_date: dt.date = Field(title="Brevets dato")
    case_ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")] = Field(
        title="Sagsnummer", description="Bruges i filnavne: kun bogstaver a-z, tal, punktum, bindestreg."
    )
    sender: Sender = Field(title="Afsender")
    citizen: Citizen = Field(title="Borger")
    caseworker: Caseworker = Field(title="Sagsbehandler")
    representative: Representative | None = Field(None, title="Værge eller partsrepræsentant (får en kopi)")

    @field_validator("case_ref")
    @classmethod
    def _case_ref_not_cpr(cls, value: str) -> str:
        if CPR_SHAPE.search(value) or re.search(r"\d{10}", value):
            raise ValueError("ligner et CPR-nummer. Brug sagens nummer, ikke borgerens CPR-nummer")
        return value


class Venue(CaseModel):
    name: Text = Field(title="Stedets navn", examples=["Jobcenter Rudersdal"])
    address: Address = Field(title="Mødestedets adresse")
    room: Text | None = Field(None, title="Etage eller lokale")
    reception: Text | None = Field(None, title="Hvor borgeren melder sin ankomst")
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
