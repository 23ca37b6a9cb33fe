"""Every way talking to a takedown service can go wrong, as one exception hierarchy.

Modelled on httpx: callers catch `ServiceError` for "anything went wrong with the service" and a
subclass when they care why. Every error carries a stable `code` (for `--json` output and the
TUI) and a kind, plain message that never contains a path, a PIN or an API key. Text that came
from the server is sanitised (terminal control characters removed) before it is kept here.

```
ServiceError
├── ServiceUnavailable        network down, timeouts, 5xx after retries      (retry later)
│   ├── RateLimited           429 after retries; `retry_after` seconds        (retry later)
│   └── RequestInProgress     409 `.../in-progress`: the same key is running  (retry later)
├── ServiceRefused            a 4xx answer with a problem document           (final)
│   ├── Unauthorized          401: the profile's API key is missing or wrong
│   ├── PinRejected           401: missing or wrong case PIN
│   ├── CaseNotFound          404: the service does not know the case
│   └── IdempotencyConflict   409: the same key was used with another body
├── HostileResponse           the answer is too big, too slow, not JSON, wrong types ...
└── InsecureEndpoint          plain http to a host that is not loopback, or a bad URL
```

`retryable` tells the delivery loop whether to keep the outbox item queued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fingerprint_client.service.sanitize import clean_text

__all__ = [
    "CaseNotFound",
    "HostileResponse",
    "IdempotencyConflict",
    "InsecureEndpoint",
    "PinRejected",
    "Problem",
    "RateLimited",
    "RequestInProgress",
    "ServiceError",
    "ServiceRefused",
    "ServiceUnavailable",
    "Unauthorized",
]


@dataclass(frozen=True)
class Problem:
    """An RFC 9457 problem document as the service sent it, sanitised for storing and showing."""

    status: int
    type: str = "about:blank"
    title: str = ""
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, status: int, data: object) -> Problem:
        """Build from a decoded JSON body; anything unexpected degrades to an empty problem."""
        if not isinstance(data, dict):
            return cls(status=status)

        def text(key: str, limit: int) -> str:
            value = data.get(key)
            return clean_text(value, limit) if isinstance(value, str) else ""

        return cls(
            status=status,
            type=text("type", 200) or "about:blank",
            title=text("title", 200),
            detail=text("detail", 1000),
        )

    def to_json(self) -> dict[str, Any]:
        """The problem as a JSON-ready dict (kept as a case event)."""
        return {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }

    def summary(self) -> str:
        """One line for a person: the title and detail the service gave, or the status."""
        parts = [p for p in (self.title, self.detail) if p]
        return ": ".join(parts) if parts else f"HTTP {self.status}"


class ServiceError(Exception):
    """Base of every service error. `code` is stable; `str(err)` is a kind message."""

    code = "service-error"
    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ServiceUnavailable(ServiceError):
    """The service could not be reached or did not answer in time (after retries)."""

    code = "service-unavailable"
    retryable = True


class RateLimited(ServiceUnavailable):
    """The service asked us to slow down (429) and kept asking after our retries."""

    code = "rate-limited"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RequestInProgress(ServiceUnavailable):
    """The service is still working on an earlier copy of this request (409 in-progress)."""

    code = "in-progress"


class ServiceRefused(ServiceError):
    """The service answered and said no (a 4xx problem). Final for this request."""

    code = "refused"

    def __init__(self, message: str, problem: Problem) -> None:
        super().__init__(message)
        self.problem = problem


class Unauthorized(ServiceRefused):
    """The service wants a (different) API key for this profile (401 `unauthorized`)."""

    code = "unauthorized"


class PinRejected(ServiceRefused):
    """The case PIN was missing or wrong (401)."""

    code = "pin-rejected"


class CaseNotFound(ServiceRefused):
    """The service does not know this case (404)."""

    code = "case-not-found"


class IdempotencyConflict(ServiceRefused):
    """The idempotency key was already used with a different body (409)."""

    code = "idempotency-conflict"


class HostileResponse(ServiceError):
    """The answer could not be trusted: too large, too slow, not JSON, or not the protocol."""

    code = "bad-response"
    retryable = True


class InsecureEndpoint(ServiceError):
    """The endpoint URL is not acceptable (plain http off loopback, credentials in it, ...)."""

    code = "insecure-endpoint"
