"""brevgen: clear Danish job-centre letters from case data.

The public API is what this root package exports; everything else is internal.
Errors and the Letter model load at once; the pipeline (pydantic, Jinja2, lxml, ...), the
API and the batch runner load on first use (PEP 562), so ``brevgen --help`` stays fast.
"""

__version__ = "0.1.0"

from .errors import BrevgenError, CaseDataError, LetterError, Problem, RenderError, TemplateError, UsageError  # noqa: E402
from .letter import Letter  # noqa: E402

_LAZY = {
    "build_letter": "pipeline",
    "render_letter": "pipeline",
    "EventInfo": "api",
    "GeneratedLetter": "api",
    "available_formats": "api",
    "case_schema": "api",
    "generate_letter": "api",
    "list_events": "api",
    "register_report": "api",
    "validate_case": "api",
    "run_batch": "batch",
}


# Tuples read from the format registry: every format, and the documents made by default.
_FORMAT_LISTS = {"ALL_FORMATS": "format_names", "FORMATS": "default_formats"}


def __getattr__(name: str):
    if name in _FORMAT_LISTS:
        from . import render

        return getattr(render, _FORMAT_LISTS[name])()
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'brevgen' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "ALL_FORMATS",
    "FORMATS",
    "BrevgenError",
    "CaseDataError",
    "EventInfo",
    "GeneratedLetter",
    "Letter",
    "LetterError",
    "Problem",
    "RenderError",
    "TemplateError",
    "UsageError",
    "__version__",
    "available_formats",
    "build_letter",
    "case_schema",
    "generate_letter",
    "list_events",
    "register_report",
    "render_letter",
    "run_batch",
    "validate_case",
]
