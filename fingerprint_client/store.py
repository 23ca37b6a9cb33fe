"""The local store: profiles, cases, hashes, the outbox and the case timeline, in SQLite.

See docs/store.md for the schema and the outbox rules. In short:

* `create_case_with_outbox` writes a case, its hashes and its outbox items (exact body bytes,
  fixed idempotency keys) in ONE transaction, and puts the PIN into the keyring before that
  transaction commits — so after a crash there is either a complete queued case or nothing.
* `add_hashes_with_outbox` adds hashes to an existing case and queues their
  `POST /v1/cases/{case_id}/hashes` items the same way (after the case's other items).
* The delivery code calls `begin_attempt(item_id)` (committed) before each network call, then
  `mark_delivered` or `mark_failed`. `pending_outbox()` lists what still has to go, in order.
* `apply_service_case` merges a case document from the service: statuses, hash ids, and new
  events only; withdrawn or deleted values are removed locally too.
* Labels are encrypted with Fernet, key in the keyring; nothing secret is in the database.

Thread-safety: a `Store` owns one connection (opened with `check_same_thread=False`) and
serialises every call with a lock, so one `Store` may be shared by the TUI's worker threads.
Several processes may use the same database (WAL and a busy timeout; writes use
`BEGIN IMMEDIATE`).
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from fingerprint_client.keystore import (
    CROCKFORD,
    LABEL_KEY_NAME,
    Keystore,
    api_key_name,
    pin_name,
)
from fingerprint_client.paths import AppDirs
from fingerprint_client.store_core import CaseRef, now
from fingerprint_client.store_merge import scrub_case_values
from fingerprint_client.store_models import (
    FINAL_CASE_STATUSES,
    LABEL_UNAVAILABLE,
    CaseRecord,
    EventRecord,
    HashRecord,
    NewCase,
    NewHash,
    NewOutboxItem,
    OutboxItem,
    ProfileRecord,
    frames_from_text,
    frames_to_text,
)
from fingerprint_client.store_outbox import OutboxStore
from fingerprint_client.store_schema import DB_NAME, StoreError, connect, db_files

log = logging.getLogger(__name__)

__all__ = [
    "LABEL_UNAVAILABLE",
    "CaseRecord",
    "CaseRef",
    "EventRecord",
    "HashRecord",
    "NewCase",
    "NewHash",
    "NewOutboxItem",
    "OutboxItem",
    "ProfileRecord",
    "Store",
    "StoreError",
    "now",
]


def _insert_hashes(
    c: sqlite3.Connection,
    local_id: str,
    start: int,
    hashes: Sequence[NewHash],
    remember_paths: bool,
) -> list[int]:
    """Insert `hashes` at positions start.. (status `queued`); returns their row ids."""
    row_ids: list[int] = []
    for pos, h in enumerate(hashes, start):
        cur = c.execute(
            "INSERT INTO hashes(local_id, position, algorithm, value, frames, quality,"
            " media, status, path) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?)",
            (
                local_id,
                pos,
                h.algorithm,
                h.value,
                frames_to_text(h.frames),
                h.quality,
                h.media,
                h.path if remember_paths else None,
            ),
        )
        row_ids.append(int(cur.lastrowid or 0))
    return row_ids


class Store(OutboxStore):
    """The local database. Open it with `Store.open(dirs, keystore)`; close it with `close()`
    (or use it as a context manager).

    `store.keystore` is the keystore scoped to this database (its install id): use it for PINs
    and API keys so that `forget --all` removes exactly this data dir's secrets.
    """

    @classmethod
    def open(cls, where: AppDirs | Path, keystore: Keystore) -> Store:
        """Open (create, migrate) the store of `where`: an `AppDirs` (its data dir) or the path
        of a database file. Raises `StoreError` with a kind message on failure."""
        path = where.data / DB_NAME if isinstance(where, AppDirs) else Path(where)
        return cls(connect(path), path, keystore)

    # -- profiles --------------------------------------------------------------------------------

    def add_profile(self, name: str, url: str) -> ProfileRecord:
        """Add an endpoint profile; `StoreError("profile-exists")` if the name is taken."""
        rec = ProfileRecord(name=name, url=url, created_at=now())
        with self._tx() as c:
            if c.execute("SELECT 1 FROM profiles WHERE name = ?", (name,)).fetchone():
                raise StoreError("profile-exists", f"A profile named {name!r} exists.")
            c.execute("INSERT INTO profiles VALUES (?, ?, ?)", (name, url, rec.created_at))
        return rec

    def get_profile(self, name: str) -> ProfileRecord | None:
        """The profile called `name`, or None."""
        rows = self._q("SELECT * FROM profiles WHERE name = ?", (name,))
        return ProfileRecord(**dict(rows[0])) if rows else None

    def list_profiles(self) -> list[ProfileRecord]:
        """Every profile, by name."""
        return [ProfileRecord(**dict(r)) for r in self._q("SELECT * FROM profiles ORDER BY name")]

    def remove_profile(self, name: str) -> bool:
        """Delete a profile (its cases keep the name and URL); True if it existed. The caller
        deletes its API key from the keystore."""
        with self._tx() as c:
            return c.execute("DELETE FROM profiles WHERE name = ?", (name,)).rowcount > 0

    def _new_local_id(self, c: sqlite3.Connection) -> str:
        while True:
            local_id = "C-" + "".join(secrets.choice(CROCKFORD) for _ in range(6))
            if not c.execute("SELECT 1 FROM cases WHERE local_id = ?", (local_id,)).fetchone():
                return local_id

    def create_case_with_outbox(
        self,
        case: NewCase,
        hashes: Sequence[NewHash],
        outbox_items: Sequence[NewOutboxItem],
        *,
        pin: str | None = None,
        remember_paths: bool = False,
        event_detail: str = "Queued on this device.",
    ) -> CaseRecord:
        """Create a case, its hashes (positions 0..n-1) and its outbox items (seq 1..m) in one
        transaction. `pin`, if given, goes into the keyring before the commit: any failure
        (keyring, database) leaves nothing behind. Paths are dropped unless `remember_paths`.
        The profile's current URL is copied into the case for receipts."""
        ciphertext = self._encrypt_label(case.label)
        with self._tx() as c:
            local_id = self._new_local_id(c)
            at = now()
            url_row = c.execute("SELECT url FROM profiles WHERE name = ?", (case.profile,))
            url = (url_row.fetchone() or (None,))[0]
            c.execute(
                "INSERT INTO cases(local_id, status, profile, profile_url, program,"
                " label_ciphertext, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (local_id, case.status, case.profile, url, case.program, ciphertext, at, at),
            )
            row_ids = _insert_hashes(c, local_id, 0, hashes, remember_paths)
            for item in outbox_items:
                self._insert_outbox(c, local_id, item, row_ids, at)
            self._insert_event(c, local_id, case.status, event_detail, at=at)
            if pin is not None:
                self.keystore.set_pin(local_id, pin)
        log.info("case %s queued: %d hashes, %d requests", local_id, len(hashes), len(outbox_items))
        found = self.get_case(local_id)
        assert found is not None
        return found

    def add_hashes_with_outbox(
        self,
        local_id: str,
        hashes: Sequence[NewHash],
        outbox_items: Sequence[NewOutboxItem],
        *,
        remember_paths: bool = False,
        event_detail: str | None = None,
    ) -> CaseRecord:
        """Add hashes to an existing case and queue their `add_hashes` items, in ONE transaction.
        The hashes take the next positions; the items follow the case's existing items (so
        after its create when that is still queued). Refused, changing nothing: a case that is
        final or being withdrawn (`case-closed`), a hash the case already holds
        (`already-in-case`: plan again), an item that is not `add_hashes`."""
        if not hashes or any(item.kind != "add_hashes" for item in outbox_items):
            raise StoreError("invalid-addition", "Only new fingerprints can be added to a case.")
        with self._tx() as c:
            row = c.execute("SELECT status FROM cases WHERE local_id = ?", (local_id,)).fetchone()
            if row is None:
                raise StoreError("unknown-case", "There is no case with that id on this device.")
            if row[0] in FINAL_CASE_STATUSES or row[0] == "withdraw-queued":
                raise StoreError(
                    "case-closed",
                    f"This case is {row[0]}: nothing can be added to it. Make a new request.",
                )
            held = {
                (r[0], r[1] if r[1] is not None else r[2])
                for r in c.execute(
                    "SELECT algorithm, value, frames FROM hashes WHERE local_id = ?", (local_id,)
                )
            }
            if any((h.algorithm, h.value or frames_to_text(h.frames)) in held for h in hashes):
                raise StoreError(
                    "already-in-case",
                    "The case already holds one of these fingerprints. Prepare the request again.",
                )
            start = c.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM hashes WHERE local_id = ?",
                (local_id,),
            ).fetchone()[0]
            at = now()
            row_ids = _insert_hashes(c, local_id, start, hashes, remember_paths)
            for item in outbox_items:
                self._insert_outbox(c, local_id, item, row_ids, at)
            detail = event_detail or f"{len(hashes)} more fingerprint(s) queued on this device."
            self._insert_event(c, local_id, row[0], detail, at=at)
            c.execute("UPDATE cases SET updated_at = ? WHERE local_id = ?", (at, local_id))
        log.info("case %s: %d hashes added, %d requests", local_id, len(hashes), len(outbox_items))
        return self.require_case(local_id)

    # -- forgetting and lookups ------------------------------------------------------------------

    def forget_case_hashes(self, local_id: str) -> None:
        """Remove a case's hash values, frames and paths, and the bodies of its requests that
        will not be sent again; the WAL is checkpointed so the values leave every file."""
        with self._tx() as c:
            scrub_case_values(c, local_id, include_pending=False)
            status = c.execute(
                "SELECT status FROM cases WHERE local_id = ?", (local_id,)
            ).fetchone()
            if status is None:
                raise StoreError("unknown-case", "There is no case with that id on this device.")
            self._insert_event(c, local_id, status[0], "Fingerprints forgotten on this device.")
        self.checkpoint()
        log.info("case %s: fingerprints forgotten", local_id)

    def find_by_sha256(self, value: str) -> list[CaseRef]:
        """Cases holding this SHA-256 (lowercase hex)."""
        rows = self._q(
            "SELECT DISTINCT c.local_id, c.case_id, c.status FROM hashes h JOIN cases c"
            " USING (local_id) WHERE h.algorithm = 'sha256' AND h.value = ?"
            " ORDER BY c.created_at",
            (value.lower(),),
        )
        return [CaseRef(*r) for r in rows]

    def all_pdq_values(self) -> list[tuple[str, CaseRef]]:
        """Every PDQ value still kept (image hashes and video frames) with its case, for `check`
        (Hamming distance matching)."""
        out: list[tuple[str, CaseRef]] = []
        rows = self._q(
            "SELECT h.algorithm, h.value, h.frames, c.local_id, c.case_id, c.status FROM hashes h"
            " JOIN cases c USING (local_id) WHERE h.algorithm IN ('pdq', 'pdq_frames')"
            " ORDER BY c.created_at, h.position"
        )
        for algorithm, value, frames, *ref in rows:
            case = CaseRef(*ref)
            if algorithm == "pdq" and value:
                out.append((value, case))
            for frame in frames_from_text(frames) or []:
                pdq = frame.get("pdq") if isinstance(frame, dict) else None
                if isinstance(pdq, str):
                    out.append((pdq, case))
        return out

    def secret_names(self) -> list[str]:
        """Keyring entry names this database knows of (PINs of its cases, API keys of its
        profiles, the label key), for `forget --all` beside the keystore's own index."""
        names = [pin_name(r[0]) for r in self._q("SELECT local_id FROM cases")]
        names += [api_key_name(r[0]) for r in self._q("SELECT name FROM profiles")]
        return [*names, LABEL_KEY_NAME]

    def wipe(self) -> list[Path]:
        """Delete every row (zeroed by secure_delete), close, and remove the database files.
        Returns the files removed. The store cannot be used afterwards."""
        with self._tx() as c:
            for table in ("events", "outbox", "hashes", "cases", "profiles"):
                c.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        with self._lock:
            with suppress(sqlite3.Error):
                self._conn.execute("VACUUM")
            self.close()
        removed = db_files(self.path)
        for p in removed:
            p.unlink()
        return removed
