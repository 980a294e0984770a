"""Who raises what.

Every error brevgen reports to a person is a :class:`BrevgenError` with a stable ``code``
(for case systems) and a Danish message (for caseworkers and communications staff).
The CLI maps ``exit_code`` straight to the process exit status:

- 1: the case data or a letter is wrong (``CaseDataError``, ``TemplateError``, ``LetterError``)
- 2: the call itself is wrong (``UsageError``)

Messages never include a CPR number: validation messages are built from field paths and
our own words, never by echoing the raw input of a sensitive field, and every message, field
path and record name is passed through :func:`brevgen.cpr.redact` on the way in, so even a
file or an unknown field named like a CPR number is not echoed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cpr import redact


class BrevgenError(Exception):
    """Base class; ``code`` is stable, ``str(error)`` is the Danish message."""

    code = "brevgen"
    exit_code = 1

    def __init__(self, message: str):
        message = redact(message)
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        """One line per problem, as printed on stderr."""
        return [self.message]

    def __reduce__(self):
        # Errors cross process boundaries (batch and HTTP workers): rebuild them from their
        # attributes, not from the constructor's arguments, which differ per subclass.
        return (_rebuild, (type(self), self.args, self.__dict__.copy()))

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


def _rebuild(cls: type, args: tuple, state: dict) -> BrevgenError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class UsageError(BrevgenError):
    code = "usage"
    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One invalid field: where it is (dotted path) and what is wrong, in plain Danish."""

    path: str
    message: str
    label: str | None = None  # Danish name of the field, e.g. "Mødets tidspunkt"

    def __post_init__(self) -> None:
        # A field path can echo input (an unknown key named like a CPR number).
        for name in ("path", "message", "label"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, redact(value))

    def __str__(self) -> str:
        if not self.path:  # a problem of the whole case (it is too deep, a key twice)
            return self.message
        where = f"{self.path} ({self.label})" if self.label else self.path
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"field": self.path, "label": self.label, "message": self.message}


class CaseDataError(BrevgenError):
    """The case data cannot make a letter. Holds every problem found, not just the first."""

    code = "invalid-case-data"

    def __init__(self, problems: list[Problem], record: str | None = None):
        self.problems = list(problems)
        self.record = redact(record) if record else record
        super().__init__(self._summary())

    def _summary(self) -> str:
        n = len(self.problems)
        head = f"{self.record}: " if self.record else ""
        noun = "fejl" if n == 1 else "fejl"
        return f"{head}sagens data har {n} {noun}: " + "; ".join(str(p) for p in self.problems)

    def lines(self) -> list[str]:
        prefix = f"{self.record}: " if self.record else ""
        return [f"{prefix}{p}" for p in self.problems]

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "record": self.record,
            "problems": [p.as_dict() for p in self.problems],
        }


class TemplateError(BrevgenError):
    """A template is broken or tried something the sandbox forbids. Names file and line."""

    code = "template"

    def __init__(self, message: str, template: str | None = None, line: int | None = None):
        where = ""
        if template:
            where = f"{template}:{line}: " if line else f"{template}: "
        super().__init__(where + message)
        self.template = template
        self.line = line


class LetterError(BrevgenError):
    """The composed letter breaks a rule that must never be broken (e.g. it shows a CPR number)."""

    code = "letter"


class RenderError(BrevgenError):
    """A renderer failed (for example a resource outside the template folder was requested)."""

    code = "render"
