"""`Backend` on top of the real program: store, keystore, config, casework and hashing.

One lock serialises every use of the store and the service clients (the SQLite connection is
shared by the worker threads); hashing itself runs outside the lock, in the engine's processes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fingerprint_client import casework, config, hashing
from fingerprint_client.casework import CaseworkError
from fingerprint_client.forget import forget_everything
from fingerprint_client.keystore import Keystore, KeystoreError
from fingerprint_client.paths import AppDirs
from fingerprint_client.receipt import build_receipt, receipt_text
from fingerprint_client.service.errors import ServiceError
from fingerprint_client.store import CaseRecord, Store, StoreError
from fingerprint_client.tui.backend import (
    BackendError,
    CaseDetail,
    CaseEvent,
    CaseHash,
    CaseSummary,
    Committed,
    Delivery,
    FileOutcome,
    ItemCallback,
    PreparedRequest,
    ProfileInfo,
    Program,
    SettingsView,
    SyncReport,
)
from fingerprint_client.tui.core_files import (
    outcome_of,
    stream_hashes,
    write_receipt,
)
from fingerprint_client.tui.themes import DEFAULT_THEME, SETTING_TO_THEME, THEME_TO_SETTING


@contextlib.contextmanager
def _kind_errors() -> Iterator[None]:
    """Every known failure becomes a `BackendError` (kind message, stable code, no path)."""
    try:
        yield
    except BackendError:
        raise
    except (CaseworkError, StoreError, KeystoreError) as exc:
        raise BackendError(exc.code, exc.message) from exc
    except ServiceError as exc:
        raise BackendError(exc.code, exc.message) from exc
    except ValueError as exc:
        raise BackendError("invalid", str(exc)) from exc


def summary_of(case: CaseRecord) -> CaseSummary:
    """A case row for the list."""
    return CaseSummary(
        local_id=case.local_id,
        case_id=case.case_id,
        label=case.display_label,
        profile=case.profile,
        program=case.program,
        status=case.status,
        created_at=case.created_at,
        updated_at=case.updated_at,
    )


class CoreBackend:
    """The real program behind the screens."""

    def __init__(
        self,
        dirs: AppDirs,
        keystore: Keystore,
        *,
        pin_factory: Callable[[], str] | None = None,
        workers: int | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.dirs = dirs
        self.keystore = keystore
        self._pin_factory = pin_factory
        self._workers = workers
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self._session_pins: dict[str, str] = {}
        with _kind_errors():
            self.store = Store.open(dirs, keystore)
        self.clients = casework.ClientPool(self.store)

    def close(self) -> None:
        """Close clients and the database."""
        with self._lock:
            self.clients.close()
            self.store.close()

    # -- settings and profiles ----------------------------------------------------------------

    def _settings(self) -> config.Settings:
        return config.load_settings(self.dirs).settings

    def service_configured(self) -> bool:
        """True when a profile exists."""
        with self._lock, _kind_errors():
            return bool(self.store.list_profiles())

    def keyring_secure(self) -> bool:
        """True when the keyring protects secrets (not the plaintext or fail backends)."""
        try:
            return bool(self.store.keystore.is_secure)
        except KeystoreError:
            return False

    def profiles(self) -> list[ProfileInfo]:
        """Profiles with default flag and whether an API key is stored."""
        with self._lock, _kind_errors():
            records = self.store.list_profiles()
            default = self._settings().default_profile
            if default is None and len(records) == 1:
                default = records[0].name
            out = []
            for r in records:
                try:
                    has_key = self.store.keystore.get_api_key(r.name) is not None
                except KeystoreError:
                    has_key = False
                out.append(ProfileInfo(r.name, r.url, r.name == default, has_key))
            return out

    def settings(self) -> SettingsView:
        """The settings screen's values."""
        s = self._settings()
        return SettingsView(
            remember_paths=s.remember_paths,
            default_algorithms=tuple(s.default_algorithms),
            default_profile=s.default_profile,
            theme=SETTING_TO_THEME.get(s.theme, DEFAULT_THEME),
        )

    def save_settings(self, view: SettingsView) -> None:
        """Store the settings screen's values."""
        with self._lock, _kind_errors():
            config.update_settings(
                self.dirs,
                remember_paths=view.remember_paths,
                default_algorithms=list(view.default_algorithms),
                theme=THEME_TO_SETTING.get(view.theme, "default"),
            )

    def add_profile(self, name: str, url: str, api_key: str | None, make_default: bool) -> None:
        """Add a profile (replacing one of the same name); the API key goes to the keyring."""
        with self._lock, _kind_errors():
            url = config.validate_service_url(url)
            if self.store.get_profile(name) is not None:
                self.store.remove_profile(name)
            self.store.add_profile(name, url)
            if api_key:
                self.store.keystore.set_api_key(name, api_key)
            if make_default or self._settings().default_profile is None:
                config.update_settings(self.dirs, default_profile=name)

    def remove_profile(self, name: str) -> None:
        """Remove a profile and its API key."""
        with self._lock, _kind_errors():
            self.store.remove_profile(name)
            with contextlib.suppress(KeystoreError):
                self.store.keystore.delete_api_key(name)
            if self._settings().default_profile == name:
                config.update_settings(self.dirs, default_profile=None)

    # -- hashing ------------------------------------------------------------------------------

    def get_ready_to_hash(self) -> None:
        """Start the hashing workers' fork server (it loads the decoders) in the background.
        Only a head start: if it cannot start now, hashing itself reports why later."""
        with contextlib.suppress(Exception):
            hashing.start_workers_early()

    def hash_files(
        self, paths: Sequence[Path], cancel: threading.Event, on_item: ItemCallback
    ) -> None:
        """Hash files and folders (walked recursively); outcomes stream in input order."""
        with _kind_errors():
            options = casework.choose_options(self._settings().default_algorithms)
            stream_hashes(paths, options, self._workers, cancel, on_item)

    def load_hashes_file(self, path: Path) -> list[FileOutcome]:
        """Entries of a `hash --json --no-paths` file."""
        with _kind_errors():
            entries = casework.read_hashes_file(path)
        return [
            outcome_of(i, f"item {e.get('item', i + 1)}", dict(e)) for i, e in enumerate(entries)
        ]

    # -- requests -----------------------------------------------------------------------------

    def prepare(
        self,
        program: Program,
        profile: str,
        label: str,
        outcomes: Sequence[FileOutcome],
        add_to: str | None = None,
    ) -> PreparedRequest:
        """Plan the case: the exact bytes, shown before anything is stored or sent."""
        entries: list[dict[str, Any]] = []
        labels: list[str] = []
        for o in outcomes:
            entries.append(dict(o.payload) if isinstance(o.payload, dict) else {})
            labels.append(o.name)
        plan: casework.SubmitPlan
        with self._lock, _kind_errors():
            if add_to is not None:
                plan = casework.plan_addition(
                    self.store, self.clients, add_to, entries, labels=labels
                )
            else:
                target = casework.resolve_target(self.store, self.clients, profile)
                plan = casework.plan_submission(target, entries, program, labels=labels)
        if self._pin_factory is not None and add_to is None:
            plan.pin = self._pin_factory()
        shown = plan.shown_requests()
        if not shown:
            raise BackendError("nothing-to-send", "None of these files gave a usable fingerprint.")
        first = shown[0]
        return PreparedRequest(
            profile=plan.profile.name,
            service_url=plan.profile.url,
            program=program,
            label=label,
            method=first.method,
            path=first.path,
            headers=dict(first.headers),
            body=first.body,
            extra_bodies=tuple(s.body for s in shown[1:]),
            hash_count=len(plan.prepared.hashes),
            reveals=tuple(plan.reveal_lines()),
            handle=plan,
            joins_case=plan.case_name if isinstance(plan, casework.AdditionPlan) else None,
        )

    def commit(self, prepared: PreparedRequest) -> Committed:
        """Commit to the outbox (one transaction; PIN into the keyring when it is safe)."""
        plan = prepared.handle
        if not isinstance(plan, casework.SubmitPlan):
            raise BackendError("not-prepared", "This request was not prepared here; start again.")
        if isinstance(plan, casework.AdditionPlan):
            with self._lock, _kind_errors():
                casework.commit_addition(
                    self.store, plan, remember_paths=self._settings().remember_paths
                )
            local_id = plan.target.local_id
            return Committed(local_id, "", local_id not in self._session_pins, plan.case_name)
        with self._lock, _kind_errors():
            secure = self.store.keystore.is_secure
            case = casework.commit_submission(
                self.store,
                plan,
                label=prepared.label or None,
                remember_paths=self._settings().remember_paths,
                keep_pin=secure,
            )
        if not secure:
            self._session_pins[case.local_id] = plan.pin
        return Committed(case.local_id, plan.pin, secure)

    def deliver(self, local_id: str) -> Delivery:
        """Send what the outbox holds for this case."""
        with self._lock, _kind_errors():
            report = casework.deliver(
                self.store, self.clients, local_id=local_id, pins=self._session_pins or None
            )
            case = self.store.require_case(local_id)
        return Delivery(
            summary_of(case),
            delivered=local_id in report.delivered,
            problem=report.errors.get(local_id),
        )

    def sync(self) -> SyncReport:
        """Deliver the outbox and refresh every open case."""
        with self._lock, _kind_errors():
            report = casework.sync(self.store, self.clients, pins=self._session_pins or None)
        counts = report.counts()
        problems = list(report.delivery.errors.values()) + list(report.refresh.errors.values())
        return SyncReport(
            delivered=counts["delivered"],
            queued=counts["queued"],
            failed=counts["failed"],
            refreshed=counts["refreshed"],
            problems=problems,
        )

    def list_cases(self) -> list[CaseSummary]:
        """All local cases."""
        with self._lock, _kind_errors():
            return [summary_of(c) for c in self.store.list_cases()]

    def case_detail(self, local_id: str, refresh: bool) -> CaseDetail:
        """One case; with `refresh`, send what is queued for it and ask the service first."""
        with self._lock, _kind_errors():
            if refresh:
                pins = self._session_pins or None
                casework.deliver(self.store, self.clients, local_id=local_id, pins=pins)
                casework.refresh(self.store, self.clients, local_id=local_id, pins=pins)
            case = self.store.require_case(local_id)
            events = self.store.events(local_id)
        hashes = tuple(
            CaseHash(
                hash_id=h.hash_id,
                algorithm=h.algorithm,
                value=h.value or (f"{len(h.frames)} frames" if h.frames else "(not kept)"),
                quality=h.quality,
                media=h.media,
                status=h.status,
            )
            for h in case.hashes
        )
        timeline = tuple(CaseEvent(e.at, e.status, e.detail, e.platform, e.action) for e in events)
        return CaseDetail(summary_of(case), hashes, timeline)

    def withdraw(self, local_id: str, hash_id: str | None, forget: bool) -> CaseSummary:
        """Queue the withdrawal, try to send it at once, optionally forget local values."""
        with self._lock, _kind_errors():
            if hash_id is None:
                casework.withdraw_case(self.store, local_id)
            else:
                casework.withdraw_hash(self.store, local_id, hash_id)
            pins = self._session_pins or None
            casework.deliver(self.store, self.clients, local_id=local_id, pins=pins)
            if forget and hash_id is None:
                self.store.forget_case_hashes(local_id)
            return summary_of(self.store.require_case(local_id))

    def export_receipt(self, local_id: str, directory: Path) -> Path:
        """Write `receipt-<id>.txt` and `.json` (0600) into `directory`."""
        with self._lock, _kind_errors():
            case = self.store.require_case(local_id)
            stamp = self._clock().strftime("%Y-%m-%dT%H:%M:%SZ")
            receipt = build_receipt(case, self.store.events(local_id), stamp)
        return write_receipt(receipt, receipt_text(receipt), directory, f"receipt-{case.local_id}")

    def pin(self, local_id: str) -> str | None:
        """The case PIN (keyring, or this session's memory without a safe keyring)."""
        if local_id in self._session_pins:
            return self._session_pins[local_id]
        with _kind_errors():
            return self.store.keystore.get_pin(local_id)

    def forget_all(self) -> None:
        """Wipe database, settings, logs and keyring entries; start again empty."""
        with self._lock, _kind_errors():
            self.clients.close()
            self.store.close()
            report = forget_everything(self.dirs, self.keystore)
            self._session_pins.clear()
            self.store = Store.open(self.dirs, self.keystore)
            self.clients = casework.ClientPool(self.store)
        if report.problems:
            raise BackendError("forget-incomplete", " ".join(report.problems))
