"""The HTTP contract as pydantic models, the OpenAPI document built from them, and the API docs
(Swagger UI and ReDoc) served by brevgen itself.

The OpenAPI document carries, as components: each event's case schema (from the event
registry's models, Danish titles included) with its shipped example, the JSON envelope, the
problem+json shape, and the batch job. The docs pages load their JavaScript and CSS from
brevgen (the ``fastapi-offline`` package ships them), never from a CDN, so /docs works on a
server without internet.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from . import events as event_registry

PROBLEM = "application/problem+json"
JSON = "application/json"
SCHEMAS = "#/components/schemas/{model}"


# --- models ---------------------------------------------------------------------------------


class FileEntry(BaseModel):
    media_type: str = Field(examples=["application/pdf"])
    filename: str = Field(description="Sikkert filnavn: brevtype, sagsnummer, dato (aldrig navn eller CPR)", examples=["indkaldelse_JC-2026-0412_2026-03-02.pdf"])
    base64: str = Field(description="Filens indhold, base64")


class LetterEnvelope(BaseModel):
    """The JSON answer of POST /v1/letters/{event}: every format the case can have."""

    event: str = Field(examples=["indkaldelse"])
    files: dict[str, FileEntry] = Field(description="Format -> filen")
    unavailable: dict[str, str] = Field(description="Formater, sagen ikke kan få, og hvorfor (på dansk)")
    notes: list[str] = Field(description="Det, sagsbehandleren skal vide før afsendelse: ubekræftede lovværdier, flyttede frister")
    reports: dict[str, Any] = Field(description="Tjek af brevet, fx lint (klarsprog)")
    provenance: dict[str, str] = Field(description="Brevets stempel: skabelon og version, regelsæt, datahash, sagsnummer")


class FieldProblem(BaseModel):
    field: str = Field(examples=["caseworker.phone"])
    label: str | None = Field(None, examples=["Sagsbehandlerens direkte telefonnummer"])
    message: str = Field(examples=["skal udfyldes"])
    pointer: str | None = Field(None, description="JSON Pointer i kroppen", examples=["/caseworker/phone"])


class Problem(BaseModel):
    """Every error (RFC 9457, application/problem+json)."""

    type: str = Field(examples=["urn:brevgen:problem:invalid-case-data"])
    title: str = Field(examples=["Sagens data er ikke gyldige"])
    status: int = Field(examples=[422])
    code: str = Field(description="Stabil kode", examples=["invalid-case-data"])
    detail: str | None = Field(None, examples=["sagens data har 1 fejl: caseworker.phone (Sagsbehandlerens direkte telefonnummer): skal udfyldes"])
    request_id: str = Field(description="Samme som svarets X-Request-ID; står i hver loglinje", examples=["9f1c0b6e2d7a4e41a0b3c5d7e9f11223"])
    errors: list[FieldProblem] | None = Field(None, description="Ved ugyldige sagsdata: ét punkt pr. felt")


class BatchRecord(BaseModel):
    """One letter of a batch (one JSONL line)."""

    id: str = Field(description="Brevets id fra sagssystemet: bogstaver, tal, '.', '_', '-' (aldrig et CPR-nummer)", examples=["sag-17"])
    event: str = Field(examples=["indkaldelse"])
    data: dict[str, Any] = Field(description="Sagens data efter brevtypens skema")


class BatchRequest(BaseModel):
    """POST /v1/batches as JSON: the records, and optionally formats and a webhook."""

    records: list[BatchRecord]
    formats: list[str] | None = Field(None, examples=[["pdf", "memo"]])
    webhook: str | None = Field(None, description="URL, der kaldes (POST, HMAC-signeret) når kørslen er færdig")


class BatchLinks(BaseModel):
    self: str
    letters: str
    archive: str
    manifest: str
    errors: str


class BatchJob(BaseModel):
    """A batch on the queue: progress now, per-record errors, where to fetch the letters."""

    id: str
    status: Literal["queued", "running", "done"]
    total: int = Field(description="Poster i kørslen")
    done: int = Field(description="Poster færdige: breve + fejl")
    letters: int
    failed: int
    formats: list[str]
    created: str
    finished: str | None = None
    errors: list[dict[str, Any]] = Field(description="Fejl pr. post (linje, id, felt, dansk besked), højst de første 1.000")
    links: BatchLinks


# --- OpenAPI ---------------------------------------------------------------------------------


def _add_schema(components: dict[str, Any], name: str, schema: dict[str, Any]) -> None:
    for def_name, definition in schema.pop("$defs", {}).items():
        existing = components.get(def_name)
        if existing is not None and existing != definition:
            # Two events with a different part of the same name: should not happen with the
            # shared case parts; keep the first and say so in the schema rather than mix them.
            definition = {**definition, "description": f"(se også {def_name} i en anden brevtype)"}
            def_name = f"{name}.{def_name}"
        components[def_name] = definition
    components[name] = schema


def example_case(event: str) -> dict[str, Any] | None:
    """The event's first shipped example, for the OpenAPI examples (fictitious data)."""
    from .starter import example_for

    try:
        from .casefile import read_case_file

        return read_case_file(example_for(event))
    except Exception:  # noqa: BLE001  (an event without examples just has none)
        return None


def enrich_openapi(openapi: dict[str, Any]) -> dict[str, Any]:
    """Add the case schemas, the envelope, problem+json and batch shapes to FastAPI's document."""
    components = openapi.setdefault("components", {}).setdefault("schemas", {})
    case_refs, examples = [], {}
    for event in event_registry.all_events():
        name = f"Case.{event.name}"
        schema = event.model.model_json_schema(ref_template=SCHEMAS)
        schema["title"] = f"{event.title} ({event.name})"
        _add_schema(components, name, schema)
        case_refs.append({"$ref": f"#/components/schemas/{name}"})
        example = example_case(event.name)
        if example is not None:
            examples[event.name] = {"summary": event.title, "value": example}
    for model in (LetterEnvelope, Problem, BatchRequest, BatchJob):
        _add_schema(components, model.__name__, model.model_json_schema(ref_template=SCHEMAS))
    problem_content = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}

    for path, item in openapi.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    response["content"] = problem_content
            if path.startswith("/v1/"):
                responses.setdefault("401", {"description": "Mangler eller forkert API-nøgle (X-API-Key)", "content": problem_content})
    letter = openapi["paths"].get("/v1/letters/{event}", {}).get("post")
    if letter is not None:
        letter["requestBody"] = {
            "required": True,
            "description": "Sagens data som JSON efter brevtypens skema (Case.<brevtype>); eksemplerne er opdigtede",
            "content": {JSON: {"schema": {"oneOf": case_refs}, "examples": examples}},
        }
        letter["responses"]["200"]["content"][JSON] = {"schema": {"$ref": "#/components/schemas/LetterEnvelope"}}
    return openapi


# --- Swagger UI and ReDoc from brevgen itself ---------------------------------------------------

ASSETS_PATH = "/docs/assets"
ASSET_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png"}


def assets_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).resolve().parent / "static"


def install_docs(app) -> None:
    """/docs (Swagger UI) and /redoc (ReDoc), with their assets under /docs/assets/."""
    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
    from fastapi.responses import Response
    from starlette.exceptions import HTTPException

    files = {p.name: p for p in assets_dir().iterdir() if p.suffix in ASSET_TYPES}
    title = f"{app.title} {app.version}"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui():
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{title}: API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc():
        return get_redoc_html(
            openapi_url=app.openapi_url,
            title=f"{title}: API",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )

    @app.get(ASSETS_PATH + "/{name}", include_in_schema=False)
    async def asset(name: str):
        path = files.get(name)
        if path is None:
            raise HTTPException(404, "filen findes ikke")
        return Response(path.read_bytes(), media_type=ASSET_TYPES[path.suffix], headers={"Cache-Control": "public, max-age=86400"})


def encode_file(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
