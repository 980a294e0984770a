"""Studio users: passwords (Argon2id through argon2-cffi) and the roles they hold.

Managed by an administrator in the studio (``/brugere``) and with ``brevgen users ...`` on the
command line, which is how a fresh installation gets its first administrator. Every change is
written to the audit log. Users are deactivated, never deleted, so the log keeps its names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import UsageError
from .lifecycle import ROLES
from .store import Store, User

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
# A role a later issue adds (the caseworker desk) is one more entry here: no schema change.
KNOWN_ROLES = dict(ROLES)


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise UsageError(f"adgangskoden skal have mindst {MIN_PASSWORD} tegn")
    return _hasher().hash(password)


_DUMMY = None


def verify_password(password: str, encoded: str | None) -> bool:
    """True when ``password`` matches; a missing user costs the same time as a wrong password."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    global _DUMMY
    if encoded is None:
        if _DUMMY is None:
            _DUMMY = _hasher().hash("brevgen-no-such-user")
        encoded = _DUMMY
        password = password + "\0"  # never matches the dummy
    try:
        return _hasher().verify(encoded, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    return _hasher().check_needs_rehash(encoded)


def check_roles(roles: Iterable[str]) -> list[str]:
    wanted = sorted({r.strip() for r in roles if r.strip()})
    unknown = [r for r in wanted if r not in KNOWN_ROLES]
    if unknown:
        raise UsageError(f"ukendt rolle: {', '.join(unknown)}. Vælg blandt: {', '.join(KNOWN_ROLES)}")
    return wanted


def check_name(name: str) -> str:
    name = (name or "").strip().lower()
    if not NAME.match(name):
        raise UsageError("brugernavnet skal være 2-64 tegn: små bogstaver, tal, punktum, bindestreg eller understreg")
    return name


def add_user(store: Store, name: str, password: str, roles: Iterable[str], full_name: str = "", by: str = "brevgen users") -> User:
    name = check_name(name)
    wanted = check_roles(roles)
    encoded = hash_password(password)
    with store.write() as tx:
        user = tx.add_user(name, encoded, wanted, " ".join(full_name.split())[:200])
        tx.audit(by, "user.add", user=name, roles=wanted)
    return user


def set_roles(store: Store, name: str, roles: Iterable[str], by: str) -> None:
    wanted = check_roles(roles)
    with store.write() as tx:
        tx.set_roles(name, wanted)
        tx.audit(by, "user.roles", user=name, roles=wanted)


def set_password(store: Store, name: str, password: str, by: str) -> None:
    encoded = hash_password(password)
    with store.write() as tx:
        tx.set_password(name, encoded)
        tx.audit(by, "user.password", user=name)


def set_active(store: Store, name: str, active: bool, by: str) -> None:
    with store.write() as tx:
        tx.set_active(name, active)
        tx.audit(by, "user.activate" if active else "user.deactivate", user=name)
