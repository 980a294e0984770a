"""The letters brevgen makes: one module per event, registered once; everything asks here.

An event module holds all that is particular to one letter: its case model, its cross-field
rules, the values derived for its template (deadlines, contact plan, consequence texts) and
the meeting or deadlines it hands to delivery formats (calendar, Digital Post). It subclasses
:class:`Event` and calls :func:`register` with an instance. The CLI, the Python API, HTTP,
batch, the lint and the renderers find events through :func:`get` and :func:`all_events`.

Events are found in this package (every module whose name does not start with ``_``) and in
the Python files or folders named by ``BREVGEN_EVENTS`` (paths separated by ``os.pathsep``),
so a municipality can add a letter without changing brevgen. See docs/adding-an-event.md.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import os
import sys
import threading
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from .. import formatting
from ..casedata import LetterCase
from ..discovery import ModuleDiscovery
from ..errors import Problem, UsageError
from ..letter import Appointment, SelfService
from ..problems import problem
from ..regime import Regime, ValueRecorder

EVENTS_ENV = "BREVGEN_EVENTS"

# A cross-field rule checks a whole, already type-valid case. ``regime`` is the legal regime in
# force on the letter date, or None when there is none (reported once, by the registry's own rule).
CrossFieldRule = Callable[[Any, "Regime | None"], Iterable[Problem]]


class Event:
    """One kind of letter. Subclasses set the class attributes and override the hooks they need."""

    name: ClassVar[str]  # "indkaldelse": the id in files, URLs and the CLI
    title: ClassVar[str]  # "Indkaldelse til første jobsamtale": what caseworkers read
    model: ClassVar[type[LetterCase]]
    order: ClassVar[int] = 100  # position in lists shown to people
    books_meetings: ClassVar[bool] = False  # its letter can book a meeting (a calendar entry)
    rules: ClassVar[tuple[CrossFieldRule, ...]] = ()
    # Fields a caseworker writes in their own words ("bring[]" is every item of a list): the
    # plain-language rules check them before the letter is made, as they check the templates.
    free_text: ClassVar[tuple[str, ...]] = ()

    # The case fields (dotted paths to fixed choices) that name a kind of this letter, such as
    # "dagpenge · video": citizens' answers to "Var brevet let at forstå?" are counted per kind.
    # None: the case model's required top-level choices.
    variant_fields: ClassVar[tuple[str, ...] | None] = None

    # For forms (the caseworker desk): a field or group shown only when another field has one of
    # some values, ``{"a_kasse": ("benefit", ("dagpenge",))}``; a name starting with ``@`` is one
    # of the ``form_alternatives`` below. Fields not named are always shown.
    form_conditions: ClassVar[dict[str, tuple[str, tuple[Any, ...]]]] = {}
    # Optional groups of which the case has exactly one, as a choice a person makes first:
    # ``{"@tid": ("Samtalens tid", {"meeting": "Vi giver en fast tid", "self_booking": "..."})}``.
    form_alternatives: ClassVar[dict[str, tuple[str, dict[str, str]]]] = {}

    def derive(self, case: Any, value: ValueRecorder, notes: list[str]) -> dict[str, Any]:
        """Values the template gets as ``derived``; ``value`` reads the regime table, ``notes``
        collects what the caseworker must know (a deadline moved past a holiday)."""
        return {}

    def legal_variant(self, case: Any) -> str | None:
        """Which of the event's legal references apply (``variant`` in the regime table)."""
        return None

    def appointment(self, case: Any) -> Appointment | None:
        """The meeting the letter books, or None."""
        return None

    def why_no_appointment(self, case: Any) -> Problem | None:
        """When the event books meetings but this case has none: the field to fill in."""
        return None

    def reply_by(self, case: Any, derived: dict[str, Any]) -> dt.date | None:
        """The day the citizen must answer by, as the letter prints it."""
        return None

    def self_service(self, case: Any, derived: dict[str, Any]) -> SelfService | None:
        """A form the citizen must fill in online, with its deadline as the letter prints it."""
        return None

    def facts(self, case: Any, derived: dict[str, Any]) -> dict[str, Any]:
        """What the letter logic checks need beyond the contacts every letter has (see
        :class:`brevgen.letter.Facts`): ``benefit``, ``mode``, ``values`` (a dict of other
        conditions, e.g. ``income``), ``deadlines`` (Deadline), ``moments`` (a dict) and
        ``contacts`` (extra Contact entries, e.g. the a-kasse)."""
        return {}

    def variant_paths(self) -> tuple[str, ...]:
        if self.variant_fields is not None:
            return self.variant_fields
        return tuple(n for n, f in self.model.model_fields.items() if f.is_required() and _choices(f.annotation) is not None)

    def variant(self, case: Any) -> str:
        """This letter's kind, from the case: "dagpenge · video" (a missing choice is left out)."""
        parts = []
        for path in self.variant_paths():
            value: Any = case
            for part in path.split("."):
                value = getattr(value, part, None)
            if value is not None:
                parts.append(str(value))
        return " · ".join(parts)

    def variants(self) -> list[str]:
        """Every kind this letter can be (to name the kinds counted in feedback)."""
        options = [_path_choices(self.model, path) for path in self.variant_paths()]
        out = []
        for combination in itertools.product(*options):
            out.append(" · ".join(str(v) for v in combination if v is not None))
        return sorted(set(out))

    def __repr__(self) -> str:
        return f"<Event {self.name}>"


def meeting_time_problems(model: type[LetterCase], path: str, start: dt.datetime, minutes: int, regime: Regime | None) -> Iterator[Problem]:
    """A meeting at the job centre must fall on a day it is open and within its meeting hours,
    both given by the regime table (``office``), not by code."""
    if regime is None:
        return
    closed = regime.closing_day(start.date())
    if closed:
        who = regime.value("authority_word")
        yield problem(model, path, f"ligger på {closed} ({formatting.short_date(start)}), hvor {who} holder lukket. Vælg en anden dag")
    opens, closes = regime.meeting_hours()
    end = start + dt.timedelta(minutes=minutes)
    if start.time() < opens or end.date() != start.date() or end.time() > closes:
        yield problem(
            model,
            path,
            f"ligger uden for mødetiden: et møde skal begynde {formatting.clock(opens)} eller senere "
            f"og slutte senest {formatting.clock(closes)} (dette møde er {formatting.time_span(start, end)})",
        )

def _choices(annotation: Any) -> list[Any] | None:
    """The values of a Literal (None added when the field may be empty), or None for other types."""
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        if len(args) != 1:
            return None
        annotation = args[0]
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation)) + ([None] if optional else [])
    return None


def _path_choices(model: Any, path: str) -> list[Any]:
    annotation: Any = model
    optional = False
    parts = path.split(".")
    for i, part in enumerate(parts):
        field = getattr(annotation, "model_fields", {}).get(part)
        if field is None:
            return [None]
        annotation = field.annotation
        if i < len(parts) - 1:
            if typing.get_origin(annotation) in (typing.Union, types.UnionType):
                args = [a for a in typing.get_args(annotation) if a is not type(None)]
                optional = optional or len(args) < len(typing.get_args(annotation))
                annotation = args[0] if args else None
    choices = _choices(annotation) or [None]
    return choices + ([None] if optional and None not in choices else [])


_registry: dict[str, Event] = {}
_lock = threading.RLock()


def register(event: Event) -> Event:
    """Add an event. A second event with the same name is an error, not a silent replacement."""
    with _lock:
        current = _registry.get(event.name)
        if current is not None and type(current) is not type(event):
            raise UsageError(f"brevtypen '{event.name}' er registreret to gange ({type(current).__module__} og {type(event).__module__})")
        _registry[event.name] = event
    return event


def load_file(path: Path) -> None:
    """Import an event module from a file outside the package (it calls :func:`register`)."""
    path = Path(path).resolve()
    name = f"brevgen_events_{path.stem}_{abs(hash(str(path))):x}"
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"{path}: kan ikke indlæses som en brevtype (skal være en .py-fil)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise


def _extra_files() -> list[Path]:
    files: list[Path] = []
    for part in filter(None, os.environ.get(EVENTS_ENV, "").split(os.pathsep)):
        path = Path(part)
        if path.is_dir():
            files += sorted(p for p in path.glob("*.py") if not p.name.startswith("_"))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{EVENTS_ENV}: {part} findes ikke")
    return files


def _load_extra_files() -> None:
    for path in _extra_files():
        load_file(path)


_discovery = ModuleDiscovery(__name__, __path__, then=_load_extra_files)
_load = _discovery.ensure


def all_events() -> list[Event]:
    _load()
    return sorted(_registry.values(), key=lambda e: (e.order, e.name))


def names() -> list[str]:
    return [e.name for e in all_events()]


def get(name: str) -> Event:
    """The event called ``name``, or a Danish usage error listing the ones there are."""
    _load()
    event = _registry.get(name) if isinstance(name, str) else None
    if event is None:
        raise UsageError(f"ukendt brevtype. Vælg en af: {', '.join(names())}")
    return event
