"""The records the store returns and accepts (plain dataclasses, no database rows).

Statuses (DESIGN.md): a case is `queued`, `received`, `active`, `rejected`, `failed`,
`withdraw-queued`, `withdrawn`, `deleted` or `cancelled`. A hash is `queued` until delivered, then
takes the service's status (`received`, `active`, `withdrawn`, ...), or `withdraw-queued` /
`cancelled` locally. An outbox item is `pending`, `delivered`, `failed` or `cancelled`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

CASE_STATUSES = (
    "queued",
    "received",
    "active",
    "rejected",
    "failed",
    "withdraw-queued",
    "withdrawn",
    "deleted",
    "cancelled",
)
# A case in one of these statuses never changes again (sync does not refresh it).
FINAL_CASE_STATUSES = frozenset({"rejected", "failed", "withdrawn", "deleted", "cancelled"})
LABEL_UNAVAILABLE = "(label unavailable)"

OutboxKind = Literal["create_case", "add_hashes", "withdraw_case", "withdraw_hash"]
OutboxState = Literal["pending", "delivered", "failed", "cancelled"]

# The request line of each outbox kind; `{case_id}` and `{hash_id}` are filled in at send time
# (`OutboxItem.resolve_path`), because they are unknown until the create request is delivered.
PATH_TEMPLATES: dict[str, str] = {
    "create_case": "/v1/cases",
    "add_hashes": "/v1/cases/{case_id}/hashes",
    "withdraw_case": "/v1/cases/{case_id}/withdraw",
    "withdraw_hash": "/v1/cases/{case_id}/hashes/{hash_id}/withdraw",
}


@dataclass(frozen=True)
class NewHash:
    """A hash to record with a new case. `value` for single hashes, `frames` for `pdq_frames`
    (a list of `{"t", "pdq", "quality"}`). `path` is kept only when `remember_paths` is on."""

    algorithm: str
    value: str | None = None
    frames: list[dict[str, Any]] | None = None
    quality: int | None = None
    media: str = "image"
    path: str | None = None


@dataclass(frozen=True)
class NewCase:
    """A case to create. `label` is encrypted before it reaches the database."""

    profile: str
    program: str
    label: str | None = None
    status: str = "queued"


@dataclass(frozen=True)
class NewOutboxItem:
    """A request to queue: `body` is the exact canonical bytes that will be sent (never changed
    afterwards). `hash_position` names the hash of a `withdraw_hash` item."""

    kind: OutboxKind
    body: bytes
    hash_position: int | None = None


@dataclass(frozen=True)
class ProfileRecord:
    """An endpoint profile. Its API key, if any, is in the keyring, never here."""

    name: str
    url: str
    created_at: str


@dataclass(frozen=True)
class HashRecord:
    """One local hash row. `value`/`frames` are None once withdrawn or forgotten."""

    id: int
    local_id: str
    position: int
    hash_id: str | None
    algorithm: str
    value: str | None
    frames: list[dict[str, Any]] | None
    quality: int | None
    media: str
    status: str
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The `cases --json` hash shape: `value` or `frames`, never a path."""
        out: dict[str, Any] = {"hash_id": self.hash_id, "algorithm": self.algorithm}
        if self.algorithm == "pdq_frames":
            out["frames"] = self.frames
        else:
            out["value"] = self.value
        out.update(quality=self.quality, media=self.media, status=self.status)
        return out


@dataclass(frozen=True)
class EventRecord:
    """A timeline entry: `source` is `local` (this device) or `service`."""

    id: int
    local_id: str
    at: str
    status: str
    detail: str
    platform: str | None = None
    action: str | None = None
    source: str = "local"

    def to_json(self) -> dict[str, Any]:
        """The `status --json` event shape."""
        out: dict[str, Any] = {"at": self.at, "status": self.status, "detail": self.detail}
        if self.platform is not None:
            out["platform"] = self.platform
        if self.action is not None:
            out["action"] = self.action
        out["source"] = self.source
        return out


@dataclass(frozen=True)
class CaseRecord:
    """One local case with its hashes (in position order). `label` is the decrypted label, None
    when there is none; `label_unavailable` is true when it exists but cannot be decrypted (show
    `LABEL_UNAVAILABLE`). `profile_url` is the service URL at creation time (for receipts)."""

    local_id: str
    case_id: str | None
    status: str
    profile: str
    profile_url: str | None
    program: str
    label: str | None
    label_unavailable: bool
    created_at: str
    updated_at: str
    hashes: list[HashRecord] = field(default_factory=list)

    @property
    def display_label(self) -> str:
        """The label for display: the text, `(label unavailable)`, or empty."""
        if self.label_unavailable:
            return LABEL_UNAVAILABLE
        return self.label or ""

    @property
    def is_final(self) -> bool:
        """True when the status can no longer change."""
        return self.status in FINAL_CASE_STATUSES

    def to_json(self) -> dict[str, Any]:
        """The `cases --json` object (DESIGN.md)."""
        return {
            "local_id": self.local_id,
            "case_id": self.case_id,
            "status": self.status,
            "profile": self.profile,
            "program": self.program,
            "label": LABEL_UNAVAILABLE if self.label_unavailable else self.label,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "hashes": [h.to_json() for h in self.hashes],
        }


@dataclass(frozen=True)
class OutboxItem:
    """A queued request. `body` and `idempotency_key` never change once stored; the PIN is never
    here (read from the keyring at send time)."""

    id: int
    local_id: str
    seq: int
    kind: str
    method: str
    path_template: str
    body: bytes
    idempotency_key: str
    state: str
    attempts: int
    last_error: str | None
    created_at: str
    delivered_at: str | None
    response_status: int | None
    hash_row_id: int | None

    def resolve_path(self, case_id: str, hash_id: str | None = None) -> str:
        """The request path with the service's ids filled in."""
        if "{hash_id}" in self.path_template and hash_id is None:
            raise ValueError("this request needs the hash id from the service")
        return self.path_template.format(case_id=case_id, hash_id=hash_id or "")


def frames_to_text(frames: list[dict[str, Any]] | None) -> str | None:
    """Frames as compact JSON for the database."""
    return None if frames is None else json.dumps(frames, separators=(",", ":"), sort_keys=True)


def frames_from_text(text: str | None) -> list[dict[str, Any]] | None:
    """Frames read back from the database."""
    if text is None:
        return None
    value = json.loads(text)
    return value if isinstance(value, list) else None
