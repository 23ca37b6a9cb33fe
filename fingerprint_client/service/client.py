"""`ServiceClient`: the one way this application talks to a takedown service (protocol v1).

It sends exactly the bytes it is given (the outbox holds them), adds the headers the protocol
asks for, and turns every answer into either a validated model or a `ServiceError`:

    client = ServiceClient("https://service.example", api_key=None)
    caps = client.capabilities()
    case = client.post("/v1/cases", body, idempotency_key=key, pin=pin)
    case = client.get_case(case.case_id, pin)

Answers are size-capped, deadline-bound, content-type checked, validated with the protocol
models, and every string in them is stripped of terminal control characters before anyone sees
it. The client holds no state besides its connection pool; it is safe to use from one worker
thread at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import pydantic

from fingerprint_client import CLIENT_NAME, __version__
from fingerprint_client.service._transport import ClientSettings, RawResponse, Transport
from fingerprint_client.service.errors import (
    CaseNotFound,
    HostileResponse,
    IdempotencyConflict,
    PinRejected,
    Problem,
    RateLimited,
    RequestInProgress,
    ServiceRefused,
    ServiceUnavailable,
    Unauthorized,
)
from fingerprint_client.service.models import Capabilities, Case
from fingerprint_client.service.protocol_constants import ALGORITHMS, PROGRAMS
from fingerprint_client.service.sanitize import clean_tree

__all__ = ["ClientSettings", "ServiceClient", "case_path", "mask_headers", "user_agent"]

_ID_RE = re.compile(r"^[A-Za-z0-9._~:@+=-]{1,64}$")
_JSON_TYPES = {"application/json", "application/problem+json"}
_SECRET_HEADERS = {"authorization", "x-case-pin"}
_Model = TypeVar("_Model", bound=pydantic.BaseModel)


def user_agent() -> str:
    """`fingerprint-client/<version>`: all the service learns about this program."""
    return f"{CLIENT_NAME}/{__version__}"


def case_path(template: str, case_id: str | None = None, hash_id: str | None = None) -> str:
    """Fill `{case_id}` / `{hash_id}` in a path template, each percent-encoded as one segment."""
    path = template
    if "{case_id}" in path:
        if case_id is None:
            raise ValueError("case_id needed")
        path = path.replace("{case_id}", quote(case_id, safe=""))
    if "{hash_id}" in path:
        if hash_id is None:
            raise ValueError("hash_id needed")
        path = path.replace("{hash_id}", quote(hash_id, safe=""))
    return path


def mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of `headers` with the PIN and API key replaced by a mask (for showing)."""
    return {
        k: ("Bearer ••••••••" if k.lower() == "authorization" else "••••-••••-••••")
        if k.lower() in _SECRET_HEADERS
        else v
        for k, v in headers.items()
    }


def _retry_after(headers: Mapping[str, str]) -> float | None:
    raw = headers.get("Retry-After", "").strip()
    return float(raw) if raw.isdigit() and len(raw) < 10 else None


def _check_ids(data: Any) -> None:
    """Case and hash ids must be short, plain and URL-safe before anything else is trusted:
    they are put into later request paths and shown."""
    if not isinstance(data, dict):
        return
    ids = [data.get("case_id")]
    hashes = data.get("hashes")
    if isinstance(hashes, list):
        ids += [h.get("hash_id") for h in hashes if isinstance(h, dict)]
    for value in ids:
        if value is not None and (not isinstance(value, str) or not _ID_RE.fullmatch(value)):
            raise HostileResponse("The service sent an identifier this program cannot use.")


def _known_capabilities(data: Any) -> Any:
    """Capabilities without the algorithms and programs this client does not know."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    if isinstance(out.get("algorithms"), list):
        out["algorithms"] = [a for a in out["algorithms"] if a in ALGORITHMS]
    if isinstance(out.get("programs"), list):
        out["programs"] = [
            p for p in out["programs"] if isinstance(p, dict) and p.get("id") in PROGRAMS
        ]
    return out


class ServiceClient:
    """A client for one service endpoint (base URL), with an optional API key."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        settings: ClientSettings | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.settings = settings or ClientSettings.from_environ()
        self._transport = transport or Transport(base_url, self.settings, user_agent())
        self.base_url = self._transport.base_url
        self._api_key = api_key

    def __enter__(self) -> ServiceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self._transport.close()

    # -- the protocol -------------------------------------------------------------------------

    def headers(
        self, *, idempotency_key: str | None = None, pin: str | None = None, body: bool = False
    ) -> dict[str, str]:
        """The headers of one request (besides the session's User-Agent/Accept ones)."""
        headers: dict[str, str] = {}
        if body:
            headers["Content-Type"] = "application/json"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        if pin is not None:
            headers["X-Case-PIN"] = pin
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    def shown_headers(self, *, idempotency_key: str, with_pin: bool) -> dict[str, str]:
        """Every header a POST will carry, secrets masked: what `submit` shows before consent."""
        shown = {
            "User-Agent": user_agent(),
            "Accept": "application/json",
            "Accept-Encoding": "identity",
        }
        shown.update(
            self.headers(idempotency_key=idempotency_key, pin="x" if with_pin else None, body=True)
        )
        return mask_headers(shown)

    def health(self) -> bool:
        """True when `GET /v1/health` answers 2xx."""
        try:
            return 200 <= self._transport.request("GET", "/v1/health", self.headers()).status < 300
        except ServiceUnavailable:
            return False

    def capabilities(self) -> Capabilities:
        """`GET /v1/capabilities`, validated. Algorithms and programs this client does not know
        are dropped (a newer service may offer more), never an error."""
        raw = self._transport.request("GET", "/v1/capabilities", self.headers())
        return self._parse(raw, Capabilities, _known_capabilities)

    def get_case(self, case_id: str, pin: str) -> Case:
        """`GET /v1/cases/{case_id}` with the case PIN."""
        path = case_path("/v1/cases/{case_id}", case_id)
        raw = self._transport.request("GET", path, self.headers(pin=pin))
        return self._parse(raw, Case)

    def post(self, path: str, body: bytes, *, idempotency_key: str, pin: str | None) -> Case:
        """Send one POST with exactly `body` and answer the case the service returns.

        A replayed answer (the service already did this work under the same key) is
        indistinguishable from the first one and handled the same way.
        """
        return self.send(path, body, idempotency_key=idempotency_key, pin=pin)[1]

    def send(
        self,
        path: str,
        body: bytes,
        *,
        idempotency_key: str,
        pin: str | None,
        on_answer: Callable[[], None] | None = None,
    ) -> tuple[int, Case]:
        """Like `post`, also giving the HTTP status. `on_answer` is called as soon as the
        answer's status line arrived, before its body is read (the delivery code's crash-test
        hook: the service has done the work, this device does not know yet)."""
        headers = self.headers(idempotency_key=idempotency_key, pin=pin, body=True)
        raw = self._transport.request("POST", path, headers, body, on_answer=on_answer)
        return raw.status, self._parse(raw, Case)

    # -- answers ------------------------------------------------------------------------------

    def _parse(
        self,
        raw: RawResponse,
        model: type[_Model],
        adjust: Callable[[Any], Any] | None = None,
    ) -> _Model:
        if 200 <= raw.status < 300:
            if raw.media_type not in _JSON_TYPES:
                raise HostileResponse("The service's answer was not JSON.")
            data = self._decode(raw.body)
            _check_ids(data)
            if adjust is not None:
                data = adjust(data)
            try:
                return model.model_validate(clean_tree(data))
            except pydantic.ValidationError as exc:
                raise HostileResponse(
                    "The service's answer did not follow the protocol; nothing was changed."
                ) from exc
        raise self._error(raw)

    @staticmethod
    def _decode(body: bytes) -> Any:
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise HostileResponse("The service's answer was not valid JSON.") from exc

    def _error(self, raw: RawResponse) -> Exception:
        data: Any = None
        if raw.media_type in _JSON_TYPES:
            try:
                data = self._decode(raw.body)
            except HostileResponse:
                data = None
        problem = Problem.from_json(raw.status, data)
        slug = problem.type.rstrip("/").rsplit("/", 1)[-1]
        status = raw.status
        if status == 401 and slug == "unauthorized":
            return Unauthorized(
                "The service did not accept this profile's API key (see `profiles add "
                "--api-key-stdin`).",
                problem,
            )
        if status == 401:
            return PinRejected("The service did not accept the case PIN.", problem)
        if status == 404:
            return CaseNotFound("The service does not know this case.", problem)
        if status == 409 and slug == "in-progress":
            return RequestInProgress("The service is still working on this request.")
        if status == 409 and slug == "idempotency-conflict":
            return IdempotencyConflict(
                "The service already has a different request under this key.", problem
            )
        if status == 429:
            return RateLimited(
                "The service asked to wait before trying again.", _retry_after(raw.headers)
            )
        if status in (408, 425) or status >= 500:
            return ServiceUnavailable(
                "The service is having trouble right now; it will be retried."
            )
        if 300 <= status < 400:
            return HostileResponse(
                "The service tried to redirect the request; it was not followed."
            )
        if 400 <= status < 500:
            return ServiceRefused(f"The service refused the request: {problem.summary()}", problem)
        return HostileResponse("The service gave an answer this program does not understand.")
