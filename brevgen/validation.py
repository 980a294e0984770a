"""Check case data for an event, reporting every problem at once in a caseworker's words.

First the reading limits (:mod:`brevgen.limits`), then two passes: the event's pydantic model (types, formats, required fields), then cross-field
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
from .errors import CaseDataError, Problem
from .limits import check_data
from .problems import case_problems, field_label, field_path
from .regime import Regime, RegimeTable, regime_problem


def validate_case(event: str, data: dict[str, Any], regimes: RegimeTable, record: str | None = None) -> LetterCase:
    """Return the typed case or raise ``CaseDataError`` listing every problem."""
    spec = events.get(event)
    # The reading limits (nesting, size of numbers, number of values) before any other work,
    # with the same messages the file and JSON readers give.
    limited = check_data(data)
    if limited:
        raise CaseDataError(
            [Problem(path=field_path(loc), message=message, label=field_label(spec.model, loc) if loc else None) for loc, message in limited],
            record=record,
        )
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
