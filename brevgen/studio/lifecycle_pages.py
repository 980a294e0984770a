"""The studio's pages for the template lifecycle (all in Danish, all plain HTML forms):

- ``GET  /kladder``                  drafts, and a form for a new one
- ``POST /kladder``                  a new draft (from the newest version, or the working folder)
- ``GET  /kladder/{id}``             one draft: what changed in which letters, its base and
                                     whether it is stale, the schema gate, reviews, the steps
- ``POST /kladder/{id}/{step}``      send, traek-tilbage, godkend, afvis, udgiv, flyt, kasser
- ``GET  /versioner``                published versions, who approved and published them
- ``GET  /log``                      the audit log
- ``GET  /brugere``, ``POST /brugere``, ``POST /brugere/{name}``: users and roles (admins)
- ``GET  /tilbagemeldinger``         citizens' answers per version and variant, with charts

Every step goes through :mod:`brevgen.studio.workflow`; the rules themselves are in
:mod:`brevgen.lifecycle`. A refused step shows its reason on the draft's page.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from html import escape

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from . import auth
from .engine import StudioError
from .workflow import ACTIONS_DA, KIND_DA, ROLES, STATE_DA, Actor, LifecycleError, Studio, accounts

FLASH = {
    "oprettet": "Kladden er lavet. Åbn et brev for at rette teksten.",
    "sendt": "Kladden er sendt til godkendelse.",
    "trukket": "Kladden er trukket tilbage. Du kan rette den igen.",
    "godkendt": "Du har godkendt kladden.",
    "afvist": "Kladden er sendt tilbage til forfatteren.",
    "udgivet": "Versionen er udgivet. Nye breve laves nu med den.",
    "flyttet": "Kladden bygger nu på den nyeste version. Læs ændringerne igennem igen.",
    "kasseret": "Kladden er kasseret.",
    "bruger": "Brugeren er gemt.",
}
STEPS = {
    "send": "submit",
    "traek-tilbage": "withdraw",
    "godkend": "approve",
    "afvis": "reject",
    "udgiv": "publish",
    "flyt": "rebase",
    "kasser": "discard",
}


def add_lifecycle_routes(app: FastAPI, studio: Studio, page: Callable, session_of: Callable, login_redirect: Callable,
                         actor_of: Callable, form_of: Callable) -> None:
    """The routes above, on the studio's ``app``, with its page renderer, session reader and form parser."""

    async def signed_in(request: Request):
        return await anyio.to_thread.run_sync(session_of, request)

    def check_csrf(session: auth.Session, form: dict) -> None:
        if not auth.csrf_ok(session, form.get("csrf_token")):
            raise StudioError("Siden er for gammel (sikkerhedsnøglen passer ikke). Genindlæs siden.", 403)

    def flash_of(request: Request) -> str | None:
        return FLASH.get(request.query_params.get("ok", ""))

    # -- drafts ----------------------------------------------------------------------------

    @app.get("/kladder", response_class=HTMLResponse)
    async def drafts(request: Request):
        session = await signed_in(request)
        if session is None:
            return login_redirect(request)

        def gather() -> dict:
            return {
                "title": "Kladder",
                "drafts": studio.lifecycle.drafts(None),
                "states": STATE_DA,
                "flash": flash_of(request),
            }

        return page(request, "drafts.html", await anyio.to_thread.run_sync(gather), session=session)

    @app.post("/kladder")
    async def new_draft(request: Request):
        session = await signed_in(request)
        if session is None:
            return login_redirect(request)
        form = await form_of(request)
        check_csrf(session, form)
        created = await anyio.to_thread.run_sync(
            lambda: studio.lifecycle.create_draft(actor_of(session), form.get("titel", ""), from_working_folder=form.get("fra") == "mappen")
        )
        return RedirectResponse(f"/kladder/{created.id}?ok=oprettet", status_code=303)

    @app.get("/kladder/{draft_id}", response_class=HTMLResponse)
    async def draft_page(request: Request, draft_id: int):
        session = await signed_in(request)
        if session is None:
            return login_redirect(request)
        actor = actor_of(session)
        context = await anyio.to_thread.run_sync(lambda: _draft_context(studio, draft_id, actor))
        context["flash"] = flash_of(request)
        return page(request, "draft.html", context, session=session)

    @app.post("/kladder/{draft_id}/{step}")
    async def draft_step(request: Request, draft_id: int, step: str):
        session = await signed_in(request)
        if session is None:
            return login_redirect(request)
        form = await form_of(request)
        check_csrf(session, form)
        action = STEPS.get(step)
        if action is None:
            raise StudioError("Det trin findes ikke.", 404)
        actor = actor_of(session)
        lc = studio.lifecycle

        def run() -> str:
            if action == "submit":
                lc.submit(actor, draft_id)
                return "sendt"
            if action == "withdraw":
                lc.withdraw(actor, draft_id)
                return "trukket"
            if action == "approve":
                lc.review(actor, draft_id, True, form.get("kommentar", ""))
                return "godkendt"
            if action == "reject":
                lc.review(actor, draft_id, False, form.get("kommentar", ""))
                return "afvist"
            if action == "publish":
                lc.publish(actor, draft_id, confirm_schema=form.get("bekraeft_skema") == "ja")
                return "udgivet"
            if action == "rebase":
                lc.rebase(actor, draft_id)
                return "flyttet"
            lc.discard(actor, draft_id)
            return "kasseret"

        try:
            done = await anyio.to_thread.run_sync(run)
        except LifecycleError as exc:
            context = await anyio.to_thread.run_sync(lambda: _draft_context(studio, draft_id, actor))
            context["error"] = exc.message
            return page(request, "draft.html", context, status=exc.status, session=session)
        return RedirectResponse(f"/kladder/{draft_id}?ok={done}", status_code=303)

    # -- versions and the log ----------------------------------------------------------------

    @app.get("/versioner", response_class=HTMLResponse)
    async def versions(request: Request):
        session = await signed_in(request)
        if session is None:
            return login_redirect(request)

        def gather() -> dict:
            versions = studio.lifecycle.versions()
            return {
                "title": "Versioner",
                "versions": versions,
                "approvers": studio.version_approvers(),
                "schema_version": studio.schema_version(),
                "working": studio.lifecycle.current_base() if not versions else None,
            }

        return page(request, "versions.html", await anyio.to_thread.run_sync(gather), session=session)

    @app.get("/log", response_class=HTMLResponse)
    async def log(request: Request):
        session = await signed_in(request)
        if session is None:
            return login_redirect(request)
        entries = await anyio.to_thread.run_sync(lambda: studio.lifecycle.audit_entries(limit=1000))
        return page(request, "audit.html", {"title": "Log", "entries": [_entry(e) for e in entries]}, session=session)

    # -- users -----------------------------------------------------------------------------

    def need_admin(session: auth.Session) -> None:
        if not session.can("admin"):
            raise LifecycleError("Kun en administrator kan se og ændre brugerne.", 403)

    def users_page(request: Request, session: auth.Session, error: str | None = None, status: int = 200) -> HTMLResponse:
        context = {"title": "Brugere", "users": studio.users(), "all_roles": ROLES, "error": error, "flash": flash_of(request)}
        return page(request, "users.html", context, status=status, session=session)

    @app.get("/brugere", response_class=HTMLResponse)
    async def users(request: Request):
        session = await signed_in(request)
        if session is None:
            return login_redirect(request)
        need_admin(session)
        return await anyio.to_thread.run_sync(users_page, request, session)

    @app.post("/brugere")
    async def add_user(request: Request):
        session = await signed_in(request)
        if session is None:
            return login_redirect(request)
        need_admin(session)
        form = await form_of(request)
        check_csrf(session, form)
        roles = [r for r in ROLES if form.get(f"rolle_{r}") == "ja"]
        try:
            await anyio.to_thread.run_sync(
                lambda: accounts.add_user(studio.store, form.get("brugernavn", ""), form.get("adgangskode", ""), roles, form.get("navn", ""), by=session.user)
            )
        except Exception as exc:  # UsageError or StoreError: shown on the form
            message = getattr(exc, "message", None)
            if message is None:
                raise
            return await anyio.to_thread.run_sync(lambda: users_page(request, session, message[:1].upper() + message[1:], 400))
        return RedirectResponse("/brugere?ok=bruger", status_code=303)

    @app.post("/brugere/{name}")
    async def change_user(request: Request, name: str):
        session = await signed_in(request)
        if session is None:
            return login_redirect(request)
        need_admin(session)
        form = await form_of(request)
        check_csrf(session, form)

        def run() -> None:
            what = form.get("handling")
            if what == "roller":
                roles = [r for r in ROLES if form.get(f"rolle_{r}") == "ja"]
                if name == session.user and "admin" not in roles:
                    raise LifecycleError("Du kan ikke fjerne din egen administratorrolle.", 400)
                accounts.set_roles(studio.store, name, roles, by=session.user)
            elif what == "adgangskode":
                accounts.set_password(studio.store, name, form.get("adgangskode", ""), by=session.user)
            elif what in ("luk", "aabn"):
                if name == session.user:
                    raise LifecycleError("Du kan ikke lukke din egen bruger.", 400)
                accounts.set_active(studio.store, name, what == "aabn", by=session.user)
            else:
                raise StudioError("Forkert kald.")

        try:
            await anyio.to_thread.run_sync(run)
        except LifecycleError:
            raise
        except Exception as exc:
            message = getattr(exc, "message", None)
            if message is None:
                raise
            return await anyio.to_thread.run_sync(lambda: users_page(request, session, message[:1].upper() + message[1:], 400))
        return RedirectResponse("/brugere?ok=bruger", status_code=303)

    # -- citizens' feedback ----------------------------------------------------------------------

    @app.get("/tilbagemeldinger", response_class=HTMLResponse)
    async def feedback(request: Request):
        session = await signed_in(request)
        if session is None:
            return login_redirect(request)
        context = await anyio.to_thread.run_sync(lambda: _feedback_context(studio))
        return page(request, "feedback.html", context, session=session)


# --- the draft page ------------------------------------------------------------------------------


def _draft_context(studio: Studio, draft_id: int, actor: Actor) -> dict:
    status = studio.lifecycle.status(draft_id, actor)
    diff = studio.review_diff(status) if status.changed else {"changed": [], "letters": 0, "unchanged": 0, "broken": []}
    stale_diff = studio.stale_diff(status) if status.stale else None
    events = sorted({c["event"] for c in diff["changed"]}) or [e for e in studio.event_titles()]
    return {
        "title": f"Kladde {draft_id}: {status.draft.title}",
        "s": status,
        "diff": diff,
        "stale_diff": stale_diff,
        "states": STATE_DA,
        "kind_words": lambda kinds: " og ".join(KIND_DA.get(k, k) for k in sorted(kinds)),
        "events": [(e, studio.event_titles().get(e, e)) for e in events],
        "other_files": [p for p in status.changed if not p.endswith(".md") and p != "templates/regimes.yml"],
        "short": lambda v: (v or "")[:12],
        "error": None,
        "audit": [_entry(e) for e in studio.lifecycle.audit_entries(limit=200, draft_id=draft_id)],
    }


def _entry(entry) -> dict:
    detail = dict(entry.detail or {})
    words = []
    if entry.action in ("user.add", "user.roles", "user.password", "user.activate", "user.deactivate"):
        words.append(str(detail.get("user", "")))
        if "roles" in detail:
            words.append("(" + (", ".join(ROLES.get(r, r) for r in detail["roles"]) or "ingen roller") + ")")
    if entry.draft_id is not None:
        words.append(f"kladde {entry.draft_id}")
    if entry.version_number is not None:
        words.append(f"version {entry.version_number}")
    if entry.version_hash:
        words.append(f"({entry.version_hash[:12]})")
    if detail.get("files"):
        words.append("filer: " + ", ".join(str(f).removeprefix("templates/") for f in detail["files"]))
    if detail.get("comment"):
        words.append(f"»{detail['comment']}«")
    if detail.get("schema_changes"):
        words.append("ændringer i sagens data bekræftet: " + "; ".join(detail["schema_changes"]))
    return {
        "at": entry.at,
        "actor": entry.actor,
        "action": ACTIONS_DA.get(entry.action, entry.action),
        "code": entry.action,
        "what": " ".join(w for w in words if w),
    }


# --- feedback counts and charts ---------------------------------------------------------------------


def _feedback_context(studio: Studio) -> dict:
    stats = studio.feedback_stats()
    titles = studio.event_titles()
    numbers = {v.hash: v.number for v in studio.lifecycle.versions()}
    groups: dict[tuple[str, str], list] = {}
    for s in stats:
        groups.setdefault((s.event, s.variant), []).append(s)
    out = []
    for (event, variant), rows in sorted(groups.items()):
        rows.sort(key=lambda r: (r.version_number or numbers.get(r.version) or 0, r.version))
        items = []
        for r in rows:
            number = r.version_number or numbers.get(r.version)
            label = f"Version {number}" if number else f"Ikke udgivet ({r.version[:8]})"
            comments = studio.feedback_comments(r.version, event, variant)
            items.append({"label": label, "version": r.version, "count": r.count, "mean": r.mean, "scores": r.scores, "comments": comments})
        out.append({"event": event, "title": titles.get(event, event), "variant": variant or "alle", "rows": items, "chart": chart_svg(items, f"{titles.get(event, event)}, {variant}")})
    return {"title": "Tilbagemeldinger", "groups": out}


def chart_svg(rows: list[dict], caption: str) -> str:
    """A small bar chart of the mean answer (1-5) per version, drawn on the server (no script,
    no outside library): one bar per version, its mean and count written beside it."""
    bar_height, gap, left, width = 22, 10, 150, 260
    height = len(rows) * (bar_height + gap) + 30
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {left + width + 110} {height}" width="{left + width + 110}" height="{height}" '
        f'aria-labelledby="{_id(caption)}-t" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_id(caption)}-t">{escape(caption)}: gennemsnit pr. version</title>',
    ]
    for tick in range(1, 6):
        x = left + (tick - 1) / 4 * width
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 20}" stroke="#c8c8c8" stroke-width="1"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 5}" font-size="12" text-anchor="middle" fill="#454545">{tick}</text>')
    for i, row in enumerate(rows):
        y = i * (bar_height + gap) + 4
        length = max(0.0, (row["mean"] - 1) / 4 * width)
        parts.append(f'<text x="{left - 8}" y="{y + 16}" font-size="13" text-anchor="end" fill="#1a1a1a">{escape(row["label"])}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{max(length, 2):.1f}" height="{bar_height}" fill="#0b5394"/>')
        mean = f"{row['mean']:.1f}".replace(".", ",")
        parts.append(f'<text x="{left + max(length, 2) + 6:.1f}" y="{y + 16}" font-size="13" fill="#1a1a1a">{mean} ({row["count"]} svar)</text>')
    parts.append("</svg>")
    return "".join(parts)


def _id(text: str) -> str:
    return "c" + urllib.parse.quote(text, safe="").replace("%", "")[:40]
