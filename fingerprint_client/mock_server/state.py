"""SQLite state of the mock service: cases, hashes, events and idempotency records.

One connection guarded by a lock (the mock is a single process). The database runs with
`secure_delete=ON` so withdrawn values are zeroed on the page, and `scrub()` truncates the WAL so
no old page image survives there either.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fingerprint_client.service.protocol_constants import IDEMPOTENCY_RETENTION_DAYS

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    case_id TEXT PRIMARY KEY,
    program TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_ts REAL NOT NULL,
    pin_salt BLOB NOT NULL,
    pin_n INTEGER NOT NULL,
    pin_digest BLOB NOT NULL,
    wrong_pins INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0,
    client_name TEXT NOT NULL,
    client_version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS hashes (
    hash_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(case_id),
    seq INTEGER NOT NULL,
    algorithm TEXT NOT NULL,
    value TEXT,
    frames TEXT,
    quality INTEGER,
    media TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS hashes_case ON hashes(case_id, seq);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL REFERENCES cases(case_id),
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT NOT NULL,
    platform TEXT,
    action TEXT
);
CREATE INDEX IF NOT EXISTS events_case ON events(case_id, id);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    response BLOB NOT NULL,
    case_id TEXT,
    created_ts REAL NOT NULL,
    PRIMARY KEY (key, method, path)
);
CREATE INDEX IF NOT EXISTS idempotency_case ON idempotency(case_id);
"""


@dataclass(frozen=True)
class StoredAnswer:
    """An idempotency record: the first answer to (key, method, path)."""

    body_sha256: str
    status: int
    content_type: str
    response: bytes
    case_id: str | None


class MockStore:
    """The mock service's database (a file, or memory when `path` is None)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        target = str(path) if path is not None else ":memory:"
        self._conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            self._conn.execute("PRAGMA secure_delete=ON")
            if path is not None:
                self._conn.execute("PRAGMA journal_mode=WAL")
                path.chmod(0o600)
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.executescript(_SCHEMA)
            cutoff = time.time() - (IDEMPOTENCY_RETENTION_DAYS + 1) * 86400
            self._conn.execute("DELETE FROM idempotency WHERE created_ts < ?", (cutoff,))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, rolled back on any exception).

        Exceptions that must still commit (a wrong PIN is counted, then 401) are raised by the
        caller after the block."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def scrub(self) -> None:
        """Push every page into the main file and empty the WAL (after deleting values)."""
        if self.path is None:
            return
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Checkpoint and close the database."""
        with self._lock:
            if self.path is not None:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()


# --- idempotency records ----------------------------------------------------------------------


def get_answer(conn: sqlite3.Connection, key: str, method: str, path: str) -> StoredAnswer | None:
    """The stored first answer for (key, method, path), if any."""
    row = conn.execute(
        "SELECT body_sha256, status, content_type, response, case_id FROM idempotency "
        "WHERE key = ? AND method = ? AND path = ?",
        (key, method, path),
    ).fetchone()
    if row is None:
        return None
    return StoredAnswer(
        body_sha256=row["body_sha256"],
        status=row["status"],
        content_type=row["content_type"],
        response=bytes(row["response"]),
        case_id=row["case_id"],
    )


def put_answer(
    conn: sqlite3.Connection, key: str, method: str, path: str, answer: StoredAnswer
) -> None:
    """Keep the first answer for replay (inside the transaction that did the work)."""
    conn.execute(
        "INSERT INTO idempotency (key, method, path, body_sha256, status, content_type, "
        "response, case_id, created_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            key,
            method,
            path,
            answer.body_sha256,
            answer.status,
            answer.content_type,
            answer.response,
            answer.case_id,
            time.time(),
        ),
    )


def answers_of_case(conn: sqlite3.Connection, case_id: str) -> list[sqlite3.Row]:
    """Every stored answer that belongs to a case (for removing withdrawn values)."""
    return list(
        conn.execute(
            "SELECT rowid, response FROM idempotency WHERE case_id = ?", (case_id,)
        ).fetchall()
    )


def replace_answer_body(conn: sqlite3.Connection, rowid: int, response: bytes) -> None:
    """Overwrite a stored answer's body."""
    conn.execute("UPDATE idempotency SET response = ? WHERE rowid = ?", (response, rowid))


def row_dict(row: sqlite3.Row) -> dict[str, Any]:
    """A row as a plain dict."""
    return {k: row[k] for k in row.keys()}  # noqa: SIM118 - sqlite3.Row is not a Mapping
