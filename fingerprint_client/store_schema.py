"""Database file, connection settings and schema migrations of the local store.

The schema version is `PRAGMA user_version`. `MIGRATIONS[n]` takes a database at version `n` to
`n + 1`; `migrate()` runs the missing ones, each in its own transaction, and is a no-op on an
up-to-date database. A database newer than this program is refused (`StoreError("newer-schema")`)
instead of being damaged.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

DB_NAME = "fingerprint-client.sqlite3"
BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """A store operation failed. `code` is stable; `message` never contains a path."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run `;`-separated DDL inside the current transaction (`executescript` would commit)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v1(conn: sqlite3.Connection) -> None:
    """The first schema: meta, profiles, cases, hashes, outbox, events."""
    _run_script(
        conn,
        """
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE profiles (
            name       TEXT PRIMARY KEY,
            url        TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE cases (
            local_id         TEXT PRIMARY KEY,
            case_id          TEXT UNIQUE,
            status           TEXT NOT NULL,
            profile          TEXT NOT NULL,
            profile_url      TEXT,
            program          TEXT NOT NULL,
            label_ciphertext BLOB,
            created_at       TEXT NOT NULL,
            updated_at       TEXT NOT NULL
        );
        CREATE TABLE hashes (
            id        INTEGER PRIMARY KEY AUTOINCREMENT,
            local_id  TEXT NOT NULL REFERENCES cases(local_id) ON DELETE CASCADE,
            position  INTEGER NOT NULL,
            hash_id   TEXT,
            algorithm TEXT NOT NULL,
            value     TEXT,
            frames    TEXT,
            quality   INTEGER,
            media     TEXT NOT NULL,
            status    TEXT NOT NULL,
            path      TEXT,
            UNIQUE (local_id, position)
        );
        CREATE INDEX hashes_by_value ON hashes(algorithm, value);
        CREATE TABLE outbox (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            local_id        TEXT NOT NULL REFERENCES cases(local_id) ON DELETE CASCADE,
            seq             INTEGER NOT NULL,
            kind            TEXT NOT NULL CHECK (kind IN
                              ('create_case', 'add_hashes', 'withdraw_case', 'withdraw_hash')),
            method          TEXT NOT NULL,
            path_template   TEXT NOT NULL,
            body            BLOB NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
                              ('pending', 'delivered', 'failed', 'cancelled')),
            attempts        INTEGER NOT NULL DEFAULT 0,
            last_error      TEXT,
            created_at      TEXT NOT NULL,
            delivered_at    TEXT,
            response_status INTEGER,
            hash_row_id     INTEGER REFERENCES hashes(id) ON DELETE SET NULL,
            UNIQUE (local_id, seq)
        );
        CREATE INDEX outbox_pending ON outbox(state, local_id, seq);
        CREATE TABLE events (
            id       INTEGER PRIMARY KEY AUTOINCREMENT,
            local_id TEXT NOT NULL REFERENCES cases(local_id) ON DELETE CASCADE,
            at       TEXT NOT NULL,
            status   TEXT NOT NULL,
            detail   TEXT NOT NULL DEFAULT '',
            platform TEXT,
            action   TEXT,
            source   TEXT NOT NULL CHECK (source IN ('local', 'service'))
        );
        CREATE INDEX events_by_case ON events(local_id, id);
        """,
    )
    conn.execute("INSERT INTO meta(key, value) VALUES ('install_id', ?)", (uuid.uuid4().hex,))


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1]
SCHEMA_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version stored in the database."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to `SCHEMA_VERSION`; returns how many migrations ran."""
    ran = 0
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = user_version(conn)
            if version > SCHEMA_VERSION:
                raise StoreError(
                    "newer-schema",
                    "This database was written by a newer fingerprint-client; please update.",
                )
            if version == SCHEMA_VERSION:
                conn.execute("COMMIT")
                return ran
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
            ran += 1
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _touch_private(path: Path) -> None:
    """Create `path` 0600 if missing and tighten it if it exists."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    path.chmod(0o600)


KEYRING_LOCK_SUFFIX = "-keyring-lock"
"""The database's companion that serialises keyring index changes (`keystore/_index_lock.py`)."""
DB_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal", KEYRING_LOCK_SUFFIX)
"""The database file and its companions: kept 0600, deleted together."""


def db_files(db_path: Path) -> list[Path]:
    """The database file and those of its companions that exist."""
    paths = (db_path.with_name(db_path.name + suffix) for suffix in DB_FILE_SUFFIXES)
    return [p for p in paths if p.exists()]


def tighten_files(db_path: Path) -> None:
    """Make the database and its -wal/-shm companions 0600 (they inherit the database's mode
    when SQLite creates them; this also repairs files created by something else)."""
    for p in db_files(db_path):
        p.chmod(0o600)


def connect(db_path: Path) -> sqlite3.Connection:
    """Open (creating 0600) the database with WAL, secure_delete, foreign keys and a busy
    timeout; autocommit mode, transactions are explicit. Migrates to the current schema."""
    db_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    db_path.parent.chmod(0o700)
    try:
        _touch_private(db_path)
        conn = sqlite3.connect(
            db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(
            "store-unavailable", f"The local database could not be opened ({type(exc).__name__})."
        ) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        migrate(conn)
    except StoreError:
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(
            "store-corrupt",
            "The local database could not be read; it may be damaged "
            f"({type(exc).__name__}). `forget --all` starts afresh.",
        ) from exc
    except Exception as exc:
        conn.close()
        raise StoreError(
            "migration-failed",
            "The local database could not be updated to this version of fingerprint-client "
            f"({type(exc).__name__}); nothing was changed. Please report this.",
        ) from exc
    tighten_files(db_path)
    return conn
