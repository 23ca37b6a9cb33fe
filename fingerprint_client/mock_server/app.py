"""The FastAPI application of the mock takedown service (protocol v1 plus `/_mock/*`)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from fingerprint_client.mock_server import openapi_doc as doc
from fingerprint_client.mock_server.handlers import Answer, MockService, PostKind, problem_answer
from fingerprint_client.mock_server.problems import ProblemError
from fingerprint_client.service.models import (
    AddHashesRequest,
    Capabilities,
    Case,
    CreateCaseRequest,
    EmptyRequest,
    Health,
)
from fingerprint_client.service.protocol_constants import (
    AUTHORIZATION_HEADER,
    CASE_PIN_HEADER,
    IDEMPOTENCY_KEY_HEADER,
    MAX_BODY_BYTES,
    PROTOCOL_VERSION,
)

ADMIN_TOKEN_HEADER = "X-Admin-Token"  # noqa: S105 - a header name

_CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}
_HASH_ID = {"name": "hash_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _respond(answer: Answer) -> Response:
    return Response(
        content=answer.body,
        status_code=answer.status,
        media_type=answer.content_type,
        headers=answer.headers,
    )


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


async def _read_body(request: Request) -> bytes:
    """The body, refused with 413 past 1 MiB (declared length or actual bytes)."""
    too_large = ProblemError(413, "body-too-large", f"At most {MAX_BODY_BYTES} bytes.")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(service: MockService) -> FastAPI:
    """The ASGI app serving `service`."""
    app = FastAPIOffline(
        title="fingerprint-client mock takedown service",
        version=PROTOCOL_VERSION,
        redoc_url=None,
    )
    doc.install_openapi(app)

    @app.exception_handler(ProblemError)
    async def _problem(_request: Request, exc: ProblemError) -> Response:
        return _respond(problem_answer(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            err = ProblemError(405, "method-not-allowed", "This endpoint takes another method.")
        else:
            err = ProblemError(404, "not-found", "No such endpoint.")
        return _respond(problem_answer(err))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, _exc: RequestValidationError) -> Response:
        return _respond(problem_answer(ProblemError(422, "validation-failed", "Invalid request.")))

    @app.exception_handler(Exception)
    async def _crash(_request: Request, _exc: Exception) -> Response:  # never expected
        return _respond(problem_answer(ProblemError(500, "server-error", "Internal error.")))

    def gate(request: Request) -> None:
        service.check_api_key(request.headers.get(AUTHORIZATION_HEADER))
        service.check_rate(_client(request))

    async def post(request: Request, kind: PostKind) -> Response:
        gate(request)
        key = service.check_idempotency_key(request.headers.get(IDEMPOTENCY_KEY_HEADER))
        path = request.url.path
        scope = (key, "POST", path)
        service.begin(scope)
        try:
            body = await _read_body(request)
            answer = await run_in_threadpool(
                service.post,
                kind,
                key,
                path,
                body,
                request.headers.get(CASE_PIN_HEADER),
                request.path_params.get("case_id"),
                request.path_params.get("hash_id"),
            )
        finally:
            service.end(scope)
        return _respond(answer)

    @app.get("/v1/health", responses=doc.responses(200, Health), tags=["service"])
    async def health() -> Response:
        """Liveness: answers 200 when the service runs."""
        return _respond(Answer(200, Health().model_dump_json().encode()))

    @app.get(
        "/v1/capabilities", responses=doc.responses(200, Capabilities, 401, 429), tags=["service"]
    )
    async def capabilities(request: Request) -> Response:
        """Protocol version, accepted algorithms, programs and the per-request hash limit."""
        gate(request)
        return _respond(service.capabilities())

    @app.get(
        "/v1/cases/{case_id}",
        responses=doc.responses(200, Case, 401, 404, 429),
        openapi_extra={"parameters": [_CASE_ID, doc.PIN_PARAM]},
        tags=["cases"],
    )
    async def get_case(request: Request) -> Response:
        """The case with its hashes and events."""
        gate(request)
        answer = await run_in_threadpool(
            service.get_case,
            request.path_params["case_id"],
            request.headers.get(CASE_PIN_HEADER),
        )
        return _respond(answer)

    for route in _POST_ROUTES:
        _add_post_route(app, route, post)

    _install_admin(app, service)
    return app


def _with(extra: dict[str, Any], *params: dict[str, Any]) -> dict[str, Any]:
    return {**extra, "parameters": [*params, *extra["parameters"]]}


@dataclass(frozen=True)
class _PostRoute:
    """One `POST /v1/...` endpoint: all of them are served by `post(request, kind)`."""

    path: str
    kind: PostKind
    name: str  # also the OpenAPI operation id's start
    description: str
    status: int
    body: type[BaseModel]
    errors: tuple[int, ...]
    params: tuple[dict[str, Any], ...] = ()


_CASE_POST_ERRORS = (400, 401, 404, 409, 413, 422, 429)
_POST_ROUTES = (
    _PostRoute(
        "/v1/cases",
        "create",
        "create_case",
        "Open a case with the first chunk of hashes; `X-Case-PIN` carries the chosen PIN.",
        201,
        CreateCaseRequest,
        (400, 401, 409, 413, 422, 429),
    ),
    _PostRoute(
        "/v1/cases/{case_id}/hashes",
        "add",
        "add_hashes",
        "Add the next chunk of hashes to an open case.",
        201,
        AddHashesRequest,
        _CASE_POST_ERRORS,
        (_CASE_ID,),
    ),
    _PostRoute(
        "/v1/cases/{case_id}/hashes/{hash_id}/withdraw",
        "withdraw_hash",
        "withdraw_hash",
        "Withdraw one hash; its value is deleted everywhere.",
        200,
        EmptyRequest,
        _CASE_POST_ERRORS,
        (_CASE_ID, _HASH_ID),
    ),
    _PostRoute(
        "/v1/cases/{case_id}/withdraw",
        "withdraw_case",
        "withdraw_case",
        "Withdraw the whole case; every hash value is deleted.",
        200,
        EmptyRequest,
        _CASE_POST_ERRORS,
        (_CASE_ID,),
    ),
)


def _add_post_route(
    app: FastAPI, route: _PostRoute, post: Callable[[Request, PostKind], Awaitable[Response]]
) -> None:
    async def endpoint(request: Request) -> Response:
        return await post(request, route.kind)

    app.add_api_route(
        route.path,
        endpoint,
        methods=["POST"],
        status_code=route.status,
        responses=doc.responses(route.status, Case, *route.errors),
        openapi_extra=_with(doc.post_extra(route.body), *route.params),
        tags=["cases"],
        name=route.name,
        description=route.description,
    )


def _install_admin(app: FastAPI, service: MockService) -> None:
    """`/_mock/*`: inspection and status simulation (no idempotency, never faulted)."""

    def admin_gate(request: Request) -> None:
        token = service.config.admin_token
        if token is not None and request.headers.get(ADMIN_TOKEN_HEADER) != token:
            raise ProblemError(401, "unauthorized", f"Send {ADMIN_TOKEN_HEADER}.")

    @app.get("/_mock/cases", include_in_schema=False)
    async def mock_cases(request: Request) -> Response:
        admin_gate(request)
        return _respond(await run_in_threadpool(service.mock_cases))

    @app.get("/_mock/in-flight", include_in_schema=False)
    async def mock_in_flight(request: Request) -> Response:
        admin_gate(request)
        data = json.dumps({"requests": service.in_flight_count()}).encode()
        return _respond(Answer(200, data))

    @app.post("/_mock/advance", include_in_schema=False)
    async def mock_advance(request: Request) -> Response:
        admin_gate(request)
        raw = await _read_body(request)
        try:
            data = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise ProblemError(400, "malformed-json", "The body must be JSON or empty.") from None
        if not isinstance(data, dict):
            raise ProblemError(422, "validation-failed", "The body must be a JSON object.")
        case_id, status = data.get("case_id"), data.get("status")
        if (case_id is not None and not isinstance(case_id, str)) or status not in (
            None,
            "active",
            "rejected",
            "deleted",
        ):
            raise ProblemError(
                422,
                "validation-failed",
                'Use {"case_id"?: string, "status"?: "active" | "rejected" | "deleted"}.',
            )
        return _respond(await run_in_threadpool(service.mock_advance, case_id, status))
