"""Published template set versions, for making letters: which set a letter is made from.

- ``template_set_for(version=V)``: the published version V (its number, ``4`` or ``v4``, or
  the start of its hash, at least 6 hex digits), materialised from the database into a
  content-addressed folder (``<data>/sets/<hash>/``, checked against the hash) and read as a
  :class:`~brevgen.templating.TemplateSet` with its own regime table, stylesheets and fonts.
- ``template_set_for()``: the newest published version when the database has one; otherwise
  (a fresh checkout, no database, nothing published yet) the working template folder
  (``BREVGEN_TEMPLATES`` or ``templates/da``).
- ``template_set_for(templates_root=DIR)``: that folder as it is on disk (``--templates``).

The CLI, the Python API, the HTTP service and batch all choose their set here.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import UsageError
from .paths import rules_dir, templates_dir
from .store.settings import configured, data_dir
from .templating import TemplateSet, template_set
from .versioning import RULES_PREFIX, TEMPLATES_PREFIX, hash_of_files, read_files

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported only when there is a database
    from .store import Store, Version

_sets: dict[str, TemplateSet] = {}
_lock = threading.Lock()
_COMPLETE = ".complete"


def sets_dir() -> Path:
    return data_dir() / "sets"


def write_set(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write a set's files under ``folder`` (``templates/...``, ``rules/...``)."""
    for name, data in files.items():
        if not name.startswith((TEMPLATES_PREFIX, RULES_PREFIX)) or ".." in Path(name).parts or name.startswith("/"):
            raise UsageError(f"ugyldigt filnavn i skabelonsættet: {name}")
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def materialise(store: Store, set_hash: str) -> Path:
    """The folder of a stored set, written once and checked against its hash."""
    folder = sets_dir() / set_hash
    if (folder / _COMPLETE).is_file():
        return folder
    with store.read() as tx:
        digests = tx.file_set(set_hash)
        if digests is None:
            raise UsageError(f"skabelonsættet {set_hash[:12]} findes ikke i databasen")
        blobs = tx.blobs(digests.values())
    files = {name: blobs[digest] for name, digest in digests.items()}
    if hash_of_files(files) != set_hash:
        raise UsageError(f"skabelonsættet {set_hash[:12]} i databasen passer ikke med sin hash")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{set_hash[:12]}.", dir=folder.parent))
    try:
        write_set(tmp, files)
        (tmp / _COMPLETE).write_text(set_hash + "\n", encoding="ascii")
        try:
            os.rename(tmp, folder)
        except OSError:  # another process got there first: its copy is the same
            if not (folder / _COMPLETE).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def set_template_set(store: Store, set_hash: str) -> TemplateSet:
    """The TemplateSet of a stored set, made once per process."""
    with _lock:
        cached = _sets.get(set_hash)
    if cached is not None:
        return cached
    folder = materialise(store, set_hash)
    templates = TemplateSet(folder / "templates", version=set_hash, rules_root=folder / "rules")
    with _lock:
        return _sets.setdefault(set_hash, templates)


def find_version(store: Store, spec: str) -> Version:
    """A published version by number (``4``, ``v4``) or by the start of its hash (6+ hex digits)."""
    text = str(spec).strip().lower()
    with store.read() as tx:
        number = re.fullmatch(r"v?(\d{1,6})", text)
        if number:
            found = tx.version(int(number.group(1)))
            if found is None:
                raise UsageError(f"version {number.group(1)} er ikke udgivet. Se 'brevgen versions list'")
            return found
        if not re.fullmatch(r"[0-9a-f]{6,64}", text):
            raise UsageError(f"'{spec}' er ikke en version: skriv dens nummer (fx 4) eller starten af dens hash (mindst 6 tegn)")
        matches = tx.versions_by_prefix(text)
    if not matches:
        raise UsageError(f"ingen udgivet version har en hash, der begynder med {text}. Se 'brevgen versions list'")
    if len(matches) > 1:
        raise UsageError(f"flere versioner begynder med {text}: skriv flere tegn af hashen")
    return matches[0]


def newest(store: Store | None) -> Version | None:
    if store is None:
        return None
    with store.read() as tx:
        return tx.newest_version()


def template_set_for(version: str | None = None, *, templates_root: Path | None = None, store: Store | None = None) -> TemplateSet:
    """The template set a letter is made from (see the module's documentation)."""
    if templates_root is not None:
        if version:
            raise UsageError("--templates og --template-version kan ikke bruges sammen")
        return template_set(Path(templates_root).resolve())
    if store is None and (version or configured()):
        from .store import configured_store

        store = configured_store()
    if version:
        if store is None:
            raise UsageError("der er ingen database med udgivne versioner (sæt BREVGEN_DATABASE_URL)")
        return set_template_set(store, find_version(store, version).hash)
    current = newest(store)
    if current is not None:
        return set_template_set(store, current.hash)  # type: ignore[arg-type]
    return template_set()


def working_files() -> dict[str, bytes]:
    """The working template folder and rule folder, as a set's files."""
    return read_files(templates_dir(), rules_dir())


def forget_cached_sets() -> None:
    with _lock:
        _sets.clear()
