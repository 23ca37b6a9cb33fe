"""Fixed facts of takedown service protocol v1, shared by the client and the mock service.

Nothing here does I/O. See `docs/protocol.md` for the prose version of these rules.
"""

from __future__ import annotations

import re
from typing import Final, Literal, get_args

PROTOCOL_VERSION: Final = "1"

#: Header carrying the client's idempotency key on every POST under `/v1`.
IDEMPOTENCY_KEY_HEADER: Final = "Idempotency-Key"
#: Header carrying the case PIN chosen by the client (create) and on every later case request.
CASE_PIN_HEADER: Final = "X-Case-PIN"
#: Optional per-profile API key header (`Authorization: Bearer <key>`).
AUTHORIZATION_HEADER: Final = "Authorization"
RETRY_AFTER_HEADER: Final = "Retry-After"

PROBLEM_CONTENT_TYPE: Final = "application/problem+json"
JSON_CONTENT_TYPE: Final = "application/json"

#: Largest request body a service accepts (larger: 413).
MAX_BODY_BYTES: Final = 1024 * 1024
#: Case ids are opaque strings of at most this many characters.
MAX_CASE_ID_LEN: Final = 64
#: Hash ids are opaque strings of at most this many characters.
MAX_HASH_ID_LEN: Final = 64
#: Idempotency keys: 1..200 visible ASCII characters (a UUID4 is what the client sends).
MAX_IDEMPOTENCY_KEY_LEN: Final = 200
IDEMPOTENCY_KEY_RE: Final = re.compile(r"^[\x21-\x7e]{1,200}$")
#: Idempotency records are kept at least this long.
IDEMPOTENCY_RETENTION_DAYS: Final = 30
#: A `pdq_frames` hash holds at most this many frames.
MAX_FRAMES_PER_HASH: Final = 3600
#: What the mock service advertises unless configured otherwise.
DEFAULT_MAX_HASHES_PER_REQUEST: Final = 100
#: Below this PDQ quality a hash is unreliable (the mock rejects the case).
MIN_RELIABLE_PDQ_QUALITY: Final = 50

Algorithm = Literal["pdq", "md5", "sha256", "phash", "dhash", "whash", "pdq_frames"]
ALGORITHMS: Final[tuple[Algorithm, ...]] = get_args(Algorithm)

ProgramId = Literal["adult", "under18"]
PROGRAMS: Final[tuple[ProgramId, ...]] = get_args(ProgramId)

Media = Literal["image", "video"]

CaseStatus = Literal["received", "active", "rejected", "withdrawn", "deleted"]
CASE_STATUSES: Final[tuple[CaseStatus, ...]] = get_args(CaseStatus)

HashStatus = Literal["received", "active", "rejected", "withdrawn", "deleted"]
HASH_STATUSES: Final[tuple[HashStatus, ...]] = get_args(HashStatus)

PlatformAction = Literal["blocked", "under_review", "not_blocked"]
PLATFORM_ACTIONS: Final[tuple[PlatformAction, ...]] = get_args(PlatformAction)

#: The exact value format of each single-value algorithm (imagehash strings as `str(hash)` prints
#: them with the default hash size 8: 16 lowercase hex digits).
VALUE_PATTERNS: Final[dict[str, str]] = {
    "pdq": r"^[0-9a-f]{64}$",
    "sha256": r"^[0-9a-f]{64}$",
    "md5": r"^[0-9a-f]{32}$",
    "phash": r"^[0-9a-f]{16}$",
    "dhash": r"^[0-9a-f]{16}$",
    "whash": r"^[0-9a-f]{16}$",
}
PDQ_PATTERN: Final = VALUE_PATTERNS["pdq"]

# Crockford base32: digits and letters without I, L, O, U.
CROCKFORD_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_GROUP = "[0-9A-HJKMNP-TV-Z]{4}"
#: A case PIN: 60 random bits as 12 Crockford base32 characters in groups of four.
PIN_RE: Final = re.compile(rf"^{_GROUP}-{_GROUP}-{_GROUP}$")
PIN_EXAMPLE: Final = "7KQ2-M9XD-4TA0"

_PIN_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1"})

#: Problem `type` URIs are this prefix plus a slug (see `ProblemSlug`).
PROBLEM_TYPE_PREFIX: Final = "https://fingerprint-client.invalid/problems/"

ProblemSlug = Literal[
    "malformed-json",
    "malformed-request",
    "missing-idempotency-key",
    "validation-failed",
    "body-too-large",
    "unauthorized",
    "pin-required",
    "wrong-pin",
    "not-found",
    "idempotency-conflict",
    "in-progress",
    "case-closed",
    "rate-limited",
    "too-many-wrong-pins",
    "method-not-allowed",
    "server-error",
    "unavailable",
]


def problem_type(slug: ProblemSlug) -> str:
    """The `type` URI of a problem slug."""
    return PROBLEM_TYPE_PREFIX + slug


def problem_slug(type_uri: str) -> str:
    """The last path segment of a problem `type` (works for any service's URI scheme)."""
    return type_uri.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def is_valid_pin(pin: str) -> bool:
    """True when `pin` is in the canonical form `XXXX-XXXX-XXXX`."""
    return PIN_RE.fullmatch(pin) is not None


def normalize_pin(text: str) -> str | None:
    """A typed PIN in canonical form (case, spaces, dashes and O/I/L confusions forgiven), or None
    when it cannot be a PIN."""
    chars = "".join(c for c in text.upper() if c not in " -\t").translate(_PIN_CONFUSABLES)
    if len(chars) != 12 or any(c not in CROCKFORD_ALPHABET for c in chars):
        return None
    return f"{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"
