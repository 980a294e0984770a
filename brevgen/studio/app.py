"""The template studio's web app (FastAPI): pages in Danish, a JSON API for the live editor.

Pages (sign-in needed for all but /login):

- ``GET  /``                               every letter with its variants, lint status and LIX
- ``GET  /brev/{event}``                   editor, live preview and checks for one letter
- ``POST /brev/{event}/pdf``               the selected variant as PDF, with the unsaved edits
- ``GET  /login``, ``POST /login``, ``POST /log-ud``

JSON API used by the editor (every call a POST with the CSRF token in ``X-CSRF-Token``):

- ``/api/brev/{event}/forhaandsvisning``   one variant: preview HTML, findings, LIX, checklist
- ``/api/brev/{event}/varianter``          every variant compared with the saved version, branches
- ``/api/brev/{event}/aendringer``         side-by-side text diff of every affected example
- ``/api/brev/{event}/gem``                save (atomic writes), refused on any problem

Errors are ``application/problem+json`` with a Danish ``detail``, as in brevgen's HTTP service.
Everything the page loads is served from here (``/static/`` and the letters' own stylesheets
and fonts under ``/brevfiler/``); the Content-Security-Policy allows nothing else, no inline
script or style, and no framing of the studio.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import auth
from .engine import Draft, StudioError, Workspace

HERE = Path(__file__).resolve().parent
MAX_BODY = 2_000_000  # a draft is a few templates of ~10 kB; room for all of them

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
PROBLEM = "application/problem+json"


def _number(value: Any, digits: int = 1) -> str:
    """24.4 -> '24,4' (Danish decimal comma)."""
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


def _pages() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "pages"), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["tal"] = _number
    return env


def _json_for_script(data: Any) -> str:
    """JSON that is safe inside <script type="application/json"> (no '</script>' can end it)."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def problem(status: int, detail: str, title: str | None = None, code: str | None = None) -> JSONResponse:
    titles = {400: "Forkert kald", 401: "Log ind først", 403: "Ikke tilladt", 404: "Findes ikke", 409: "Ændret af en anden", 413: "For stor", 422: "Kan ikke gemmes", 500: "Fejl i studiet"}
    body = {"type": "urn:brevgen:problem:studio", "title": title or titles.get(status, "Fejl"), "status": status, "detail": detail}
    if code:
        body["code"] = code
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def create_app(
    templates: Path | None = None,
    *,
    account: auth.Account | None = None,
    sessions: auth.Sessions | None = None,
    examples: Path | None = None,
    warm: bool = False,
) -> FastAPI:
    """The studio for one template folder. ``account`` defaults to the one in the environment;
    ``warm`` composes every saved example in the background at once, so the first page is quick."""
    from .engine import use_templates

    root = use_templates(templates)
    workspace = Workspace(root, examples)
    if warm:
        import threading

        threading.Thread(target=workspace.baseline, name="studio-warm-up", daemon=True).start()
    account = account or auth.account_from_env()
    sessions = sessions or auth.Sessions()
    throttle = auth.Throttle()
    pages = _pages()

    app = FastAPI(title="brevgen skabelonstudie", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.workspace = workspace
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            response: Response = problem(413, "Forespørgslen er for stor.")
        elif request.method == "POST" and not _same_origin(request):
            response = problem(403, "Forespørgslen kommer fra en anden side. Den er afvist.")
        else:
            response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if not request.url.path.startswith(("/static/", "/brevfiler/")):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(StudioError)
    async def studio_error(request: Request, exc: StudioError):
        if request.url.path.startswith("/api/"):
            return problem(exc.status, exc.message)
        return _page(request, "error.html", {"title": "Fejl", "message": exc.message}, status=exc.status)

    # -- helpers ---------------------------------------------------------------------------

    def session_of(request: Request) -> auth.Session | None:
        return sessions.read(request.cookies.get(auth.SESSION_COOKIE))

    def _page(request: Request, name: str, context: dict, status: int = 200, session: auth.Session | None = None) -> HTMLResponse:
        session = session or session_of(request)
        html = pages.get_template(name).render(
            **context, user=session.user if session else None, csrf=session.csrf if session else None, path=request.url.path
        )
        return HTMLResponse(html, status_code=status)

    def login_redirect(request: Request) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urllib.parse.urlencode({"naeste": target}), status_code=303)

    async def api_session(request: Request) -> auth.Session:
        session = session_of(request)
        if session is None:
            raise _Refused(problem(401, "Du er ikke logget ind, eller din session er udløbet. Log ind igen.", code="login"))
        if not auth.csrf_ok(session, request.headers.get("x-csrf-token")):
            raise _Refused(problem(403, "Siden er for gammel (sikkerhedsnøglen passer ikke). Genindlæs siden.", code="csrf"))
        return session

    async def api_body(request: Request) -> dict:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            raise _Refused(problem(400, "Forespørgslen er ikke gyldig JSON.")) from None
        if not isinstance(body, dict):
            raise _Refused(problem(400, "Forespørgslen skal være et JSON-objekt."))
        return body

    def draft_of(body: dict) -> Draft:
        files = body.get("files") or {}
        regime = body.get("regime") or []
        if not isinstance(files, dict) or not isinstance(regime, list):
            raise StudioError("Forkert kald: files skal være et objekt og regime en liste.")
        return workspace.draft(files, regime)

    @app.exception_handler(_Refused)
    async def refused(request: Request, exc: _Refused):
        return exc.response

    # -- sign in ---------------------------------------------------------------------------

    @app.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, naeste: str = "/"):
        cookie, token = sessions.login_token()
        response = _page(request, "login.html", {"title": "Log ind", "token": token, "next": _local(naeste), "configured": account is not None, "error": None})
        response.set_cookie(auth.LOGIN_COOKIE, cookie, httponly=True, samesite="strict", secure=request.url.scheme == "https", max_age=3600)
        return response

    @app.post("/login")
    async def login(request: Request):
        form = await _form(request)
        user, password = form.get("brugernavn", ""), form.get("adgangskode", "")
        target = _local(form.get("naeste", "/"))
        client = request.client.host if request.client else "?"

        def again(message: str, status: int) -> HTMLResponse:
            cookie, token = sessions.login_token()
            response = _page(request, "login.html", {"title": "Log ind", "token": token, "next": target, "configured": account is not None, "error": message, "user_name": user}, status=status)
            response.set_cookie(auth.LOGIN_COOKIE, cookie, httponly=True, samesite="strict", secure=request.url.scheme == "https", max_age=3600)
            return response

        if not sessions.check_login_token(request.cookies.get(auth.LOGIN_COOKIE), form.get("csrf_token")):
            return again("Siden var for gammel. Prøv igen.", 403)
        if account is None:
            return again("Der er ingen bruger sat op til studiet. Se vejledningen herunder.", 403)
        if throttle.blocked(client):
            return again("For mange forkerte forsøg. Vent 10 minutter, og prøv igen.", 429)
        ok = await anyio.to_thread.run_sync(account.check, user, password)
        if not ok:
            throttle.failed(client)
            return again("Forkert brugernavn eller adgangskode.", 401)
        throttle.succeeded(client)
        token, _session = sessions.start(user)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(auth.SESSION_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https", max_age=int(sessions.lifetime))
        response.delete_cookie(auth.LOGIN_COOKIE)
        return response

    @app.post("/log-ud")
    async def logout(request: Request):
        session = session_of(request)
        form = await _form(request)
        if session is not None and auth.csrf_ok(session, form.get("csrf_token")):
            sessions.end(session)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(auth.SESSION_COOKIE)
        return response

    # -- pages -----------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    async def overview(request: Request):
        session = session_of(request)
        if session is None:
            return login_redirect(request)
        events = await anyio.to_thread.run_sync(workspace.overview)
        return _page(request, "overview.html", {"title": "Oversigt", "events": events}, session=session)

    @app.get("/brev/{event}", response_class=HTMLResponse)
    async def editor(request: Request, event: str, variant: str | None = None, fil: str | None = None):
        session = session_of(request)
        if session is None:
            return login_redirect(request)
        data = await anyio.to_thread.run_sync(lambda: _editor_data(workspace, event, variant, fil))
        context = {
            "title": data["title"],
            "event": data,
            "data_json": _json_for_script(data),
        }
        return _page(request, "editor.html", context, session=session)

    @app.post("/brev/{event}/pdf")
    async def pdf(request: Request, event: str):
        session = session_of(request)
        form = await _form(request)
        if session is None:
            return login_redirect(request)
        if not auth.csrf_ok(session, form.get("csrf_token")):
            raise StudioError("Siden er for gammel (sikkerhedsnøglen passer ikke). Genindlæs siden.", 403)
        try:
            body = json.loads(form.get("kladde") or "{}")
        except json.JSONDecodeError:
            raise StudioError("Forkert kald: kladden er ikke gyldig JSON.") from None
        draft = draft_of(body if isinstance(body, dict) else {})
        data = await anyio.to_thread.run_sync(workspace.pdf, event, form.get("variant") or None, draft)
        name = f"{event}-{form.get('variant') or 'eksempel'}.pdf".replace('"', "")
        return Response(data, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})

    @app.get("/brevfiler/{name:path}")
    async def letter_file(name: str):
        return FileResponse(workspace.letter_asset(name), headers={"Cache-Control": "no-cache"})

    # -- API -------------------------------------------------------------------------------

    @app.get("/api/sikkerhedsnoegle")
    async def api_csrf(request: Request):
        """The session's CSRF token, for an open editor after signing in again in another tab.
        Only this origin can read it (no CORS), and it is JSON, never executable as a script."""
        session = session_of(request)
        if session is None:
            return problem(401, "Du er ikke logget ind, eller din session er udløbet. Log ind igen.", code="login")
        return {"csrf": session.csrf}

    @app.post("/api/brev/{event}/forhaandsvisning")
    async def api_preview(request: Request, event: str):
        await api_session(request)
        body = await api_body(request)
        return await anyio.to_thread.run_sync(lambda: workspace.preview(event, body.get("variant") or None, draft_of(body)))

    @app.post("/api/brev/{event}/varianter")
    async def api_variants(request: Request, event: str):
        await api_session(request)
        body = await api_body(request)
        return await anyio.to_thread.run_sync(lambda: workspace.variants_report(event, draft_of(body)))

    @app.post("/api/brev/{event}/aendringer")
    async def api_diff(request: Request, event: str):
        await api_session(request)
        body = await api_body(request)
        return await anyio.to_thread.run_sync(lambda: workspace.diff(draft_of(body)))

    @app.post("/api/brev/{event}/gem")
    async def api_save(request: Request, event: str):
        await api_session(request)
        body = await api_body(request)
        base = body.get("base") or {}
        if not isinstance(base, dict):
            raise StudioError("Forkert kald: base skal være et objekt.")
        try:
            return await anyio.to_thread.run_sync(lambda: workspace.save(event, draft_of(body), base))
        except StudioError as exc:
            if exc.status == 400 and exc.message.startswith("Skabelonen kan ikke gemmes"):
                return problem(422, exc.message)
            raise

    return app


class _Refused(Exception):
    def __init__(self, response: Response):
        self.response = response


def _same_origin(request: Request) -> bool:
    """A POST must come from the studio's own pages (Origin or, failing that, Referer)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent or sent == "null":
        return sent is None  # no header at all (a non-browser client); CSRF tokens still apply
    parsed = urllib.parse.urlsplit(sent)
    return parsed.netloc == request.headers.get("host", request.url.netloc)


def _local(target: str) -> str:
    """Only a path on this site may follow the sign-in (no open redirect)."""
    parsed = urllib.parse.urlsplit(target or "/")
    if parsed.scheme or parsed.netloc or not parsed.path.startswith("/") or parsed.path.startswith("//"):
        return "/"
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form (no multipart: the studio's forms send none)."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise StudioError("Forespørgslen er for stor.", 413)
    fields = urllib.parse.parse_qs(raw.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {k: v[0] for k, v in fields.items()}


def _editor_data(workspace: Workspace, event: str, variant: str | None, selected_file: str | None) -> dict:
    info = workspace.events().get(event)
    if info is None:
        raise StudioError(f"Brevtypen '{event}' findes ikke.", 404)
    chosen = workspace.variant(event, variant)
    names = workspace.files_of(event)
    files = []
    for name in names:
        label = "Brevets skabelon" if name == info.name else "Fælles del"
        files.append({"name": name, "label": label, "source": workspace.read(name), "digest": workspace.file_digest(name)})
    return {
        "event": event,
        "title": workspace.event_title(event),
        "template": info.name,
        "version": info.version,
        "variant": chosen.key,
        "variants": [v.as_dict() for v in workspace.variants(event)],
        "files": files,
        "file": selected_file if selected_file in names else info.name,
        "regimes_digest": workspace.file_digest("regimes.yml"),
        "reference": workspace.field_reference(event),
    }


def serve(host: str = "127.0.0.1", port: int = 8100, templates: Path | None = None, log_level: str = "info") -> None:
    """Run the studio (``brevgen studio``) until stopped."""
    import uvicorn

    from .engine import log_config

    app = create_app(templates, warm=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, log_config=log_config(log_level), proxy_headers=False, server_header=False)


__all__ = ["create_app", "serve"]
