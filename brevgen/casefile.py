"""Reading a case file (YAML or JSON) into plain data, with Danish errors that name the file.

YAML is read with the safe loader (a case file is data: no Python objects are ever built),
and dates are left as text, so a bad date is reported by field name during validation
instead of PyYAML crashing on 2026-02-30.

Clock times are left as text too. YAML 1.1 reads an unquoted ``opens: 9:00`` as the
base-60 number 540, which would print as "kl. 0.09"; here ``9:00``, ``09:30`` and
``8:00:00`` stay the text the caseworker wrote, quoted or not, and validation reads them.

Both readers keep to :mod:`brevgen.limits` while they parse, before any other work: a file
over the size limit is not read, nesting deeper than the limit is refused before a recursive
parser sees it, a number with thousands of digits is never converted, and a key given twice in
one group is refused (both parsers would otherwise keep the last one without a word). YAML
aliases (``*name``) are refused too: a case needs none, and they can multiply a small file
into a huge structure. The JSON reader is shared by the HTTP service and batch.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from . import limits
from .errors import CaseDataError, Problem, UsageError

CASE_SUFFIXES = (".yaml", ".yml", ".json")


class DataRefused(Exception):
    """The data breaks a reading limit; ``message`` says which, in Danish."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def problem(self) -> Problem:
        return Problem(path="", message=self.message)


class _CaseLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates and clock times as text and keeps to the reading limits."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            line = self.peek_event().start_mark.line + 1
            raise DataRefused(f"filen bruger et alias (*) i linje {line}. Skriv værdien ud i stedet: en sagsfil kan ikke bruge ankre og aliaser")
        self._depth += 1
        try:
            if self._depth > limits.MAX_DEPTH and self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
                raise DataRefused(limits.TOO_DEEP)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen = set()
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # an unhashable key: the base class reports it
                    continue
                if duplicate:
                    raise DataRefused(limits.duplicate_key(key, key_node.start_mark.line + 1))
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_int(loader: _CaseLoader, node) -> Any:
    text = loader.construct_scalar(node)
    if sum(ch.isdigit() for ch in text) > limits.MAX_NUMBER_DIGITS + 5:
        return limits.TooBigNumber()
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_CaseLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


_CLOCK_TEXT = re.compile(r"^[0-9]{1,2}:[0-5][0-9](?::[0-5][0-9])?$")
_CaseLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Checked before YAML 1.1's base-60 int and float patterns (the first match wins).
for _digit in "0123456789":
    _CaseLoader.yaml_implicit_resolvers[_digit] = [("tag:yaml.org,2002:str", _CLOCK_TEXT), *_CaseLoader.yaml_implicit_resolvers.get(_digit, [])]

_JSON_SYNTAX = re.compile(r'["\\\[\]{}]')


def json_depth(text: str) -> int:
    """How deeply brackets nest in JSON text (outside strings), without parsing it."""
    depth = deepest = 0
    in_string = False
    skip = -1
    for match in _JSON_SYNTAX.finditer(text):
        pos, ch = match.start(), match.group()
        if pos == skip:
            continue
        if in_string:
            if ch == "\\":
                skip = pos + 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DataRefused(limits.duplicate_key(key))
        out[key] = value
    return out


def _int(text: str) -> Any:
    return limits.TooBigNumber() if len(text) > limits.MAX_NUMBER_DIGITS + 5 else int(text)


def parse_json(text: str, *, wrapper_levels: int = 0) -> Any:
    """JSON within the limits. ``wrapper_levels``: groups around the case data itself (a batch
    line is ``{"id", "event", "data": {...}}``: 1), so the depth limit is the case's own.

    Raises :class:`DataRefused` for a limit, :class:`json.JSONDecodeError` for bad syntax."""
    if json_depth(text) > limits.MAX_DEPTH + wrapper_levels:
        raise DataRefused(limits.TOO_DEEP)
    return json.loads(text, object_pairs_hook=_pairs, parse_int=_int)


def parse_case_text(text: str, suffix: str = ".yaml") -> Any:
    """Parse case data given as text (YAML, or JSON when ``suffix`` is .json).

    Raises :class:`DataRefused`, or the parser's own error for bad syntax."""
    if suffix.lower() == ".json":
        return parse_json(text)
    return yaml.load(text, Loader=_CaseLoader)  # noqa: S506 (SafeLoader subclass)


def read_case_file(path: Path) -> dict[str, Any]:
    """Parse a YAML or JSON case file. Raises ``UsageError`` if it cannot be read or is not a
    mapping, ``CaseDataError`` if it breaks a limit (too deep, a key twice, ...)."""
    path = Path(path)
    try:
        if not path.is_file():
            raise UsageError(f"{path}: filen findes ikke" if not path.exists() else f"{path}: er ikke en almindelig fil")
        size = path.stat().st_size
        if size > limits.MAX_CASE_BYTES:
            raise UsageError(f"{path}: filen er for stor ({size:,} bytes). En sagsfil må højst fylde {limits.MAX_CASE_BYTES:,} bytes".replace(",", "."))
        with path.open("rb") as fh:
            raw = fh.read(limits.MAX_CASE_BYTES + 1)
    except PermissionError:
        raise UsageError(f"{path}: filen kan ikke læses (ingen adgang)") from None
    except OSError as exc:
        raise UsageError(f"{path}: filen kan ikke læses ({exc.strerror or type(exc).__name__})") from None
    if len(raw) > limits.MAX_CASE_BYTES:
        raise UsageError(f"{path}: filen er for stor. En sagsfil må højst fylde {limits.MAX_CASE_BYTES:,} bytes".replace(",", "."))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: filen er ikke gemt som UTF-8") from None
    try:
        data = parse_case_text(text, path.suffix)
    except DataRefused as exc:
        raise CaseDataError([exc.problem()], record=str(path)) from None
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (linje {mark.line + 1})" if mark else (f" (linje {exc.lineno})" if hasattr(exc, "lineno") else "")
        raise UsageError(f"{path}: filen kan ikke læses som YAML eller JSON{where}") from None
    except (ValueError, TypeError):  # an unhashable YAML key and the like: not case data
        raise UsageError(f"{path}: filen kan ikke læses som YAML eller JSON") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: filen skal indeholde en gruppe af felter, ikke en liste eller en tekst")
    return data
