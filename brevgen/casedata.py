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


class PhoneHours(CaseModel):
    days: Text = Field(title="Dage", examples=["mandag til torsdag"])
    opens: dt.time = Field(title="Åbner")
    closes: dt.time = Field(title="Lukker")

    @model_validator(mode="after")
    def _closes_after_opens(self) -> PhoneHours:
        if self.closes <= self.opens:
            raise ValueError("telefontiden skal slutte senere, end den begynder")
        return self


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
    step_free: bool = Field(False, title="Der er adgang uden trapper")

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
