"""The desk's pages and JSON API, added to the studio's app (same sign-in, sessions and CSRF).

Pages (caseworker or administrator role):

- ``GET /breve``                          the letters a caseworker can write, and the profile's state
- ``GET /breve/profil``                   the caseworker's profile (saved with the API below)
- ``GET /breve/{event}``                  the form, the live letter, findings and downloads

JSON API (POST, CSRF token in ``X-CSRF-Token``; body ``{"case": {...}}``):

- ``/api/breve/profil``                   save the profile (``{"profile": {...}}``)
- ``/api/breve/{event}/forhaandsvisning`` the letter's HTML, problems at their fields, findings
- ``/api/breve/{event}/hent``             the letter as ``format`` (pdf, docx, html, memo, ics);
                                          ``cpr`` only with memo
- ``/api/breve/{event}/eksport``          the case as ``format`` json or yaml
- ``/api/breve/{event}/indlaes``          a case handed over as text (``text``, ``name``)

Nothing of a case is logged or stored; errors are ``application/problem+json`` in Danish.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from .. import events
from ..danish_time import COPENHAGEN
from . import form as forms
from . import letters, profile

DESK_ROLES = ("caseworker", "admin")


def can_use(roles: Any) -> bool:
    return any(r in roles for r in DESK_ROLES)


def _script_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def new_letter_data(saved: dict | None, today: dt.date) -> dict:
    """What a new letter starts with: today's date, the saved profile, and the sender's own
    address as the meeting place (the caseworker changes it when the meeting is elsewhere)."""
    data: dict[str, Any] = {"letter_date": today.isoformat()}
    if saved:
        data.update({k: v for k, v in saved.items() if k in ("caseworker", "sender")})
        sender = saved.get("sender") or {}
        if sender.get("unit") and sender.get("address"):
            venue = {"name": sender["unit"], "address": sender["address"]}
            data["meeting"] = {"venue": venue}
            data["first_followup"] = {"venue": venue}
    return data


def add_desk_routes(app: FastAPI, store: Any, page: Callable, session_of: Callable, login_redirect: Callable,
                    api_session: Callable, api_body: Callable, problem: Callable) -> None:
    """The routes above on the studio's ``app``, with its page renderer and session helpers."""

    async def desk_page(request: Request):
        """The signed-in caseworker's session and saved profile, or the answer for anyone else:
        the sign-in page, or 403 without the caseworker role."""
        session = await anyio.to_thread.run_sync(session_of, request)
        if session is None:
            return None, None, login_redirect(request)
        if not can_use(session.roles):
            return session, None, refused(request, session)
        saved = await anyio.to_thread.run_sync(profile.load, store, session.user)
        return session, saved, None

    def refused(request: Request, session) -> Response:
        return page(request, "error.html", {"title": "Ikke tilladt", "message": "Brevskrivning kræver rollen sagsbehandler. Bed en administrator om den."}, status=403, session=session)

    async def api_call(request: Request, event: str | None = None):
        """The caller's session and the request's JSON body, or the answer that refuses it:
        403 without the caseworker role, 404 for an unknown letter (when ``event`` is given)."""
        session = await api_session(request)
        if not can_use(session.roles):
            return session, None, problem(403, "Brevskrivning kræver rollen sagsbehandler.")
        body = await api_body(request)
        if event is not None and event_or_404(event) is None:
            return session, body, problem(404, "Den brevtype findes ikke.")
        return session, body, None

    def event_or_404(name: str):
        known = {e.name: e for e in events.all_events()}
        return known.get(name)

    def case_of(body: dict) -> dict:
        case = body.get("case")
        if not isinstance(case, dict):
            raise letters.DeskError("Forkert kald: case skal være et JSON-objekt.")
        return case

    @app.exception_handler(letters.DeskError)
    async def desk_error(request: Request, exc: letters.DeskError):
        body = {"type": "urn:brevgen:problem:desk", "title": "Kan ikke laves", "status": exc.status, "detail": str(exc), "problems": exc.problems}
        return JSONResponse(body, status_code=exc.status, media_type="application/problem+json")

    # -- pages ---------------------------------------------------------------------------------

    @app.get("/breve", response_class=HTMLResponse)
    async def desk_home(request: Request):
        session, saved, answer = await desk_page(request)
        if answer is not None:
            return answer
        letters_list = [{"event": e.name, "title": e.title} for e in events.all_events()]
        return page(request, "desk_home.html", {"title": "Skriv et brev", "letters": letters_list, "has_profile": saved is not None}, session=session)

    @app.get("/breve/profil", response_class=HTMLResponse)
    async def desk_profile(request: Request):
        session, saved, answer = await desk_page(request)
        if answer is not None:
            return answer
        context = {
            "title": "Din profil",
            "form_json": _script_json({"fields": forms.profile_form(), "data": saved or {}, "mode": "profile"}),
            "has_profile": saved is not None,
        }
        return page(request, "desk_profile.html", context, session=session)

    @app.get("/breve/{event}", response_class=HTMLResponse)
    async def desk_letter(request: Request, event: str):
        session, saved, answer = await desk_page(request)
        if answer is not None:
            return answer
        info = event_or_404(event)
        if info is None:
            return page(request, "error.html", {"title": "Findes ikke", "message": "Den brevtype findes ikke."}, status=404, session=session)
        description = forms.event_form(info)
        description["data"] = new_letter_data(saved, dt.datetime.now(COPENHAGEN).date())  # the day in Denmark, whatever the server's zone
        description["mode"] = "letter"
        context = {"title": info.title, "event": info.name, "form_json": _script_json(description), "has_profile": saved is not None, "books_meetings": info.books_meetings}
        return page(request, "desk_letter.html", context, session=session)

    # -- API -------------------------------------------------------------------------------------

    @app.post("/api/breve/profil")
    async def api_profile(request: Request):
        session, body, refusal = await api_call(request)
        if refusal:
            return refusal
        data = body.get("profile")
        if not isinstance(data, dict):
            raise letters.DeskError("Forkert kald: profile skal være et JSON-objekt.")
        problems = await anyio.to_thread.run_sync(profile.save, store, session.user, data)
        if problems:
            raise letters.DeskError("Profilen er ikke gemt. Ret det, der står ved felterne.", 422, [letters.problem_dict(p) for p in problems])
        return {"saved": True}

    @app.post("/api/breve/{event}/forhaandsvisning")
    async def api_preview(request: Request, event: str):
        _session, body, refusal = await api_call(request, event)
        if refusal:
            return refusal
        return await anyio.to_thread.run_sync(letters.preview, event, case_of(body))

    @app.post("/api/breve/{event}/hent")
    async def api_download(request: Request, event: str):
        _session, body, refusal = await api_call(request, event)
        if refusal:
            return refusal
        case = case_of(body)
        fmt = str(body.get("format") or "")
        cpr_number = body.get("cpr") if fmt == "memo" else None
        name, media_type, data = await anyio.to_thread.run_sync(letters.make_file, event, case, fmt, cpr_number if isinstance(cpr_number, str) else None)
        return Response(data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.post("/api/breve/{event}/eksport")
    async def api_export(request: Request, event: str):
        _session, body, refusal = await api_call(request)
        if refusal:
            return refusal
        name, media_type, text = letters.export_case(case_of(body), str(body.get("format") or ""))
        return Response(text.encode("utf-8"), media_type=media_type + "; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.post("/api/breve/{event}/indlaes")
    async def api_import(request: Request, event: str):
        _session, body, refusal = await api_call(request)
        if refusal:
            return refusal
        text = body.get("text")
        if not isinstance(text, str):
            raise letters.DeskError("Forkert kald: text skal være tekst.")
        return letters.import_case(text, str(body.get("name") or "sag.json"))

    @app.get("/breve/", include_in_schema=False)
    async def desk_slash():
        return RedirectResponse("/breve", status_code=307)


__all__ = ["DESK_ROLES", "add_desk_routes", "can_use", "new_letter_data"]
