"""The core of the local store: connection, transactions, labels, cases and events.

`store.Store` builds on this (`StoreCore` <- `OutboxStore` <- `Store`); use `Store`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from cryptography.fernet import Fernet, InvalidToken

from fingerprint_client.keystore import Keystore, KeystoreError, normalize_crockford
from fingerprint_client.store_models import CaseRecord, EventRecord, HashRecord, frames_from_text
from fingerprint_client.store_schema import KEYRING_LOCK_SUFFIX, StoreError


def now() -> str:
    """The current UTC time as ISO 8601 with a `Z`, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def db_error(exc: sqlite3.Error) -> StoreError:
    """A SQLite error as a `StoreError` with a kind message (no SQL, no path)."""
    text = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return StoreError(
            "store-busy",
            "The local database is busy (another fingerprint-client is using it). Try again.",
        )
    return StoreError(
        "store-error", f"The local database could not be updated ({type(exc).__name__})."
    )


@dataclass(frozen=True)
class CaseRef:
    """A short reference to a case, as `check` reports it."""

    local_id: str
    case_id: str | None
    status: str


class StoreCore:
    """Connection, transactions, labels, reading cases and the timeline (see `store.Store`)."""

    def __init__(self, conn: sqlite3.Connection, path: Path, keystore: Keystore) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.closed = False
        self.path = path
        row = conn.execute("SELECT value FROM meta WHERE key = 'install_id'").fetchone()
        self.install_id: str = row[0]
        lock_path = path.with_name(path.name + KEYRING_LOCK_SUFFIX)
        self.keystore = keystore.scoped(self.install_id, index_lock_path=lock_path)
        self._fernet: Fernet | None = None

    def close(self) -> None:
        """Close the connection (checkpointing the WAL). Closing twice is harmless."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            with suppress(sqlite3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()

    def checkpoint(self) -> None:
        """Fold the WAL into the database and truncate it (after removing values, so that old
        page images do not linger in the -wal file)."""
        with self._lock, suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (`BEGIN IMMEDIATE`); any error rolls everything back. SQLite
        errors become `StoreError` (`store-busy` or `store-error`)."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise db_error(exc) from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                if self._conn.in_transaction:
                    with suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise db_error(exc) from exc
                raise

    def _q(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                cur = self._conn.execute(sql, args)
                cur.row_factory = sqlite3.Row
                return cur.fetchall()
            except sqlite3.Error as exc:
                raise db_error(exc) from exc

    # -- labels ----------------------------------------------------------------------------------

    def _label_fernet(self, create: bool) -> Fernet | None:
        if self._fernet is None:
            key = self.keystore.get_or_create_label_key() if create else None
            if key is None:
                try:
                    key = self.keystore.get_label_key()
                except KeystoreError:
                    return None
            if key is None:
                return None
            try:
                self._fernet = Fernet(key.encode("ascii"))
            except (ValueError, UnicodeEncodeError):
                return None
        return self._fernet

    def _encrypt_label(self, label: str | None) -> bytes | None:
        if not label:
            return None
        fernet = self._label_fernet(create=True)
        if fernet is None:
            raise KeystoreError(
                "label-key-damaged",
                "The key that protects labels in the keyring is damaged. Leave the label out.",
            )
        return fernet.encrypt(label.encode("utf-8"))

    def _decrypt_label(self, blob: bytes | None) -> tuple[str | None, bool]:
        if blob is None:
            return None, False
        fernet = self._label_fernet(create=False)
        if fernet is None:
            return None, True
        try:
            return fernet.decrypt(bytes(blob)).decode("utf-8"), False
        except (InvalidToken, UnicodeDecodeError):
            return None, True

    # -- cases -----------------------------------------------------------------------------------

    def _case_from_row(self, r: sqlite3.Row, hashes: list[HashRecord]) -> CaseRecord:
        label, unavailable = self._decrypt_label(r["label_ciphertext"])
        return CaseRecord(
            local_id=r["local_id"],
            case_id=r["case_id"],
            status=r["status"],
            profile=r["profile"],
            profile_url=r["profile_url"],
            program=r["program"],
            label=label,
            label_unavailable=unavailable,
            created_at=r["created_at"],
            updated_at=r["updated_at"],
            hashes=hashes,
        )

    @staticmethod
    def _hash_from_row(r: sqlite3.Row) -> HashRecord:
        d = dict(r)
        d["frames"] = frames_from_text(d["frames"])
        return HashRecord(**d)

    def _hashes(self, local_id: str) -> list[HashRecord]:
        rows = self._q("SELECT * FROM hashes WHERE local_id = ? ORDER BY position", (local_id,))
        return [self._hash_from_row(r) for r in rows]

    def get_case(self, ident: str) -> CaseRecord | None:
        """The case with local id `ident` (case-insensitive, Crockford look-alikes accepted) or
        service case id `ident` (exact), or None."""
        ident = ident.strip()
        rows = self._q("SELECT * FROM cases WHERE local_id = ?", (normalize_crockford(ident),))
        if not rows:
            rows = self._q("SELECT * FROM cases WHERE case_id = ?", (ident,))
        if not rows:
            return None
        return self._case_from_row(rows[0], self._hashes(rows[0]["local_id"]))

    def require_case(self, ident: str) -> CaseRecord:
        """Like `get_case`, but `StoreError("unknown-case")` when there is no such case."""
        found = self.get_case(ident)
        if found is None:
            raise StoreError("unknown-case", "There is no case with that id on this device.")
        return found

    def list_cases(self) -> list[CaseRecord]:
        """Every case, oldest first, with its hashes."""
        by_case: dict[str, list[HashRecord]] = {}
        for r in self._q("SELECT * FROM hashes ORDER BY local_id, position"):
            by_case.setdefault(r["local_id"], []).append(self._hash_from_row(r))
        rows = self._q("SELECT * FROM cases ORDER BY created_at, rowid")
        return [self._case_from_row(r, by_case.get(r["local_id"], [])) for r in rows]

    def set_case_id(self, local_id: str, case_id: str) -> None:
        """Record the id the service chose for a case."""
        with self._tx() as c:
            c.execute(
                "UPDATE cases SET case_id = ?, updated_at = ? WHERE local_id = ?",
                (case_id, now(), local_id),
            )

    def set_case_status(self, local_id: str, status: str, detail: str) -> None:
        """Change a case's status and record the change as a local event."""
        with self._tx() as c:
            self._set_status(c, local_id, status, detail)

    def _set_status(self, c: sqlite3.Connection, local_id: str, status: str, detail: str) -> None:
        at = now()
        c.execute(
            "UPDATE cases SET status = ?, updated_at = ? WHERE local_id = ?",
            (status, at, local_id),
        )
        self._insert_event(c, local_id, status, detail, at=at)

    # -- events ----------------------------------------------------------------------------------

    @staticmethod
    def _insert_event(
        c: sqlite3.Connection,
        local_id: str,
        status: str,
        detail: str,
        *,
        at: str | None = None,
        platform: str | None = None,
        action: str | None = None,
        source: str = "local",
    ) -> None:
        c.execute(
            "INSERT INTO events(local_id, at, status, detail, platform, action, source)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (local_id, at or now(), status, detail, platform, action, source),
        )

    def add_event(
        self,
        local_id: str,
        status: str,
        detail: str,
        *,
        platform: str | None = None,
        action: str | None = None,
        source: str = "local",
        at: str | None = None,
    ) -> None:
        """Append an event to a case's timeline."""
        with self._tx() as c:
            self._insert_event(
                c, local_id, status, detail, at=at, platform=platform, action=action, source=source
            )

    def events(self, local_id: str) -> list[EventRecord]:
        """A case's timeline, oldest first."""
        rows = self._q("SELECT * FROM events WHERE local_id = ? ORDER BY id", (local_id,))
        return [EventRecord(**dict(r)) for r in rows]
