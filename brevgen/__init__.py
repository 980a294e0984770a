"""brevgen: clear Danish job-centre letters from case data.

The public API is what this root package exports; everything else is internal.
"""

__version__ = "0.1.0"

from .errors import BrevgenError, CaseDataError, LetterError, Problem, RenderError, TemplateError, UsageError  # noqa: E402
from .letter import Letter  # noqa: E402
from .pipeline import ALL_FORMATS, FORMATS, build_letter, render_letter  # noqa: E402
from .api import (  # noqa: E402
    EventInfo,
    GeneratedLetter,
    available_formats,
    case_schema,
    generate_letter,
    list_events,
    register_report,
    validate_case,
)

__all__ = [
    "ALL_FORMATS",
    "EventInfo",
    "GeneratedLetter",
    "RenderError",
    "available_formats",
    "case_schema",
    "generate_letter",
    "list_events",
    "register_report",
    "validate_case",
    "FORMATS",
    "BrevgenError",
    "CaseDataError",
    "Letter",
    "LetterError",
    "Problem",
    "TemplateError",
    "UsageError",
    "__version__",
    "build_letter",
    "render_letter",
]
