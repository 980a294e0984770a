"""HTTP service for case systems (FastAPI), started with ``brevgen serve``.

Endpoints (OpenAPI docs at /docs, the schema at /openapi.json):

- ``GET  /healthz``                  liveness, no API key needed
- ``GET  /v1/version``               brevgen, template set, data contract (schema) and MeMo versions
- ``GET  /v1/versions``              the published template set versions, newest first
- ``GET  /v1/events``                the letters brevgen makes
- ``GET  /v1/events/{event}/schema`` JSON Schema of the case data (``X-Brevgen-Schema-Version``)
- ``POST /v1/letters/{event}``       case data (JSON) in; the letter out in the format the
  ``Accept`` header asks for (PDF, DOCX, HTML, MeMo XML, iCalendar) or, for
  ``application/json``, an envelope with every format (base64), notes and reports.
  ``?template_version=V`` pins a published version (number or start of its hash): the same
  case then gives the same bytes as when that version was current
- ``POST /v1/lint``                  plain-language check of a text (the lint's JSON report)
- ``GET|POST /f/{token}``            citizens' answer page for "Var brevet let at forstå?"
  (brevgen.feedback_web; no API key: this is the part to publish on the internet)

Errors are ``application/problem+json`` (RFC 9457) with a stable ``code`` and, for invalid
case data, every invalid field in ``errors`` (the same problems the CLI prints).

Safety: bodies over ``max_body`` bytes get 413 before they are read; with an API key set
(``BREVGEN_API_KEY``) every /v1 call needs it in ``X-API-Key``; every log handler strips
anything shaped like a CPR number; rendering (WeasyPrint is CPU-bound) runs in worker
threads, at most one per CPU, so the event loop keeps answering, and each render has its own
compose state (a ContextVar), so concurrent requests never see each other's letters. PDFs are
made one at a time per process (WeasyPrint's font configuration is not thread-safe; see
brevgen.render.pdf) and threads share the GIL anyway: ``brevgen serve --workers N`` runs N
processes to use N CPUs.
"""

from __future__ import annotations

import base64
import functools
import hmac
import importlib.util
import json
import logging
import os
import time
from typing import Any

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__, contract, events as event_registry
from .api import available_formats, case_schema, generate_letter, list_events
from .logs import log_config, redact
from .errors import BrevgenError, CaseDataError, UsageError
from .render import all_formats, get_format, parse_formats

log = logging.getLogger("brevgen.service")

API_KEY_ENV = "BREVGEN_API_KEY"
MAX_BODY_ENV = "BREVGEN_MAX_BODY"
DEFAULT_MAX_BODY = 1_000_000  # a case is a few kB; 1 MB leaves room for long lists

JSON = "application/json"
PROBLEM = "application/problem+json"

_STATUS = {"invalid-case-data": 422, "letter": 422, "usage": 400, "template": 500, "render": 500}
_TITLES = {
    "invalid-case-data": "Sagens data er ikke gyldige",
    "letter": "Brevet kan ikke laves",
    "usage": "Forkert kald",
    "template": "Fejl i en skabelon",
    "render": "Brevet kunne ikke dannes i det ønskede format",
}


# --- problems (RFC 9457) -----------------------------------------------------------------


def problem(status: int, code: str, title: str, detail: str | None = None, **extra: Any) -> JSONResponse:
    # Details may quote what the caller sent (an unknown format name, say); never a CPR number.
    body = {"type": f"urn:brevgen:problem:{code}", "title": redact(title), "status": status, "code": code}
    if detail:
        body["detail"] = redact(detail)
    body.update(extra)
    headers = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _pointer(path: str) -> str:
    """``phone_hours[2].opens`` -> ``/phone_hours/1/opens`` (JSON Pointer, 0-based)."""
    parts = []
    for part in path.replace("]", "").replace("[", ".").split("."):
        parts.append(str(int(part) - 1) if part.isdigit() else part)
    return "/" + "/".join(parts)


def error_problem(exc: BrevgenError) -> JSONResponse:
    status = _STATUS.get(exc.code, 500)
    extra: dict[str, Any] = {}
    if isinstance(exc, CaseDataError):
        extra["errors"] = [{**p.as_dict(), "pointer": _pointer(p.path)} for p in exc.problems]
    return problem(status, exc.code, _TITLES.get(exc.code, "Fejl"), exc.message, **extra)


class _BodyTooLarge(Exception):
    pass


class _Unauthorized(Exception):
    pass


class BodyLimit:
    """ASGI middleware: 413 for a body over ``max_bytes``, by Content-Length or while it streams."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _BodyTooLarge()
            return message

        await self.app(scope, limited, send)

    async def _too_large(self, scope, receive, send):
        response = problem(413, "too-large", "For stor forespørgsel", f"Kroppen må højst fylde {self.max_bytes} bytes")
        await response(scope, receive, send)


# --- content negotiation ------------------------------------------------------------------


def media_types() -> dict[str, str]:
    """Format name -> media type, from the format registry."""
    return {f.name: f.media_type for f in all_formats()}


def negotiate(accept: str | None) -> str | None:
    """The format the Accept header prefers ("json" for the envelope), or None if none fits."""
    if not accept or not accept.strip():
        return "json"
    offers = {media: fmt for fmt, media in media_types().items()} | {JSON: "json", "*/*": "json", "application/*": "json"}
    ranked = []
    for index, item in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in item.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if media.lower() in offers and q > 0:
            ranked.append((-q, index, offers[media.lower()]))
    return min(ranked)[2] if ranked else None


# --- the app ------------------------------------------------------------------------------


def create_app(api_key: str | None = None, max_body: int | None = None, workers: int | None = None) -> FastAPI:
    """The service. ``api_key``/``max_body`` default to BREVGEN_API_KEY / BREVGEN_MAX_BODY."""
    api_key = api_key if api_key is not None else (os.environ.get(API_KEY_ENV) or None)
    max_body = max_body or int(os.environ.get(MAX_BODY_ENV) or DEFAULT_MAX_BODY)
    workers = workers or os.cpu_count() or 2
    limiter: list[anyio.CapacityLimiter] = []  # made in the event loop, on first use

    app = FastAPI(
        title="brevgen",
        version=__version__,
        description=(
            "Klare breve fra jobcenteret, lavet ud fra sagens data. Fejl er application/problem+json (RFC 9457).\n\n"
            "Dataaftalens version (en hash af hver brevtypes skema for sagens data) står i `info.x-brevgen-schema-version`, "
            "i /v1/version og i headeren `X-Brevgen-Schema-Version`. Den ændrer sig, når et felt i sagens data "
            "tilføjes, fjernes eller bliver påkrævet."
        ),
    )
    _openapi = app.openapi

    def openapi_with_schema_version() -> dict[str, Any]:
        document = _openapi()
        document["info"]["x-brevgen-schema-version"] = contract.schema_version()
        document["info"]["x-brevgen-event-schema-versions"] = {
            name: contract.event_schema_hash(schema) for name, schema in contract.current_schemas().items()
        }
        return document

    app.openapi = openapi_with_schema_version  # type: ignore[method-assign]
    app.add_middleware(BodyLimit, max_bytes=max_body)
    from .feedback_web import configured_store_getter, feedback_router

    app.include_router(feedback_router(configured_store_getter()))
    key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description=f"Kræves, når {API_KEY_ENV} er sat")

    def require_key(given: str | None = Depends(key_header)) -> None:
        if api_key and not (given and hmac.compare_digest(given.encode(), api_key.encode())):
            raise _Unauthorized()

    async def in_worker(fn, *args):
        if not limiter:
            limiter.append(anyio.CapacityLimiter(workers))
        return await anyio.to_thread.run_sync(fn, *args, limiter=limiter[0])

    @app.exception_handler(BrevgenError)
    async def _brevgen_error(request: Request, exc: BrevgenError):
        return error_problem(exc)

    @app.exception_handler(_Unauthorized)
    async def _unauthorized(request: Request, exc: _Unauthorized):
        return problem(401, "unauthorized", "Mangler API-nøgle", "Send den rigtige nøgle i headeren X-API-Key")

    @app.exception_handler(_BodyTooLarge)
    async def _too_large(request: Request, exc: _BodyTooLarge):
        return problem(413, "too-large", "For stor forespørgsel", f"Kroppen må højst fylde {max_body} bytes")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        # One error format for everything, including Starlette's own 404 and 405.
        title = {404: "Findes ikke", 405: "Metoden kan ikke bruges her"}.get(exc.status_code, "Fejl")
        return problem(exc.status_code, f"http-{exc.status_code}", title, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(request: Request, exc: RequestValidationError):
        # Never echo the input: it may be a CPR number typed into the wrong place.
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        return problem(400, "usage", _TITLES["usage"], "Forespørgslen har forkerte parametre", errors=errors)

    def known_event(event: str) -> str:
        if event not in event_registry.names():
            raise StarletteHTTPException(404, f"ukendt brevtype. Vælg en af: {', '.join(event_registry.names())}")
        return event

    @app.get("/healthz", tags=["drift"], summary="Kører tjenesten?")
    async def healthz():
        return {"status": "ok"}

    v1 = [Depends(require_key)]

    @app.get("/v1/version", dependencies=v1, tags=["drift"], summary="Versioner")
    async def version():
        """brevgen's version; the template set letters are made from now (the newest published
        version, or the working folder when none is published); the data contract's version
        (a hash of every event's case schema, overall and per event); MeMo; the formats."""
        from .render.memo import MEMO_VERSION
        from .versions import template_set_for

        current = await in_worker(template_set_for)
        published = await in_worker(_published_versions)
        number = next((v["number"] for v in published if v["hash"] == current.version), None)
        templates = {e: {"id": i.id, "version": i.version} for e, i in current.events.items()}
        schemas = contract.current_schemas()
        schema_version = contract.schema_hash(schemas)
        return {
            "brevgen": __version__,
            "template_set": {"version": current.version, "number": number, "published": number is not None},
            "schema": {"version": schema_version, "events": {n: contract.event_schema_hash(s) for n, s in schemas.items()}},
            "templates": templates,
            "memo": MEMO_VERSION,
            "formats": list(media_types()),
        }

    @app.get("/v1/versions", dependencies=v1, tags=["drift"], summary="Udgivne skabelonversioner")
    async def versions():
        """Every published template set version, newest first: its number and hash (either pins
        it with ``?template_version=``), when and by whom it was published, and the data
        contract (schema) version it was published under."""
        return await in_worker(_published_versions)

    @app.get("/v1/events", dependencies=v1, tags=["breve"], summary="Brevtyper")
    async def events():
        return [{"event": e.event, "title": e.title} for e in list_events()]

    @app.get("/v1/events/{event}/schema", dependencies=v1, tags=["breve"], summary="JSON Schema for sagens data")
    async def schema(event: str):
        body = case_schema(known_event(event))
        return JSONResponse(body, headers={"X-Brevgen-Schema-Version": contract.event_schema_hash(body)})

    letter_responses = {
        200: {
            "description": "Brevet i det format, Accept beder om, eller en JSON-kuvert med alle formater",
            "content": {media: {} for media in media_types().values()} | {JSON: {}},
        },
        406: {"description": "Accept beder om et format, brevgen ikke laver", "content": {PROBLEM: {}}},
        413: {"description": "Kroppen er for stor", "content": {PROBLEM: {}}},
        422: {"description": "Sagens data er ikke gyldige; errors lister hvert felt", "content": {PROBLEM: {}}},
    }

    @app.post(
        "/v1/letters/{event}",
        dependencies=v1,
        tags=["breve"],
        summary="Lav et brev",
        responses=letter_responses,
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": "Sagens data som JSON; skemaet findes på /v1/events/{event}/schema",
                "content": {JSON: {"schema": {"type": "object"}}},
            }
        },
    )
    async def letter(
        event: str,
        request: Request,
        formats: str | None = Query(None, description="Kun for JSON-kuverten: formater adskilt med komma (standard: alle, sagen kan få)"),
        pdf_engine: str = Query("weasyprint", description="PDF-motor: weasyprint (standard) eller typst"),
        pdf_variant: str = Query("pdf/ua-1", description="PDF-standard: pdf/ua-1, pdf/a-2a eller pdf/a-3a"),
        template_version: str | None = Query(
            None,
            description="En udgivet skabelonversion (nummer eller starten af hashen; se /v1/versions). "
            "Standard: den nyeste udgivne. Samme sag og samme version giver de samme bytes.",
        ),
    ):
        known_event(event)
        make = functools.partial(generate_letter, pdf_engine=pdf_engine, pdf_variant=pdf_variant, template_version=template_version)
        started = time.perf_counter()
        chosen = negotiate(request.headers.get("accept"))
        if chosen is None:
            supported = ", ".join([*media_types().values(), JSON])
            return problem(406, "not-acceptable", "Formatet findes ikke", f"Accept skal være en af: {supported}")
        data = _json_object(await request.body())
        if chosen == "json":
            unavailable: dict[str, str] = {}
            if formats:
                wanted = parse_formats(formats)
            else:
                possible = await in_worker(available_formats, event, data, template_version)
                wanted = tuple(f for f, why in possible.items() if why is None)
                unavailable = {f: why for f, why in possible.items() if why is not None}
            result = await in_worker(make, event, data, wanted)
            body = {
                "event": event,
                "files": {
                    fmt: {
                        "media_type": get_format(fmt).media_type,
                        "filename": result.filename(fmt),
                        "base64": base64.b64encode(content).decode("ascii"),
                    }
                    for fmt, content in result.files.items()
                },
                "unavailable": unavailable,
                "notes": list(result.notes),
                "reports": dict(result.reports),
                "provenance": result.provenance,
                "feedback_url": result.letter.meta.feedback_url,
            }
            response: Response = JSONResponse(body, headers={"X-Brevgen-Schema-Version": contract.schema_version()})
        else:
            result = await in_worker(make, event, data, (chosen,))
            fmt = get_format(chosen)
            media = fmt.media_type + ("; charset=utf-8" if fmt.text else "")
            headers = {f"X-{k.title()}": v for k, v in result.provenance.items()}
            headers["X-Brevgen-Schema-Version"] = contract.schema_version()
            headers["Content-Disposition"] = f'attachment; filename="{result.filename(chosen)}"'
            response = Response(result.files[chosen], media_type=media, headers=headers)
        log.info(
            "letter event=%s case_ref=%s formats=%s ms=%.0f",
            event,
            result.letter.meta.case_ref,
            ",".join(result.files),
            (time.perf_counter() - started) * 1000,
        )
        return response

    @app.post("/v1/lint", dependencies=v1, tags=["sprog"], summary="Tjek en tekst for klart sprog")
    async def lint(request: Request):
        """Lint a text: ``text/plain`` or ``text/markdown`` body, or JSON ``{"text": ..., "markdown": true}``.

        Returns the lint report as JSON (the same shape as ``brevgen lint --format json``) with
        ``ok`` false when it has error findings.
        """
        raw = await request.body()
        if importlib.util.find_spec("brevgen.lint") is None:
            return problem(501, "lint-unavailable", "lint is not available in this build", "Sprogtjekket findes ikke i denne udgave af brevgen")
        media = request.headers.get("content-type", "text/plain").split(";")[0].strip().lower()
        markdown = media != "text/plain"
        try:
            if media == "application/json":
                body = _json_object(raw)
                text = body.get("text")
                markdown = bool(body.get("markdown", True))
            else:
                text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if not isinstance(text, str) or not text.strip():
            return problem(422, "invalid-text", "no text to lint", "Send en tekst at tjekke (UTF-8), fx som text/plain eller JSON med feltet 'text'")
        from .lint import lint_text
        from .lint.report import render_json

        def check() -> dict[str, Any]:
            report = lint_text(text, "tekst", markdown=markdown)
            data = json.loads(render_json(report))
            data["ok"] = report.exit_code == 0
            return data

        return JSONResponse(await anyio.to_thread.run_sync(check))

    return app


def _published_versions() -> list[dict[str, Any]]:
    from .store.settings import configured

    if not configured():
        return []
    from .store import configured_store

    store = configured_store()
    with store.read() as tx:  # type: ignore[union-attr]
        return [
            {"number": v.number, "hash": v.hash, "title": v.title, "published_at": v.published_at.isoformat(),
             "published_by": v.published_by, "schema_version": v.schema_hash}
            for v in tx.versions()
        ]


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UsageError("kroppen er ikke gyldig JSON (UTF-8)") from None
    if not isinstance(data, dict):
        raise UsageError("kroppen skal være et JSON-objekt med sagens data")
    return data


def serve(host: str = "127.0.0.1", port: int = 8000, log_level: str = "info", workers: int = 1) -> None:
    """Run the service with uvicorn until stopped (Ctrl-C / SIGTERM).

    Rendering holds the GIL most of the time, so threads share one CPU; ``workers`` > 1
    starts that many processes to use more CPUs (each reads the settings from the environment).
    """
    import uvicorn

    app: Any = "brevgen.service:create_app" if workers > 1 else create_app()
    uvicorn.run(
        app,
        factory=workers > 1,
        workers=workers,
        host=host,
        port=port,
        log_config=log_config(log_level),
        log_level=log_level,
    )
