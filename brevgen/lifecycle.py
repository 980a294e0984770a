"""The template lifecycle: draft -> review -> published, with four eyes and an audit log.

A **draft** is a complete template set (every file of ``templates/`` and ``rules/``) made from
a **base**: the newest published version, or, before anything is published, the working
template folder (stored as a set too, so the draft can always be rebuilt). Authors save into
the draft; the studio's editor works on the draft's folder (``<data>/drafts/<id>/``), a cache
the database can always rebuild.

Roles (a user may hold several; new roles are new values, never new columns):

==================  ===================  =================================================
role                Danish               may
==================  ===================  =================================================
author              Forfatter            make drafts, edit them, send them to review
language_reviewer   Sprogligt ansvarlig  approve (language) or send back; publish
subject_reviewer    Fagligt ansvarlig    approve (subject matter) or send back; publish
admin               Administrator        manage users; publish; discard drafts
==================  ===================  =================================================

Rules, checked here and nowhere else:

- Every change needs a language approval; a change to the regime table (``regimes.yml``:
  legal texts, deadlines, consequences) also needs a subject-matter approval. One person
  holding both reviewer roles approves both at once.
- Nobody approves or publishes a draft they made or edited ("their own change").
- An approval counts for the revision it read; any later save needs a new one.
- A draft whose base is no longer the newest version is **stale**: it shows what changed
  since and cannot be published until it is moved onto the newest version (``rebase``).
- Publishing under case schemas that differ from the newest published version's shows the
  schema diff and needs an explicit confirmation (the data-contract gate).
- Every step is written to the append-only audit log in the same transaction.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import data_contract as contract
from .errors import BrevgenError
from .paths import rules_dir, templates_dir
from .store import DraftRow, Review, Store, StoreError, Version
from .store.settings import data_dir
from .versioning import RULES_PREFIX, TEMPLATES_PREFIX, listing, read_files
from .versions import write_set

ROLES = {
    "author": "Forfatter",
    "language_reviewer": "Sprogligt ansvarlig",
    "subject_reviewer": "Fagligt ansvarlig",
    "admin": "Administrator",
    # Makes letters at the caseworker desk (/breve); edits no templates (brevgen.desk).
    "caseworker": "Sagsbehandler",
}
# What each reviewer role approves.
REVIEW_KINDS = {"language": "language_reviewer", "subject": "subject_reviewer"}
KIND_DA = {"language": "sprogligt", "subject": "fagligt"}
STATE_DA = {"draft": "Kladde", "review": "Til godkendelse", "published": "Udgivet", "discarded": "Kasseret"}
REGIMES = TEMPLATES_PREFIX + "regimes.yml"
WORKING = "arbejdsmappen"


class LifecycleError(BrevgenError):
    """A step the rules do not allow, in Danish (403 not allowed, 409 state or conflict)."""

    code = "lifecycle"

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Actor:
    name: str
    roles: frozenset[str]

    def can(self, role: str) -> bool:
        return role in self.roles

    @property
    def reviewer_kinds(self) -> frozenset[str]:
        return frozenset(kind for kind, role in REVIEW_KINDS.items() if role in self.roles)


@dataclass
class Base:
    """What a new draft starts from: the newest published version, or the working folder."""

    hash: str
    version: Version | None

    @property
    def label(self) -> str:
        return f"version {self.version.number}" if self.version else WORKING


@dataclass
class DraftStatus:
    """Everything the draft page shows and every rule's verdict, for one user."""

    draft: DraftRow
    base: Base | None  # the draft's own base (None: a set no longer known as published)
    base_label: str
    current: Base
    changed: list[str]  # paths changed from the base (templates/..., rules/...)
    regime_changed: bool
    required_kinds: frozenset[str]
    approvals: list[Review]  # valid approvals: current revision, not by an editor
    missing_kinds: frozenset[str]
    editors: set[str]
    stale: bool
    changed_since_base: list[str]  # files the newer version changed since the draft's base
    conflicts: list[str]  # files both the draft and the newer version changed
    schema_changes: list[contract.SchemaChange]
    reviews: list[Review] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # action -> why this user may not

    def allowed(self, action: str) -> bool:
        return action not in self.reasons


class Lifecycle:
    """The lifecycle over one store, with the working folders new installations start from."""

    def __init__(self, store: Store, templates_root: Path | None = None, rules_root: Path | None = None):
        self.store = store
        self.templates_root = Path(templates_root or templates_dir()).resolve()
        self.rules_root = Path(rules_root or rules_dir()).resolve()
        self._working: tuple[tuple, str] | None = None

    # -- bases ---------------------------------------------------------------------------------

    def working_files(self) -> dict[str, bytes]:
        return read_files(self.templates_root, self.rules_root)

    def current_base(self) -> Base:
        """The newest published version; before the first, the working folder (stored as a set)."""
        with self.store.read() as tx:
            newest = tx.newest_version()
        if newest is not None:
            return Base(newest.hash, newest)
        # Every page asks; read and store the working folder again only when a file changed.
        files = listing(self.templates_root, self.rules_root)
        signature = tuple((name, p.stat().st_mtime_ns, p.stat().st_size) for name, p in files.items())
        cached = self._working
        if cached is not None and cached[0] == signature:
            return Base(cached[1], None)
        with self.store.write() as tx:
            set_hash = tx.put_file_set({name: p.read_bytes() for name, p in files.items()})
        self._working = (signature, set_hash)
        return Base(set_hash, None)

    def base_of(self, set_hash: str) -> Base:
        with self.store.read() as tx:
            match = next((v for v in tx.versions() if v.hash == set_hash), None)
        return Base(set_hash, match)

    def set_files(self, set_hash: str) -> dict[str, bytes]:
        with self.store.read() as tx:
            digests = tx.file_set(set_hash) or {}
            blobs = tx.blobs(digests.values())
        return {name: blobs[d] for name, d in digests.items()}

    # -- drafts --------------------------------------------------------------------------------

    def create_draft(self, actor: Actor, title: str, *, from_working_folder: bool = False) -> DraftRow:
        """A new draft from the newest version, or (``from_working_folder``: bring files edited
        outside the studio, in git, into the lifecycle) from the working folders as they are now."""
        _need(actor, "author", "lave en kladde")
        title = " ".join((title or "").split())[:200] or "Ændring af brevene"
        base = self.current_base()
        with self.store.write() as tx:
            if from_working_folder:
                files = self.working_files()
                digests = dict(zip(files, tx.put_blobs(files.values()), strict=True))
            else:
                digests = tx.file_set(base.hash) or {}
            draft = tx.create_draft(title, base.hash, digests, actor.name)
            tx.audit(actor.name, "draft.create", draft_id=draft.id, version_hash=base.hash, version_number=base.version.number if base.version else None,
                     title=title, base=base.label, from_working_folder=from_working_folder)
        return draft  # type: ignore[return-value]

    def draft(self, draft_id: int) -> DraftRow:
        with self.store.read() as tx:
            draft = tx.draft(draft_id)
        if draft is None:
            raise LifecycleError(f"Kladde {draft_id} findes ikke.", 404)
        return draft

    def draft_files(self, draft_id: int) -> dict[str, bytes]:
        with self.store.read() as tx:
            digests = tx.draft_files(draft_id)
            blobs = tx.blobs(digests.values())
        return {name: blobs[d] for name, d in digests.items()}

    def draft_folder(self, draft_id: int) -> Path:
        """The draft's files on disk (``<data>/drafts/<id>/templates``, ``.../rules``), rebuilt
        from the database whenever it holds another revision than the folder."""
        draft = self.draft(draft_id)
        folder = data_dir() / "drafts" / str(draft_id)
        marker = folder / ".revision"
        with _folder_lock:
            if marker.is_file() and marker.read_text().strip() == str(draft.revision):
                return folder
            files = self.draft_files(draft_id)
            folder.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".rebuild.", dir=folder))
            try:
                write_set(tmp, files)
                for part in ("templates", "rules"):
                    (tmp / part).mkdir(exist_ok=True)
                    target, old = folder / part, folder / f".old-{part}"
                    shutil.rmtree(old, ignore_errors=True)
                    if target.exists():
                        os.rename(target, old)
                    os.rename(tmp / part, target)
                    shutil.rmtree(old, ignore_errors=True)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            marker.write_text(f"{draft.revision}\n")
        return folder

    def record_save(self, actor: Actor, draft_id: int, expected_revision: int, written: Mapping[str, bytes],
                    note: str = "", folder_has_them: bool = True) -> DraftRow:
        """Store files saved into a draft (``templates/<name>`` -> bytes). ``folder_has_them``:
        the studio wrote them into the draft's folder already, which is then up to date."""
        draft = self.draft(draft_id)
        self.check_editable(actor, draft)
        folder = data_dir() / "drafts" / str(draft_id)
        with self.store.write() as tx:
            digests = dict(zip(written, tx.put_blobs(written.values()), strict=True))
            try:
                saved = tx.replace_draft_files(draft_id, expected_revision, digests, actor.name)
            except StoreError:
                (folder / ".revision").unlink(missing_ok=True)  # the folder has our text, the database another's
                raise
            tx.audit(actor.name, "draft.save", draft_id=draft_id, files=sorted(written), revision=saved.revision, note=note)
        if folder_has_them and folder.is_dir():
            (folder / ".revision").write_text(f"{saved.revision}\n")
        else:
            (folder / ".revision").unlink(missing_ok=True)
        return saved

    def save_files(self, actor: Actor, draft_id: int, expected_revision: int, files: Mapping[str, bytes]) -> DraftRow:
        """Save files into a draft directly (tests, scripts); the studio saves through its folder."""
        return self.record_save(actor, draft_id, expected_revision, files, folder_has_them=False)

    def check_editable(self, actor: Actor, draft: DraftRow) -> None:
        _need(actor, "author", "rette en kladde")
        if draft.state != "draft":
            raise LifecycleError(f"Kladden er {STATE_DA[draft.state].lower()}: den kan ikke rettes nu."
                                 + (" Træk den tilbage fra godkendelse først." if draft.state == "review" else ""), 409)

    def submit(self, actor: Actor, draft_id: int) -> None:
        status = self.status(draft_id, actor)
        _refuse(status, "submit")
        with self.store.write() as tx:
            tx.set_draft_state(draft_id, "review", ["draft"])
            tx.audit(actor.name, "draft.submit", draft_id=draft_id, revision=status.draft.revision, files=status.changed,
                     needs=sorted(status.required_kinds))

    def withdraw(self, actor: Actor, draft_id: int) -> None:
        status = self.status(draft_id, actor)
        _refuse(status, "withdraw")
        with self.store.write() as tx:
            tx.set_draft_state(draft_id, "draft", ["review"])
            tx.audit(actor.name, "draft.withdraw", draft_id=draft_id, revision=status.draft.revision)

    def review(self, actor: Actor, draft_id: int, approve: bool, comment: str = "") -> None:
        status = self.status(draft_id, actor)
        _refuse(status, "approve" if approve else "reject")
        comment = " ".join((comment or "").split())[:2000]
        if not approve and not comment:
            raise LifecycleError("Skriv hvorfor, når du sender en kladde tilbage.", 400)
        with self.store.write() as tx:
            tx.add_review(draft_id, status.draft.revision, actor.name, actor.reviewer_kinds, "approved" if approve else "rejected", comment)
            if not approve:
                tx.set_draft_state(draft_id, "draft", ["review"])
            tx.audit(actor.name, "draft.approve" if approve else "draft.reject", draft_id=draft_id, revision=status.draft.revision,
                     kinds=sorted(actor.reviewer_kinds), comment=comment)

    def discard(self, actor: Actor, draft_id: int) -> None:
        status = self.status(draft_id, actor)
        _refuse(status, "discard")
        with self.store.write() as tx:
            tx.set_draft_state(draft_id, "discarded", ["draft", "review"])
            tx.audit(actor.name, "draft.discard", draft_id=draft_id)

    def rebase(self, actor: Actor, draft_id: int) -> DraftRow:
        """Move the draft onto the newest version: its own changes kept, the newer version's
        taken; refused when both changed the same file (then start a new draft)."""
        status = self.status(draft_id, actor)
        _refuse(status, "rebase")
        with self.store.read() as tx:
            old = tx.file_set(status.draft.base_hash) or {}
            new = tx.file_set(status.current.hash) or {}
            mine = tx.draft_files(draft_id)
        merged = dict(mine)
        for path in set(old) | set(new) | set(mine):
            if mine.get(path) == old.get(path):  # untouched in the draft: take the newer version's
                if path in new:
                    merged[path] = new[path]
                else:
                    merged.pop(path, None)
        changes: dict[str, str | None] = {p: merged.get(p) for p in set(mine) | set(merged) if mine.get(p) != merged.get(p)}
        with self.store.write() as tx:
            tx.rebase_draft(draft_id, status.current.hash)
            saved = tx.replace_draft_files(draft_id, status.draft.revision + 1, changes, actor.name)
            tx.audit(actor.name, "draft.rebase", draft_id=draft_id, version_hash=status.current.hash,
                     version_number=status.current.version.number if status.current.version else None,
                     taken=sorted(p for p, d in changes.items()), revision=saved.revision)
        return saved

    def publish(self, actor: Actor, draft_id: int, confirm_schema: bool = False, title: str | None = None) -> Version:
        status = self.status(draft_id, actor)
        _refuse(status, "publish")
        if status.schema_changes and not confirm_schema:
            raise LifecycleError(
                "Sagens data er ændret siden den udgivne version (se ændringerne). Bekræft, at sagssystemerne er klar, før du udgiver.", 409
            )
        schemas = contract.current_schemas()
        with self.store.write() as tx:
            draft = tx.draft(draft_id, lock=True)
            if draft is None or draft.revision != status.draft.revision or draft.state != "review":
                raise LifecycleError("Kladden er ændret, mens du læste den. Genindlæs siden.", 409)
            digests = tx.draft_files(draft_id)
            set_hash = tx.put_file_set_digests(digests)
            newest = tx.newest_version()
            if (newest.hash if newest else None) != (status.current.version.hash if status.current.version else None):
                raise LifecycleError("En anden har udgivet en version imens. Genindlæs siden.", 409)
            version = tx.publish(draft_id, set_hash, actor.name, title or draft.title, contract.schema_hash(schemas), schemas)
            tx.audit(
                actor.name, "version.publish", draft_id=draft_id, version_number=version.number, version_hash=set_hash,
                title=version.title, approved_by=sorted({r.user_name for r in status.approvals}), files=status.changed,
                schema_version=version.schema_hash,
                schema_changes=[c.describe() for c in status.schema_changes], schema_confirmed=bool(status.schema_changes and confirm_schema),
            )
        return version

    # -- the verdicts --------------------------------------------------------------------------

    def status(self, draft_id: int, actor: Actor | None = None) -> DraftStatus:
        current = self.current_base()
        with self.store.read() as tx:
            draft = tx.draft(draft_id)
            if draft is None:
                raise LifecycleError(f"Kladde {draft_id} findes ikke.", 404)
            base_files = tx.file_set(draft.base_hash) or {}
            current_files = tx.file_set(current.hash) or {}
            mine = tx.draft_files(draft_id)
            editors = tx.editors(draft_id) | {draft.created_by}
            reviews = tx.reviews(draft_id)
            versions = tx.versions()
            newest = versions[0] if versions else None
        base_version = next((v for v in versions if v.hash == draft.base_hash), None)
        base = Base(draft.base_hash, base_version)
        changed = sorted(p for p in set(base_files) | set(mine) if base_files.get(p) != mine.get(p))
        regime_changed = REGIMES in changed
        required = frozenset({"language"} | ({"subject"} if regime_changed else set()))
        valid = [r for r in reviews if r.decision == "approved" and r.revision == draft.revision and r.user_name not in editors]
        covered = frozenset().union(*(r.kinds for r in valid)) if valid else frozenset()
        stale = draft.state in ("draft", "review") and draft.base_hash != current.hash
        since = sorted(p for p in set(base_files) | set(current_files) if base_files.get(p) != current_files.get(p)) if stale else []
        conflicts = [p for p in since if p in changed and mine.get(p) != current_files.get(p)]
        schema_changes = contract.schema_diff(newest.schemas if newest else None, contract.current_schemas())
        status = DraftStatus(
            draft=draft, base=base, base_label=f"version {base_version.number}" if base_version else WORKING, current=current,
            changed=changed, regime_changed=regime_changed, required_kinds=required, approvals=valid,
            missing_kinds=required - covered, editors=editors, stale=stale, changed_since_base=since, conflicts=conflicts,
            schema_changes=schema_changes, reviews=reviews,
        )
        if actor is not None:
            status.reasons = self._reasons(status, actor)
        return status

    def _reasons(self, s: DraftStatus, actor: Actor) -> dict[str, str]:
        """Why ``actor`` may not take each step now (absent: allowed)."""
        reasons: dict[str, str] = {}
        state = s.draft.state
        own = actor.name in s.editors
        is_author = actor.can("author")
        # edit, submit, withdraw: the authors' steps
        if not is_author:
            for action in ("edit", "submit", "withdraw", "rebase"):
                reasons[action] = "Kun en forfatter kan det."
        if state != "draft":
            reasons.setdefault("edit", f"Kladden er {STATE_DA[state].lower()}.")
            reasons.setdefault("submit", f"Kladden er {STATE_DA[state].lower()}.")
            reasons.setdefault("rebase", "Træk kladden tilbage fra godkendelse først." if state == "review" else f"Kladden er {STATE_DA[state].lower()}.")
        if state == "draft" and not s.changed:
            reasons.setdefault("submit", "Kladden har ingen ændringer endnu.")
        if state == "draft" and s.stale:
            reasons.setdefault("submit", "Kladden bygger på en ældre version. Flyt den til den nyeste først.")
        if not s.stale:
            reasons.setdefault("rebase", "Kladden bygger allerede på den nyeste version.")
        elif s.conflicts:
            reasons.setdefault("rebase", "Både kladden og den nye version har ændret " + ", ".join(_short(p) for p in s.conflicts)
                               + ". Lav en ny kladde fra den nyeste version, og skriv ændringen ind igen.")
        if state != "review":
            reasons.setdefault("withdraw", "Kladden er ikke sendt til godkendelse.")
        # approve and reject: the reviewers'
        if not actor.reviewer_kinds:
            reasons["approve"] = reasons["reject"] = "Kun en sprogligt eller fagligt ansvarlig kan godkende."
        elif own:
            reasons["approve"] = reasons["reject"] = "Du har selv lavet eller rettet kladden. En anden skal godkende den."
        elif state != "review":
            reasons["approve"] = reasons["reject"] = "Kladden er ikke sendt til godkendelse."
        elif any(r.user_name == actor.name and r.revision == s.draft.revision and r.decision == "approved" for r in s.reviews):
            reasons["approve"] = "Du har allerede godkendt kladden."
        elif not (actor.reviewer_kinds & s.required_kinds):
            reasons["approve"] = "Kladden skal godkendes " + " og ".join(KIND_DA[k] for k in sorted(s.required_kinds)) + ", og det er ikke din rolle."
        # publish
        if not (actor.reviewer_kinds or actor.can("admin")):
            reasons["publish"] = "Kun en godkender eller en administrator kan udgive."
        elif own:
            reasons["publish"] = "Du har selv lavet eller rettet kladden. En anden skal udgive den."
        elif state != "review":
            reasons["publish"] = "Kladden skal være sendt til godkendelse og godkendt."
        elif s.missing_kinds:
            reasons["publish"] = "Kladden mangler at blive godkendt " + " og ".join(KIND_DA[k] for k in sorted(s.missing_kinds)) + "."
        elif s.stale:
            reasons["publish"] = "Kladden bygger på en ældre version. Den skal flyttes til den nyeste version først."
        # discard: the draft's own author or an admin
        if state not in ("draft", "review"):
            reasons["discard"] = f"Kladden er {STATE_DA[state].lower()}."
        elif not (actor.can("admin") or (is_author and actor.name == s.draft.created_by)):
            reasons["discard"] = "Kun den, der lavede kladden, eller en administrator kan kassere den."
        return reasons

    # -- reading -------------------------------------------------------------------------------

    def audit_entries(self, limit: int = 500, draft_id: int | None = None):
        with self.store.read() as tx:
            return tx.audit_entries(limit, draft_id)

    def drafts(self, states: Iterable[str] | None = ("draft", "review")) -> list[DraftRow]:
        with self.store.read() as tx:
            return tx.drafts(states)

    def versions(self) -> list[Version]:
        with self.store.read() as tx:
            return tx.versions()


def _need(actor: Actor, role: str, what: str) -> None:
    if not actor.can(role):
        raise LifecycleError(f"Du skal være {ROLES[role].lower()} for at {what}.", 403)


def _refuse(status: DraftStatus, action: str) -> None:
    reason = status.reasons.get(action)
    if reason:
        raise LifecycleError(reason, 403)


def _short(path: str) -> str:
    return path.removeprefix(TEMPLATES_PREFIX).removeprefix(RULES_PREFIX)


_folder_lock = threading.Lock()
