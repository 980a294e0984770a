"""Stable identifiers for messages and calendar entries: the same letter, the same id."""

from __future__ import annotations

import hashlib
import uuid


def stable_uuid(*parts: str) -> uuid.UUID:
    """A UUID that is the same for the same parts, shaped as version 4.

    MeMo's schema only accepts version-4 UUIDs (a ``4`` in the third group), so a name-based
    uuid5 would be rejected; instead the SHA-256 of the parts fills a UUID whose version
    and variant bits are set to 4 / RFC 4122. Same letter, same UUID: a resend is
    recognisable as the same message instead of arriving twice.
    """
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return uuid.UUID(bytes=digest[:16], version=4)
