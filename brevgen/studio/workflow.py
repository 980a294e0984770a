"""The studio's door into the template lifecycle (``engine.py`` is its door into the pipeline).

The web app asks here for users and roles, drafts and their folders, reviews, versions, the
audit log and the feedback counts; everything it needs from :mod:`brevgen.lifecycle`,
:mod:`brevgen.accounts`, :mod:`brevgen.store` and :mod:`brevgen.versions` passes through this
module, so a change in the core is followed here, in one place.

Which template folder the editor works on:

- with a draft (``?kladde=3``): the draft's own folder, ``<data>/drafts/3/templates``;
- without one: the newest published version (``<data>/sets/<hash>/templates``), or the
  working folder while nothing is published. Saving there makes a new draft first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from .. import accounts, data_contract as contract, events as event_registry
from ..feedback import variant_code
from ..lifecycle import KIND_DA, ROLES, STATE_DA, Actor, Base, DraftStatus, Lifecycle, LifecycleError
from ..store import AuditEntry, DraftRow, FeedbackStat, Store, StoreError, User, Version, open_store
from ..versioning import short
from ..versions import materialise
from .engine import Workspace, diff_between

__all__ = [
    "KIND_DA", "ROLES", "STATE_DA", "Actor", "AuditEntry", "Base", "DraftRow", "DraftStatus", "FeedbackStat",
    "LifecycleError", "Store", "StoreError", "Studio", "User", "Version", "accounts", "open_store", "short",
]

ACTIONS_DA = {
    "user.add": "oprettede brugeren",
    "user.roles": "ændrede roller for",
    "user.password": "satte ny adgangskode for",
    "user.activate": "genåbnede brugeren",
    "user.deactivate": "lukkede brugeren",
    "session.login": "loggede ind",
    "draft.create": "lavede kladden",
    "draft.save": "gemte i kladden",
    "draft.submit": "sendte kladden til godkendelse",
    "draft.withdraw": "trak kladden tilbage fra godkendelse",
    "draft.approve": "godkendte kladden",
    "draft.reject": "sendte kladden tilbage",
    "draft.rebase": "flyttede kladden til den nyeste version",
    "draft.discard": "kasserede kladden",
    "version.publish": "udgav versionen",
}


@dataclass
class Context:
    """Where the editor works: its workspace, and the draft it saves into (None: a new one)."""

    workspace: Workspace
    draft: DraftRow | None
    base: Base | None  # when there is no draft: the version the editor shows


class Studio:
    """One store and one working template folder, as the studio's pages use them."""

    def __init__(self, store: Store, templates_root: Path, examples: Path | None):
        self.store = store
        self.lifecycle = Lifecycle(store, templates_root)
        self.templates_root = Path(templates_root)
        self.examples = examples
        self._workspaces: OrderedDict[Path, Workspace] = OrderedDict()
        self._lock = threading.Lock()

    # -- workspaces ----------------------------------------------------------------------------

    def workspace(self, root: Path) -> Workspace:
        root = Path(root).resolve()
        with self._lock:
            ws = self._workspaces.get(root)
            if ws is None:
                ws = Workspace(root, self.examples)
                self._workspaces[root] = ws
                while len(self._workspaces) > 8:
                    self._workspaces.popitem(last=False)
            else:
                self._workspaces.move_to_end(root)
            return ws

    def base_workspace(self) -> tuple[Workspace, Base]:
        """The newest published version's folder, or the working folder before the first."""
        with self.store.read() as tx:
            newest = tx.newest_version()
        if newest is None:
            return self.workspace(self.templates_root), Base(self.lifecycle.current_base().hash, None)
        return self.workspace(materialise(self.store, newest.hash) / "templates"), Base(newest.hash, newest)

    def set_workspace(self, set_hash: str) -> Workspace:
        return self.workspace(materialise(self.store, set_hash) / "templates")

    def draft_workspace(self, draft_id: int) -> Workspace:
        return self.workspace(self.lifecycle.draft_folder(draft_id) / "templates")

    def context(self, draft_id: int | None) -> Context:
        if draft_id is None:
            ws, base = self.base_workspace()
            return Context(ws, None, base)
        draft = self.lifecycle.draft(draft_id)
        return Context(self.draft_workspace(draft_id), draft, None)

    # -- users ---------------------------------------------------------------------------------

    def user(self, name: str) -> User | None:
        with self.store.read() as tx:
            return tx.user(name)

    def users(self) -> list[User]:
        with self.store.read() as tx:
            return tx.users()

    def has_users(self) -> bool:
        with self.store.read() as tx:
            return tx.count_users() > 0

    @staticmethod
    def actor(name: str, roles) -> Actor:
        return Actor(name, frozenset(roles))

    # -- drafts --------------------------------------------------------------------------------

    def save_into_draft(self, actor: Actor, event: str, draft_id: int | None, revision: int | None, files: dict, regime: list, base: dict) -> dict:
        """The editor's save: into the given draft, or (none given) into a new draft made from
        the version the editor showed, after every check has passed against that version."""
        if draft_id is None:
            ws, shown = self.base_workspace()
            ws.check_save(event, ws.draft(files, regime), base)
            current = self.lifecycle.current_base()
            if current.hash != shown.hash:
                raise LifecycleError("En ny version er udgivet, mens du skrev. Kopiér din tekst, og åbn brevet igen.", 409)
            title = f"Ændring af {event_registry.get(event).title.lower()}" if event in event_registry.names() else "Ændring af brevene"
            created = self.lifecycle.create_draft(actor, title)
            draft_id, revision = created.id, created.revision
        draft = self.lifecycle.draft(draft_id)
        self.lifecycle.check_editable(actor, draft)
        if revision is not None and int(revision) != draft.revision:
            raise LifecycleError("Kladden er gemt af en anden, siden du åbnede den. Kopiér din tekst, og åbn kladden igen.", 409)
        ws = self.draft_workspace(draft_id)
        result = ws.save(event, ws.draft(files, regime), base)
        written = {f"templates/{name}": (ws.root / name).read_bytes() for name in result["saved"]}
        saved = self.lifecycle.record_save(actor, draft_id, draft.revision, written)
        return {**result, "draft": draft_id, "revision": saved.revision, "title": saved.title}

    def review_diff(self, status: DraftStatus) -> dict:
        """How the draft's letters differ from its base version's, every example."""
        old = self.set_workspace(status.draft.base_hash)
        new = self.draft_workspace(status.draft.id)
        return diff_between(old, new)

    def stale_diff(self, status: DraftStatus) -> dict:
        """What the newer version changed in the letters since the draft's base."""
        return diff_between(self.set_workspace(status.draft.base_hash), self.set_workspace(status.current.hash))

    def version_approvers(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for entry in self.lifecycle.audit_entries(limit=5000):
            if entry.action == "version.publish" and entry.version_number is not None:
                out[entry.version_number] = list(entry.detail.get("approved_by", []))
        return out

    # -- the data contract ---------------------------------------------------------------------

    @staticmethod
    def schema_version() -> str:
        return contract.schema_version()

    # -- feedback ------------------------------------------------------------------------------

    def feedback_stats(self) -> list[FeedbackStat]:
        with self.store.read() as tx:
            return tx.feedback_stats()

    def feedback_comments(self, version: str, event: str, variant: str) -> list:
        with self.store.read() as tx:
            return tx.feedback_comments(version, event, variant)

    @staticmethod
    def event_titles() -> dict[str, str]:
        return {e.name: e.title for e in event_registry.all_events()}

    @staticmethod
    def known_variants() -> dict[str, tuple[str, str]]:
        """Variant code (hex) -> (event, variant), for every kind of letter the events can make."""
        out = {}
        for e in event_registry.all_events():
            for v in e.variants():
                out[variant_code(e.name, v).hex()] = (e.name, v)
        return out
