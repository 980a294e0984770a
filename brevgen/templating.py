"""The template set: sandboxed Jinja over the Markdown templates of one folder.

How case data stays data: Jinja's ``finalize`` replaces every printed value with an opaque
placeholder (private-use characters around an index). Markdown never sees the value, so
``**``, ``#``, ``<script>`` or ``{{ }}`` in a citizen's name is printed literally;
:mod:`brevgen.blocks` turns each placeholder back into a Run whose origin is "data".

How every sentence knows its template line: before Jinja compiles a template, each text
line gets an invisible line marker at its end. Markers pass through Jinja and Markdown
unchanged and are turned into the Runs' origins, so the lint can point at ``file:line``
(Jinja's own line mapping is not precise enough for this; see jinja#581).

One template set carries one legal-regime table (``regimes.yml`` in its folder): validation,
derived values and compose all read it from here.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound, TemplateRuntimeError, TemplateSyntaxError, Undefined, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from . import formatting
from .errors import TemplateError
from .paths import rules_dir, templates_dir
from .regime import RegimeTable, load_regimes
from .versioning import folder_version
from .template_check import SAFE_BUILTIN_FILTERS, describe_runtime_error, describe_security_error, describe_syntax_error

DATA_OPEN, DATA_CLOSE = "\ue000", "\ue001"
LINE_OPEN, LINE_CLOSE = "\ue002", "\ue003"
TOKEN = re.compile(f"{DATA_OPEN}(\\d+){DATA_CLOSE}|{LINE_OPEN}(\\d+){LINE_CLOSE}")
_JINJA_SPAN = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.S)


def front_matter(source: str) -> dict[str, Any] | None:
    """The YAML front matter of a template (``id``, ``version``, ``event``, ``subject``), or
    None when the file has none (a partial)."""
    match = FRONT_MATTER.match(source)
    if not match:
        return None
    meta = yaml.safe_load(match.group(1))
    return meta if isinstance(meta, dict) else {}



@dataclass(frozen=True)
class TemplateInfo:
    """An event template's front matter."""

    id: str
    version: str
    event: str
    subject: str
    path: Path
    name: str  # relative to the template folder, e.g. "indkaldelse.md"


class RenderState:
    """Per-render state: the values printed so far, each behind a placeholder."""

    def __init__(self) -> None:
        self.values: list[tuple[str, int | None]] = []


_current: contextvars.ContextVar[RenderState] = contextvars.ContextVar("brevgen_render")


class LetterUndefined(StrictUndefined):
    """A missing value is an error naming the field, in Danish."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        name = self._undefined_name
        if self._undefined_hint:
            return self._undefined_hint
        if self._undefined_obj is not None and name is not None:
            return f"feltet '{name}' findes ikke i sagens data eller i skabelonens værdier"
        if name is not None:
            return f"værdien '{name}' findes ikke"
        return "en værdi mangler"


def _display(value: Any) -> str:
    """How a printed value reads when the template did not format it itself."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if value is None:
        raise UndefinedError("en værdi er tom (None). Brug {% if ... %} omkring felter, der kan mangle")
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, dt.datetime):
        return FILTERS["dato_kl"](value)
    if isinstance(value, dt.date):
        return FILTERS["dato"](value)
    if isinstance(value, dt.time):
        return FILTERS["kl"](value)
    if isinstance(value, (int, float, Decimal)):
        return formatting.number(value)
    if isinstance(value, (str,)):
        return value
    raise UndefinedError(f"en værdi af typen {type(value).__name__} kan ikke skrives i et brev")


def _finalize(value: Any) -> str:
    state = _current.get()
    text = _display(value)
    state.values.append((text, None))
    return f"{DATA_OPEN}{len(state.values) - 1}{DATA_CLOSE}"


class MarkedLoader(BaseLoader):
    """Loads ``.md`` templates, blanks the front matter and adds line markers."""

    def __init__(self, root: Path):
        self.root = root
        self.lines: list[tuple[str, int]] = []  # marker index -> (template name, line)
        self._index: dict[tuple[str, int], int] = {}

    def get_source(self, environment, template: str):
        path = (self.root / template).resolve()
        if not path.is_relative_to(self.root.resolve()) or not path.is_file():
            raise TemplateNotFound(template)
        source = path.read_text(encoding="utf-8")
        mtime = path.stat().st_mtime
        return self.mark(template, source), str(path), lambda: path.stat().st_mtime == mtime

    def mark(self, name: str, source: str) -> str:
        # Keep line numbers: front matter lines become empty lines.
        match = FRONT_MATTER.match(source)
        if match:
            source = "\n" * match.group(0).count("\n") + source[match.end() :]
        protected = [(m.start(), m.end()) for m in _JINJA_SPAN.finditer(source)]
        out, pos = [], 0
        for lineno, line in enumerate(source.split("\n"), start=1):
            start = pos
            pos += len(line) + 1
            stripped = line.strip()
            if (
                not stripped
                or stripped.startswith(("{%", "{#", "<", "|"))
                or re.fullmatch(r"[-=*_ ]{3,}", stripped)
                or any(a < start + len(line) <= b - 1 for a, b in protected)
            ):
                out.append(line)
                continue
            body = line.rstrip()
            out.append(body + self._marker(name, lineno) + line[len(body) :])
        return "\n".join(out)

    def _marker(self, name: str, line: int) -> str:
        key = (name, line)
        if key not in self._index:
            self._index[key] = len(self.lines)
            self.lines.append(key)
        return f"{LINE_OPEN}{self._index[key]}{LINE_CLOSE}"


def _in_letter(fn):
    """A filter whose result stays on one printed line (no-break spaces)."""

    def filtered(*args):
        return formatting.unbroken(fn(*args))

    filtered.__name__ = fn.__name__
    return filtered


def _span(start, end) -> str:
    """``kl. 9.00 til 15.00``: each time unbroken, a line may break around "til"."""
    return formatting.time_span(start, end).replace("kl. ", "kl." + formatting.NBSP, 1)


def _hours(hours) -> str:
    return formatting.phone_hours(hours).replace("kl. ", "kl." + formatting.NBSP)


def _link_text(url: str) -> str:
    """``https://www.kk.dk/jobcenter/`` -> ``www.kk.dk/jobcenter``: what a reader types, and no
    line break after "https://" in any format (the link itself keeps the full address)."""
    text = url.split("://", 1)[1] if "://" in url else url
    return text.rstrip("/")


# The filters a template may use, by name (``{{ m.start|dato_kl }}``).
FILTERS: dict[str, Any] = {
    "dato": _in_letter(formatting.long_date),
    "kort_dato": _in_letter(formatting.short_date),
    "kl": _in_letter(formatting.clock),
    "dato_kl": lambda value: f"{formatting.unbroken(formatting.long_date(value))} {formatting.unbroken(formatting.clock(value))}",
    "kr": _in_letter(formatting.amount),
    "tal": formatting.number,
    "tlf": _in_letter(formatting.phone),
    "tidsrum": _span,
    "telefontid": _hours,
    "link": _link_text,
}


def filter_names() -> list[str]:
    """The filters a template may use, as suggested in error messages."""
    return sorted(set(FILTERS) | SAFE_BUILTIN_FILTERS)


class TemplateSet:
    """The templates of one folder (``templates/da``): event templates, partials, styles.

    ``version`` is the content hash of the set (see :mod:`brevgen.versioning`): given for a
    published version (checked when it was materialised), computed from the folder and the
    rule folder (``rules_root``, default: BREVGEN_RULES or plain_language_rules/) otherwise.
    """

    def __init__(self, root: Path, *, version: str | None = None, rules_root: Path | None = None):
        self.root = root
        self._version = version
        self.rules_root = rules_root
        self.loader = MarkedLoader(root)
        self._subjects: dict[str, Any] = {}
        self.env = ImmutableSandboxedEnvironment(
            loader=self.loader,
            undefined=LetterUndefined,
            finalize=_finalize,
            autoescape=False,  # values never reach Markdown/HTML as text: see module doc
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(FILTERS)

    @cached_property
    def version(self) -> str:
        """The version hash every letter from this set names in its provenance stamp."""
        return self._version or folder_version(self.root, self.rules_root or rules_dir())

    @cached_property
    def regimes(self) -> RegimeTable:
        """This folder's legal-regime table, read once."""
        return load_regimes(self.root / "regimes.yml")

    @cached_property
    def events(self) -> dict[str, TemplateInfo]:
        found: dict[str, TemplateInfo] = {}
        for path in sorted(self.root.glob("*.md")):
            meta = front_matter(path.read_text(encoding="utf-8"))
            if meta is None:
                continue
            missing = [k for k in ("id", "version", "event", "subject") if not meta.get(k)]
            if missing:
                raise TemplateError(f"front matter mangler: {', '.join(missing)}", path.name, 1)
            found[str(meta["event"])] = TemplateInfo(
                id=str(meta["id"]),
                version=str(meta["version"]),
                event=str(meta["event"]),
                subject=str(meta["subject"]),
                path=path,
                name=path.name,
            )
        return found

    def render_markdown(self, name: str, context: dict[str, Any]) -> tuple[str, RenderState]:
        state = RenderState()
        token = _current.set(state)
        try:
            template = self.env.get_template(name)
            text = template.render(context)
        except TemplateSyntaxError as exc:
            problem = describe_syntax_error(exc, filters=filter_names())
            raise TemplateError(problem.message, exc.name or name, problem.line) from None
        except SecurityError as exc:
            where = _template_frame(exc, self.root)
            raise TemplateError(describe_security_error(exc), *where) from None
        except UndefinedError as exc:
            where = _template_frame(exc, self.root)
            raise TemplateError(str(exc), *where) from None
        except (TemplateRuntimeError, TemplateNotFound) as exc:  # e.g. an unknown filter inside {% if %}
            raise TemplateError(describe_runtime_error(exc, filter_names()), *_template_frame(exc, self.root)) from None
        finally:
            _current.reset(token)
        return text, state

    def _subject_template(self, source: str):
        """The subject line compiled once per template set (compiling is most of its cost)."""
        template = self._subjects.get(source)
        if template is None:
            if len(self._subjects) >= 64:  # a studio session editing the subject line
                self._subjects.clear()
            template = self._subjects[source] = self.env.from_string(source)
        return template

    def render_subject(self, info: TemplateInfo, context: dict[str, Any]) -> str:
        state = RenderState()
        token = _current.set(state)
        try:
            text = self._subject_template(info.subject).render(context)
        except TemplateSyntaxError as exc:
            raise TemplateError(f"emnelinjen: {describe_syntax_error(exc, filters=filter_names()).message}", info.name, 1) from None
        except SecurityError as exc:
            raise TemplateError(f"emnelinjen: {describe_security_error(exc)}", info.name, 1) from None
        except TemplateRuntimeError as exc:
            message = str(exc) if isinstance(exc, UndefinedError) else describe_runtime_error(exc, filter_names())
            raise TemplateError(f"emnelinjen: {message}", info.name, 1) from None
        finally:
            _current.reset(token)
        return TOKEN.sub(lambda m: state.values[int(m.group(1))][0] if m.group(1) else "", text)


def _template_frame(exc: BaseException, root: Path) -> tuple[str | None, int | None]:
    """The innermost template file and line in a Jinja traceback."""
    tb = exc.__traceback__
    found: tuple[str | None, int | None] = (None, None)
    root_s = str(root.resolve())
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(root_s):
            found = (str(Path(filename).relative_to(root_s)), tb.tb_lineno)
        tb = tb.tb_next
    return found


@lru_cache(maxsize=4)
def template_set(root: Path | None = None) -> TemplateSet:
    """The template set of ``root`` (default: BREVGEN_TEMPLATES or templates/da), made once per process."""
    return TemplateSet(Path(root) if root else templates_dir())
