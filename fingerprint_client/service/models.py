"""Pydantic models of takedown service protocol v1: the single source of truth for the client
and the mock service.

Request models are strict (`extra="forbid"`, no type coercion): a service refuses unknown fields
and the client can never build a request the protocol does not allow. Response models are lenient
(`extra="ignore"`): a client ignores fields a newer service adds, and tolerates status and
action *values* it does not know (kept as cleaned text; the schema still lists the known ones),
so a newer service's answer is never refused as bad and a request never stays queued for ever.

`canonical_json(model)` gives the exact bytes a request is sent as (compact JSON, sorted keys,
UTF-8, unset optional fields left out); the client shows, stores and sends exactly those bytes.
"""

from __future__ import annotations

import json
import math
import re
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from fingerprint_client.service.protocol_constants import (
    CASE_STATUSES,
    HASH_STATUSES,
    MAX_CASE_ID_LEN,
    MAX_FRAMES_PER_HASH,
    MAX_HASH_ID_LEN,
    PDQ_PATTERN,
    PLATFORM_ACTIONS,
    PROTOCOL_VERSION,
    VALUE_PATTERNS,
    Algorithm,
    Media,
    ProgramId,
)
from fingerprint_client.service.sanitize import clean_text

__all__ = [
    "AddHashesRequest",
    "Capabilities",
    "Case",
    "CaseEvent",
    "CaseHash",
    "ClientInfo",
    "CreateCaseRequest",
    "EmptyRequest",
    "Frame",
    "HashIn",
    "Health",
    "MockCases",
    "Problem",
    "Program",
    "canonical_json",
    "canonical_json_from_data",
]

_VALUE_RES = {name: re.compile(p) for name, p in VALUE_PATTERNS.items()}

Quality = Annotated[int, Field(ge=0, le=100, strict=True)]
PdqHex = Annotated[str, StringConstraints(pattern=PDQ_PATTERN)]
HashValue = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16,64}$")]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=100)]
CaseId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_CASE_ID_LEN)]
HashId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_HASH_ID_LEN)]
MAX_TOKEN_LEN = 40


def _clean_token(value: object) -> object:
    return clean_text(value, MAX_TOKEN_LEN) if isinstance(value, str) else value


# Status and action values in responses: documented as the known values, but any other
# non-empty value is accepted (cleaned of control characters, at most 40 characters), since a
# newer service may add values.
_OpenToken = (
    BeforeValidator(_clean_token),
    StringConstraints(min_length=1, max_length=MAX_TOKEN_LEN),
)
CaseStatusOut = Annotated[
    str, *_OpenToken, WithJsonSchema({"type": "string", "enum": list(CASE_STATUSES)})
]
HashStatusOut = Annotated[
    str, *_OpenToken, WithJsonSchema({"type": "string", "enum": list(HASH_STATUSES)})
]
PlatformActionOut = Annotated[
    str, *_OpenToken, WithJsonSchema({"type": "string", "enum": list(PLATFORM_ACTIONS)})
]


class _Request(BaseModel):
    """Base of request bodies: unknown fields refused, no coercion, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Response(BaseModel):
    """Base of response bodies: unknown fields ignored."""

    model_config = ConfigDict(extra="ignore")


# --- requests ---------------------------------------------------------------------------------


class Frame(_Request):
    """The PDQ of one video frame sampled at `t` seconds."""

    t: float = Field(ge=0, description="Seconds from the start of the video.")
    pdq: PdqHex
    quality: Quality

    @model_validator(mode="after")
    def _finite_time(self) -> Self:
        if not math.isfinite(self.t):
            raise ValueError("t must be a finite number of seconds")
        return self


class HashIn(_Request):
    """One fingerprint to block: `value` for single-value algorithms, `frames` for `pdq_frames`."""

    algorithm: Algorithm
    value: HashValue | None = Field(
        default=None,
        description="pdq/sha256: 64 lowercase hex; md5: 32; phash/dhash/whash: 16. "
        "Absent for pdq_frames.",
    )
    frames: list[Frame] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_FRAMES_PER_HASH,
        description="Only for pdq_frames: PDQ of frames sampled in time.",
    )
    quality: Quality | None = None
    media: Media

    @model_validator(mode="after")
    def _value_or_frames(self) -> Self:
        if self.algorithm == "pdq_frames":
            if self.value is not None:
                raise ValueError("a pdq_frames hash carries frames, not value")
            if self.frames is None:
                raise ValueError("a pdq_frames hash needs frames")
        else:
            if self.frames is not None:
                raise ValueError(f"a {self.algorithm} hash carries value, not frames")
            if self.value is None:
                raise ValueError(f"a {self.algorithm} hash needs a value")
            if not _VALUE_RES[self.algorithm].fullmatch(self.value):
                raise ValueError(f"value is not a well-formed {self.algorithm} hash")
        return self


class ClientInfo(_Request):
    """The sending program (never anything about the person or the image)."""

    name: ShortText
    version: ShortText


class CreateCaseRequest(_Request):
    """Body of `POST /v1/cases`."""

    program: ProgramId
    hashes: list[HashIn] = Field(min_length=1)
    client: ClientInfo


class AddHashesRequest(_Request):
    """Body of `POST /v1/cases/{case_id}/hashes`."""

    hashes: list[HashIn] = Field(min_length=1)


class EmptyRequest(_Request):
    """Body `{}` of the withdraw requests."""


# --- responses --------------------------------------------------------------------------------


class Program(_Response):
    """A program the service runs (`adult`: StopNCII-like; `under18`: Take It Down-like)."""

    id: ProgramId
    description: str


class Capabilities(_Response):
    """`GET /v1/capabilities`."""

    protocol: str = PROTOCOL_VERSION
    algorithms: list[Algorithm]
    programs: list[Program]
    max_hashes_per_request: int = Field(ge=1)


class FrameOut(_Response):
    """A frame as a service reports it back."""

    t: float
    pdq: str
    quality: int


class CaseHash(_Response):
    """A hash of a case; `value`/`frames` are absent once the hash is withdrawn."""

    hash_id: HashId
    algorithm: Algorithm
    value: str | None = None
    frames: list[FrameOut] | None = None
    quality: int | None = None
    media: Media
    status: HashStatusOut


class CaseEvent(_Response):
    """Something that happened to a case; platform feedback carries `platform` and `action`."""

    at: str = Field(description="RFC 3339 UTC timestamp.")
    status: CaseStatusOut
    detail: str
    platform: str | None = None
    action: PlatformActionOut | None = None


class Case(_Response):
    """A case as the service reports it."""

    case_id: CaseId
    status: CaseStatusOut
    program: ProgramId
    created_at: str
    updated_at: str
    hashes: list[CaseHash]
    events: list[CaseEvent]


class Problem(_Response):
    """An RFC 9457 problem document (`application/problem+json`)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""


class Health(_Response):
    """`GET /v1/health`."""

    status: str = "ok"
    protocol: str = PROTOCOL_VERSION


class MockCases(_Response):
    """`GET /_mock/cases` (mock service only)."""

    cases: list[Case]


# --- serialisation ----------------------------------------------------------------------------


def canonical_json_from_data(data: Any) -> bytes:
    """JSON-compatible data as canonical bytes: compact, sorted keys, UTF-8."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def canonical_json(model: BaseModel) -> bytes:
    """The exact bytes a request model is sent as (optional fields that are None left out)."""
    return canonical_json_from_data(model.model_dump(mode="json", exclude_none=True))
