"""The database tables (SQLAlchemy Core). The migrations in ``migrations/versions`` create them;
this module is what the code reads and writes through, and what Alembic compares against.

Append-only and immutable tables are guarded by triggers in the database itself (see the
first migration): ``audit_log`` takes no UPDATE or DELETE; ``blobs``, ``file_sets``,
``file_set_files`` and ``versions`` (published versions) take no UPDATE or DELETE either.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

HASH = String(64)
NAME = String(64)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", NAME, nullable=False, unique=True),  # the sign-in name
    Column("full_name", String(200), nullable=False, default=""),
    Column("password_hash", String(255), nullable=False),  # argon2id, from argon2-cffi
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
)

# One row per role a user holds (author, language_reviewer, subject_reviewer, admin, and
# later caseworker): a new role is a new value, never a new column.
user_roles = Table(
    "user_roles",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(32), primary_key=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", HASH, primary_key=True),  # SHA-256 of the cookie's random token
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
)

# Content-addressed file contents: one row per distinct content, shared by every set.
blobs = Table(
    "blobs",
    metadata,
    Column("sha256", HASH, primary_key=True),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

# A complete template set (templates/ + rules/), named by its version hash (brevgen.versioning).
file_sets = Table(
    "file_sets",
    metadata,
    Column("hash", HASH, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

file_set_files = Table(
    "file_set_files",
    metadata,
    Column("set_hash", HASH, ForeignKey("file_sets.hash"), primary_key=True),
    Column("path", String(400), primary_key=True),
    Column("blob", HASH, ForeignKey("blobs.sha256"), nullable=False),
)

# Published versions: a number people can say ("version 4"), the set, who and when, and the
# case schemas of every event as they were when it was published (the data contract).
versions = Table(
    "versions",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("hash", HASH, ForeignKey("file_sets.hash"), nullable=False, unique=True),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("published_by", NAME, nullable=False),
    Column("draft_id", Integer, nullable=True),
    Column("title", String(200), nullable=False, default=""),
    Column("schema_hash", HASH, nullable=False),
    Column("schemas", JSON, nullable=False),
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(200), nullable=False),
    Column("base_hash", HASH, ForeignKey("file_sets.hash"), nullable=False),
    Column("state", String(16), nullable=False),  # draft, review, published, discarded
    Column("created_by", NAME, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("revision", Integer, nullable=False, default=1),  # +1 on every save of its files
    Column("version_number", Integer, nullable=True),  # once published
)

# The draft's complete file set (every file, edited or not), as blob references.
draft_files = Table(
    "draft_files",
    metadata,
    Column("draft_id", Integer, ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True),
    Column("path", String(400), primary_key=True),
    Column("blob", HASH, ForeignKey("blobs.sha256"), nullable=False),
)

# Everyone who changed the draft's text: none of them may approve or publish it.
draft_editors = Table(
    "draft_editors",
    metadata,
    Column("draft_id", Integer, ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_name", NAME, primary_key=True),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("draft_id", Integer, ForeignKey("drafts.id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),  # the draft revision that was read
    Column("user_name", NAME, nullable=False),
    Column("kinds", String(64), nullable=False),  # "language", "subject" or both, comma-separated
    Column("decision", String(16), nullable=False),  # approved, rejected
    Column("comment", Text, nullable=False, default=""),
    Column("at", DateTime(timezone=True), nullable=False),
)
Index("ix_reviews_draft", reviews.c.draft_id)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", NAME, nullable=False),
    Column("action", String(40), nullable=False),
    Column("draft_id", Integer, nullable=True),
    Column("version_number", Integer, nullable=True),
    Column("version_hash", HASH, nullable=True),
    Column("detail", JSON, nullable=False),
)

# One answer per letter (letter_key, from the token); the version is the full hash when it is
# a published version, else the 8-digit prefix the token carried.
feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("letter_key", String(32), nullable=False),
    Column("version", HASH, nullable=False),
    Column("version_number", Integer, nullable=True),
    Column("event", NAME, nullable=False),
    Column("variant", String(200), nullable=False),
    Column("score", SmallInteger, nullable=False),
    Column("comment", Text, nullable=True),
    Column("answered_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("letter_key", name="uq_feedback_letter_key"),
)
Index("ix_feedback_version_event", feedback.c.version, feedback.c.event, feedback.c.variant)

# The caseworker desk's saved profile: one row per user, the caseworker's own details and the
# sender's as JSON (brevgen.desk.profile validates them). Never a CPR number: the models hold none.
desk_profiles = Table(
    "desk_profiles",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("data", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

APPEND_ONLY = ("audit_log", "blobs", "file_sets", "file_set_files", "versions")
