"""One local account, signed session cookies and CSRF tokens (brevgen/studio/auth.py)."""

from __future__ import annotations

import pytest

from brevgen.studio import auth


def test_passwords_are_hashed_with_scrypt_and_checked_in_constant_form():
    encoded = auth.hash_password("hemmelig")
    assert encoded.startswith("scrypt$32768$8$1$")
    assert auth.verify_password("hemmelig", encoded)
    assert not auth.verify_password("Hemmelig", encoded)
    assert not auth.verify_password("hemmelig", "md5$abc")
    assert not auth.verify_password("hemmelig", "scrypt$x$y")
    assert auth.hash_password("hemmelig") != encoded  # a fresh salt each time
    with pytest.raises(ValueError):
        auth.hash_password("")


def test_the_account_comes_from_the_environment():
    assert auth.account_from_env({}) is None
    assert auth.account_from_env({auth.USER_ENV: "anna"}) is None
    account = auth.account_from_env({auth.USER_ENV: "anna", auth.HASH_ENV: auth.hash_password("x")})
    assert account.check("anna", "x") and not account.check("bo", "x") and not account.check("anna", "y")


def test_session_cookies_are_signed_expire_and_end():
    sessions = auth.Sessions(secret=b"k" * 32, hours=1)
    token, session = sessions.start("anna")
    assert sessions.read(token) == session
    body, mac = token.split(".")
    assert sessions.read(body + "." + mac[:-2] + ("A" if mac[-2] != "A" else "B") + mac[-1]) is None
    assert sessions.read(token.replace(body, body[:-1] + ("A" if body[-1] != "A" else "B"))) is None
    assert auth.Sessions(secret=b"x" * 32).read(token) is None  # another key
    expired = auth.Sessions(secret=b"k" * 32, hours=-1)
    old, _ = expired.start("anna")
    assert sessions.read(old) is None
    sessions.end(session)
    assert sessions.read(token) is None


def test_csrf_tokens_must_match_the_session():
    sessions = auth.Sessions(secret=b"k" * 32)
    _token, session = sessions.start("anna")
    assert auth.csrf_ok(session, session.csrf)
    assert not auth.csrf_ok(session, session.csrf[:-1])
    assert not auth.csrf_ok(session, None)
    assert not auth.csrf_ok(None, session.csrf)
    cookie, form = sessions.login_token()
    assert sessions.check_login_token(cookie, form)
    assert not sessions.check_login_token(cookie, form + "x")
    assert not sessions.check_login_token(sessions.start("anna")[0], session.csrf)  # a session is not a login token


def test_failed_sign_ins_are_throttled():
    throttle = auth.Throttle(limit=3, window=60)
    for _ in range(3):
        assert not throttle.blocked("1.2.3.4")
        throttle.failed("1.2.3.4")
    assert throttle.blocked("1.2.3.4")
    assert not throttle.blocked("5.6.7.8")
    throttle.succeeded("1.2.3.4")
    assert not throttle.blocked("1.2.3.4")
