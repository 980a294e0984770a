"""brevgen: clear Danish job-centre letters from case data.

The public API is what this root package exports; everything else is internal.
"""

__version__ = "0.1.0"

from .errors import BrevgenError, CaseDataError, LetterError, Problem, TemplateError, UsageError  # noqa: E402
from .letter import Letter  # noqa: E402

# The pipeline (pydantic, Jinja2, lxml, ...) and the batch runner load on first use, so
# ``brevgen --help`` does not pay for them (PEP 562).
_LAZY = {
    "FORMATS": "pipeline",
    "build_letter": "pipeline",
    "render_letter": "pipeline",
    "run_batch": "batch",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'brevgen' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


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
    "run_batch",
]
