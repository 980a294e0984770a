"""Who may do what in the studio: users from the database, server-side sessions, CSRF tokens.

- Users and their roles live in the store (``brevgen users add ...`` makes the first
  administrator; administrators manage the rest under /brugere). Passwords are Argon2id
  hashes (argon2-cffi); an old hash is upgraded at the next sign-in.
- A session is a random token in a cookie (``HttpOnly``, ``SameSite=Strict``, ``Secure``
  over HTTPS); the database keeps only its SHA-256, with the user, the CSRF token and the
  expiry time (``BREVGEN_STUDIO_SESSION_HOURS``, default 8). Signing out ends it in the
  database, as does deactivating the user.
- Every POST must carry the session's CSRF token (form field ``csrf_token`` or header
  ``X-CSRF-Token``); the sign-in form has its own signed token (``BREVGEN_STUDIO_SECRET``
  signs it; without it a random key is made at start).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass

from .workflow import Store, User, accounts

SECRET_ENV = "BREVGEN_STUDIO_SECRET"
HOURS_ENV = "BREVGEN_STUDIO_SESSION_HOURS"

SESSION_COOKIE = "brevgen_studio"
LOGIN_COOKIE = "brevgen_studio_login"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


hash_password = accounts.hash_password
verify_password = accounts.verify_password


@dataclass(frozen=True)
class Session:
    user: str  # the user's name
    sid: str  # SHA-256 of the cookie's token (what the database keeps)
    csrf: str
    expires: float
    roles: frozenset[str] = frozenset()
    full_name: str = ""

    def can(self, role: str) -> bool:
        return role in self.roles


def _sid(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Sessions:
    """Server-side sessions in the store; the sign-in form's token is signed with a secret."""

    def __init__(self, store: Store, secret: bytes | None = None, hours: float | None = None):
        self.store = store
        env_secret = os.environ.get(SECRET_ENV, "")
        self._secret = secret or (env_secret.encode() if env_secret else secrets.token_bytes(32))
        self.lifetime = 3600 * (hours if hours is not None else float(os.environ.get(HOURS_ENV, "8") or 8))

    def authenticate(self, name: str, password: str) -> User | None:
        """The active user with this name and password, else None (the same work either way)."""
        with self.store.read() as tx:
            user = tx.user((name or "").strip().lower())
        ok = accounts.verify_password(password, user.password_hash if user else None)
        if not ok or user is None or not user.active:
            return None
        if accounts.needs_rehash(user.password_hash) and len(password) >= accounts.MIN_PASSWORD:
            with self.store.write() as tx:  # argon2-cffi's parameters moved on: keep up
                tx.set_password(user.name, accounts.hash_password(password))
        return user

    def start(self, user: User) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = float(int(time.time() + self.lifetime))  # whole seconds: the same after a round trip
        with self.store.write() as tx:
            tx.start_session(_sid(token), user.id, csrf, dt.datetime.fromtimestamp(expires, dt.timezone.utc))
            tx.audit(user.name, "session.login")
            if secrets.randbelow(50) == 0:  # now and then: forget sessions that ended long ago
                tx.prune_sessions()
        return token, Session(user.name, _sid(token), csrf, expires, user.roles, user.full_name)

    def read(self, token: str | None) -> Session | None:
        if not token or len(token) > 200:
            return None
        sid = _sid(token)
        with self.store.read() as tx:
            row = tx.session(sid)
        if row is None:
            return None
        return Session(row.user.name, sid, row.csrf, row.expires_at.timestamp(), row.user.roles, row.user.full_name)

    def end(self, session: Session) -> None:
        with self.store.write() as tx:
            tx.end_session(session.sid)

    # -- the sign-in form -----------------------------------------------------------------------

    def _sign(self, payload: dict) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        mac = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()
        return f"{body}.{_b64(mac)}"

    def _read_signed(self, token: str | None) -> dict | None:
        if not token or token.count(".") != 1:
            return None
        body, mac = token.split(".")
        expected = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()
        try:
            if not hmac.compare_digest(_unb64(mac), expected):
                return None
            payload = json.loads(_unb64(body))
        except (ValueError, json.JSONDecodeError):
            return None
        if not isinstance(payload, dict) or float(payload.get("exp", 0)) < time.time():
            return None
        return payload

    def login_token(self) -> tuple[str, str]:
        """(cookie, form token) for the sign-in form: the form must send back what the cookie holds."""
        token = secrets.token_urlsafe(32)
        return self._sign({"kind": "login", "t": token, "exp": time.time() + 3600}), token

    def check_login_token(self, cookie: str | None, form_token: str | None) -> bool:
        payload = self._read_signed(cookie)
        if payload is None or payload.get("kind") != "login" or not form_token:
            return False
        return hmac.compare_digest(str(payload.get("t", "")).encode(), form_token.encode())


def csrf_ok(session: Session | None, sent: str | None) -> bool:
    return bool(session and sent) and hmac.compare_digest(session.csrf.encode(), sent.encode())  # type: ignore[union-attr]


class Throttle:
    """At most ``limit`` events per key within ``window`` seconds (failed sign-ins, answers)."""

    def __init__(self, limit: int = 5, window: float = 600):
        self.limit, self.window = limit, window
        self._events: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        now = time.time()
        with self._lock:
            recent = [t for t in self._events.get(key, []) if now - t < self.window]
            if recent:
                self._events[key] = recent
            else:
                self._events.pop(key, None)
            return len(recent) >= self.limit

    def failed(self, key: str) -> None:
        with self._lock:
            self._events.setdefault(key, []).append(time.time())
            if len(self._events) > 10_000:  # many clients: drop the ones not seen for a window
                now = time.time()
                self._events = {k: v for k, v in self._events.items() if v and now - v[-1] < self.window}

    hit = failed

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)
