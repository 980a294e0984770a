"""Who may write in the studio: one local account from configuration, a signed session cookie
and a CSRF token on every write.

This module stands alone (standard library only) so a later issue can swap it for roles and a
user database without touching the app: the app asks for :func:`account_from_env`,
:class:`Sessions` and :func:`verify_password`, nothing else.

- ``BREVGEN_STUDIO_USER`` and ``BREVGEN_STUDIO_PASSWORD_HASH``: the account. Make the hash with
  ``brevgen studio --hash-password`` (scrypt, N=2^15, r=8, p=1, 16-byte salt).
- ``BREVGEN_STUDIO_SECRET``: the key that signs session cookies (HMAC-SHA256). Without it a
  random key is made at start, so sessions end when the studio restarts.
- ``BREVGEN_STUDIO_SESSION_HOURS``: how long a session lasts (default 8).

A session cookie holds the user, a random session id, the CSRF token and an expiry time,
signed, ``HttpOnly`` and ``SameSite=Strict``. Every POST must carry that CSRF token (form field
``csrf_token`` or header ``X-CSRF-Token``); the login form has its own signed token, so a
login cannot be forged either.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass

USER_ENV = "BREVGEN_STUDIO_USER"
HASH_ENV = "BREVGEN_STUDIO_PASSWORD_HASH"
SECRET_ENV = "BREVGEN_STUDIO_SECRET"
HOURS_ENV = "BREVGEN_STUDIO_SESSION_HOURS"

SESSION_COOKIE = "brevgen_studio"
LOGIN_COOKIE = "brevgen_studio_login"

_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_MAXMEM = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (URL-safe base64), for BREVGEN_STUDIO_PASSWORD_HASH."""
    if not password:
        raise ValueError("adgangskoden må ikke være tom")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, maxmem=_MAXMEM, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), maxmem=_MAXMEM, dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(frozen=True)
class Account:
    user: str
    password_hash: str

    def check(self, user: str, password: str) -> bool:
        # Always run scrypt, so a wrong user name takes as long as a wrong password.
        ok_password = verify_password(password, self.password_hash)
        return hmac.compare_digest(user.encode(), self.user.encode()) and ok_password


def account_from_env(environ: dict[str, str] | None = None) -> Account | None:
    env = os.environ if environ is None else environ
    user, encoded = env.get(USER_ENV, "").strip(), env.get(HASH_ENV, "").strip()
    if not user or not encoded:
        return None
    return Account(user, encoded)


@dataclass(frozen=True)
class Session:
    user: str
    sid: str
    csrf: str
    expires: float


class Sessions:
    """Signs and reads session cookies; the secret never leaves this object."""

    def __init__(self, secret: bytes | None = None, hours: float | None = None):
        env_secret = os.environ.get(SECRET_ENV, "")
        self._secret = secret or (env_secret.encode() if env_secret else secrets.token_bytes(32))
        self.lifetime = 3600 * (hours if hours is not None else float(os.environ.get(HOURS_ENV, "8") or 8))
        self._ended: dict[str, float] = {}  # sid -> expiry: signed out before the cookie expired
        self._lock = threading.Lock()

    def _sign(self, payload: dict) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        mac = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()
        return f"{body}.{_b64(mac)}"

    def _read(self, token: str | None) -> dict | None:
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

    def start(self, user: str) -> tuple[str, Session]:
        session = Session(user, secrets.token_urlsafe(16), secrets.token_urlsafe(32), time.time() + self.lifetime)
        token = self._sign({"kind": "session", "u": session.user, "sid": session.sid, "csrf": session.csrf, "exp": session.expires})
        return token, session

    def read(self, token: str | None) -> Session | None:
        payload = self._read(token)
        if payload is None or payload.get("kind") != "session":
            return None
        with self._lock:
            if payload["sid"] in self._ended:
                return None
        return Session(str(payload["u"]), str(payload["sid"]), str(payload["csrf"]), float(payload["exp"]))

    def end(self, session: Session) -> None:
        with self._lock:
            now = time.time()
            self._ended = {sid: exp for sid, exp in self._ended.items() if exp > now}
            self._ended[session.sid] = session.expires

    def login_token(self) -> tuple[str, str]:
        """(cookie, form token) for the login form: the form must send back what the cookie holds."""
        token = secrets.token_urlsafe(32)
        return self._sign({"kind": "login", "t": token, "exp": time.time() + 3600}), token

    def check_login_token(self, cookie: str | None, form_token: str | None) -> bool:
        payload = self._read(cookie)
        if payload is None or payload.get("kind") != "login" or not form_token:
            return False
        return hmac.compare_digest(str(payload.get("t", "")).encode(), form_token.encode())


def csrf_ok(session: Session | None, sent: str | None) -> bool:
    return bool(session and sent) and hmac.compare_digest(session.csrf.encode(), sent.encode())  # type: ignore[union-attr]


class Throttle:
    """At most ``limit`` failed sign-ins per client within ``window`` seconds."""

    def __init__(self, limit: int = 5, window: float = 600):
        self.limit, self.window = limit, window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        now = time.time()
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if now - t < self.window]
            self._failures[key] = recent
            return len(recent) >= self.limit

    def failed(self, key: str) -> None:
        with self._lock:
            self._failures.setdefault(key, []).append(time.time())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
