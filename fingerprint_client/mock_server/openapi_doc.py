"""The OpenAPI description of protocol v1: exactly the answers the service gives.

Route handlers read their bodies themselves (the raw bytes matter for idempotency), so the
request bodies, headers and every response — problem+json ones included — are declared here and
the protocol models are added to `components.schemas`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from fingerprint_client.service.models import (
    AddHashesRequest,
    Capabilities,
    Case,
    CreateCaseRequest,
    EmptyRequest,
    Health,
    Problem,
)
from fingerprint_client.service.protocol_constants import (
    CASE_PIN_HEADER,
    IDEMPOTENCY_KEY_HEADER,
    PIN_EXAMPLE,
    PIN_RE,
    PROBLEM_CONTENT_TYPE,
    PROTOCOL_VERSION,
)

_REF = "#/components/schemas/{model}"

_PROBLEM_TEXT = {
    400: "Malformed JSON, or the Idempotency-Key header is missing.",
    401: "API key or case PIN missing or wrong (never stored for replay).",
    404: "No such case (or hash).",
    409: "The Idempotency-Key was used with another body, a request with it is still in "
    "progress (`type` ends with `in-progress`), or the case accepts no more hashes.",
    413: "The body is larger than 1 MiB.",
    422: "The body does not follow the protocol (unknown fields, formats, limits).",
    429: "Too many requests, or too many wrong PINs for this case; see Retry-After.",
}


def _ref(model: type[Any]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def responses(ok: int, model: type[Any], *problems: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: one JSON success and the listed problem answers."""
    out: dict[int | str, dict[str, Any]] = {
        ok: {"description": "Success.", "content": {"application/json": {"schema": _ref(model)}}}
    }
    for status in problems:
        entry: dict[str, Any] = {
            "description": _PROBLEM_TEXT[status],
            "content": {PROBLEM_CONTENT_TYPE: {"schema": _ref(Problem)}},
        }
        if status == 429:
            entry["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer", "minimum": 1},
                }
            }
        out[status] = entry
    return out


IDEMPOTENCY_PARAM: dict[str, Any] = {
    "name": IDEMPOTENCY_KEY_HEADER,
    "in": "header",
    "required": True,
    "description": "Unique per request (a UUID); a retry sends the same key and body.",
    "schema": {"type": "string", "pattern": "^[!-~]{1,200}$", "minLength": 1, "maxLength": 200},
}
PIN_PARAM: dict[str, Any] = {
    "name": CASE_PIN_HEADER,
    "in": "header",
    "required": True,
    "description": "The case PIN the client chose (sent on create and every later request).",
    "schema": {"type": "string", "pattern": PIN_RE.pattern, "example": PIN_EXAMPLE},
}


_PDQ_EXAMPLE = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
_HASHES_EXAMPLE = [
    {"algorithm": "pdq", "media": "image", "quality": 92, "value": _PDQ_EXAMPLE},
    {
        "algorithm": "sha256",
        "media": "image",
        "value": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    },
]
EXAMPLES: dict[str, Any] = {
    "CreateCaseRequest": {
        "client": {"name": "fingerprint-client", "version": "0.1.0"},
        "hashes": _HASHES_EXAMPLE,
        "program": "adult",
    },
    "AddHashesRequest": {
        "hashes": [
            {"algorithm": "md5", "media": "image", "value": "098f6bcd4621d373cade4e832627b4f6"}
        ]
    },
    "EmptyRequest": {},
}


def post_extra(body_model: type[Any], *, pin: bool = True) -> dict[str, Any]:
    """`openapi_extra` of a POST: its headers and its JSON request body (with an example)."""
    media: dict[str, Any] = {"schema": _ref(body_model)}
    if body_model.__name__ in EXAMPLES:
        media["example"] = EXAMPLES[body_model.__name__]
    return {
        "parameters": [IDEMPOTENCY_PARAM, *([PIN_PARAM] if pin else [])],
        "requestBody": {"required": True, "content": {"application/json": media}},
    }


GET_CASE_EXTRA: dict[str, Any] = {"parameters": [PIN_PARAM]}

_MODELS: list[tuple[type[Any], Any]] = [
    (CreateCaseRequest, "validation"),
    (AddHashesRequest, "validation"),
    (EmptyRequest, "validation"),
    (Case, "serialization"),
    (Capabilities, "serialization"),
    (Health, "serialization"),
    (Problem, "serialization"),
]

DESCRIPTION = """Takedown service protocol v1 (mock implementation).

Only hashes of images are ever sent - never images, names or paths. Every POST under `/v1`
carries an `Idempotency-Key`; case requests carry the client-chosen PIN in `X-Case-PIN`.
Errors are `application/problem+json` (RFC 9457). See docs/protocol.md.
"""


def install_openapi(app: FastAPI) -> None:
    """Replace the app's OpenAPI generator with one that adds the protocol models."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = get_openapi(
            title=app.title,
            version=PROTOCOL_VERSION,
            description=DESCRIPTION,
            routes=app.routes,
        )
        _, defs = models_json_schema(_MODELS, ref_template=_REF)
        components = doc.setdefault("components", {})
        components["securitySchemes"] = {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "Optional API key of the client's profile (mock: --api-key).",
            }
        }
        doc["security"] = [{}, {"bearer": []}]
        schemas = components.setdefault("schemas", {})
        schemas.update(defs.get("$defs", {}))
        # The default 422 FastAPI adds is never given; our own 422 is declared per route.
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        app.openapi_schema = doc
        return doc

    app.openapi = build  # type: ignore[method-assign]
