"""Typed case data, one model per event.

Field names are English (integrators read them); every field has a Danish ``title`` that
validation messages and the JSON Schema show to caseworkers. Values that a citizen reads
(modes, offer kinds, benefit types) are the Danish words the letters use.

The CPR number is accepted (Digital Post needs it later) as a ``SecretStr`` so it cannot
leak through ``repr``, logs or ``model_dump``; nothing in the letter pipeline reads it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
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


# --- First summons -------------------------------------------------------------------------


class Venue(CaseModel):
    name: Text = Field(title="Stedets navn", examples=["Jobcenter Rudersdal"])
    address: Address = Field(title="Mødestedets adresse")
    room: Text | None = Field(None, title="Etage eller lokale")
    reception: Text | None = Field(None, title="Hvor borgeren melder sin ankomst")
    step_free: bool = Field(False, title="Der er adgang uden trapper")


class PhoneMeeting(CaseModel):
    # Optional here so the cross-field rule can explain what is missing in a caseworker's words.
    who_calls: Literal["jobcenter", "borger"] | None = Field(None, title="Hvem ringer op")
    number: Phone = Field(title="Telefonnummer", description="Det nummer, vi ringer til, eller som borgeren skal ringe til")


class VideoMeeting(CaseModel):
    join_url: Url | None = Field(None, title="Link til videomødet")
    platform: Text = Field(title="Program til videomødet", examples=["Microsoft Teams"])
    test_url: Url | None = Field(None, title="Link til at teste lyd og billede")


class Meeting(CaseModel):
    start: dt.datetime = Field(title="Mødets tidspunkt")
    duration_minutes: int = Field(ge=10, le=240, title="Mødets længde i minutter")
    mode: Literal["fremmøde", "telefon", "video"] = Field(title="Mødeform")
    venue: Venue | None = Field(None, title="Mødested (ved fremmøde)")
    phone: PhoneMeeting | None = Field(None, title="Telefonmøde")
    video: VideoMeeting | None = Field(None, title="Videomøde")

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.duration_minutes)


class AKasse(CaseModel):
    name: Text = Field(title="A-kassens navn")
    phone: Phone = Field(title="A-kassens telefonnummer")


class SelfBooking(CaseModel):
    """The citizen books the time of the conversation (selvbooking) instead of being given one."""

    book_by: dt.date = Field(title="Frist for at booke en tid")
    url: Url = Field(title="Link til at booke en tid", examples=["https://job.jobnet.dk"])
    venue: Venue | None = Field(None, title="Mødested, hvis det er kendt")


class Interpreter(CaseModel):
    language: Text = Field(title="Tolkens sprog", examples=["arabisk"])
    booked: bool = Field(True, title="Vi har bestilt tolken")


class Summons(LetterCase):
    """Indkaldelse til første jobsamtale."""

    benefit: Literal["dagpenge", "kontanthjælp"] = Field(title="Ydelse")
    meeting: Meeting | None = Field(None, title="Samtalen")
    self_booking: SelfBooking | None = Field(None, title="Selvbooking (borgeren booker selv en tid)")
    interpreter: Interpreter | None = Field(None, title="Tolk")
    accessibility: list[Text] = Field(default_factory=list, title="Det har vi sørget for (tilgængelighed)")
    bring: list[Text] = Field(default_factory=list, title="Det skal borgeren tage med")
    prepare: list[Text] = Field(default_factory=list, title="Det skal borgeren forberede")
    a_kasse: AKasse | None = Field(None, title="A-kasse (ved dagpenge)")
    cancel_by: dt.datetime | None = Field(None, title="Frist for at flytte eller aflyse")


# --- Activation offer ----------------------------------------------------------------------


class Provider(CaseModel):
    name: Text = Field(title="Virksomhed eller kursussted")
    address: Address = Field(title="Adresse for tilbuddet")
    contact_name: Text | None = Field(None, title="Kontaktperson på stedet")
    contact_phone: Phone | None = Field(None, title="Kontaktpersonens telefonnummer")


class OfferDetails(CaseModel):
    kind: Literal["virksomhedspraktik", "løntilskud", "kursus"] = Field(title="Slags tilbud")
    title: Text = Field(title="Tilbuddets navn", examples=["Praktik som lagermedarbejder"])
    provider: Provider = Field(title="Sted")
    start_date: dt.date = Field(title="Første dag")
    end_date: dt.date = Field(title="Sidste dag")
    hours_per_week: Decimal = Field(gt=0, le=37, title="Timer om ugen")
    schedule: Text = Field(title="Mødetider", examples=["mandag til torsdag kl. 8.00 til 14.00"])
    purpose: Text = Field(title="Formålet med tilbuddet")
    tasks: list[Text] = Field(min_length=1, title="Opgaver eller indhold")
    wage_per_hour: Decimal | None = Field(None, gt=0, title="Timeløn (ved løntilskud)")
    transport: Text | None = Field(None, title="Transport og befordring")


class Reasoning(CaseModel):
    facts: list[Text] = Field(min_length=1, title="Oplysninger, vi har lagt vægt på")
    considerations: list[Text] = Field(min_length=1, title="Hovedhensyn i vurderingen")


class Offer(LetterCase):
    """Tilbud om aktivering."""

    benefit: Literal["dagpenge", "kontanthjælp"] = Field(title="Ydelse")
    offer: OfferDetails = Field(title="Tilbuddet")
    answer_by: dt.date = Field(title="Svarfrist")
    self_found_by: dt.date | None = Field(None, title="Frist for selv at finde en praktik (standard: svarfristen)")
    repeated_offer: bool = Field(False, title="Borgeren har fået det samme tilbud før")
    reasoning: Reasoning = Field(title="Begrundelse")


# --- Sick-leave introduction ---------------------------------------------------------------


class FirstFollowup(CaseModel):
    start: dt.datetime = Field(title="Første opfølgningssamtale")
    duration_minutes: int = Field(60, ge=10, le=240, title="Samtalens længde i minutter")
    venue: Venue = Field(title="Mødested for første samtale")


class SickLeave(LetterCase):
    """Velkommen: opfølgning på din sygemelding."""

    first_absence_day: dt.date = Field(title="Første fraværsdag")
    reported_by: Literal["arbejdsgiver", "a-kasse", "selv"] = Field(title="Hvem meldte fraværet")
    employer_name: Text | None = Field(None, title="Arbejdsgiver")
    expected_duration: Literal["over-8-uger", "under-8-uger", "ukendt"] = Field(title="Forventet varighed")
    questionnaire_sent: dt.date = Field(title="Dato for oplysningsskemaet")
    questionnaire_url: Url = Field(title="Link til oplysningsskemaet")
    first_followup: FirstFollowup | None = Field(None, title="Første opfølgningssamtale")
    doctor_certificate: bool = Field(False, title="Vi har bedt lægen om en attest")


EVENTS: dict[str, type[LetterCase]] = {
    "indkaldelse": Summons,
    "tilbud": Offer,
    "sygedagpenge": SickLeave,
}

EVENT_TITLES = {
    "indkaldelse": "Indkaldelse til første jobsamtale",
    "tilbud": "Tilbud om aktivering",
    "sygedagpenge": "Velkommen: opfølgning på din sygemelding",
}
