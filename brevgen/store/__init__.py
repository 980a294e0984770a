"""brevgen's state in one database: SQLite by default, PostgreSQL by URL (SQLAlchemy 2 + Alembic).

What is kept: studio users with their roles and sessions; template sets by content hash (the
files themselves, content-addressed, so a published version can be rebuilt byte for byte
years later); published versions; drafts, their reviews and editors; the append-only audit
log; and citizens' answers to "Var brevet let at forstå?".

Use::

    store = open_store()                    # BREVGEN_DATABASE_URL or the default SQLite file
    with store.write() as tx:               # one transaction
        tx.audit("anna", "draft.create", draft_id=3)
    with store.read() as tx:
        tx.newest_version()

:func:`open_store` brings the schema up to date (Alembic ``upgrade head``) the first time a
process opens a URL. Tables and triggers: :mod:`brevgen.store.tables` and ``migrations/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .settings import configured, data_dir, database_url  # noqa: F401  (re-exported: light, no SQLAlchemy)

if TYPE_CHECKING:  # pragma: no cover
    from .db import (  # noqa: F401
        AuditEntry, DraftRow, FeedbackStat, Review, SessionRow, Store, StoreError, Tx, User, Version,
        aware, configured_store, forget_stores, migrate, open_store,
    )

# SQLAlchemy takes ~0.12 s to import: only code that opens the database pays for it, so
# ``brevgen render`` without a database starts as fast as before.
_LAZY = {
    "AuditEntry", "DraftRow", "FeedbackStat", "Review", "SessionRow", "Store", "StoreError", "Tx", "User", "Version",
    "aware", "configured_store", "forget_stores", "migrate", "open_store",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import db

        return getattr(db, name)
    raise AttributeError(f"module 'brevgen.store' has no attribute {name!r}")


__all__ = sorted(_LAZY | {"configured", "data_dir", "database_url"})
