"""Citizen feedback on a letter: the short link a letter prints, and what may be stored from an answer.

When ``BREVGEN_FEEDBACK_URL`` is set (the public address where answers are taken, such as
``https://brev.kommune.dk``), every letter ends with "Var brevet let at forstå? Svar på
<link>", from the template partial ``partials/tilbagemelding.md``. Without it nothing is
added, so letters stay byte for byte as they were.

The link is ``<base>/f/<token>``. The token is 16 bytes written in Crockford's base32 (26
characters in groups of five, so a person can type it from paper; case, dashes and the
look-alikes O/0 and I/L/1 do not matter):

==========  =====  ===================================================================
part        bytes  what
==========  =====  ===================================================================
version     4      the first 8 hex digits of the template set version
variant     3      SHA-256 of ``"<event>/<variant>"`` (the kind of letter), truncated
nonce       5      HMAC of the version, event, variant and the case data hash: one per
                   letter, and the same when the same letter is made again
signature   4      HMAC-SHA256 over the 12 bytes above, truncated
==========  =====  ===================================================================

So a token holds no CPR number, name or case number, and none can be read back from it: the
data hash goes in only through a keyed HMAC. ``BREVGEN_FEEDBACK_SECRET`` is the key; the same
key must be kept for as long as answers may come in, and the same key and URL make the same
letter byte for byte again. A forged or mistyped token fails the 32-bit signature.

Free text is cleaned by :func:`scrub` before it is stored: anything shaped like a CPR number
(also written with spaces or dots) is removed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from . import cpr
from .errors import UsageError

URL_ENV = "BREVGEN_FEEDBACK_URL"
SECRET_ENV = "BREVGEN_FEEDBACK_SECRET"
PARTIAL = "partials/tilbagemelding.md"
PATH = "/f/"

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_DECODE = {c: i for i, c in enumerate(_ALPHABET)} | {"O": 0, "I": 1, "L": 1}
_TOKEN_BYTES = 16
_TOKEN_CHARS = 26
_GROUPS = (5, 5, 5, 5, 6)
_DOMAIN = b"brevgen-feedback-1\0"
REMOVED = "[fjernet]"
MAX_COMMENT = 500


@dataclass(frozen=True)
class Settings:
    base_url: str
    secret: bytes


def settings(environ: dict[str, str] | None = None) -> Settings | None:
    """The feedback settings, or None when no feedback address is configured."""
    env = os.environ if environ is None else environ
    base = env.get(URL_ENV, "").strip().rstrip("/")
    if not base:
        return None
    secret = env.get(SECRET_ENV, "").strip()
    if len(secret) < 16:
        raise UsageError(f"{URL_ENV} er sat, men {SECRET_ENV} mangler eller er for kort (mindst 16 tegn)")
    if not base.startswith("https://"):
        raise UsageError(f"{URL_ENV} skal begynde med https:// (fik {base[:60]!r})")
    return Settings(base, secret.encode("utf-8"))


def secret_from_env(environ: dict[str, str] | None = None) -> bytes | None:
    """Only the key (the answer page needs it, the address is its own)."""
    env = os.environ if environ is None else environ
    secret = env.get(SECRET_ENV, "").strip()
    return secret.encode("utf-8") if len(secret) >= 16 else None


def variant_code(event: str, variant: str) -> bytes:
    return hashlib.sha256(f"{event}/{variant}".encode()).digest()[:3]


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, _DOMAIN + payload, hashlib.sha256).digest()[:4]


def _b32(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    chars = []
    for _ in range(_TOKEN_CHARS):
        chars.append(_ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def _group(text: str) -> str:
    out, pos = [], 0
    for size in _GROUPS:
        out.append(text[pos : pos + size])
        pos += size
    return "-".join(out)


def make_token(secret: bytes, version: str, event: str, variant: str, data_sha256: str) -> str:
    """The letter's token, grouped for reading (``7QKDM-2PA9T-...``)."""
    head = bytes.fromhex(version[:8]) + variant_code(event, variant)
    nonce = hmac.new(secret, b"nonce\0" + f"{version}\0{event}\0{variant}\0{data_sha256}".encode(), hashlib.sha256).digest()[:5]
    payload = head + nonce
    return _group(_b32(payload + _mac(secret, payload)))


@dataclass(frozen=True)
class Token:
    """What a valid token says: the version prefix, the variant code and the letter's key."""

    version_prefix: str  # 8 hex digits
    variant_code: str  # 6 hex digits
    letter_key: str  # 24 hex digits: version, variant and nonce; one answer per key


def read_token(secret: bytes, text: str) -> Token | None:
    """The token's contents, or None when it is malformed or its signature does not match."""
    cleaned = re.sub(r"[\s-]", "", text or "").upper()
    if len(cleaned) != _TOKEN_CHARS:
        return None
    number = 0
    for char in cleaned:
        value = _DECODE.get(char)
        if value is None:
            return None
        number = number * 32 + value
    if number >> (8 * _TOKEN_BYTES):
        return None
    data = number.to_bytes(_TOKEN_BYTES, "big")
    payload, mac = data[:12], data[12:]
    if not hmac.compare_digest(mac, _mac(secret, payload)):
        return None
    return Token(payload[:4].hex(), payload[4:7].hex(), payload.hex())


def link(settings: Settings, version: str, event: str, variant: str, data_sha256: str) -> str:
    return settings.base_url + PATH + make_token(settings.secret, version, event, variant, data_sha256)


# --- free text ---------------------------------------------------------------------------------

# Ten digits, with or without spaces, dots, dashes or slashes between them ("0102031234",
# "010203-1234", "01 02 03 1234", "01.02.03-1234").
_TEN_DIGITS = re.compile(r"(?<![\d])\d(?:[ \t.\-/]?\d){9}(?![\d])")


def looks_like_cpr(digits: str) -> bool:
    """The project's CPR detector (brevgen.cpr), on a run of digits."""
    return cpr.contains(digits)


def scrub(text: str | None) -> str | None:
    """The citizen's sentence as it may be stored: trimmed, at most 500 characters, and every
    CPR-shaped number removed (also one written with spaces or dots between the digits)."""
    if text is None:
        return None
    text = " ".join(text.split())[:MAX_COMMENT]
    # Every spelling the project's detector knows (any dash, spaces, dots, slashes) ...
    text = cpr.redact(text).replace(cpr.REDACTED, REMOVED)

    # ... and any ten digits that form a CPR number, whatever stands between them.
    def remove(match: re.Match) -> str:
        return REMOVED if looks_like_cpr(re.sub(r"\D", "", match.group(0))) else match.group(0)

    return _TEN_DIGITS.sub(remove, text) or None
