"""The citizen's answer page: ``/f/<token>`` asks "Var brevet let at forstå?" (1-5 and an
optional sentence) and stores one answer per letter.

Mounted in the studio (``brevgen studio``) and the HTTP service (``brevgen serve``); put only
``/f/`` of one of them on the public internet, behind HTTPS. The page is plain HTML that
works without JavaScript, in Danish, with its own small stylesheet at ``/f/stil.css``.

What is stored: the version (the full hash when it is a published version), the letter's event
and variant, the score, the sentence with anything shaped like a CPR number removed
(:func:`brevgen.feedback.scrub`), and the time. Not stored: the token, the client's address,
anything else about the person. One answer per letter (a second one is refused, 409); a
forged or mistyped token is refused (404); each client may send ``limit`` answers (and open
``limit`` links that do not work) within ``window`` seconds (429). ``BREVGEN_FEEDBACK_LIMIT``
sets the limit (default 20 per 10 minutes; raise it when many citizens share one address, or
when the service sits behind a proxy that hides their addresses).
"""

from __future__ import annotations

import os
import threading
import time
import urllib.parse
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from . import events as event_registry
from .feedback import MAX_COMMENT, Token, read_token, scrub, secret_from_env, variant_code

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

SCALE = (
    (1, "Meget svært"),
    (2, "Svært"),
    (3, "Hverken let eller svært"),
    (4, "Let"),
    (5, "Meget let"),
)

CSS = """
:root { font-family: "Noto Sans", system-ui, sans-serif; color: #1a1a1a; background: #fff; line-height: 1.5; }
body { margin: 0 auto; max-width: 38rem; padding: 1.5rem 1rem 3rem; font-size: 1.125rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 1rem; }
fieldset { border: 0; padding: 0; margin: 0 0 1.5rem; }
legend { font-weight: 700; margin-bottom: .5rem; }
.choice { display: flex; align-items: center; gap: .6rem; padding: .35rem 0; }
.choice input { width: 1.4rem; height: 1.4rem; margin: 0; }
label[for=kommentar] { display: block; font-weight: 700; margin-bottom: .25rem; }
.hint { color: #454545; margin: 0 0 .5rem; }
textarea { width: 100%; box-sizing: border-box; min-height: 6rem; font: inherit; padding: .5rem; border: 2px solid #454545; border-radius: 4px; }
button { font: inherit; font-weight: 700; color: #fff; background: #0b5394; border: 0; border-radius: 4px; padding: .7rem 1.4rem; margin-top: 1rem; cursor: pointer; }
button:hover { background: #073763; }
:focus-visible { outline: 3px solid #b35900; outline-offset: 2px; }
.notice { border-left: 6px solid #0b5394; background: #eef4fa; padding: .75rem 1rem; }
.error { border-left-color: #a4000f; background: #fdf0f0; }
"""

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the form's
    # POST, which the origin check must refuse. The page links nowhere else, so the token stays.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = f"""<!DOCTYPE html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{escape(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/f/stil.css">
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def _form(token: str, error: str | None = None, score: int | None = None, comment: str = "") -> str:
    choices = "\n".join(
        f'<div class="choice"><input type="radio" id="svar-{n}" name="svar" value="{n}" required{" checked" if score == n else ""}>'
        f'<label for="svar-{n}">{n} – {escape(label)}</label></div>'
        for n, label in SCALE
    )
    alert = f'<p class="notice error" role="alert">{escape(error)}</p>\n' if error else ""
    return f"""<h1>Var brevet let at forstå?</h1>
<p>Dit svar hjælper os med at skrive brevene, så de er lette at forstå. Vi kan ikke se, hvem du er.</p>
{alert}<form method="post" action="/f/{escape(token, quote=True)}">
<fieldset>
<legend>Hvor let var brevet at forstå?</legend>
{choices}
</fieldset>
<label for="kommentar">Vil du fortælle os mere? (kan udelades)</label>
<p class="hint" id="kommentar-hjaelp">Skriv ikke dit CPR-nummer, navn eller andre personlige oplysninger.</p>
<textarea id="kommentar" name="kommentar" maxlength="{MAX_COMMENT}" aria-describedby="kommentar-hjaelp">{escape(comment)}</textarea>
<button type="submit">Send svar</button>
</form>
"""


def _same_origin(request: Request) -> bool:
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent or sent == "null":
        return sent is None
    return urllib.parse.urlsplit(sent).netloc == request.headers.get("host", request.url.netloc)


class _Limit:
    """At most ``limit`` events per client within ``window`` seconds."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self._seen: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> bool:
        now = time.time()
        with self._lock:
            recent = [t for t in self._seen.get(key, []) if now - t < self.window]
            if len(recent) >= self.limit:
                self._seen[key] = recent
                return False
            recent.append(now)
            self._seen[key] = recent
            if len(self._seen) > 50_000:
                self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < self.window}
            return True


LIMIT_ENV = "BREVGEN_FEEDBACK_LIMIT"


def feedback_router(store: Callable[[], Store | None], secret: bytes | None = None, limit: int | None = None, window: float = 600) -> APIRouter:
    """The answer page's routes. ``store`` gives the database (None: feedback is off);
    ``secret`` defaults to BREVGEN_FEEDBACK_SECRET, ``limit`` to BREVGEN_FEEDBACK_LIMIT or 20."""
    if limit is None:
        limit = int(os.environ.get(LIMIT_ENV, "") or 20)
    router = APIRouter()
    limiter = _Limit(limit, window)
    variants: dict[str, tuple[str, str]] = {}

    def key_of() -> bytes | None:
        return secret if secret is not None else secret_from_env()

    def client(request: Request) -> str:
        return request.client.host if request.client else "?"

    def known(code: str) -> tuple[str, str]:
        if not variants:
            for e in event_registry.all_events():
                for v in e.variants():
                    variants[variant_code(e.name, v).hex()] = (e.name, v)
        return variants.get(code, ("ukendt", f"kode {code}"))

    def check(request: Request, token: str) -> tuple[Store, Token] | HTMLResponse:
        key, db = key_of(), store()
        if key is None or db is None:
            return _page("Siden findes ikke", '<h1>Siden findes ikke</h1>\n<p>Der tages ikke imod svar her.</p>', 404)
        found = read_token(key, token)
        if found is None:
            if not limiter.take(client(request)):
                return _too_many()
            return _page(
                "Linket virker ikke",
                "<h1>Linket virker ikke</h1>\n<p class=\"notice error\">Tjek, at du har skrevet adressen rigtigt. "
                "Den står nederst i brevet. Store og små bogstaver er lige meget.</p>",
                404,
            )
        return db, found

    @router.get("/f/stil.css", include_in_schema=False)
    async def stylesheet():
        return Response(CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})

    @router.get("/f/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def ask(request: Request, token: str):
        import anyio

        checked = check(request, token)
        if isinstance(checked, Response):
            return checked
        db, found = checked

        def answered() -> bool:
            with db.read() as tx:
                return tx.feedback_answered(found.letter_key)

        if await anyio.to_thread.run_sync(answered):
            return _thanks(already=True)
        return _page("Var brevet let at forstå?", _form(token))

    @router.post("/f/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def answer(request: Request, token: str):
        import anyio

        if not _same_origin(request):
            return _page("Svaret er afvist", "<h1>Svaret er afvist</h1>\n<p>Svaret kom fra en anden side.</p>", 403)
        if not limiter.take(client(request)):
            return _too_many()
        checked = check(request, token)
        if isinstance(checked, Response):
            return checked
        db, found = checked
        raw = await request.body()
        if len(raw) > 8000:
            return _page("For langt svar", "<h1>Svaret er for langt</h1>", 413)
        fields = urllib.parse.parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True)
        score_text = (fields.get("svar") or [""])[0]
        comment = (fields.get("kommentar") or [""])[0]
        if score_text not in {"1", "2", "3", "4", "5"}:
            return _page("Var brevet let at forstå?", _form(token, "Vælg et svar fra 1 til 5.", comment=comment), 422)
        event, variant = known(found.variant_code)
        cleaned = scrub(comment)

        def store_answer() -> bool:
            with db.read() as tx:
                matches = tx.versions_by_prefix(found.version_prefix)
            version, number = (matches[0].hash, matches[0].number) if len(matches) == 1 else (found.version_prefix, None)
            with db.write() as tx:
                return tx.add_feedback(found.letter_key, version, number, event, variant, int(score_text), cleaned)

        if not await anyio.to_thread.run_sync(store_answer):
            return _thanks(already=True, status=409)
        return _thanks(already=False)

    return router


def _thanks(already: bool, status: int = 200) -> HTMLResponse:
    if already:
        return _page("Tak", "<h1>Vi har allerede fået dit svar</h1>\n<p>Der kan kun svares én gang på hvert brev. Tak for hjælpen.</p>", status)
    return _page("Tak for dit svar", "<h1>Tak for dit svar</h1>\n<p>Vi bruger svarene til at gøre brevene lettere at forstå.</p>", status)


def _too_many() -> HTMLResponse:
    response = _page("For mange svar", "<h1>For mange forsøg</h1>\n<p>Vent lidt, og prøv igen.</p>", 429)
    response.headers["Retry-After"] = "600"
    return response


def configured_store_getter() -> Callable[[], Any]:
    """The configured database, opened on first use (None when there is none)."""

    def get():
        from .store.settings import configured

        if not configured():
            return None
        from .store import configured_store

        return configured_store()

    return get
