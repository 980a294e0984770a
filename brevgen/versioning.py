"""What a template set version is: a content hash over every file that shapes a letter.

A version covers two folders, named in the listing by a prefix:

- ``templates/``: every file in the template folder (``templates/da``), recursively: the event
  templates and partials (``*.md``), the stylesheets (``brev.css``, ``screen.css``,
  ``fonts.css``), the shipped fonts and their licence, the Typst template (``typst/brev.typ``)
  and the legal-regime table (``regimes.yml``);
- ``rules/``: every file in the plain-language rule folder (``plain_language_rules/``): the
  rule files, vocabulary lists, their schema and config, which decide what the lint and the
  letter-logic checks find.

Left out, everywhere: names that start with ``.`` (editor and atomic-write temporary files,
``.git``), names that end with ``~`` and ``__pycache__`` folders. Nothing else is filtered:
a file that sits in either folder is part of the version, so the hash cannot miss a file that
a renderer or check reads.

The hash is SHA-256 over the canonical listing: one line ``<path>\\0<sha256 of the bytes>\\n``
per file, sorted by path (UTF-8, ``/`` as separator). The bytes are hashed as they are: no
line-ending or encoding normalisation. The short form (first 12 hex digits) is what people see.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

TEMPLATES_PREFIX = "templates/"
RULES_PREFIX = "rules/"
SHORT = 12


def _wanted(relative: Path) -> bool:
    return not any(part.startswith(".") or part.endswith("~") or part == "__pycache__" for part in relative.parts)


def folder_files(root: Path) -> dict[str, Path]:
    """Every file of ``root`` that belongs to a version, by its path relative to ``root``."""
    root = Path(root)
    if not root.is_dir():
        return {}
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and _wanted(relative):
            found[relative.as_posix()] = path
    return found


def listing(templates_root: Path, rules_root: Path | None) -> dict[str, Path]:
    """The files of a version, by their name in the listing (``templates/brev.css``, ``rules/config.yml``)."""
    out = {TEMPLATES_PREFIX + name: path for name, path in folder_files(templates_root).items()}
    if rules_root is not None:
        out.update({RULES_PREFIX + name: path for name, path in folder_files(rules_root).items()})
    return dict(sorted(out.items()))


def read_files(templates_root: Path, rules_root: Path | None) -> dict[str, bytes]:
    return {name: path.read_bytes() for name, path in listing(templates_root, rules_root).items()}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hash_of_digests(digests: Mapping[str, str]) -> str:
    """The version hash from each file's SHA-256 (what the store keeps)."""
    h = hashlib.sha256()
    for name in sorted(digests, key=lambda n: n.encode("utf-8")):
        h.update(name.encode("utf-8") + b"\0" + digests[name].encode("ascii") + b"\n")
    return h.hexdigest()


def hash_of_files(files: Mapping[str, bytes]) -> str:
    return hash_of_digests({name: sha256(data) for name, data in files.items()})


def folder_version(templates_root: Path, rules_root: Path | None) -> str:
    """The version hash of a template folder and a rule folder as they are on disk now."""
    return hash_of_digests({name: sha256(path.read_bytes()) for name, path in listing(templates_root, rules_root).items()})


def short(version: str) -> str:
    return version[:SHORT]


def split(names: Iterable[str]) -> tuple[list[str], list[str]]:
    """(template files, rule files) of a listing, without their prefixes."""
    templates, rules = [], []
    for name in names:
        if name.startswith(TEMPLATES_PREFIX):
            templates.append(name[len(TEMPLATES_PREFIX):])
        elif name.startswith(RULES_PREFIX):
            rules.append(name[len(RULES_PREFIX):])
    return templates, rules
