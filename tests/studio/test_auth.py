"""Studio users from the database: Argon2id passwords, server-side sessions that expire and end,
CSRF tokens, the sign-in form's own token, and throttled sign-ins (brevgen/studio/auth.py)."""

from __future__ import annotations

import time

import pytest

from brevgen import accounts
from brevgen.errors import UsageError
from brevgen.studio import auth


def test_passwords_are_hashed_with_argon2id_and_checked():
    encoded = accounts.hash_password("hemmelig-kode")
    assert encoded.startswith("$argon2id$")
    assert accounts.verify_password("hemmelig-kode", encoded)
    assert not accounts.verify_password("Hemmelig-kode", encoded)
    assert not accounts.verify_password("hemmelig-kode", "scrypt$x$y")
    assert not accounts.verify_password("hemmelig-kode", None)  # no such user: same work, never true
    assert accounts.hash_password("hemmelig-kode") != encoded  # a fresh salt each time
    with pytest.raises(UsageError):
        accounts.hash_password("kort")


def test_users_roles_and_names_are_checked(sqlite_store):
    user = accounts.add_user(sqlite_store, "Anna", "hemmelig-kode", ["author", "admin"])
    assert user.name == "anna" and user.roles == {"author", "admin"}
    with pytest.raises(UsageError, match="ukendt rolle"):
        accounts.add_user(sqlite_store, "bo", "hemmelig-kode", ["chef"])
    with pytest.raises(UsageError, match="brugernavnet"):
        accounts.add_user(sqlite_store, "b o", "hemmelig-kode", ["author"])
    with pytest.raises(Exception, match="findes allerede"):
        accounts.add_user(sqlite_store, "anna", "hemmelig-kode", ["author"])


def test_sessions_live_in_the_database_expire_and_end(sqlite_store):
    user = accounts.add_user(sqlite_store, "anna", "hemmelig-kode", ["author"])
    sessions = auth.Sessions(sqlite_store, secret=b"k" * 32, hours=1)
    assert sessions.authenticate("anna", "forkert-kode") is None
    assert sessions.authenticate("ingen", "hemmelig-kode") is None
    assert sessions.authenticate("anna", "hemmelig-kode") == user
    token, session = sessions.start(user)
    assert sessions.read(token) == session and session.roles == {"author"}
    assert sessions.read(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    with sqlite_store.read() as tx:  # the database keeps only the token's hash
        assert tx.session(token) is None and tx.session(session.sid) is not None
    expired = auth.Sessions(sqlite_store, secret=b"k" * 32, hours=-1)
    old, _ = expired.start(user)
    assert sessions.read(old) is None
    sessions.end(session)
    assert sessions.read(token) is None
    # Closing a user ends their sessions at once.
    again, _ = sessions.start(user)
    accounts.set_active(sqlite_store, "anna", False, by="test")
    assert sessions.read(again) is None
    assert sessions.authenticate("anna", "hemmelig-kode") is None


def test_csrf_tokens_must_match_the_session(sqlite_store):
    user = accounts.add_user(sqlite_store, "anna", "hemmelig-kode", ["author"])
    sessions = auth.Sessions(sqlite_store, secret=b"k" * 32)
    token, session = sessions.start(user)
    assert auth.csrf_ok(session, session.csrf)
    assert not auth.csrf_ok(session, session.csrf[:-1])
    assert not auth.csrf_ok(session, None)
    assert not auth.csrf_ok(None, session.csrf)
    cookie, form = sessions.login_token()
    assert sessions.check_login_token(cookie, form)
    assert not sessions.check_login_token(cookie, form + "x")
    assert not sessions.check_login_token(token, session.csrf)  # a session is not a login token
    assert not auth.Sessions(sqlite_store, secret=b"x" * 32).check_login_token(cookie, form)  # another key


def test_failed_sign_ins_are_throttled():
    throttle = auth.Throttle(limit=3, window=60)
    for _ in range(3):
        assert not throttle.blocked("1.2.3.4")
        throttle.failed("1.2.3.4")
    assert throttle.blocked("1.2.3.4")
    assert not throttle.blocked("5.6.7.8")
    throttle.succeeded("1.2.3.4")
    assert not throttle.blocked("1.2.3.4")
    short = auth.Throttle(limit=1, window=0.05)
    short.failed("x")
    assert short.blocked("x")
    time.sleep(0.06)
    assert not short.blocked("x")
