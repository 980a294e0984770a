"""Check case data for an event, reporting every problem at once in a caseworker's words.

Two passes: the event's pydantic model (types, formats, required fields), then cross-field
rules that need the whole case (a video meeting needs a link, dates must come after the
letter date, ...). The second pass runs only when the first found nothing, like mkdocs'
post-validation, so a caseworker is never told about a consequence of an earlier mistake.

The legal regime comes from the template set's own regime table, the same one compose uses,
so a case is never valid under one table and composed under another.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from . import events
from .casedata import LetterCase
from .errors import CaseDataError
from .problems import case_problems
from .regime import Regime, RegimeTable, regime_problem


def validate_case(event: str, data: dict[str, Any], regimes: RegimeTable, record: str | None = None) -> LetterCase:
    """Return the typed case or raise ``CaseDataError`` listing every problem."""
    spec = events.get(event)
    try:
        case = spec.model.model_validate(data)
    except ValidationError as exc:
        raise CaseDataError(case_problems(spec.model, exc), record=record) from None
    problems = []
    regime: Regime | None = None
    try:
        regime = regimes.for_date(case.letter_date)
    except LookupError as exc:
        problems.append(regime_problem(exc))
    problems += [p for rule in spec.rules for p in rule(case, regime)]
    if problems:
        raise CaseDataError(problems, record=record)
    return case
