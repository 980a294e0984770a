"""The studio's one door into brevgen's core.

Everything the template studio asks of the pipeline goes through this module: the events and
their examples, composing a letter from templates edited in memory (an overlay over the files
on disk), the lint, required content, LIX, branch coverage, the names a template may use, the
regime texts a letter used, the diff against the saved version, and saving. The rest of
``brevgen.studio`` (web app, auth, pages) imports only this module from brevgen, so when the
core is restructured the studio is re-pointed here, in one place.

Unsaved edits never touch the template folder: an :class:`OverlayTemplateSet` prefers the
edited sources and the edited regime table to the files on disk. Only :meth:`Workspace.save`
writes, atomically, after the static template check and a full compose of every affected
example. The folder a workspace saves into is a draft's own (``brevgen.lifecycle``); a
published version's folder and the working folder are only read (see ``workflow.py``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import re
import threading
import tomllib
import types
import typing
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html import escape
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateNotFound

from .. import events as event_registry
from .. import formatting
from ..casedata import LetterCase
from ..casefile import read_case_file
from ..derive import derive
from ..errors import BrevgenError, TemplateError
from ..feedback import PARTIAL as FEEDBACK_PARTIAL
from ..letter import Heading, Letter, ListBlock, Paragraph, Run, Section, Table
from ..lint import default_rules
from ..lint.findings import LEVEL_RANK, Hit
from ..lint.lix import band as lix_band
from ..lint.required import requirements
from ..lint.templates import CoverageTemplateSet, TemplateFiles, default_examples_dir, find_suppressions, if_chains, lint_letter, real_ifs
from ..lint.units import Location
from ..output import atomic_write
from ..regime import _META_KEYS, Regime, RegimeData, RegimeTable, parse_regimes
from ..template_check import (
    ANY,
    LEAF,
    SAFE_BUILTIN_FILTERS,
    Allowed,
    Shape,
    TemplateProblem,
    check_source,
    check_subject,
    referenced_templates,
    shape_of_model,
    shape_of_value,
)
from ..templating import FILTERS, FRONT_MATTER, MarkedLoader, TemplateInfo
from ..validation import validate_case

REGIMES_FILE = "regimes.yml"
VARIANTS_FILE = "varianter.toml"
CASE_SUFFIXES = (".yaml", ".yml", ".json")

LEVEL_DA = {"error": "Fejl", "warning": "Advarsel", "suggestion": "Forslag"}
# What kind of check a rule id belongs to, by its prefix. A new kind of rule shows under
# "Andre tjek" until it is named here.
RULE_KINDS = {
    "KS": "Klart sprog",
    "ST": "Emnelinjen",
    "IN": "Påkrævet indhold",
    "KL": "Skabelonen",
    "LO": "Brevlogik",
    "TE": "Ord og begreber",
    "SK": "Skabelonen",
}

# Danish names for the parts of the regime table, for labels in the studio.
REGIME_WORDS = {
    "consequence": "Hvad sker der, hvis du ikke gør det",
    "indkaldelse": "indkaldelse",
    "selvbooking": "selvbooking",
    "tilbud": "tilbud",
    "sygedagpenge": "sygedagpenge",
    "dagpenge": "dagpenge",
    "kontanthjælp": "kontanthjælp",
    "ill_on_the_day": "Syg på dagen",
    "contact_plan": "Så tit taler vi sammen",
    "after": "derefter",
    "note": "bemærkning",
    "later": "senere",
    "meetings": "samtaler",
    "period": "periode",
    "offer": "Tilbud",
    "duty": "pligt til tilbud",
    "complaint": "klage",
    "body": "klageinstans",
    "procedure": "sådan klager du",
    "exemption_reasons": "fritaget, hvis et af disse begynder",
    "exemption_proof": "dokumentation",
    "sick_leave": "Sygedagpenge",
    "payer": "hvem betaler",
    "arbejdsgiver": "arbejdsgiver",
    "a-kasse": "a-kasse",
    "selv": "selvstændig",
    "first_meeting": "første samtale",
    "forms": "samtaleformer",
    "standby": "fritagelse ved alvorlig sygdom",
    "reassessment": "revurdering",
    "employed_exemption": "ansatte, der ventes raske inden 26 uger",
    "legal_refs": "Regler",
    "text": "",
}


FILTER_EXAMPLES = {
    "dato": "{{ case.letter_date|dato }} → mandag den 3. marts 2026",
    "kort_dato": "{{ case.letter_date|kort_dato }} → 3. marts 2026",
    "kl": "{{ derived.meeting_end|kl }} → kl. 10.00",
    "dato_kl": "{{ case.meeting.start|dato_kl }} → mandag den 3. marts 2026 kl. 10.00",
    "kr": "{{ case.offer.wage_per_hour|kr }} → 1.234,50 kr.",
    "tlf": "{{ case.caseworker.phone|tlf }} → 33 66 33 66",
    "tal": "{{ case.offer.hours_per_week|tal }} → 37",
    "tidsrum": "{{ h.opens|tidsrum(h.closes) }} → kl. 9.00 til 10.30",
    "length": "{{ case.bring|length }} → antal punkter i en liste",
    "first": "{{ case.bring|first }} → det første punkt",
    "last": "{{ case.bring|last }} → det sidste punkt",
    "join": "{{ case.bring|join(', ') }} → punkterne adskilt med komma",
    "lower": "{{ x|lower }} → små bogstaver",
    "upper": "{{ x|upper }} → STORE BOGSTAVER",
    "capitalize": "{{ x|capitalize }} → Stort forbogstav",
    "trim": "{{ x|trim }} → uden mellemrum i enderne",
}


FEEDBACK_SHAPE = Shape("map", {"url": Shape("leaf", label="Linket til spørgsmålet")}, label="Tilbagemelding")


# --- what the studio hands out ---------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One example case of an event, named by what varies."""

    event: str
    key: str  # the example's file stem
    title: str  # "dagpenge · video"
    description: str  # the example's own leading comment
    path: Path

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "description": self.description}


@dataclass(frozen=True)
class RegimeEdit:
    """A new text for one value of one regime entry (where the value is written in the file)."""

    regime: str
    path: str
    text: str


@dataclass
class Draft:
    """Unsaved edits: template sources by name, and regime texts."""

    files: dict[str, str] = field(default_factory=dict)
    regime_edits: list[RegimeEdit] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.files and not self.regime_edits


class StudioError(BrevgenError):
    """A request the studio cannot carry out, in Danish (409 for a conflict, 400 otherwise)."""

    code = "studio"

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _event_models() -> dict[str, type[LetterCase]]:
    """Each registered event's case model, by event name."""
    return {e.name: e.model for e in event_registry.all_events()}


# --- the overlay ------------------------------------------------------------------------------


class _OverlayLoader(MarkedLoader):
    """MarkedLoader that prefers edited sources held in memory to the files on disk."""

    def __init__(self, root: Path, files: Mapping[str, str]):
        super().__init__(root)
        self.files = dict(files)

    def get_source(self, environment, template: str):
        if template in self.files:
            path = (self.root / template).resolve()
            if not path.is_relative_to(self.root.resolve()):
                raise TemplateNotFound(template)
            text = self.files[template]
            # The real file name: error messages and the lint's line mapping name the file.
            # Compiled once per text: Jinja asks uptodate() before it reuses the template.
            return self.mark(template, text), str(path), lambda: self.files.get(template) == text
        source, filename, on_disk = super().get_source(environment, template)
        return source, filename, lambda: template not in self.files and on_disk()


class OverlayTemplateSet(CoverageTemplateSet):
    """The pipeline's template set (with branch coverage) over edited, unsaved sources."""

    def __init__(self, root: Path, files: Mapping[str, str], regimes_text: str | None):
        super().__init__(root)
        self.loader = _OverlayLoader(root, files)
        self.env.loader = self.loader
        self.files = dict(files)
        self.regimes_text = regimes_text

    def update(self, files: Mapping[str, str], regimes_text: str | None) -> None:
        """Switch to another draft; only templates whose text changed are compiled again."""
        self.files = dict(files)
        self.loader.files = self.files
        self.regimes_text = regimes_text
        self.__dict__.pop("events", None)
        self.hits.clear()

    def source(self, name: str) -> str:
        if name in self.files:
            return self.files[name]
        return (self.root / name).read_text(encoding="utf-8")

    @cached_property
    def events(self) -> dict[str, TemplateInfo]:
        found: dict[str, TemplateInfo] = {}
        for path in sorted(self.root.glob("*.md")):
            match = FRONT_MATTER.match(self.source(path.name))
            if not match:
                continue
            try:
                meta = yaml.safe_load(match.group(1)) or {}
            except yaml.YAMLError:
                raise TemplateError("forsiden mellem --- og --- kan ikke læses", path.name, 1) from None
            missing = [k for k in ("id", "version", "event", "subject") if not meta.get(k)]
            if missing:
                raise TemplateError(f"front matter mangler: {', '.join(missing)}", path.name, 1)
            found[str(meta["event"])] = TemplateInfo(
                id=str(meta["id"]), version=str(meta["version"]), event=str(meta["event"]),
                subject=str(meta["subject"]), path=path, name=path.name,
            )
        return found

    @property
    def regimes(self) -> RegimeTable:
        # Parsed from the text (cached by its hash), never from a table read earlier:
        # a file saved a moment ago must not be read as it was.
        text = self.regimes_text if self.regimes_text is not None else (self.root / REGIMES_FILE).read_text(encoding="utf-8")
        return _parse_regimes_text(text, str(self.root / REGIMES_FILE))

    def subject_line(self, name: str) -> int:
        """The line of ``subject:`` in a template's front matter (1 if it has none)."""
        lines = self.source(name).split("\n")
        return next((i for i, line in enumerate(lines, start=1) if line.startswith("subject:")), 1)


_REGIME_CACHE: OrderedDict[tuple[str, str], RegimeTable] = OrderedDict()
_REGIME_LOCK = threading.Lock()


def _parse_regimes_text(text: str, path: str) -> RegimeTable:
    key = (path, hashlib.sha256(text.encode()).hexdigest())
    with _REGIME_LOCK:
        if key in _REGIME_CACHE:
            _REGIME_CACHE.move_to_end(key)
            return _REGIME_CACHE[key]
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise TemplateError("filen kan ikke læses som YAML", REGIMES_FILE, mark.line + 1 if mark else None) from None
    table = parse_regimes(raw or {}, Path(path))
    with _REGIME_LOCK:
        _REGIME_CACHE[key] = table
        while len(_REGIME_CACHE) > 16:
            _REGIME_CACHE.popitem(last=False)
    return table


class _OverlayFiles(TemplateFiles):
    """The lint's view of the template files, over the overlay, named relative to the folder."""

    def __init__(self, root: Path, files: Mapping[str, str]):
        super().__init__(root)
        self.files = dict(files)

    def display(self, name: str) -> str:
        return name

    def lines(self, name: str) -> list[str] | None:
        if name in self.files:
            return self.files[name].split("\n") or None
        return super().lines(name)


# --- regime texts -----------------------------------------------------------------------------


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def is_regime_text(path: str) -> bool:
    """Whether the regime value at ``path`` is free Danish text (not a number, a yes/no or a fixed word)."""
    from pydantic import BaseModel

    annotation: Any = RegimeData
    for part in path.split("."):
        annotation = _unwrap(annotation)
        if typing.get_origin(annotation) is list:
            if not part.isdigit():
                return False
            annotation = typing.get_args(annotation)[0]
            continue
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            match = next((f for n, f in annotation.model_fields.items() if part in (n, f.alias)), None)
            if match is None:
                return False
            annotation = match.annotation
            continue
        return False
    return _unwrap(annotation) is str


def _string_leaves(data: Any, prefix: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _string_leaves(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _string_leaves(value, f"{prefix}.{i}")
    elif isinstance(data, str):
        yield prefix, data


def _lookup(data: Any, path: str) -> Any:
    current = data
    for part in path.split("."):
        if isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            raise KeyError(path)
    return current


def regime_label(path: str) -> str:
    parts = [p for p in path.split(".")]
    words: list[str] = []
    for p in parts:
        if p.isdigit():
            words.append(f"nr. {int(p) + 1}")
        else:
            word = REGIME_WORDS.get(p, p.replace("_", " "))
            if word:
                words.append(word)
    if not words:
        return path
    return words[0][:1].upper() + words[0][1:] + (": " + ", ".join(words[1:]) if len(words) > 1 else "")


def _norm(text: str) -> str:
    return " ".join(text.split())


class _RegimeFile:
    """regimes.yml as text: which entry writes which value, and surgical edits that keep comments."""

    def __init__(self, text: str):
        self.text = text
        raw = yaml.safe_load(text) or {}
        self.entries: dict[str, dict] = {str(e["id"]): e for e in raw.get("regimes", []) if isinstance(e, dict) and "id" in e}

    def defining_entry(self, regime_id: str, path: str) -> str | None:
        """The entry that writes the value a regime has at ``path`` (itself or one it inherits)."""
        rid: str | None = regime_id
        seen = set()
        while rid and rid in self.entries and rid not in seen:
            seen.add(rid)
            entry = self.entries[rid]
            own = {k: v for k, v in entry.items() if k not in _META_KEYS}
            try:
                _lookup(own, path)
                return rid
            except KeyError:
                rid = entry.get("inherits")
                rid = str(rid) if rid is not None else None
        return None

    def inheritors(self, entry_id: str, path: str) -> list[str]:
        """Every regime whose value at ``path`` is the one written in ``entry_id``."""
        return [rid for rid in self.entries if self.defining_entry(rid, path) == entry_id]

    @cached_property
    def _nodes(self) -> dict[tuple[str, str], yaml.ScalarNode]:
        found: dict[tuple[str, str], yaml.ScalarNode] = {}
        root = yaml.compose(self.text)
        if not isinstance(root, yaml.MappingNode):
            return found
        seq = next((v for k, v in root.value if k.value == "regimes"), None)
        if not isinstance(seq, yaml.SequenceNode):
            return found
        for entry in seq.value:
            if not isinstance(entry, yaml.MappingNode):
                continue
            rid = next((str(v.value) for k, v in entry.value if k.value == "id" and isinstance(v, yaml.ScalarNode)), None)
            if rid is None:
                continue

            for k, v in entry.value:
                if k.value not in _META_KEYS:
                    _scalar_paths(v, str(k.value), rid, found)
        return found

    def line_of(self, entry_id: str, path: str) -> int | None:
        node = self._nodes.get((entry_id, path))
        return node.start_mark.line + 1 if node is not None else None

    def apply(self, edits: Iterable[RegimeEdit]) -> str:
        """The file with the new texts written in place; comments and layout stay as they are."""
        replacements: list[tuple[int, int, str]] = []
        for edit in edits:
            if not is_regime_text(edit.path):
                raise StudioError(f"'{edit.path}' er ikke en tekst, der kan rettes i studiet.")
            node = self._nodes.get((edit.regime, edit.path))
            if node is None:
                raise StudioError(f"Teksten '{regime_label(edit.path)}' står ikke i regelsættet '{edit.regime}'.")
            text = " ".join(edit.text.split())
            if node.style in (">", "|"):
                header_end = self.text.index("\n", node.start_mark.index)
                start, end = header_end + 1, node.end_mark.index
                original = self.text[start:end]
                body = original.rstrip("\n")
                trailing = original[len(body):] or "\n"
                first = body.split("\n", 1)[0]
                indent = first[: len(first) - len(first.lstrip())]
                lines = _sentence_lines(text) if text else [""]
                replacements.append((start, end, "\n".join(indent + line for line in lines) + trailing))
            else:
                replacements.append((node.start_mark.index, node.end_mark.index, json.dumps(text, ensure_ascii=False)))
        out = self.text
        for start, end, new in sorted(replacements, reverse=True):
            out = out[:start] + new + out[end:]
        return out


@lru_cache(maxsize=8)
def _regime_file(text: str) -> _RegimeFile:
    """regimes.yml parsed once per text (PyYAML is slow on a file this size)."""
    return _RegimeFile(text)


@lru_cache(maxsize=512)
def _references(source: str, name: str) -> frozenset[str]:
    return frozenset(referenced_templates(_blank_front_matter(source), name))


def _scalar_paths(node, path: str, entry: str, found: dict) -> None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            _scalar_paths(v, f"{path}.{k.value}", entry, found)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _scalar_paths(v, f"{path}.{i}", entry, found)
    elif isinstance(node, yaml.ScalarNode):
        found[(entry, path)] = node


def _sentence_lines(text: str) -> list[str]:
    """One sentence per line, the way regimes.yml writes its folded texts."""
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])", text) if s] or [text]


# --- the workspace --------------------------------------------------------------------------


@dataclass
class _Baseline:
    """Every example of every event composed from the files on disk, for one disk state."""

    digest: str
    letters: dict[tuple[str, str], Any]  # (event, key) -> Letter or TemplateError/BrevgenError
    summaries: dict[tuple[str, str], dict]
    finding_keys: dict[tuple[str, str], set]


def _hit_key(rule: str, quote: str | None, match: str | None) -> tuple:
    return (rule, _norm(quote or ""), (match or "").lower())


class Workspace:
    """One template folder with its examples, as the studio sees it."""

    def __init__(self, root: Path, examples: Path | None = None):
        self.root = Path(root).resolve()
        self.examples = (examples or default_examples_dir(self.root)).resolve()
        self._lock = threading.RLock()
        self._cases: dict[Path, tuple[int, LetterCase]] = {}
        self._overlays: OrderedDict[str, OverlayTemplateSet] = OrderedDict()
        self._baselines: dict[str, _Baseline] = {}
        self._allowed: dict[tuple[str, str], Allowed] = {}
        # The template set the editor's requests share: updated to each draft in place, so a
        # keystroke recompiles only the template being edited. Used under _live_lock only.
        self._live: OverlayTemplateSet | None = None
        self._live_digest = ""
        self._live_lock = threading.Lock()
        self._checked: OrderedDict[tuple, list[TemplateProblem]] = OrderedDict()

    # -- reading ---------------------------------------------------------------------------

    @property
    def rules(self):
        return default_rules()

    def template_names(self) -> list[str]:
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*.md"))

    def disk_digest(self) -> str:
        h = hashlib.sha256()
        for path in sorted([*self.root.rglob("*.md"), self.root / REGIMES_FILE]):
            if path.is_file():
                st = path.stat()
                h.update(f"{path.relative_to(self.root)}:{st.st_mtime_ns}:{st.st_size};".encode())
        return h.hexdigest()

    def file_digest(self, name: str) -> str:
        path = self._path(name)
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root) or not (name == REGIMES_FILE or (path.suffix == ".md" and path.is_file())):
            raise StudioError(f"'{name}' er ikke en skabelon i skabelonmappen.")
        return path

    def read(self, name: str) -> str:
        return self._path(name).read_text(encoding="utf-8")

    def events(self) -> dict[str, TemplateInfo]:
        return self.overlay(Draft()).events

    def event_title(self, event: str) -> str:
        return event_registry.get(event).title if event in _event_models() else event

    def _check_event(self, event: str) -> TemplateInfo:
        info = self.events().get(event)
        if info is None or event not in _event_models():
            raise StudioError(f"Brevtypen '{event}' findes ikke.", 404)
        return info

    def variants(self, event: str) -> list[Variant]:
        folder = self.examples / event
        if not folder.is_dir():
            return []
        titles: dict[str, str] = {}
        sidecar = folder / VARIANTS_FILE
        if sidecar.is_file():
            titles = {str(k): str(v) for k, v in tomllib.loads(sidecar.read_text(encoding="utf-8")).items()}
        out = []
        for path in sorted(p for p in folder.iterdir() if p.suffix in CASE_SUFFIXES):
            title = titles.get(path.stem) or path.stem.replace("-", " · ")
            out.append(Variant(event, path.stem, title, _leading_comment(path), path))
        return out

    def variant(self, event: str, key: str | None) -> Variant:
        variants = self.variants(event)
        if not variants:
            raise StudioError(f"Brevtypen '{event}' har ingen eksempler i {self.examples / event}.", 404)
        if key is None:
            return variants[0]
        for v in variants:
            if v.key == key:
                return v
        raise StudioError(f"Eksemplet '{key}' findes ikke for {event}.", 404)

    def case(self, variant: Variant) -> LetterCase:
        mtime = variant.path.stat().st_mtime_ns
        cached = self._cases.get(variant.path)
        if cached and cached[0] == mtime:
            return cached[1]
        regimes = self.overlay(Draft()).regimes
        case = validate_case(variant.event, read_case_file(variant.path), regimes, record=f"{variant.event}/{variant.key}")
        self._cases[variant.path] = (mtime, case)
        return case

    # -- drafts ----------------------------------------------------------------------------

    def draft(self, files: Mapping[str, str] | None = None, regime: Iterable[Mapping[str, str]] | None = None) -> Draft:
        """A draft from a request: only existing templates, only the texts that differ from disk."""
        clean: dict[str, str] = {}
        for name, text in (files or {}).items():
            if not isinstance(name, str) or not isinstance(text, str):
                raise StudioError("Forkert kald: filer skal være tekst.")
            if name == REGIMES_FILE:
                raise StudioError("Regelsættet rettes tekst for tekst, ikke som fil.")
            text = text.replace("\r\n", "\n")
            if text != self.read(name):
                clean[name] = text
        edits = []
        for item in regime or []:
            try:
                edit = RegimeEdit(str(item["regime"]), str(item["path"]), str(item["text"]))
            except (KeyError, TypeError):
                raise StudioError("Forkert kald: en regeltekst skal have regime, path og text.") from None
            edits.append(edit)
        return Draft(clean, edits)

    def regimes_text(self, draft: Draft) -> str | None:
        if not draft.regime_edits:
            return None
        disk = self.read(REGIMES_FILE)
        current = _regime_file(disk)
        changed = [e for e in draft.regime_edits if _norm(str(_lookup_entry(current, e))) != _norm(e.text)]
        if not changed:
            return None
        return current.apply(changed)

    def _digest(self, draft: Draft, regimes_text: str | None) -> str:
        h = hashlib.sha256()
        for name in sorted(draft.files):
            h.update(name.encode() + b"\0" + draft.files[name].encode() + b"\0")
        h.update((regimes_text or "").encode())
        return h.hexdigest()

    def overlay(self, draft: Draft, regimes_text: str | None = None, fresh: bool = False) -> OverlayTemplateSet:
        """The template set for a draft, reused while the draft and the files on disk are the same."""
        key = self.disk_digest() + self._digest(draft, regimes_text)
        with self._lock:
            if not fresh and key in self._overlays:
                self._overlays.move_to_end(key)
                return self._overlays[key]
            overlay = OverlayTemplateSet(self.root, draft.files, regimes_text)
            if not fresh:
                self._overlays[key] = overlay
                while len(self._overlays) > 6:
                    self._overlays.popitem(last=False)
            return overlay

    def live(self, draft: Draft, regimes_text: str | None) -> OverlayTemplateSet:
        """The shared template set, switched to ``draft``. Hold ``_live_lock`` while using it."""
        digest = self.disk_digest()
        if self._live is None or self._live_digest != digest:
            self._live = OverlayTemplateSet(self.root, draft.files, regimes_text)
            self._live_digest = digest
        else:
            self._live.update(draft.files, regimes_text)
        return self._live

    # -- what a template may use -----------------------------------------------------------

    def files_of(self, event: str, draft: Draft | None = None) -> list[str]:
        """The event's template and every partial it extends or includes, in reading order."""
        info = self._check_event(event)
        draft = draft or Draft()
        out: list[str] = []
        todo = [info.name]
        while todo:
            name = todo.pop(0)
            if name in out:
                continue
            try:
                source = draft.files.get(name) if name in draft.files else self.read(name)
            except StudioError:
                continue
            out.append(name)
            todo.extend(sorted(n for n in _references(source, name) if n not in out))
        # The question "Var brevet let at forstå?" is added to every letter (when feedback is
        # configured) without an include, so it is listed here for the editor and the checks.
        if FEEDBACK_PARTIAL not in out and (FEEDBACK_PARTIAL in draft.files or (self.root / FEEDBACK_PARTIAL).is_file()):
            out.append(FEEDBACK_PARTIAL)
        return out

    def allowed(self, event: str) -> Allowed:
        """What the event's templates may use: its case schema, the regime, derived values, filters."""
        key = (event, self.disk_digest())
        if key in self._allowed:
            return self._allowed[key]
        table = self.overlay(Draft()).regimes
        regime_shape: Shape | None = None
        for regime in table.regimes:
            shape = shape_of_value(regime.as_context())
            regime_shape = shape if regime_shape is None else regime_shape.merge(shape)
        derived: Shape | None = None
        for variant in self.variants(event):
            try:
                case = self.case(variant)
                values, _notes = derive(event_registry.get(event), case, table.for_date(case.letter_date))
            except (BrevgenError, LookupError):
                continue
            shape = shape_of_value(values)
            derived = shape if derived is None else derived.merge(shape)
        partials = frozenset(n for n in self.template_names() if n.startswith("partials/"))
        allowed = Allowed(
            names={
                "case": shape_of_model(_event_models()[event]),
                "regime": regime_shape or ANY,
                "derived": derived or ANY,  # no example: nothing to learn the names from
                "event": LEAF,
            },
            filters=frozenset(FILTERS) | SAFE_BUILTIN_FILTERS,
            templates=partials,
        )
        self._allowed[key] = allowed
        return allowed

    def field_reference(self, event: str) -> dict[str, list[dict]]:
        """What a template for ``event`` may write, for the editor's help: names with their
        Danish titles, and the filters with an example of what they print."""
        allowed = self.allowed(event)
        fields: list[dict] = []

        def walk(shape: Shape, path: str, depth: int) -> None:
            for name, child in shape.fields.items():
                if child.kind == "secret" or depth > 4:
                    continue
                full = f"{path}.{name}"
                fields.append({"name": full, "label": child.label or "", "list": child.kind == "list"})
                if child.kind == "map":
                    walk(child, full, depth + 1)
                elif child.kind == "list" and child.item is not None and child.item.kind == "map":
                    walk(child.item, "x", depth + 1)  # shown as x.felt: {% for x in ... %}

        walk(allowed.names["case"], "case", 0)
        derived = allowed.names["derived"]
        return {
            "case": fields,
            "derived": [{"name": f"derived.{n}"} for n in sorted(derived.fields)] if derived.kind == "map" else [],
            # brevgen's own filters first, in the order of the README; then Jinja's few.
            "filters": [{"name": n, "example": FILTER_EXAMPLES.get(n, "")} for n in sorted(allowed.filters, key=lambda n: (list(FILTER_EXAMPLES).index(n) if n in FILTER_EXAMPLES else 99, n))],
        }

    def derived_names(self, event: str) -> list[str]:
        shape = self.allowed(event).names["derived"]
        return sorted(shape.fields) if shape.kind == "map" else []

    def static_problems(self, event: str, draft: Draft) -> list[TemplateProblem]:
        """The static template check of every file the event uses (edited or not), in file order."""
        allowed = self.allowed(event)
        problems: list[TemplateProblem] = []
        for name in self.files_of(event, draft):
            source = draft.files[name] if name in draft.files else self.read(name)
            key = (event, id(allowed), name, hashlib.sha256(source.encode()).digest())
            found = self._checked.get(key)
            if found is None:
                # Only the feedback partial gets ``feedback`` (brevgen.feedback): the short link.
                names = Allowed({**allowed.names, "feedback": FEEDBACK_SHAPE}, allowed.filters, allowed.templates, allowed.tests) if name == FEEDBACK_PARTIAL else allowed
                found = _front_matter_problems(name, source, names) + check_source(_blank_front_matter(source), name, names)
                with self._lock:
                    self._checked[key] = found
                    while len(self._checked) > 256:
                        self._checked.popitem(last=False)
            problems += found
        return problems

    # -- composing ---------------------------------------------------------------------------

    def compose(self, variant: Variant, templates: OverlayTemplateSet) -> Letter:
        return _compose(variant.event, self.case(variant), templates)

    def _letter_or_error(self, variant: Variant, templates: OverlayTemplateSet) -> Letter | BrevgenError:
        try:
            return self.compose(variant, templates)
        except BrevgenError as exc:
            return exc

    def baseline(self, events: Iterable[str] | None = None) -> _Baseline:
        """The examples of ``events`` (default: all) composed and linted from the saved files.

        Kept per event and recomputed when any file in the template folder changes, so the
        first preview of a letter composes only that letter's examples.
        """
        digest = self.disk_digest()
        wanted = [e for e in (events if events is not None else _event_models()) if e in _event_models()]
        merged = _Baseline(digest, {}, {}, {})
        with self._lock:
            templates: OverlayTemplateSet | None = None
            for event in wanted:
                part = self._baselines.get(event)
                if part is None or part.digest != digest:
                    templates = templates or self.overlay(Draft(), fresh=True)
                    part = self._event_baseline(event, digest, templates)
                    self._baselines[event] = part
                merged.letters.update(part.letters)
                merged.summaries.update(part.summaries)
                merged.finding_keys.update(part.finding_keys)
        return merged

    def _event_baseline(self, event: str, digest: str, templates: OverlayTemplateSet) -> _Baseline:
        part = _Baseline(digest, {}, {}, {})
        if event not in templates.events:
            return part
        for variant in self.variants(event):
            item = self._letter_or_error(variant, templates)
            report = self._lint(variant, item, templates) if isinstance(item, Letter) else None
            part.letters[(event, variant.key)] = item
            part.summaries[(event, variant.key)] = _summary(variant, item, report)
            part.finding_keys[(event, variant.key)] = {_hit_key(f["rule"], f["quote"], f["match"]) for f in (report or {}).get("findings", [])}
        return part

    # -- checks --------------------------------------------------------------------------------

    def _lint(self, variant: Variant, letter: Letter, templates: OverlayTemplateSet) -> dict:
        """Lint, letter logic, LIX and required content of one composed letter, ready for JSON."""
        rules = self.rules
        info = templates.events[variant.event]
        files = _OverlayFiles(self.root, templates.files)
        label = f"{variant.event}/{variant.key}"
        hits, result = lint_letter(letter, rules, files, info.name, label)
        case = self.case(variant)
        regime = templates.regimes.for_date(letter.meta.letter_date)
        regime_texts = _regime_text_index(regime, _used_regime_paths(variant.event, case, regime))
        silenced = _suppressions(self.files_of(variant.event, Draft(templates.files)), files)
        findings = []
        for hit in hits:
            finding = _finding(hit, regime_texts)
            reason = silenced.get((hit.rule_id, hit.location.file, hit.location.line))
            if reason:
                finding["silenced"] = reason
            findings.append(finding)
        findings = _merge_repeats(findings)
        findings.sort(key=lambda f: (-LEVEL_RANK[f["level"]], f["file"] or "", f["line"] or 0, f["rule"]))
        need = requirements(rules.required, variant.event)
        missing = {h.match: h for h in hits if h.rule_id in ("IN01", "IN02", "IN03")}
        checklist = [
            {
                "role": role,
                "question": req.question,
                "ok": role not in missing,
                "problem": missing[role].message if role in missing else None,
                "rule": missing[role].rule_id if role in missing else None,
            }
            for role, req in need.items()
        ]
        lix = result.lix
        return {
            "findings": findings,
            "lix": {"value": round(lix.lix, 1), "band": lix.band, "words": lix.words, "sentences": lix.sentences},
            "sections": [{"section": s, "value": round(c.lix, 1), "band": c.band, "words": c.words} for s, c in result.sections],
            "checklist": checklist,
        }

    def preview(self, event: str, key: str | None, draft: Draft) -> dict:
        """What the editor shows for one variant: the letter as the citizen sees it and its checks."""
        self._check_event(event)
        variant = self.variant(event, key)
        problems = self.static_problems(event, draft)
        out: dict[str, Any] = {
            "variant": variant.as_dict(),
            "problems": [p.as_dict() for p in problems],
            "html": None,
            "findings": [],
            "lix": None,
            "checklist": [],
            "regime": None,
            "regime_texts": [],
            "error": None,
        }
        if problems:
            out["error"] = "Skabelonen bruger noget, der ikke er tilladt, eller kan ikke læses. Ret det, der står under Tjek, så vises brevet igen."
            return out
        try:
            regimes_text = self.regimes_text(draft)
        except BrevgenError as exc:
            out["error"] = _error_text(exc)
            out["problems"] = [_error_problem(exc)]
            return out
        with self._live_lock:
            return self._preview(out, variant, draft, regimes_text)

    def _preview(self, out: dict, variant: Variant, draft: Draft, regimes_text: str | None) -> dict:
        event = variant.event
        templates = self.live(draft, regimes_text)
        try:
            letter = self.compose(variant, templates)
        except BrevgenError as exc:
            out["error"] = _error_text(exc)
            out["problems"] = [_error_problem(exc)]
            return out
        report = self._lint(variant, letter, templates)
        before = self.baseline([event]).finding_keys.get((event, variant.key), set())
        for f in report["findings"]:
            f["new"] = _hit_key(f["rule"], f["quote"], f["match"]) not in before
        regime = templates.regimes.for_date(letter.meta.letter_date)
        index = _regime_text_index(regime, _used_regime_paths(event, self.case(variant), regime))
        texts = self.regime_texts(letter, regime, index, regimes_text)
        out.update(report)
        name = templates.events[event].name
        out["html"] = preview_html(letter, f"{name}:{templates.subject_line(name)}", index)
        out["regime"] = {
            "id": regime.id,
            "name": regime.name,
            "from": formatting.short_date(regime.effective_from),
            "to": formatting.short_date(regime.effective_to) if regime.effective_to else None,
            "provisional": regime.provisional,
        }
        out["regime_texts"] = texts
        out["notes"] = list(letter.meta.notes)
        return out

    def regime_texts(self, letter: Letter, regime: Regime, index: Mapping[str, list[str]], regimes_text: str | None = None) -> list[dict]:
        """The regime's Danish texts this letter printed, each with the entry that writes it."""
        file = _regime_file(regimes_text or self.read(REGIMES_FILE))
        seen: dict[str, dict] = {}
        for run in _all_runs(letter):
            if run.origin.kind != "data":
                continue
            for path in index.get(_norm(run.text), ()):
                if path in seen:
                    continue
                entry = file.defining_entry(regime.id, path)
                if entry is None:
                    continue
                seen[path] = {
                    "path": path,
                    "label": regime_label(path),
                    "text": _norm(str(_lookup(regime.data, path))),
                    "regime": entry,
                    "regime_name": str(file.entries[entry].get("name", entry)),
                    "line": file.line_of(entry, path),
                    "shared_with": [r for r in file.inheritors(entry, path) if r != entry],
                    "provisional": regime.is_provisional(path),
                    "inserted_at": f"{run.origin.template}:{run.origin.line}" if run.origin.template else None,
                }
        return list(seen.values())

    def variants_report(self, event: str, draft: Draft) -> dict:
        """Every variant of the event with the draft: checks, compared with the saved version, and
        the template branches no example reaches."""
        self._check_event(event)
        problems = self.static_problems(event, draft)
        baseline = self.baseline([event])
        regimes_text = None
        if not problems:
            try:
                regimes_text = self.regimes_text(draft)
            except BrevgenError as exc:
                return {"problems": [_error_problem(exc)], "variants": [], "branches": [], "error": _error_text(exc)}
        with self._live_lock:
            return self._variants_report(event, draft, problems, regimes_text, baseline)

    def _variants_report(self, event: str, draft: Draft, problems: list, regimes_text: str | None, baseline: _Baseline) -> dict:
        rows = []
        branches: list[dict] = []
        templates = self.live(draft, regimes_text)  # coverage starts empty for this draft
        for variant in self.variants(event):
            before = baseline.summaries.get((event, variant.key))
            if problems:
                now = None
            else:
                item = self._letter_or_error(variant, templates)
                report = self._lint(variant, item, templates) if isinstance(item, Letter) else None
                now = _summary(variant, item, report)
            rows.append({**variant.as_dict(), "before": before, "now": now, "verdict": _verdict(before, now)})
        if not problems:
            branches = _branches(templates, self.files_of(event, draft))
        return {"problems": [p.as_dict() for p in problems], "variants": rows, "branches": branches, "error": None}

    def overview(self) -> list[dict]:
        """Every event: its template, version, last change, lint status and variant matrix."""
        baseline = self.baseline()
        out = []
        events = self.events()
        for event in _event_models():
            info = events.get(event)
            if info is None:
                continue
            variants = self.variants(event)
            rows = [{**v.as_dict(), **baseline.summaries[(event, v.key)]} for v in variants]
            lix = [r["lix"] for r in rows if r.get("lix") is not None]
            changed = max((self.root / n).stat().st_mtime for n in self.files_of(event))
            out.append(
                {
                    "event": event,
                    "title": self.event_title(event),
                    "template": info.name,
                    "version": info.version,
                    "changed": formatting.date_and_time(dt.datetime.fromtimestamp(int((self.root / info.name).stat().st_mtime))),
                    "changed_any": formatting.date_and_time(dt.datetime.fromtimestamp(int(changed))),
                    "errors": sum(r.get("errors", 0) for r in rows),
                    "warnings": sum(r.get("warnings", 0) for r in rows),
                    "broken": sum(1 for r in rows if not r.get("ok")),
                    "lix_min": min(lix) if lix else None,
                    "lix_max": max(lix) if lix else None,
                    "band_min": lix_band(min(lix)) if lix else None,
                    "band_max": lix_band(max(lix)) if lix else None,
                    "variants": rows,
                }
            )
        return out

    # -- what changes, and saving -------------------------------------------------------------------

    def diff(self, draft: Draft) -> dict:
        """Every example whose letter text the draft changes (all events), side by side."""
        regimes_text = self.regimes_text(draft)
        templates = self.overlay(draft, regimes_text, fresh=True)
        # Only letters that read an edited file (or any letter, for a regime edit) can change.
        affected = [
            e for e in _event_models()
            if e in templates.events and (regimes_text is not None or set(self.files_of(e, draft)) & set(draft.files))
        ]
        baseline = self.baseline(affected)
        changed, unchanged, broken = [], 0, []
        unchanged += sum(len(self.variants(e)) for e in _event_models() if e in templates.events and e not in affected)
        for event in affected:
            for variant in self.variants(event):
                old = baseline.letters.get((event, variant.key))
                new = self._letter_or_error(variant, templates)
                if not isinstance(new, Letter):
                    broken.append({"event": event, "title": variant.title, "key": variant.key, "message": _error_text(new)})
                    continue
                if not _add_change(changed, event, self.event_title(event), variant, old, new):
                    unchanged += 1
        return _changes(changed, unchanged, broken)

    def check_save(self, event: str, draft: Draft, base: Mapping[str, str]) -> str | None:
        """Every check that can refuse a save, without writing: the files must be as the editor
        loaded them (``base``: digest per file; 409 otherwise), pass the static template check,
        and every example of every event must still compose. Returns the new regime table text."""
        if draft.empty:
            raise StudioError("Der er ingen ændringer at gemme.")
        names = [*draft.files, *([REGIMES_FILE] if draft.regime_edits else [])]
        for name in names:
            if base.get(name) != self.file_digest(name):
                raise StudioError(
                    f"{name} er ændret af en anden, siden du åbnede den. Kopiér din tekst, og åbn siden igen.", 409
                )
        events = {e for e in self.events() if e in _event_models()}
        problems = []
        for ev in sorted(events):
            if set(self.files_of(ev, draft)) & set(draft.files) or ev == event:
                problems += self.static_problems(ev, draft)
        if problems:
            raise StudioError("Skabelonen kan ikke gemmes: " + "; ".join(str(p) for p in problems[:5]))
        regimes_text = self.regimes_text(draft)
        templates = self.overlay(draft, regimes_text, fresh=True)
        for ev in sorted(events):
            for variant in self.variants(ev):
                result = self._letter_or_error(variant, templates)
                if not isinstance(result, Letter):
                    raise StudioError(f"Skabelonen kan ikke gemmes: eksemplet '{variant.title}' ({ev}) kan ikke laves: {_error_text(result)}")
        if regimes_text is not None:
            parse_regimes(yaml.safe_load(regimes_text), self.root / REGIMES_FILE)  # never write a table brevgen refuses
        return regimes_text

    def save(self, event: str, draft: Draft, base: Mapping[str, str]) -> dict:
        """Write the draft into the template folder, after every check that can refuse it
        (:meth:`check_save`). The studio's template folder is a draft's own folder
        (``brevgen.lifecycle``): saving never touches a published version.
        """
        with self._lock:
            regimes_text = self.check_save(event, draft, base)
            written = []
            for name, text in sorted(draft.files.items()):
                atomic_write(self._path(name), text.encode("utf-8"))
                written.append(name)
            if regimes_text is not None:
                atomic_write(self.root / REGIMES_FILE, regimes_text.encode("utf-8"))
                written.append(REGIMES_FILE)
            forget_cached_templates()
            golden = self._update_golden()
            return {"saved": written, "golden": golden, "base": {n: self.file_digest(n) for n in written}}

    def _update_golden(self) -> list[str]:
        """Approved letter texts (tests/golden beside the template folder) follow a reviewed save."""
        folder = self.root.parent.parent / "tests" / "golden"
        if not folder.is_dir():
            return []
        written = []
        for (event, key), letter in self.baseline().letters.items():
            path = folder / event / f"{key}.txt"
            if not isinstance(letter, Letter) or not path.parent.is_dir():
                continue
            text = "\n".join(letter_lines(letter)) + "\n"
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                atomic_write(path, text.encode("utf-8"))
                written.append(str(path.relative_to(folder.parent.parent)))
        return written

    def pdf(self, event: str, key: str | None, draft: Draft) -> bytes:
        """The variant's PDF with the draft, from the pipeline's own renderer."""
        from ..pipeline import render_letter

        problems = self.static_problems(event, draft)
        if problems:
            raise StudioError("Skabelonen kan ikke laves som PDF: " + "; ".join(str(p) for p in problems[:3]))
        variant = self.variant(event, key)
        templates = self.overlay(draft, self.regimes_text(draft))
        letter = self.compose(variant, templates)
        return render_letter(letter, ("pdf",))["pdf"]

    def letter_asset(self, name: str) -> Path:
        """A stylesheet or font of the letters, from the template folder only (for the preview)."""
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root) or path.suffix not in (".css", ".ttf", ".woff", ".woff2") or not path.is_file():
            raise StudioError("Filen findes ikke.", 404)
        return path


def diff_between(old: Workspace, new: Workspace) -> dict:
    """Every example whose letter text differs between two template folders (a published
    version and a draft made from it), side by side, as :meth:`Workspace.diff` shows a draft."""
    old_letters = old.baseline().letters
    new_letters = new.baseline().letters
    changed: list[dict] = []
    unchanged = 0
    broken = []
    for event in _event_models():
        for variant in new.variants(event):
            before = old_letters.get((event, variant.key))
            after = new_letters.get((event, variant.key))
            if after is None and before is None:
                continue
            if not isinstance(after, Letter):
                message = _error_text(after) if isinstance(after, BrevgenError) else "brevet kan ikke laves"
                broken.append({"event": event, "title": variant.title, "key": variant.key, "message": message})
                continue
            if not _add_change(changed, event, new.event_title(event), variant, before, after):
                unchanged += 1
    return _changes(changed, unchanged, broken)


def _add_change(changed: list[dict], event: str, event_title: str, variant: Variant, old: Any, new: Letter) -> bool:
    """Add one example's change to ``changed`` (False: its text did not change)."""
    old_lines = letter_lines(old) if isinstance(old, Letter) else []
    new_lines = letter_lines(new)
    if old_lines == new_lines:
        return False
    rows = side_by_side(old_lines, new_lines)
    # Variants with the very same change are shown once, naming the others.
    signature = json.dumps([(r["kind"], r["old"], r["new"]) for r in rows if r["kind"] not in ("equal", "skip")], ensure_ascii=False)
    for group in changed:
        if group["event"] == event and group["signature"] == signature:
            group["same"].append(variant.title)
            return True
    changed.append(
        {"event": event, "event_title": event_title, "key": variant.key, "title": variant.title,
         "rows": rows, "same": [], "signature": signature}
    )
    return True


def _changes(changed: list[dict], unchanged: int, broken: list[dict]) -> dict:
    letters = sum(1 + len(g["same"]) for g in changed)
    for group in changed:
        group.pop("signature", None)
    return {"changed": changed, "letters": letters, "unchanged": unchanged, "broken": broken}


def use_templates(root: Path | None) -> Path:
    """Point the whole pipeline at the template folder ``root`` (as BREVGEN_TEMPLATES does).

    Validation, the HTML renderer's stylesheet and the PDF renderer's fonts read the folder
    from ``brevgen.paths.templates_dir()``; the studio must see the same folder they do.
    """
    from ..paths import templates_dir

    if root is not None:
        os.environ["BREVGEN_TEMPLATES"] = str(Path(root).resolve())
        forget_cached_templates()
    folder = templates_dir()
    if not (folder / REGIMES_FILE).is_file():
        raise StudioError(f"{folder} er ikke en skabelonmappe: der er ingen {REGIMES_FILE}.")
    return folder


def log_config(level: str = "info") -> dict:
    """uvicorn's logging with brevgen's CPR filter on every handler (as ``brevgen serve``)."""
    from ..logs import log_config as service_log_config

    return service_log_config(level)


def forget_cached_templates() -> None:
    """After a save: the pipeline's cached template set and regime table are stale."""
    from ..templating import template_set

    template_set.cache_clear()


# --- helpers ------------------------------------------------------------------------------------


def _compose(event: str, case: LetterCase, templates: OverlayTemplateSet) -> Letter:
    from ..compose import compose_letter

    return compose_letter(event, case, templates=templates)


def _lookup_entry(file: _RegimeFile, edit: RegimeEdit) -> Any:
    entry = file.entries.get(edit.regime)
    if entry is None:
        raise StudioError(f"Regelsættet '{edit.regime}' findes ikke.")
    try:
        return _lookup({k: v for k, v in entry.items() if k not in _META_KEYS}, edit.path)
    except KeyError:
        raise StudioError(f"Teksten '{regime_label(edit.path)}' står ikke i regelsættet '{edit.regime}'.") from None


def _leading_comment(path: Path) -> str:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


def _blank_front_matter(source: str) -> str:
    match = FRONT_MATTER.match(source)
    if not match:
        return source
    return "\n" * match.group(0).count("\n") + source[match.end():]


def _front_matter_problems(name: str, source: str, allowed: Allowed) -> list[TemplateProblem]:
    match = FRONT_MATTER.match(source)
    if not match:
        if "/" not in name and source.startswith("---"):
            return [TemplateProblem(1, "Forsiden skal slutte med en linje med ---.", "syntax", name)]
        return []
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark else 1
        return [TemplateProblem(line, "Forsiden (mellem --- og ---) kan ikke læses. Tjek kolon og anførselstegn.", "syntax", name)]
    if not isinstance(meta, dict):
        return [TemplateProblem(1, "Forsiden skal have id, version, event og subject.", "syntax", name)]
    missing = [k for k in ("id", "version", "event", "subject") if not meta.get(k)]
    if missing:
        return [TemplateProblem(1, f"Forsiden mangler: {', '.join(missing)}.", "syntax", name)]
    line = next((i for i, text in enumerate(source.split("\n"), start=1) if text.startswith("subject:")), 1)
    return check_subject(str(meta["subject"]), name, line, allowed)


def _error_text(exc: BrevgenError) -> str:
    if isinstance(exc, TemplateError) and exc.template:
        prefix = f"{exc.template}:{exc.line}: " if exc.line else f"{exc.template}: "
        return exc.message.removeprefix(prefix)
    return exc.message


def _error_problem(exc: BrevgenError) -> dict:
    if isinstance(exc, TemplateError):
        return {"template": exc.template, "line": exc.line, "column": None, "code": "compose", "message": _error_text(exc)}
    return {"template": None, "line": None, "column": None, "code": exc.code, "message": exc.message}


def _all_runs(letter: Letter) -> Iterable[Run]:
    for _roles, block in letter.walk():
        if isinstance(block, (Heading, Paragraph)):
            yield from block.runs
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from item
        elif isinstance(block, Table):
            for row in (block.header, *block.rows):
                for cell in row:
                    yield from cell


def _regime_text_index(regime: Regime, used: set[str] | None = None) -> dict[str, list[str]]:
    """Normalised text -> the paths in the regime that hold it (editable texts only).

    With ``used`` (the paths a letter's derived values read), a text that stands at several
    paths ("Derefter aftaler vi sammen ..." for dagpenge, kontanthjælp and sygedagpenge) maps
    to the one the letter read.
    """
    index: dict[str, list[str]] = {}
    for path, text in _string_leaves(regime.data):
        if is_regime_text(path):
            index.setdefault(_norm(text), []).append(path)
    if used:
        for text, paths in index.items():
            read = [p for p in paths if any(p == u or p.startswith(u + ".") for u in used)]
            if read:
                index[text] = read
    return index


@dataclass(frozen=True)
class _RecordingRegime(Regime):
    """A regime that remembers every path read from it (to tell which of two equal texts a letter used)."""

    seen: set = field(default_factory=set, compare=False, hash=False, repr=False)

    def value(self, path: str, used: set[str] | None = None) -> Any:
        self.seen.add(path)
        return super().value(path, used)


def _used_regime_paths(event: str, case: LetterCase, regime: Regime) -> set[str]:
    from dataclasses import fields

    recording = _RecordingRegime(**{f.name: getattr(regime, f.name) for f in fields(Regime)})
    try:
        derive(event_registry.get(event), case, recording)
    except Exception:  # the letter was composed already; this only refines a label
        return set()
    return recording.seen


def _finding(hit: Hit, regime_texts: Mapping[str, list[str]]) -> dict:
    loc: Location = hit.location
    quote = None
    regime_path = None
    unit = hit.unit
    if unit is not None and hit.span is not None:
        start = hit.span[0]
        if unit.analysis is not None:
            for s in unit.analysis.sentences:
                if s.start <= start < max(s.end, s.start + 1):
                    quote = unit.text[s.start : s.end]
                    break
        quote = quote or unit.text
        for seg in unit.segments:
            if seg.start <= start < seg.end and seg.origin == "data":
                paths = regime_texts.get(_norm(unit.text[seg.start : seg.end]))
                if paths:
                    regime_path = paths[0]
                break
    elif unit is not None:
        quote = unit.text
    return {
        "rule": hit.rule_id,
        "kind": RULE_KINDS.get(hit.rule_id[:2], "Andre tjek"),
        "level": hit.level,
        "level_da": LEVEL_DA.get(hit.level, hit.level),
        "message": hit.message,
        "file": loc.file,
        "line": loc.line,
        "column": loc.col,
        "origin": loc.origin,
        "quote": quote,
        "match": hit.match,
        "suggestions": list(hit.suggestions),
        "regime_path": regime_path,
        "silenced": None,
    }


def _merge_repeats(findings: list[dict]) -> list[dict]:
    """The same rule on the same sentence twice ('De' ... 'De') is one finding, counted."""
    merged: dict[tuple, dict] = {}
    for f in findings:
        key = (f["rule"], f["file"], f["line"], f["quote"], f["message"])
        if key in merged:
            merged[key]["count"] += 1
        else:
            merged[key] = {**f, "count": 1}
    return list(merged.values())


def _suppressions(names: list[str], files: _OverlayFiles) -> dict[tuple[str, str, int], str]:
    """(rule, file, line) -> reason, for the klarsprog comments in the event's files."""
    out = {}
    for name in names:
        found, _bad = find_suppressions("\n".join(files.lines(name) or []), name)
        for s in found:
            if s.reason:
                for rule in s.ids:
                    out[(rule, s.file, s.target)] = s.reason
    return out


def _summary(variant: Variant, item: Letter | BrevgenError | None, report: dict | None) -> dict:
    if not isinstance(item, Letter) or report is None:
        message = _error_text(item) if isinstance(item, BrevgenError) else "Brevet kan ikke laves."
        return {"ok": False, "message": message, "errors": 0, "warnings": 0, "suggestions": 0, "lix": None, "band": None, "required_ok": 0, "required_total": 0, "regime": None}
    counts = {"error": 0, "warning": 0, "suggestion": 0}
    for f in report["findings"]:
        if not f.get("silenced"):
            counts[f["level"]] += 1
    checklist = report["checklist"]
    return {
        "ok": True,
        "message": None,
        "errors": counts["error"],
        "warnings": counts["warning"],
        "suggestions": counts["suggestion"],
        "lix": report["lix"]["value"],
        "band": report["lix"]["band"],
        "required_ok": sum(1 for c in checklist if c["ok"]),
        "required_total": len(checklist),
        "missing": [c["question"] for c in checklist if not c["ok"]],
        "regime": item.meta.regime_id,
    }


def _verdict(before: dict | None, now: dict | None) -> str:
    """ "bedre", "værre" or "uændret": fewer errors first, then warnings, then LIX."""
    if before is None or now is None:
        return "ukendt" if now is None else "uændret"
    if before["ok"] != now["ok"]:
        return "bedre" if now["ok"] else "værre"
    if not now["ok"]:
        return "uændret"
    for key in ("errors", "warnings", "suggestions"):
        if now[key] != before[key]:
            return "bedre" if now[key] < before[key] else "værre"
    if before["lix"] is not None and now["lix"] is not None and abs(now["lix"] - before["lix"]) >= 0.5:
        return "bedre" if now["lix"] < before["lix"] else "værre"
    return "uændret"


def _branches(templates: OverlayTemplateSet, names: list[str]) -> list[dict]:
    """The if/elif/else branches in the event's files that no example reached."""
    out = []
    for name in names:
        try:
            source, _, _ = templates.loader.get_source(templates.env, name)
            tree = templates.env.parse(source, name)
        except Exception:  # an unreadable template is reported by the static check
            continue
        chains = if_chains(templates.env, source)
        for index, node in enumerate(real_ifs(tree)):
            chain = chains[index] if index < len(chains) and chains[index].tags[0][0] == node.lineno else None
            count = 1 + len(node.elif_) + (1 if node.else_ else 0)
            for b in range(count):
                if (name, index, b) in templates.hits:
                    continue
                line, tag = chain.tags[b] if chain and b < len(chain.tags) else (node.lineno, "{% if %}")
                out.append({"file": name, "line": line, "tag": tag})
    return out


# --- the letter as text and as a preview --------------------------------------------------------


def letter_lines(letter: Letter) -> list[str]:
    """The letter's text, one line per heading, paragraph, item or row (the golden-file format)."""
    return [*letter.head_lines(), *letter.body_lines()]


def side_by_side(old: list[str], new: list[str], context: int = 2) -> list[dict]:
    """Rows for a two-column diff; changed lines carry word-level pieces ("=", "-", "+").

    Unchanged text is kept short: ``context`` lines around each change, the rest counted.
    """
    rows: list[dict] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            size = a2 - a1
            first, last = a1 == 0, a2 == len(old)
            keep = set(range(size))
            if size > 2 * context + 1 or first or last:
                keep = set()
                if not first:
                    keep |= set(range(min(context, size)))
                if not last:
                    keep |= set(range(max(0, size - context), size))
            skipped = 0
            for i in range(size):
                if i in keep:
                    if skipped:
                        rows.append({"kind": "skip", "count": skipped})
                        skipped = 0
                    rows.append({"kind": "equal", "old_no": a1 + i + 1, "new_no": b1 + i + 1, "old": [["=", old[a1 + i]]], "new": [["=", new[b1 + i]]]})
                else:
                    skipped += 1
            if skipped:
                rows.append({"kind": "skip", "count": skipped})
            continue
        olds, news = old[a1:a2], new[b1:b2]
        for i in range(max(len(olds), len(news))):
            o = olds[i] if i < len(olds) else None
            n = news[i] if i < len(news) else None
            if o is not None and n is not None:
                po, pn = _word_diff(o, n)
                rows.append({"kind": "change", "old_no": a1 + i + 1, "new_no": b1 + i + 1, "old": po, "new": pn})
            elif o is not None:
                rows.append({"kind": "delete", "old_no": a1 + i + 1, "new_no": None, "old": [["-", o]], "new": []})
            else:
                rows.append({"kind": "insert", "old_no": None, "new_no": b1 + i + 1, "old": [], "new": [["+", n]]})
    return rows


def _word_diff(old: str, new: str) -> tuple[list, list]:
    a, b = re.findall(r"\s+|[^\s]+", old), re.findall(r"\s+|[^\s]+", new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.ratio() < 0.5:
        # A rewritten sentence reads better whole than as a patchwork of small words.
        return [["-", old]], [["+", new]]
    po, pn = [], []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            po.append(["=", "".join(a[a1:a2])])
            pn.append(["=", "".join(b[b1:b2])])
        else:
            if a2 > a1:
                po.append(["-", "".join(a[a1:a2])])
            if b2 > b1:
                pn.append(["+", "".join(b[b1:b2])])
    return po, pn


_RUN_OPEN, _RUN_MID, _RUN_CLOSE = "\ue010", "\ue011", "\ue012"
_RUN_MARK = re.compile(f"{_RUN_OPEN}(\\d+){_RUN_MID}")


def _mark_runs(letter: Letter) -> tuple[Letter, list[Run]]:
    """The letter with every run's text between invisible markers, and the runs in order."""
    runs: list[Run] = []

    def run(r: Run) -> Run:
        runs.append(r)
        return Run(f"{_RUN_OPEN}{len(runs) - 1}{_RUN_MID}{r.text}{_RUN_CLOSE}", r.origin, r.bold, r.italic, r.href)

    def runs_of(rs):
        return tuple(run(r) for r in rs)

    def block(b):
        if isinstance(b, Heading):
            return Heading(b.level, runs_of(b.runs), b.source)
        if isinstance(b, Paragraph):
            return Paragraph(runs_of(b.runs), b.source)
        if isinstance(b, ListBlock):
            return ListBlock(tuple(runs_of(i) for i in b.items), b.ordered, b.source)
        if isinstance(b, Table):
            return Table(tuple(runs_of(c) for c in b.header), tuple(tuple(runs_of(c) for c in row) for row in b.rows), b.source)
        if isinstance(b, Section):
            return Section(b.role, tuple(block(x) for x in b.blocks), b.source)
        return b

    return Letter(letter.meta, tuple(block(b) for b in letter.blocks)), runs


PREVIEW_ASSETS = ("fonts.css", "brev.css", "screen.css")


def preview_html(letter: Letter, subject_ref: str | None, regime_texts: Mapping[str, list[str]]) -> str:
    """The standalone page the citizen gets (the HTML renderer's own), with every run of text
    in a ``<span data-src="file:line">`` so a click finds the template line or regime text.

    Stylesheets are linked, not inlined: the studio's Content-Security-Policy allows no inline
    style, and the preview's iframe inherits it.
    """
    from ..render.html import render_html

    marked, runs = _mark_runs(letter)
    links = "".join(f'<link rel="stylesheet" href="/brevfiler/{name}">\n' for name in PREVIEW_ASSETS)
    links += '<link rel="stylesheet" href="/static/preview.css">\n'
    page = render_html(marked, inline_css=False, extra_head=links)

    def opening(m: re.Match) -> str:
        r = runs[int(m.group(1))]
        attrs = []
        if r.origin.template:
            attrs.append(f'data-src="{escape(r.origin.template)}:{r.origin.line}"')
        attrs.append(f'data-origin="{r.origin.kind}"')
        if r.origin.kind == "data":
            paths = regime_texts.get(_norm(r.text))
            if paths:
                attrs.append(f'data-regime="{escape(paths[0])}"')
        return f"<span {' '.join(attrs)}>"

    page = _RUN_MARK.sub(opening, page).replace(_RUN_CLOSE, "</span>")
    if subject_ref:
        page = page.replace("<h1>", f'<h1><span data-src="{escape(subject_ref)}" data-origin="template">', 1).replace("</h1>", "</span></h1>", 1)
    return page
