"""The template studio's web app (FastAPI): pages in Danish, a JSON API for the live editor.

Pages (sign-in needed for all but /login and the citizens' /f/):

- ``GET  /``                               the version citizens get now, open drafts, every letter
                                           with its variants, lint status and LIX
- ``GET  /brev/{event}[?kladde=N]``        editor, live preview and checks for one letter, on a
                                           draft (or on the newest version: saving makes a draft)
- ``POST /brev/{event}/pdf``               the selected variant as PDF, with the unsaved edits
- ``/kladder``, ``/kladder/{id}``          drafts: review, approve, publish (see ``lifecycle_pages``)
- ``/versioner``, ``/log``, ``/brugere``, ``/tilbagemeldinger``: versions, audit log, users, feedback
- ``GET  /login``, ``POST /login``, ``POST /log-ud``
- ``GET|POST /f/{token}``                  the citizen's answer page (brevgen.feedback_web)
- ``/breve``, ``/breve/profil``, ``/breve/{event}``: the caseworker desk (brevgen.desk.routes)

JSON API used by the editor (every call a POST with the CSRF token in ``X-CSRF-Token``; the
body's ``kladde`` names the draft, none: the newest published version):

- ``/api/brev/{event}/forhaandsvisning``   one variant: preview HTML, findings, LIX, checklist
- ``/api/brev/{event}/varianter``          every variant compared with the saved version, branches
- ``/api/brev/{event}/aendringer``         side-by-side text diff of every affected example
- ``/api/brev/{event}/gem``                save into the draft (a new draft when none is named),
                                           refused on any problem or when someone saved since

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
from .workflow import Actor, LifecycleError, Store, StoreError, Studio, open_store

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
    titles = {400: "Forkert kald", 401: "Log ind først", 403: "Ikke tilladt", 404: "Findes ikke", 409: "Ændret af en anden", 413: "For stor", 422: "Kan ikke gemmes", 429: "For mange forsøg", 500: "Fejl i studiet"}
    body = {"type": "urn:brevgen:problem:studio", "title": title or titles.get(status, "Fejl"), "status": status, "detail": detail}
    if code:
        body["code"] = code
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def create_app(
    templates: Path | None = None,
    *,
    store: Store | None = None,
    sessions: auth.Sessions | None = None,
    examples: Path | None = None,
    warm: bool = False,
    feedback_secret: bytes | None = None,
    feedback_limit: int | None = None,
) -> FastAPI:
    """The studio over one working template folder and one store (default: BREVGEN_DATABASE_URL,
    else the SQLite file in the data folder, made on first start). ``warm`` composes the
    newest version's examples in the background at once, so the first page is quick."""
    from ..feedback_web import feedback_router
    from .engine import use_templates

    root = use_templates(templates)
    store = store or open_store()
    studio = Studio(store, root, examples)
    if warm:
        import threading

        threading.Thread(target=lambda: studio.base_workspace()[0].baseline(), name="studio-warm-up", daemon=True).start()
    sessions = sessions or auth.Sessions(store)
    throttle = auth.Throttle()
    pages = _pages()

    app = FastAPI(title="brevgen skabelonstudie", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.studio = studio
    app.state.store = store
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(feedback_router(lambda: store, secret=feedback_secret, limit=feedback_limit))

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
        if not request.url.path.startswith(("/static/", "/brevfiler/", "/f/stil.css")):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(StudioError)
    async def studio_error(request: Request, exc: StudioError):
        if request.url.path.startswith("/api/"):
            return problem(exc.status, exc.message)
        return _page(request, "error.html", {"title": "Fejl", "message": exc.message}, status=exc.status)

    @app.exception_handler(LifecycleError)
    async def lifecycle_error(request: Request, exc: LifecycleError):
        if request.url.path.startswith("/api/"):
            return problem(exc.status, exc.message, code="lifecycle")
        return _page(request, "error.html", {"title": "Ikke tilladt", "message": exc.message}, status=exc.status)

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError):
        if request.url.path.startswith("/api/"):
            return problem(exc.status, exc.message)
        return _page(request, "error.html", {"title": "Fejl", "message": exc.message}, status=exc.status)

    # -- helpers ---------------------------------------------------------------------------

    def session_of(request: Request) -> auth.Session | None:
        return sessions.read(request.cookies.get(auth.SESSION_COOKIE))

    def _page(request: Request, name: str, context: dict, status: int = 200, session: auth.Session | None = None) -> HTMLResponse:
        session = session or session_of(request)
        html = pages.get_template(name).render(
            **context,
            user=session.user if session else None,
            roles=session.roles if session else frozenset(),
            csrf=session.csrf if session else None,
            path=request.url.path,
        )
        return HTMLResponse(html, status_code=status)

    def login_redirect(request: Request) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urllib.parse.urlencode({"naeste": target}), status_code=303)

    async def api_session(request: Request) -> auth.Session:
        session = await anyio.to_thread.run_sync(session_of, request)
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

    def draft_id_of(value: Any) -> int | None:
        if value in (None, "", "null"):
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise StudioError("Forkert kald: kladde skal være et tal.") from None
        if number < 1:
            raise StudioError("Forkert kald: kladde skal være et tal.")
        return number

    def workspace_of(body: dict) -> Workspace:
        return studio.context(draft_id_of(body.get("kladde"))).workspace

    def draft_of(workspace: Workspace, body: dict) -> Draft:
        files = body.get("files") or {}
        regime = body.get("regime") or []
        if not isinstance(files, dict) or not isinstance(regime, list):
            raise StudioError("Forkert kald: files skal være et objekt og regime en liste.")
        return workspace.draft(files, regime)

    def actor_of(session: auth.Session) -> Actor:
        return Actor(session.user, frozenset(session.roles))

    @app.exception_handler(_Refused)
    async def refused(request: Request, exc: _Refused):
        return exc.response

    # -- sign in ---------------------------------------------------------------------------

    def login_page(request: Request, target: str, error: str | None, status: int, user_name: str = "") -> HTMLResponse:
        cookie, token = sessions.login_token()
        context = {"title": "Log ind", "token": token, "next": target, "configured": studio.has_users(), "error": error, "user_name": user_name}
        response = _page(request, "login.html", context, status=status)
        response.set_cookie(auth.LOGIN_COOKIE, cookie, httponly=True, samesite="strict", secure=request.url.scheme == "https", max_age=3600)
        return response

    @app.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, naeste: str = "/"):
        return await anyio.to_thread.run_sync(lambda: login_page(request, _local(naeste), None, 200))

    @app.post("/login")
    async def login(request: Request):
        form = await _form(request)
        name, password = form.get("brugernavn", ""), form.get("adgangskode", "")
        target = _local(form.get("naeste", "/"))
        client = request.client.host if request.client else "?"

        def again(message: str, status: int) -> HTMLResponse:
            return login_page(request, target, message, status, name)

        if not sessions.check_login_token(request.cookies.get(auth.LOGIN_COOKIE), form.get("csrf_token")):
            return await anyio.to_thread.run_sync(again, "Siden var for gammel. Prøv igen.", 403)
        if not await anyio.to_thread.run_sync(studio.has_users):
            return await anyio.to_thread.run_sync(again, "Der er ingen brugere i studiet endnu. Se vejledningen herunder.", 403)
        if throttle.blocked(client):
            return await anyio.to_thread.run_sync(again, "For mange forkerte forsøg. Vent 10 minutter, og prøv igen.", 429)
        user = await anyio.to_thread.run_sync(sessions.authenticate, name, password)
        if user is None:
            throttle.failed(client)
            return await anyio.to_thread.run_sync(again, "Forkert brugernavn eller adgangskode.", 401)
        throttle.succeeded(client)
        token, _session = await anyio.to_thread.run_sync(sessions.start, user)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(auth.SESSION_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https", max_age=int(sessions.lifetime))
        response.delete_cookie(auth.LOGIN_COOKIE)
        return response

    @app.post("/log-ud")
    async def logout(request: Request):
        session = await anyio.to_thread.run_sync(session_of, request)
        form = await _form(request)
        if session is not None and auth.csrf_ok(session, form.get("csrf_token")):
            await anyio.to_thread.run_sync(sessions.end, session)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(auth.SESSION_COOKIE)
        return response

    # -- pages -----------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    async def overview(request: Request):
        session = await anyio.to_thread.run_sync(session_of, request)
        if session is None:
            return login_redirect(request)
        if session.roles == {"caseworker"}:  # a caseworker writes letters, not templates
            return RedirectResponse("/breve", status_code=303)

        def gather() -> dict:
            workspace, base = studio.base_workspace()
            drafts = studio.lifecycle.drafts()
            events = workspace.overview()
            if base.version is not None:  # the folder is a copy made from the database: its files' times say nothing
                published = base.version.published_at.strftime("%d.%m.%Y kl. %H.%M") + f" (version {base.version.number})"
                for ev in events:
                    ev["changed"] = published
            return {"title": "Oversigt", "events": events, "base": base, "drafts": drafts, "short": _short}

        context = await anyio.to_thread.run_sync(gather)
        return _page(request, "overview.html", context, session=session)

    @app.get("/brev/{event}", response_class=HTMLResponse)
    async def editor(request: Request, event: str, variant: str | None = None, fil: str | None = None, kladde: str | None = None):
        session = await anyio.to_thread.run_sync(session_of, request)
        if session is None:
            return login_redirect(request)
        actor = actor_of(session)

        def gather() -> dict:
            context = studio.context(draft_id_of(kladde))
            data = _editor_data(context.workspace, event, variant, fil)
            draft = context.draft
            editable = actor.can("author") and (draft is None or draft.state == "draft")
            why_not = None
            if not actor.can("author"):
                why_not = "Du kan se brevet og alle varianter, men kun en forfatter kan rette teksten."
            elif draft is not None and draft.state != "draft":
                why_not = "Kladden er sendt til godkendelse eller udgivet, så den kan ikke rettes. Træk den tilbage på kladdens side for at rette videre."
            stale = draft is not None and draft.state in ("draft", "review") and draft.base_hash != studio.lifecycle.current_base().hash
            data["draft"] = draft.id if draft else None
            data["revision"] = draft.revision if draft else None
            data["editable"] = editable
            return {
                "title": data["title"],
                "event": data,
                "data_json": _json_for_script(data),
                "draft": draft,
                "base": context.base,
                "why_not": why_not,
                "stale": stale,
                "short": _short,
            }

        context = await anyio.to_thread.run_sync(gather)
        return _page(request, "editor.html", context, session=session)

    @app.post("/brev/{event}/pdf")
    async def pdf(request: Request, event: str):
        session = await anyio.to_thread.run_sync(session_of, request)
        form = await _form(request)
        if session is None:
            return login_redirect(request)
        if not auth.csrf_ok(session, form.get("csrf_token")):
            raise StudioError("Siden er for gammel (sikkerhedsnøglen passer ikke). Genindlæs siden.", 403)
        try:
            body = json.loads(form.get("kladde") or "{}")
        except json.JSONDecodeError:
            raise StudioError("Forkert kald: kladden er ikke gyldig JSON.") from None
        body = body if isinstance(body, dict) else {}
        workspace = await anyio.to_thread.run_sync(lambda: studio.context(draft_id_of(form.get("kladde_id"))).workspace)
        draft = draft_of(workspace, body)
        data = await anyio.to_thread.run_sync(workspace.pdf, event, form.get("variant") or None, draft)
        name = f"{event}-{form.get('variant') or 'eksempel'}.pdf".replace('"', "")
        return Response(data, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})

    @app.get("/brevfiler/{name:path}")
    async def letter_file(name: str):
        # The letters' stylesheets and fonts: drafts edit texts, so the newest version's serve all.
        workspace = await anyio.to_thread.run_sync(lambda: studio.base_workspace()[0])
        return FileResponse(workspace.letter_asset(name), headers={"Cache-Control": "no-cache"})

    # -- API -------------------------------------------------------------------------------

    @app.get("/api/sikkerhedsnoegle")
    async def api_csrf(request: Request):
        """The session's CSRF token, for an open editor after signing in again in another tab.
        Only this origin can read it (no CORS), and it is JSON, never executable as a script."""
        session = await anyio.to_thread.run_sync(session_of, request)
        if session is None:
            return problem(401, "Du er ikke logget ind, eller din session er udløbet. Log ind igen.", code="login")
        return {"csrf": session.csrf}

    async def on_draft(request: Request, work) -> dict:
        """``work(workspace, draft, body)`` on the draft the request names, off the event loop."""
        await api_session(request)
        body = await api_body(request)

        def run() -> dict:
            workspace = workspace_of(body)
            return work(workspace, draft_of(workspace, body), body)

        return await anyio.to_thread.run_sync(run)

    @app.post("/api/brev/{event}/forhaandsvisning")
    async def api_preview(request: Request, event: str):
        return await on_draft(request, lambda workspace, draft, body: workspace.preview(event, body.get("variant") or None, draft))

    @app.post("/api/brev/{event}/varianter")
    async def api_variants(request: Request, event: str):
        return await on_draft(request, lambda workspace, draft, body: workspace.variants_report(event, draft))

    @app.post("/api/brev/{event}/aendringer")
    async def api_diff(request: Request, event: str):
        return await on_draft(request, lambda workspace, draft, body: workspace.diff(draft))

    @app.post("/api/brev/{event}/gem")
    async def api_save(request: Request, event: str):
        session = await api_session(request)
        body = await api_body(request)
        base = body.get("base") or {}
        files = body.get("files") or {}
        regime = body.get("regime") or []
        if not isinstance(base, dict) or not isinstance(files, dict) or not isinstance(regime, list):
            raise StudioError("Forkert kald: base og files skal være objekter og regime en liste.")
        revision = body.get("revision")
        try:
            return await anyio.to_thread.run_sync(
                lambda: studio.save_into_draft(actor_of(session), event, draft_id_of(body.get("kladde")), revision, files, regime, base)
            )
        except StudioError as exc:
            if exc.status == 400 and exc.message.startswith("Skabelonen kan ikke gemmes"):
                return problem(422, exc.message)
            raise

    from .lifecycle_pages import add_lifecycle_routes

    add_lifecycle_routes(app, studio, _page, session_of, login_redirect, actor_of, _form)

    from ..desk.routes import add_desk_routes

    add_desk_routes(app, store, _page, session_of, login_redirect, api_session, api_body, problem)
    return app


def _short(version: str | None) -> str:
    return (version or "")[:12]


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
