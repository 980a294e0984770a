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

Safety: bodies over ``max_body`` bytes get 413 before they are read; JSON endpoints take only
``application/json`` bodies (415 otherwise, so a cross-site form cannot post a letter); the
body is read within brevgen.limits (nesting, numbers, duplicate keys) before validation; with
an API key set (``BREVGEN_API_KEY``) every /v1 call needs it in ``X-API-Key``; every log
handler strips CPR numbers in any spelling. Every letter and every lint runs in a worker
process (brevgen.workpool, one per CPU) with a time limit (``BREVGEN_TIME_LIMIT``, 60 s): the
event loop keeps answering, a slow lint cannot hold the GIL a PDF needs, and work over the limit
is stopped and answered with 503. Lint takes at most ``MAX_LINT_BYTES`` and half the workers.
Any unexpected error is logged (through the CPR filter) and answered as problem+json 500
without internals; a client that goes away is logged on one quiet line.
"""

from __future__ import annotations

import asyncio
import anyio
import base64
import functools
import hmac
import importlib.util
import json
import logging
import os
import time
from typing import Any

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from . import __version__, data_contract as contract, events as event_registry
from .api import available_formats, case_schema, generate_letter, list_events
from .casefile import DataRefused, parse_json
from .contract import enrich_openapi, install_docs
from .cpr import RedactingFilter, redact
from .logs import log_config
from .errors import BrevgenError, CaseDataError, UsageError
from .observability import RequestIdMiddleware, current_request_id, metrics, metrics_payload
from .render import all_formats, get_format, parse_formats
from .timelimit import default_seconds
from .workpool import WorkPool

log = logging.getLogger("brevgen.service")
# On the logger too, not only on the handlers of `brevgen serve`: an embedding application's
# handlers (or Python's last-resort handler) never see an unredacted record from here.
log.addFilter(RedactingFilter())

NOTES_HEADER = "X-Brevgen-Notes"

API_KEY_ENV = "BREVGEN_API_KEY"
MAX_BODY_ENV = "BREVGEN_MAX_BODY"
DEFAULT_MAX_BODY = 1_000_000  # a case is a few kB; 1 MB leaves room for long lists
MAX_LINT_BYTES = 100_000  # a letter is 5-10 kB of text; linting runs at about 14 s per MB
MAX_BATCH_BODY_ENV = "BREVGEN_MAX_BATCH_BODY"
DEFAULT_MAX_BATCH_BODY = 100_000_000  # POST /v1/batches: 10,000 cases of 2-3 kB, with room to spare

JSON = "application/json"
PROBLEM = "application/problem+json"

_STATUS = {
    "invalid-case-data": 422,
    "letter": 422,
    "usage": 400,
    "template": 500,
    "render": 500,
    "timeout": 503,
    "worker-lost": 503,
    # batches on the queue (brevgen.queue.http)
    "idempotency-key-reused": 422,
    "job-not-found": 404,
    "not-finished": 409,
    "queue-unavailable": 503,
}
_TITLES = {
    "idempotency-key-reused": "Idempotency-Key er brugt før",
    "job-not-found": "Kørslen findes ikke",
    "not-finished": "Kørslen er ikke færdig",
    "queue-unavailable": "Køen kan ikke nås",
    "invalid-case-data": "Sagens data er ikke gyldige",
    "letter": "Brevet kan ikke laves",
    "usage": "Forkert kald",
    "template": "Fejl i en skabelon",
    "render": "Brevet kunne ikke dannes i det ønskede format",
    "timeout": "Det tog for lang tid",
    "worker-lost": "Arbejdet blev afbrudt",
}


# --- problems (RFC 9457) -----------------------------------------------------------------


def problem(status: int, code: str, title: str, detail: str | None = None, **extra: Any) -> JSONResponse:
    # Details may quote what the caller sent (an unknown format name, say); never a CPR number.
    body = {"type": f"urn:brevgen:problem:{code}", "title": redact(title), "status": status, "code": code}
    if detail:
        body["detail"] = redact(detail)
    body["request_id"] = current_request_id()
    body.update(extra)
    headers = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _pointer(path: str) -> str:
    """``phone_hours[2].opens`` -> ``/phone_hours/1/opens`` (JSON Pointer, 0-based); the whole
    document (a problem without a field, such as too deep nesting) is ``""``."""
    if not path:
        return ""
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


class ErrorBoundary:
    """ASGI middleware: an unexpected error becomes a problem+json 500 without internals (the
    traceback goes to the log, through the CPR filter); a client that disconnects is one
    quiet log line, not a traceback at ERROR."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # noqa: BLE001 - the boundary: nothing escapes as a plain-text 500
            if _disconnected(exc):
                log.info("klienten afbrød forbindelsen: %s %s", scope.get("method"), scope.get("path"))
                return
            log.error("intern fejl i %s %s", scope.get("method"), scope.get("path"), exc_info=True)
            if not started:
                response = problem(500, "internal", "Intern fejl", "brevgen kunne ikke svare på grund af en intern fejl. Fejlen er skrevet i loggen")
                await response(scope, receive, send)


def _disconnected(exc: BaseException) -> bool:
    """The client is gone: it stopped sending the body, or the answer cannot be sent."""
    import anyio

    gone = (ClientDisconnect, anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream, BrokenPipeError, ConnectionResetError)
    return isinstance(exc, gone)


class BodyLimit:
    """ASGI middleware: 413 for a body over ``max_bytes``, by Content-Length or while it streams.

    ``larger`` gives paths (by prefix) a limit of their own: a batch is many cases in one body."""

    def __init__(self, app, max_bytes: int, larger: dict[str, int] | None = None):
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}

    def limit_for(self, path: str) -> int:
        return next((limit for prefix, limit in self.larger.items() if path.startswith(prefix)), self.max_bytes)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._too_large(scope, receive, send, limit)
            return
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)

    async def _too_large(self, scope, receive, send, limit: int):
        response = problem(413, "too-large", "For stor forespørgsel", f"Kroppen må højst fylde {limit} bytes")
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


def create_app(
    api_key: str | None = None, max_body: int | None = None, workers: int | None = None, time_limit: float | None = None
) -> FastAPI:
    """The service. ``api_key``/``max_body``/``time_limit`` default to BREVGEN_API_KEY /
    BREVGEN_MAX_BODY / BREVGEN_TIME_LIMIT (seconds per letter or lint)."""
    api_key = api_key if api_key is not None else (os.environ.get(API_KEY_ENV) or None)
    max_body = max_body or int(os.environ.get(MAX_BODY_ENV) or DEFAULT_MAX_BODY)
    workers = workers or os.cpu_count() or 2
    seconds = time_limit or default_seconds()
    pool = WorkPool(workers)
    lint_slots = max(1, workers // 2)  # lint never takes every worker from the letters
    lint_gates: dict[int, asyncio.Semaphore] = {}  # one per event loop (a test client may make several)

    @asynccontextmanager
    async def lifespan(app):
        pool.executor()  # the workers start with the service, not with its first letter
        yield
        pool.close()

    app = _App(
        title="brevgen",
        version=__version__,
        description=(
            "Klare breve fra jobcenteret, lavet ud fra sagens data. Fejl er application/problem+json (RFC 9457). "
            "Hvert svar har X-Request-ID (sendes den med, bruges den, ellers laves en); den står i hver loglinje.\n\n"
            "Dataaftalens version (en hash af hver brevtypes skema for sagens data) står i `info.x-brevgen-schema-version`, "
            "i /v1/version og i headeren `X-Brevgen-Schema-Version`. Den ændrer sig, når et felt i sagens data "
            "tilføjes, fjernes eller bliver påkrævet."
        ),
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    install_docs(app)
    app.state.pool = pool
    max_batch = int(os.environ.get(MAX_BATCH_BODY_ENV) or DEFAULT_MAX_BATCH_BODY)
    app.add_middleware(BodyLimit, max_bytes=max_body, larger={"/v1/batches": max(max_batch, max_body)})
    app.add_middleware(ErrorBoundary)
    from .feedback_web import configured_store_getter, feedback_router

    app.include_router(feedback_router(configured_store_getter()))
    key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description=f"Kræves, når {API_KEY_ENV} er sat")

    def require_key(given: str | None = Depends(key_header)) -> None:
        if api_key and not (given and hmac.compare_digest(given.encode(), api_key.encode())):
            raise _Unauthorized()

    async def in_worker(fn, *args):
        return await pool.run(seconds, fn, *args)

    def lint_gate() -> asyncio.Semaphore:
        loop = id(asyncio.get_running_loop())
        if loop not in lint_gates:
            lint_gates[loop] = asyncio.Semaphore(lint_slots)
        return lint_gates[loop]

    @app.exception_handler(BrevgenError)
    async def _brevgen_error(request: Request, exc: BrevgenError):
        return error_problem(exc)

    @app.exception_handler(_Unauthorized)
    async def _unauthorized(request: Request, exc: _Unauthorized):
        return problem(401, "unauthorized", "Mangler API-nøgle", "Send den rigtige nøgle i headeren X-API-Key")

    @app.exception_handler(_BodyTooLarge)
    async def _too_large(request: Request, exc: _BodyTooLarge):
        limit = exc.args[0] if exc.args else max_body
        return problem(413, "too-large", "For stor forespørgsel", f"Kroppen må højst fylde {limit} bytes")

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

    @app.get(
        "/readyz",
        tags=["drift"],
        summary="Kan tjenesten lave breve? (skabeloner og skrifttyper indlæst, køen nås når den er sat op)",
        responses={503: {"description": "Ikke klar; checks siger hvad der mangler"}},
    )
    async def readyz():
        checks = await anyio.to_thread.run_sync(readiness)
        if all(c["ok"] for c in checks.values()):
            return {"status": "ready", "checks": checks}
        return problem(503, "not-ready", "Tjenesten er ikke klar", "; ".join(c["detail"] for c in checks.values() if not c["ok"]), checks=checks)

    @app.get("/metrics", tags=["drift"], summary="Prometheus-målinger", response_class=Response)
    async def prometheus_metrics():
        payload, content_type = metrics_payload()
        return Response(payload, media_type=content_type)

    v1 = [Depends(require_key)]

    @app.get("/v1/version", dependencies=v1, tags=["drift"], summary="Versioner")
    async def version():
        """brevgen's version; the template set letters are made from now (the newest published
        version, or the working folder when none is published); the data contract's version
        (a hash of every event's case schema, overall and per event); MeMo; the formats."""
        from .render.memo import MEMO_VERSION
        from .versions import template_set_for

        # Quick reads of the store and the template folder: a thread, not a letter worker (the
        # template set holds a Jinja environment, which does not cross a process boundary).
        current = await anyio.to_thread.run_sync(template_set_for)
        published = await anyio.to_thread.run_sync(_published_versions)
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
        return await anyio.to_thread.run_sync(_published_versions)

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
        render = functools.partial(generate_letter, pdf_engine=pdf_engine, pdf_variant=pdf_variant, template_version=template_version)
        started = time.perf_counter()
        chosen = negotiate(request.headers.get("accept"))
        if chosen is None:
            supported = ", ".join([*media_types().values(), JSON])
            return problem(406, "not-acceptable", "Formatet findes ikke", f"Accept skal være en af: {supported}")
        if not _is_json(request.headers.get("content-type")):
            return problem(415, "unsupported-media-type", "Kroppen skal være JSON", "Send sagens data som application/json")
        data = _json_object(await request.body())
        letters, render_seconds = metrics()
        try:
            response, result = await make(render, event, chosen, data, formats, template_version)
        except BrevgenError as exc:
            outcome = "invalid" if exc.code in ("invalid-case-data", "letter") else "error"
            letters.labels(event, chosen, outcome).inc()
            raise
        render_seconds.labels(event, chosen).observe(time.perf_counter() - started)
        for fmt in result.files:
            letters.labels(event, fmt, "ok").inc()
        log.info(
            "letter event=%s case_ref=%s formats=%s ms=%.0f",
            event,
            result.letter.meta.case_ref,
            ",".join(result.files),
            (time.perf_counter() - started) * 1000,
        )
        return response

    async def make(render, event: str, chosen: str, data: dict[str, Any], formats: str | None, template_version: str | None):
        if chosen == "json":
            unavailable: dict[str, str] = {}
            if formats:
                wanted = parse_formats(formats)
            else:
                possible = await in_worker(available_formats, event, data, template_version)
                wanted = tuple(f for f, why in possible.items() if why is None)
                unavailable = {f: why for f, why in possible.items() if why is not None}
            result = await in_worker(render, event, data, wanted)
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
            result = await in_worker(render, event, data, (chosen,))
            fmt = get_format(chosen)
            media = fmt.media_type + ("; charset=utf-8" if fmt.text else "")
            headers = {f"X-{k.title()}": v for k, v in result.provenance.items()}
            headers["X-Brevgen-Schema-Version"] = contract.schema_version()
            headers["Content-Disposition"] = f'attachment; filename="{result.filename(chosen)}"'
            # The notes the envelope carries, for single-format answers too: a JSON array in
            # ASCII (\u-escapes), since header values are not safely UTF-8.
            headers[NOTES_HEADER] = json.dumps(list(result.notes), ensure_ascii=True)
            response = Response(result.files[chosen], media_type=media, headers=headers)
        return response, result

    from .queue.http import batch_router

    app.include_router(batch_router(in_worker), dependencies=v1)

    @app.post("/v1/lint", dependencies=v1, tags=["sprog"], summary="Tjek en tekst for klart sprog")
    async def lint(request: Request):
        """Lint a text: ``text/plain`` or ``text/markdown`` body, or JSON ``{"text": ..., "markdown": true}``.

        Returns the lint report as JSON (the same shape as ``brevgen lint --format json``) with
        ``ok`` false when it has error findings.
        """
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_LINT_BYTES:
            return _lint_too_large()
        raw = await request.body()
        if len(raw) > MAX_LINT_BYTES:
            return _lint_too_large()
        if importlib.util.find_spec("brevgen.lint") is None:
            return problem(501, "lint-unavailable", "lint is not available in this build", "Sprogtjekket findes ikke i denne udgave af brevgen")
        media = request.headers.get("content-type", "text/plain").split(";")[0].strip().lower()
        markdown = media != "text/plain"
        try:
            if _is_json(media):
                body = _json_object(raw)
                text = body.get("text")
                markdown = bool(body.get("markdown", True))
            else:
                text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if not isinstance(text, str) or not text.strip():
            return problem(422, "invalid-text", "no text to lint", "Send en tekst at tjekke (UTF-8), fx som text/plain eller JSON med feltet 'text'")
        async with lint_gate():
            return JSONResponse(await in_worker(lint_report, text, markdown))

    return app


def lint_report(text: str, markdown: bool) -> dict[str, Any]:
    """The lint's JSON report of a text, with ``ok``; runs in a worker process."""
    from .lint import lint_text
    from .lint.report import render_json

    report = lint_text(text, "tekst", markdown=markdown)
    data = json.loads(render_json(report))
    data["ok"] = report.exit_code == 0
    return data


def _lint_too_large() -> JSONResponse:
    return problem(413, "too-large", "For stor tekst", f"Sprogtjekket tager højst {MAX_LINT_BYTES:,} bytes tekst ad gangen".replace(",", "."))


def _is_json(content_type: str | None) -> bool:
    """``application/json`` or a ``+json`` type (with any parameters, such as charset)."""
    media = (content_type or "").split(";")[0].strip().lower()
    return media == JSON or (media.startswith("application/") and media.endswith("+json"))


class _App(FastAPI):
    """FastAPI with the request id outermost (even a 500 from Starlette's error middleware has
    it) and an OpenAPI document with the case schemas, envelope and problem shapes."""

    def build_middleware_stack(self):
        return RequestIdMiddleware(super().build_middleware_stack())

    def openapi(self):
        if not self.openapi_schema:
            self.openapi_schema = enrich_openapi(super().openapi())
        # The data contract's version, read at each request (the schemas are cached per model),
        # so a case system sees the case schema change.
        document = dict(self.openapi_schema)
        document["info"] = {
            **self.openapi_schema["info"],
            "x-brevgen-schema-version": contract.schema_version(),
            "x-brevgen-event-schema-versions": {
                name: contract.event_schema_hash(schema) for name, schema in contract.current_schemas().items()
            },
        }
        return document


_ready: dict[str, Any] = {}


def readiness() -> dict[str, dict[str, Any]]:
    """Templates and fonts loaded (once, then remembered), and the queue reachable when set up."""
    checks: dict[str, dict[str, Any]] = {}
    if "templates" not in _ready:
        from .paths import templates_dir
        from .templating import template_set

        try:
            templates = template_set()
            templates.regimes
            templates.events
            _ready["templates"] = {"ok": True, "detail": f"{len(templates.events)} skabeloner i {templates_dir()}"}
        except Exception as exc:  # noqa: BLE001  (reported, not raised: this is the check)
            checks["templates"] = {"ok": False, "detail": f"skabelonerne kan ikke indlæses: {type(exc).__name__}: {redact(str(exc))[:300]}"}
    if "templates" in _ready:
        checks["templates"] = _ready["templates"]
    if "fonts" not in _ready and checks["templates"]["ok"]:
        try:
            from .paths import templates_dir
            from .render.pdf import load_fonts

            _ready["fonts"] = {"ok": True, "detail": load_fonts(templates_dir())}
        except Exception as exc:  # noqa: BLE001
            checks["fonts"] = {"ok": False, "detail": f"skrifttyperne kan ikke indlæses: {type(exc).__name__}: {redact(str(exc))[:300]}"}
    if "fonts" in _ready:
        checks["fonts"] = _ready["fonts"]
    from .queue.config import QueueSettings

    settings = QueueSettings.from_env()
    if settings.configured:
        from .queue.health import queue_checks

        checks.update(queue_checks(settings))
    return checks


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
        data = parse_json(raw.decode("utf-8")) if raw.strip() else None
    except DataRefused as exc:
        raise CaseDataError([exc.problem()]) from None
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
