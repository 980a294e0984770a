"""Template lifecycle: users and sessions, content-addressed template sets, published versions,
drafts and reviews, the append-only audit log, and citizen feedback.

Revision ID: 0001
Revises:
Create Date: 2026-03-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
HASH = sa.String(64)
NAME = sa.String(64)

# Tables whose rows are never changed or removed once written.
APPEND_ONLY = ("audit_log", "blobs", "file_sets", "file_set_files", "versions")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", NAME, nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "role", name="pk_user_roles"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE", name="fk_user_roles_user_id_users"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", HASH, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE", name="fk_sessions_user_id_users"),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", HASH, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_blobs"),
    )
    op.create_table(
        "file_sets",
        sa.Column("hash", HASH, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("hash", name="pk_file_sets"),
    )
    op.create_table(
        "file_set_files",
        sa.Column("set_hash", HASH, nullable=False),
        sa.Column("path", sa.String(400), nullable=False),
        sa.Column("blob", HASH, nullable=False),
        sa.PrimaryKeyConstraint("set_hash", "path", name="pk_file_set_files"),
        sa.ForeignKeyConstraint(["set_hash"], ["file_sets.hash"], name="fk_file_set_files_set_hash_file_sets"),
        sa.ForeignKeyConstraint(["blob"], ["blobs.sha256"], name="fk_file_set_files_blob_blobs"),
    )
    op.create_table(
        "versions",
        sa.Column("number", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("hash", HASH, nullable=False),
        sa.Column("published_at", TS, nullable=False),
        sa.Column("published_by", NAME, nullable=False),
        sa.Column("draft_id", sa.Integer, nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("schema_hash", HASH, nullable=False),
        sa.Column("schemas", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("number", name="pk_versions"),
        sa.UniqueConstraint("hash", name="uq_versions_hash"),
        sa.ForeignKeyConstraint(["hash"], ["file_sets.hash"], name="fk_versions_hash_file_sets"),
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("base_hash", HASH, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_by", NAME, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("version_number", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_drafts"),
        sa.ForeignKeyConstraint(["base_hash"], ["file_sets.hash"], name="fk_drafts_base_hash_file_sets"),
    )
    op.create_table(
        "draft_files",
        sa.Column("draft_id", sa.Integer, nullable=False),
        sa.Column("path", sa.String(400), nullable=False),
        sa.Column("blob", HASH, nullable=False),
        sa.PrimaryKeyConstraint("draft_id", "path", name="pk_draft_files"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], ondelete="CASCADE", name="fk_draft_files_draft_id_drafts"),
        sa.ForeignKeyConstraint(["blob"], ["blobs.sha256"], name="fk_draft_files_blob_blobs"),
    )
    op.create_table(
        "draft_editors",
        sa.Column("draft_id", sa.Integer, nullable=False),
        sa.Column("user_name", NAME, nullable=False),
        sa.PrimaryKeyConstraint("draft_id", "user_name", name="pk_draft_editors"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], ondelete="CASCADE", name="fk_draft_editors_draft_id_drafts"),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("draft_id", sa.Integer, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("user_name", NAME, nullable=False),
        sa.Column("kinds", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], ondelete="CASCADE", name="fk_reviews_draft_id_drafts"),
    )
    op.create_index("ix_reviews_draft", "reviews", ["draft_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", NAME, nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("draft_id", sa.Integer, nullable=True),
        sa.Column("version_number", sa.Integer, nullable=True),
        sa.Column("version_hash", HASH, nullable=True),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("letter_key", sa.String(32), nullable=False),
        sa.Column("version", HASH, nullable=False),
        sa.Column("version_number", sa.Integer, nullable=True),
        sa.Column("event", NAME, nullable=False),
        sa.Column("variant", sa.String(200), nullable=False),
        sa.Column("score", sa.SmallInteger, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("answered_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feedback"),
        sa.UniqueConstraint("letter_key", name="uq_feedback_letter_key"),
    )
    op.create_index("ix_feedback_version_event", "feedback", ["version", "event", "variant"])
    _append_only(op.get_bind().dialect.name)


def _append_only(dialect: str) -> None:
    """Triggers that refuse UPDATE and DELETE (and, in PostgreSQL, TRUNCATE) on the record."""
    if dialect == "sqlite":
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
                )
    elif dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION brevgen_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
            END
            $$
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION brevgen_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION brevgen_refuse_change()"
            )
    else:  # the record must be guarded by the database itself, so only these two are supported
        raise RuntimeError(f"brevgen's store supports SQLite and PostgreSQL, not {dialect}")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in ("feedback", "audit_log", "reviews", "draft_editors", "draft_files", "drafts", "versions",
                  "file_set_files", "file_sets", "blobs", "sessions", "user_roles", "users"):
        op.drop_table(table)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS brevgen_refuse_change()")
