"""Alembic environment for brevgen's store: run programmatically by ``brevgen.store.migrate``
(the connection comes in ``config.attributes``), or by ``alembic`` with ``-x url=...``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from brevgen.store.settings import database_url, normalise_url
from brevgen.store.tables import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = normalise_url(context.get_x_argument(as_dictionary=True).get("url") or database_url())
    engine = create_engine(url)
    with engine.begin() as conn:
        _migrate(conn)
    engine.dispose()


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
