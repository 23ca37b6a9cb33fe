"""What the TUI needs from the rest of the program, as one small interface.

Screens never import the store, the service client or the hashing engine directly: they call a
`Backend` from thread workers. `tui/core_backend.py` implements it on top of `casework`,
`store`, `keystore`, `config` and `hashing`. Every method here may block (disk, network,
hashing) and must only be called from a worker thread, never from the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

Program = Literal["under18", "adult"]


@dataclass(frozen=True)
class ProfileInfo:
    """An endpoint profile as the settings screen shows it (never the API key itself)."""

    name: str
    url: str
    is_default: bool
    has_api_key: bool


@dataclass(frozen=True)
class SettingsView:
    """The settings a person can change on the settings screen."""

    remember_paths: bool
    default_algorithms: tuple[str, ...]
    default_profile: str | None
    theme: str


@dataclass(frozen=True)
class HashProgress:
    """How far a hashing batch has got."""

    done: int
    total: int


@dataclass(frozen=True)
class FileOutcome:
    """The result for one chosen file. `name` is the display name (never sent, never stored)."""

    index: int
    name: str
    ok: bool
    error_code: str | None = None
    message: str | None = None
    warnings: tuple[str, ...] = ()
    quality: int | None = None
    media: str = "image"
    payload: object = None
    """The engine's own result, handed back to the backend when the request is prepared."""


@dataclass(frozen=True)
class PreparedRequest:
    """A request ready for consent: the exact bytes that would leave the device."""

    profile: str
    service_url: str
    program: Program
    label: str
    method: str
    path: str
    headers: dict[str, str]
    """Headers shown to the person; secrets (PIN, API key) masked."""
    body: bytes
    """The exact body bytes (compact JSON, sorted keys, UTF-8), sent as they are."""
    extra_bodies: tuple[bytes, ...] = ()
    """Further chunks (`POST .../hashes`) when the service limits hashes per request."""
    hash_count: int = 0
    reveals: tuple[str, ...] = ()
    """What these bytes reveal, in plain words (principle 7)."""
    handle: object = None
    joins_case: str | None = None
    """When adding to an existing case: its case number (or local id until it has one)."""


@dataclass(frozen=True)
class CaseEvent:
    """One line of a case's timeline."""

    at: str
    status: str
    detail: str
    platform: str | None = None
    action: str | None = None


@dataclass(frozen=True)
class CaseHash:
    """One hash of a case (values shortened for display)."""

    hash_id: str | None
    algorithm: str
    value: str
    quality: int | None
    media: str
    status: str


@dataclass(frozen=True)
class CaseSummary:
    """One row of "My requests"."""

    local_id: str
    case_id: str | None
    label: str
    profile: str
    program: str
    status: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class CaseDetail:
    """A case with its hashes and timeline."""

    summary: CaseSummary
    hashes: tuple[CaseHash, ...] = ()
    events: tuple[CaseEvent, ...] = ()


@dataclass(frozen=True)
class Committed:
    """A request committed to the outbox. The PIN is already in the keyring."""

    local_id: str
    pin: str
    pin_in_keyring: bool
    joined_case: str | None = None
    """Set when the fingerprints joined an existing case: no new case number, no new PIN
    (`pin` is empty then)."""


@dataclass(frozen=True)
class Delivery:
    """What happened when the outbox was tried: `delivered` or still `queued` (offline)."""

    summary: CaseSummary
    delivered: bool
    problem: str | None = None


@dataclass
class SyncReport:
    """Counts from one sync."""

    delivered: int = 0
    queued: int = 0
    failed: int = 0
    refreshed: int = 0
    problems: list[str] = field(default_factory=list)


class BackendError(Exception):
    """A failure with a kind message (no path, no secret) and a stable code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


ItemCallback = Callable[[HashProgress | FileOutcome], None]


class Backend(Protocol):
    """Everything the screens ask of the program. All methods may block."""

    def service_configured(self) -> bool:
        """True when at least one service profile exists."""
        ...

    def keyring_secure(self) -> bool:
        """True when PINs and API keys can be kept in a safe keyring."""
        ...

    def profiles(self) -> list[ProfileInfo]:
        """The endpoint profiles."""
        ...

    def settings(self) -> SettingsView:
        """The current settings."""
        ...

    def save_settings(self, view: SettingsView) -> None:
        """Store changed settings."""
        ...

    def add_profile(self, name: str, url: str, api_key: str | None, make_default: bool) -> None:
        """Add or replace a profile; the API key goes to the keyring."""
        ...

    def remove_profile(self, name: str) -> None:
        """Remove a profile and its API key."""
        ...

    def get_ready_to_hash(self) -> None:
        """Start what hashing needs (the workers' fork server) without waiting for it, so that
        fingerprinting begins at once when the person has chosen; returns at once."""
        ...

    def hash_files(
        self, paths: Sequence[Path], cancel: threading.Event, on_item: ItemCallback
    ) -> None:
        """Hash files and folders, calling `on_item` with progress and each file's outcome."""
        ...

    def load_hashes_file(self, path: Path) -> list[FileOutcome]:
        """Read a `hash --json --no-paths` file made on the person's own device."""
        ...

    def prepare(
        self,
        program: Program,
        profile: str,
        label: str,
        outcomes: Sequence[FileOutcome],
        add_to: str | None = None,
    ) -> PreparedRequest:
        """Build the exact request bytes (nothing is stored or sent yet). With `add_to` (a
        local case id) the fingerprints join that case: its program and service are used and
        the requests are `POST /v1/cases/{case_id}/hashes`."""
        ...

    def commit(self, prepared: PreparedRequest) -> Committed:
        """Commit the consented request to the outbox (PIN into the keyring; an addition to a
        case keeps the case's PIN)."""
        ...

    def deliver(self, local_id: str) -> Delivery:
        """Try to send what the outbox holds for this case."""
        ...

    def sync(self) -> SyncReport:
        """Deliver the whole outbox and refresh every open case."""
        ...

    def list_cases(self) -> list[CaseSummary]:
        """All local cases."""
        ...

    def case_detail(self, local_id: str, refresh: bool) -> CaseDetail:
        """One case; `refresh` asks the service first (offline: the local view)."""
        ...

    def withdraw(self, local_id: str, hash_id: str | None, forget: bool) -> CaseSummary:
        """Withdraw the case or one hash; `forget` also deletes the local hash values."""
        ...

    def export_receipt(self, local_id: str, directory: Path) -> Path:
        """Write a receipt (readable text + JSON) and return the text file's path."""
        ...

    def pin(self, local_id: str) -> str | None:
        """The case PIN from the keyring."""
        ...

    def forget_all(self) -> None:
        """Wipe database, settings, logs and this app's keyring entries."""
        ...
