"""RFC 9457 problem answers of the mock service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fingerprint_client.service.models import Problem, canonical_json
from fingerprint_client.service.protocol_constants import (
    PROBLEM_CONTENT_TYPE,
    ProblemSlug,
    problem_type,
)

_TITLES: dict[ProblemSlug, str] = {
    "malformed-json": "The request body is not valid JSON",
    "malformed-request": "The request is not valid HTTP",
    "missing-idempotency-key": "The Idempotency-Key header is missing or malformed",
    "validation-failed": "The request does not follow the protocol",
    "body-too-large": "The request body is too large",
    "unauthorized": "A valid API key is required",
    "pin-required": "The case PIN is required",
    "wrong-pin": "The case PIN is not right",
    "not-found": "No such case or hash",
    "idempotency-conflict": "This Idempotency-Key was used with another body",
    "in-progress": "A request with this Idempotency-Key is still in progress",
    "case-closed": "The case no longer accepts hashes",
    "rate-limited": "Too many requests",
    "too-many-wrong-pins": "Too many wrong PINs for this case",
    "method-not-allowed": "Method not allowed",
    "server-error": "Internal server error",
    "unavailable": "Service unavailable",
}

#: Status codes whose problem answers are never kept for replay.
NOT_STORED_STATUSES = frozenset({401, 429})


@dataclass
class ProblemError(Exception):
    """Raised inside request handling; turned into a problem+json answer."""

    status: int
    slug: ProblemSlug
    detail: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def storable(self) -> bool:
        """Whether an idempotency record may keep this answer for replay."""
        return (
            self.status not in NOT_STORED_STATUSES
            and self.slug not in ("in-progress", "idempotency-conflict", "body-too-large")
            and self.slug != "missing-idempotency-key"
        )

    def body(self) -> bytes:
        """The problem document as canonical JSON bytes."""
        return problem_body(self.status, self.slug, self.detail)


def problem_body(status: int, slug: ProblemSlug, detail: str = "") -> bytes:
    """A problem document as canonical JSON bytes."""
    return canonical_json(
        Problem(type=problem_type(slug), title=_TITLES[slug], status=status, detail=detail)
    )


__all__ = ["NOT_STORED_STATUSES", "PROBLEM_CONTENT_TYPE", "ProblemError", "problem_body"]
