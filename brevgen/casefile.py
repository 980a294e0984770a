"""Reading a case file (YAML or JSON) into plain data, with Danish errors that name the file.

YAML is read with the safe loader (a case file is data: no Python objects are ever built),
and dates are left as text, so a bad date is reported by field name during validation
instead of PyYAML crashing on 2026-02-30.

Clock times are left as text too. YAML 1.1 reads an unquoted ``opens: 9:00`` as the
base-60 number 540, which would print as "kl. 0.09"; here ``9:00``, ``09:30`` and
``8:00:00`` stay the text the caseworker wrote, quoted or not, and validation reads them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import UsageError

CASE_SUFFIXES = (".yaml", ".yml", ".json")


class _CaseLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates and clock times as text."""


_CLOCK_TEXT = re.compile(r"^[0-9]{1,2}:[0-5][0-9](?::[0-5][0-9])?$")
_CaseLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Checked before YAML 1.1's base-60 int and float patterns (the first match wins).
for _digit in "0123456789":
    _CaseLoader.yaml_implicit_resolvers[_digit] = [("tag:yaml.org,2002:str", _CLOCK_TEXT), *_CaseLoader.yaml_implicit_resolvers.get(_digit, [])]


def parse_case_text(text: str, suffix: str = ".yaml") -> Any:
    """Parse case data given as text (YAML, or JSON when ``suffix`` is .json)."""
    if suffix.lower() == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=_CaseLoader)  # noqa: S506 (SafeLoader subclass)


def read_case_file(path: Path) -> dict[str, Any]:
    """Parse a YAML or JSON case file. Raises ``UsageError`` if it is not a mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: filen findes ikke") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: filen er ikke gemt som UTF-8") from None
    try:
        data = parse_case_text(text, path.suffix)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (linje {mark.line + 1})" if mark else (f" (linje {exc.lineno})" if hasattr(exc, "lineno") else "")
        raise UsageError(f"{path}: filen kan ikke læses som YAML eller JSON{where}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: filen skal indeholde en gruppe af felter, ikke en liste eller en tekst")
    return data
