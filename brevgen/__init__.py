"""brevgen: clear Danish job-centre letters from case data.

The public API is what this root package exports; everything else is internal.
"""

__version__ = "0.1.0"

from .errors import BrevgenError, CaseDataError, LetterError, Problem, TemplateError, UsageError  # noqa: E402
from .letter import Letter  # noqa: E402
from .pipeline import FORMATS, build_letter, render_letter  # noqa: E402

__all__ = [
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
