"""The store itself: tables are read and written here, in transactions (see the package docs)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, create_engine, event, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from ..errors import BrevgenError
from ..versioning import hash_of_digests, sha256
from . import tables as t
from .settings import configured, database_url, display_url, normalise_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_ADVISORY_LOCK = 0x62726576  # "brev": one migration at a time on a PostgreSQL server


class StoreError(BrevgenError):
    """A write the store refuses (a name taken, a draft changed by someone else), in Danish."""

    code = "store"

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything brevgen writes is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.timezone.utc)


# --- rows as plain objects -------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    id: int
    name: str
    full_name: str
    password_hash: str
    active: bool
    roles: frozenset[str] = field(default_factory=frozenset)
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class SessionRow:
    user: User
    csrf: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class Version:
    number: int
    hash: str
    published_at: dt.datetime
    published_by: str
    title: str
    schema_hash: str
    schemas: dict
    draft_id: int | None = None


@dataclass(frozen=True)
class DraftRow:
    id: int
    title: str
    base_hash: str
    state: str
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    revision: int
    version_number: int | None


@dataclass(frozen=True)
class Review:
    id: int
    draft_id: int
    revision: int
    user_name: str
    kinds: frozenset[str]
    decision: str
    comment: str
    at: dt.datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    draft_id: int | None
    version_number: int | None
    version_hash: str | None
    detail: dict


@dataclass(frozen=True)
class FeedbackStat:
    version: str
    version_number: int | None
    event: str
    variant: str
    count: int
    mean: float
    scores: tuple[int, int, int, int, int]  # answers with 1, 2, 3, 4, 5


# --- the store -------------------------------------------------------------------------------


class Store:
    """One database. Thread-safe: every transaction takes its own pooled connection."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name

    @property
    def url(self) -> str:
        return display_url(self.engine.url.render_as_string(hide_password=False))

    @contextlib.contextmanager
    def write(self) -> Iterator[Tx]:
        with self.engine.begin() as conn:
            yield Tx(conn, self.dialect)

    @contextlib.contextmanager
    def read(self) -> Iterator[Tx]:
        with self.engine.connect() as conn:
            yield Tx(conn, self.dialect)

    def dispose(self) -> None:
        self.engine.dispose()


class Tx:
    """The store's reads and writes inside one transaction (or one connection, for reads)."""

    def __init__(self, conn: Connection, dialect: str):
        self.conn = conn
        self.dialect = dialect

    def _insert_ignore(self, table, rows: list[dict], keys: list[str]) -> int:
        """INSERT ... ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike; rows inserted."""
        if not rows:
            return 0
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        statement = dialect_insert(table).on_conflict_do_nothing(index_elements=keys)
        if len(rows) == 1:  # RETURNING tells whether the row went in (row counts vary by driver)
            return len(self.conn.execute(statement.returning(table.c[keys[0]]), rows[0]).all())
        self.conn.execute(statement, rows)
        return len(rows)  # not exact (some may have been there); no caller relies on it

    # -- users -------------------------------------------------------------------------------

    def _user(self, row) -> User:
        roles = frozenset(r for (r,) in self.conn.execute(select(t.user_roles.c.role).where(t.user_roles.c.user_id == row.id)))
        return User(row.id, row.name, row.full_name, row.password_hash, bool(row.active), roles, aware(row.created_at))

    def user(self, name: str) -> User | None:
        row = self.conn.execute(select(t.users).where(t.users.c.name == name)).first()
        return self._user(row) if row else None

    def users(self) -> list[User]:
        return [self._user(row) for row in self.conn.execute(select(t.users).order_by(t.users.c.name))]

    def count_users(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(t.users)).scalar_one())

    def add_user(self, name: str, password_hash: str, roles: Iterable[str], full_name: str = "") -> User:
        if self.user(name) is not None:
            raise StoreError(f"Brugeren '{name}' findes allerede.", 409)
        result = self.conn.execute(
            insert(t.users).values(name=name, full_name=full_name, password_hash=password_hash, active=True, created_at=t.utcnow())
        )
        user_id = result.inserted_primary_key[0]
        self.set_roles(name, roles, user_id=user_id)
        return self.user(name)  # type: ignore[return-value]

    def set_roles(self, name: str, roles: Iterable[str], user_id: int | None = None) -> None:
        if user_id is None:
            user = self.user(name)
            if user is None:
                raise StoreError(f"Brugeren '{name}' findes ikke.", 404)
            user_id = user.id
        self.conn.execute(t.user_roles.delete().where(t.user_roles.c.user_id == user_id))
        wanted = sorted(set(roles))
        if wanted:
            self.conn.execute(insert(t.user_roles), [{"user_id": user_id, "role": r} for r in wanted])

    def set_password(self, name: str, password_hash: str) -> None:
        self._update_user(name, password_hash=password_hash)

    def set_active(self, name: str, active: bool) -> None:
        self._update_user(name, active=active)
        if not active:
            user = self.user(name)
            self.conn.execute(update(t.sessions).where(and_(t.sessions.c.user_id == user.id, t.sessions.c.ended_at.is_(None))).values(ended_at=t.utcnow()))  # type: ignore[union-attr]

    def _update_user(self, name: str, **values: Any) -> None:
        result = self.conn.execute(update(t.users).where(t.users.c.name == name).values(**values))
        if not result.rowcount:
            raise StoreError(f"Brugeren '{name}' findes ikke.", 404)

    # -- the caseworker desk's profiles ----------------------------------------------------------

    def desk_profile(self, user_id: int) -> dict | None:
        row = self.conn.execute(select(t.desk_profiles.c.data).where(t.desk_profiles.c.user_id == user_id)).first()
        return dict(row.data) if row else None

    def save_desk_profile(self, user_id: int, data: Mapping[str, Any]) -> None:
        values = {"data": dict(data), "updated_at": t.utcnow()}
        done = self.conn.execute(update(t.desk_profiles).where(t.desk_profiles.c.user_id == user_id).values(**values))
        if not done.rowcount:
            self.conn.execute(insert(t.desk_profiles).values(user_id=user_id, **values))

    # -- sessions ----------------------------------------------------------------------------

    def start_session(self, session_id: str, user_id: int, csrf: str, expires_at: dt.datetime) -> None:
        self.conn.execute(
            insert(t.sessions).values(id=session_id, user_id=user_id, csrf=csrf, created_at=t.utcnow(), expires_at=expires_at)
        )

    def session(self, session_id: str) -> SessionRow | None:
        """A live session: not ended, not expired, its user still active."""
        row = self.conn.execute(select(t.sessions).where(t.sessions.c.id == session_id)).first()
        if row is None or row.ended_at is not None or aware(row.expires_at) <= t.utcnow():
            return None
        user_row = self.conn.execute(select(t.users).where(t.users.c.id == row.user_id)).first()
        if user_row is None or not user_row.active:
            return None
        return SessionRow(self._user(user_row), row.csrf, aware(row.expires_at))

    def end_session(self, session_id: str) -> None:
        self.conn.execute(update(t.sessions).where(t.sessions.c.id == session_id).values(ended_at=t.utcnow()))

    def prune_sessions(self, older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
        cutoff = t.utcnow() - older_than
        return self.conn.execute(t.sessions.delete().where(t.sessions.c.expires_at < cutoff)).rowcount or 0

    # -- content-addressed files ----------------------------------------------------------------

    def put_blobs(self, contents: Iterable[bytes]) -> list[str]:
        rows, digests = {}, []
        for data in contents:
            digest = sha256(data)
            digests.append(digest)
            rows.setdefault(digest, {"sha256": digest, "size": len(data), "data": data})
        wanted = list(rows)
        have = set()
        for chunk in _chunks(wanted, 500):
            have |= {d for (d,) in self.conn.execute(select(t.blobs.c.sha256).where(t.blobs.c.sha256.in_(chunk)))}
        self._insert_ignore(t.blobs, [rows[d] for d in wanted if d not in have], ["sha256"])
        return digests

    def blobs(self, digests: Iterable[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for chunk in _chunks(sorted(set(digests)), 200):
            for digest, data in self.conn.execute(select(t.blobs.c.sha256, t.blobs.c.data).where(t.blobs.c.sha256.in_(chunk))):
                out[digest] = bytes(data)
        return out

    def put_file_set(self, files: Mapping[str, bytes]) -> str:
        """Store a complete set (path -> bytes) under its version hash; returns the hash."""
        names = list(files)
        digests = dict(zip(names, self.put_blobs(files[n] for n in names), strict=True))
        return self.put_file_set_digests(digests)

    def put_file_set_digests(self, digests: Mapping[str, str]) -> str:
        """Store a set whose blobs are stored already (path -> SHA-256)."""
        set_hash = hash_of_digests(digests)
        if self.conn.execute(select(t.file_sets.c.hash).where(t.file_sets.c.hash == set_hash)).first() is None:
            if self._insert_ignore(t.file_sets, [{"hash": set_hash, "created_at": t.utcnow()}], ["hash"]):
                self.conn.execute(insert(t.file_set_files), [{"set_hash": set_hash, "path": p, "blob": d} for p, d in sorted(digests.items())])
        return set_hash

    def file_set(self, set_hash: str) -> dict[str, str] | None:
        """path -> SHA-256 of a stored set, or None."""
        if self.conn.execute(select(t.file_sets.c.hash).where(t.file_sets.c.hash == set_hash)).first() is None:
            return None
        rows = self.conn.execute(select(t.file_set_files.c.path, t.file_set_files.c.blob).where(t.file_set_files.c.set_hash == set_hash))
        return {path: blob for path, blob in rows}

    # -- published versions --------------------------------------------------------------------

    @staticmethod
    def _version(row) -> Version:
        return Version(row.number, row.hash, aware(row.published_at), row.published_by, row.title, row.schema_hash, row.schemas, row.draft_id)

    def versions(self) -> list[Version]:
        """Every published version, newest first."""
        return [self._version(r) for r in self.conn.execute(select(t.versions).order_by(t.versions.c.number.desc()))]

    def newest_version(self) -> Version | None:
        row = self.conn.execute(select(t.versions).order_by(t.versions.c.number.desc()).limit(1)).first()
        return self._version(row) if row else None

    def version(self, number: int) -> Version | None:
        row = self.conn.execute(select(t.versions).where(t.versions.c.number == number)).first()
        return self._version(row) if row else None

    def versions_by_prefix(self, prefix: str) -> list[Version]:
        prefix = prefix.lower()
        rows = self.conn.execute(select(t.versions).where(t.versions.c.hash.like(prefix + "%")).order_by(t.versions.c.number))
        return [self._version(r) for r in rows]

    def publish(self, draft_id: int, set_hash: str, by: str, title: str, schema_hash: str, schemas: dict) -> Version:
        """The next version number for a stored set, and the draft marked published."""
        if self.conn.execute(select(t.versions.c.number).where(t.versions.c.hash == set_hash)).first() is not None:
            raise StoreError("Præcis den tekst er allerede udgivet som en version.", 409)
        if self.dialect == "postgresql":  # two publishers at once: one waits for the other's number
            self.conn.execute(text("LOCK TABLE versions IN EXCLUSIVE MODE"))
        number = int(self.conn.execute(select(func.coalesce(func.max(t.versions.c.number), 0))).scalar_one()) + 1
        self.conn.execute(
            insert(t.versions).values(
                number=number, hash=set_hash, published_at=t.utcnow(), published_by=by, draft_id=draft_id,
                title=title, schema_hash=schema_hash, schemas=schemas,
            )
        )
        self.conn.execute(update(t.drafts).where(t.drafts.c.id == draft_id).values(state="published", version_number=number, updated_at=t.utcnow()))
        return self.version(number)  # type: ignore[return-value]

    # -- drafts --------------------------------------------------------------------------------

    @staticmethod
    def _draft(row) -> DraftRow:
        return DraftRow(row.id, row.title, row.base_hash, row.state, row.created_by, aware(row.created_at), aware(row.updated_at), row.revision, row.version_number)

    def create_draft(self, title: str, base_hash: str, files: Mapping[str, str], by: str) -> DraftRow:
        now = t.utcnow()
        result = self.conn.execute(
            insert(t.drafts).values(title=title, base_hash=base_hash, state="draft", created_by=by, created_at=now, updated_at=now, revision=1)
        )
        draft_id = result.inserted_primary_key[0]
        if files:
            self.conn.execute(insert(t.draft_files), [{"draft_id": draft_id, "path": p, "blob": d} for p, d in sorted(files.items())])
        return self.draft(draft_id)  # type: ignore[return-value]

    def draft(self, draft_id: int, lock: bool = False) -> DraftRow | None:
        query = select(t.drafts).where(t.drafts.c.id == draft_id)
        if lock and self.dialect == "postgresql":
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return self._draft(row) if row else None

    def drafts(self, states: Iterable[str] | None = None) -> list[DraftRow]:
        query = select(t.drafts).order_by(t.drafts.c.updated_at.desc(), t.drafts.c.id.desc())
        if states is not None:
            query = query.where(t.drafts.c.state.in_(list(states)))
        return [self._draft(r) for r in self.conn.execute(query)]

    def draft_files(self, draft_id: int) -> dict[str, str]:
        rows = self.conn.execute(select(t.draft_files.c.path, t.draft_files.c.blob).where(t.draft_files.c.draft_id == draft_id))
        return {path: blob for path, blob in rows}

    def replace_draft_files(self, draft_id: int, expected_revision: int, changes: Mapping[str, str | None], by: str | None) -> DraftRow:
        """Point ``changes`` (path -> SHA-256 of a stored blob, None to remove) at new contents and
        count a new revision, unless someone saved since ``expected_revision`` (409)."""
        result = self.conn.execute(
            update(t.drafts)
            .where(and_(t.drafts.c.id == draft_id, t.drafts.c.revision == expected_revision))
            .values(revision=t.drafts.c.revision + 1, updated_at=t.utcnow())
        )
        if not result.rowcount:
            raise StoreError("Kladden er gemt af en anden, siden du åbnede den. Kopiér din tekst, og åbn kladden igen.", 409)
        for path, digest in changes.items():
            self.conn.execute(t.draft_files.delete().where(and_(t.draft_files.c.draft_id == draft_id, t.draft_files.c.path == path)))
            if digest is not None:
                self.conn.execute(insert(t.draft_files).values(draft_id=draft_id, path=path, blob=digest))
        if by:
            self._insert_ignore(t.draft_editors, [{"draft_id": draft_id, "user_name": by}], ["draft_id", "user_name"])
        return self.draft(draft_id)  # type: ignore[return-value]

    def rebase_draft(self, draft_id: int, base_hash: str) -> None:
        self.conn.execute(update(t.drafts).where(t.drafts.c.id == draft_id).values(base_hash=base_hash, revision=t.drafts.c.revision + 1, updated_at=t.utcnow()))

    def set_draft_state(self, draft_id: int, state: str, from_states: Iterable[str]) -> None:
        result = self.conn.execute(
            update(t.drafts)
            .where(and_(t.drafts.c.id == draft_id, t.drafts.c.state.in_(list(from_states))))
            .values(state=state, updated_at=t.utcnow())
        )
        if not result.rowcount:
            raise StoreError("Kladden er ikke længere i den tilstand, siden viste. Genindlæs siden.", 409)

    def editors(self, draft_id: int) -> set[str]:
        return {n for (n,) in self.conn.execute(select(t.draft_editors.c.user_name).where(t.draft_editors.c.draft_id == draft_id))}

    # -- reviews -------------------------------------------------------------------------------

    def add_review(self, draft_id: int, revision: int, user: str, kinds: Iterable[str], decision: str, comment: str = "") -> None:
        self.conn.execute(
            insert(t.reviews).values(
                draft_id=draft_id, revision=revision, user_name=user, kinds=",".join(sorted(kinds)), decision=decision, comment=comment, at=t.utcnow()
            )
        )

    def reviews(self, draft_id: int) -> list[Review]:
        rows = self.conn.execute(select(t.reviews).where(t.reviews.c.draft_id == draft_id).order_by(t.reviews.c.id))
        return [Review(r.id, r.draft_id, r.revision, r.user_name, frozenset(k for k in r.kinds.split(",") if k), r.decision, r.comment, aware(r.at)) for r in rows]

    # -- the audit log -------------------------------------------------------------------------

    def audit(self, actor: str, action: str, *, draft_id: int | None = None, version_number: int | None = None,
              version_hash: str | None = None, **detail: Any) -> None:
        self.conn.execute(
            insert(t.audit_log).values(
                at=t.utcnow(), actor=actor, action=action, draft_id=draft_id, version_number=version_number,
                version_hash=version_hash, detail=detail,
            )
        )

    def audit_entries(self, limit: int = 500, draft_id: int | None = None) -> list[AuditEntry]:
        query = select(t.audit_log).order_by(t.audit_log.c.id.desc()).limit(limit)
        if draft_id is not None:
            query = query.where(t.audit_log.c.draft_id == draft_id)
        return [
            AuditEntry(r.id, aware(r.at), r.actor, r.action, r.draft_id, r.version_number, r.version_hash, r.detail or {})
            for r in self.conn.execute(query)
        ]

    # -- feedback ------------------------------------------------------------------------------

    def add_feedback(self, letter_key: str, version: str, version_number: int | None, event: str, variant: str,
                     score: int, comment: str | None) -> bool:
        """Store one answer; False when this letter has been answered already."""
        row = {
            "letter_key": letter_key, "version": version, "version_number": version_number, "event": event,
            "variant": variant, "score": score, "comment": comment, "answered_at": t.utcnow(),
        }
        return self._insert_ignore(t.feedback, [row], ["letter_key"]) == 1

    def feedback_answered(self, letter_key: str) -> bool:
        return self.conn.execute(select(t.feedback.c.id).where(t.feedback.c.letter_key == letter_key)).first() is not None

    def feedback_stats(self) -> list[FeedbackStat]:
        f = t.feedback
        query = (
            select(
                f.c.version, func.max(f.c.version_number), f.c.event, f.c.variant, f.c.score, func.count(),
            )
            .group_by(f.c.version, f.c.event, f.c.variant, f.c.score)
        )
        grouped: dict[tuple[str, str, str], dict] = {}
        for version, number, event_name, variant, score, count in self.conn.execute(query):
            item = grouped.setdefault((version, event_name, variant), {"number": number, "scores": [0] * 5})
            if 1 <= score <= 5:
                item["scores"][score - 1] += count
            item["number"] = item["number"] or number
        out = []
        for (version, event_name, variant), item in grouped.items():
            scores = tuple(item["scores"])
            count = sum(scores)
            mean = sum((i + 1) * n for i, n in enumerate(scores)) / count if count else 0.0
            out.append(FeedbackStat(version, item["number"], event_name, variant, count, mean, scores))  # type: ignore[arg-type]
        out.sort(key=lambda s: (s.event, s.variant, -(s.version_number or 0), s.version))
        return out

    def feedback_comments(self, version: str, event: str, variant: str, limit: int = 50) -> list[tuple[dt.datetime, int, str]]:
        f = t.feedback
        rows = self.conn.execute(
            select(f.c.answered_at, f.c.score, f.c.comment)
            .where(and_(f.c.version == version, f.c.event == event, f.c.variant == variant, f.c.comment.is_not(None)))
            .order_by(f.c.id.desc())
            .limit(limit)
        )
        return [(aware(at), score, comment) for at, score, comment in rows]


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- opening ---------------------------------------------------------------------------------

_stores: dict[str, Store] = {}
_lock = threading.Lock()


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the one writer
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (Alembic ``upgrade head``), one process at a time."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def open_store(url: str | None = None, *, upgrade: bool = True) -> Store:
    """The store at ``url`` (default: BREVGEN_DATABASE_URL, else the SQLite file in the data
    folder), made once per process and URL, its schema brought up to date."""
    url = normalise_url(url) if url else database_url()
    with _lock:
        store = _stores.get(url)
        if store is None:
            try:
                engine = _make_engine(url)
                if upgrade:
                    migrate(engine)
            except Exception as exc:
                if isinstance(exc, BrevgenError):
                    raise
                raise StoreError(f"Databasen {display_url(url)} kan ikke åbnes: {type(exc).__name__}: {exc}") from None
            store = Store(engine)
            _stores[url] = store
        return store


def configured_store() -> Store | None:
    """The store when one is configured (see :func:`settings.configured`), else None."""
    return open_store() if configured() else None


def forget_stores() -> None:
    """Close every store this process opened (tests; a URL that changed)."""
    with _lock:
        for store in _stores.values():
            store.dispose()
        _stores.clear()


__all__ = [
    "AuditEntry", "DraftRow", "FeedbackStat", "IntegrityError", "Review", "SessionRow", "Store", "StoreError", "Tx",
    "User", "Version", "aware", "configured_store", "forget_stores", "migrate", "open_store",
]
