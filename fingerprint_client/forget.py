"""`forget --all`: delete everything this app keeps for one data folder.

Order: the keyring entries first (their names come from the database and the keystore's index,
both scoped to this data folder's install id), then the database (rows deleted under
`secure_delete`, then the files), the settings file, the log files (and the log folder once
empty), the remembered service capabilities, any mock-service state in the data folder and the
temporary files an interrupted save may have left behind. Each step runs even when an earlier
one failed; problems are reported, never raised. Used by the CLI and the TUI; close any `Store`
of this data folder first.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from fingerprint_client.casework.capabilities import CAPABILITIES_FILE, TEMP_PREFIX
from fingerprint_client.config import CONFIG_NAME, config_path
from fingerprint_client.keystore import Keystore, KeystoreError
from fingerprint_client.logs import LOG_NAME, close_logging
from fingerprint_client.paths import AppDirs
from fingerprint_client.store import Store, StoreError
from fingerprint_client.store_schema import DB_NAME, db_files

MOCK_STATE = "mock-service.sqlite3"


@dataclass
class ForgetReport:
    """What was deleted, and what could not be (kind messages, no paths)."""

    cases: int = 0
    profiles: int = 0
    secrets: int = 0
    database: bool = False
    settings: bool = False
    logs: int = 0
    mock_state: bool = False
    capabilities: bool = False
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """A plain summary for a person."""
        out = ["Deleted:"]
        if self.database:
            out.append(f"  - the local database ({self.cases} case(s), {self.profiles} profile(s))")
        out.append(f"  - {self.secrets} keyring entr{'y' if self.secrets == 1 else 'ies'}")
        if self.settings:
            out.append("  - the settings file")
        if self.logs:
            out.append(f"  - {self.logs} log file(s)")
        if self.mock_state:
            out.append("  - the mock service's data")
        if self.capabilities:
            out.append("  - the remembered service capabilities")
        if len(out) == 2 and not self.secrets:
            out = ["There was nothing to delete."]
        return out


def _unlink_family(path: Path) -> bool:
    removed = False
    for p in db_files(path):
        p.unlink()
        removed = True
    return removed


def forget_everything(dirs: AppDirs, keystore: Keystore) -> ForgetReport:
    """Delete this data folder's database, settings, logs and keyring entries."""
    report = ForgetReport()
    db_path = dirs.data / DB_NAME
    if db_path.exists():
        try:
            store = Store.open(db_path, keystore)
        except StoreError as exc:
            report.problems.append(
                f"The database could not be opened ({exc.code}); its files are deleted anyway."
            )
            store = None
        if store is not None:
            report.cases = len(store.list_cases())
            report.profiles = len(store.list_profiles())
            try:
                if store.keystore.is_available:
                    report.secrets = store.keystore.delete_all(store.secret_names())
            except KeystoreError as exc:
                report.problems.append(
                    f"{exc.message} This app's keyring entries (if any) could not be deleted."
                )
            try:
                report.database = bool(store.wipe())
            except Exception as exc:
                store.close()
                report.problems.append(
                    f"The database rows could not be wiped ({type(exc).__name__})."
                )
        try:
            report.database = _unlink_family(db_path) or report.database
        except OSError as exc:
            report.problems.append(f"The database file could not be deleted ({exc.strerror}).")
    try:
        cfg = config_path(dirs)
        if cfg.exists():
            cfg.unlink()
            report.settings = True
    except OSError as exc:
        report.problems.append(f"The settings file could not be deleted ({exc.strerror}).")
    close_logging()
    if dirs.logs.is_dir():
        for p in sorted(dirs.logs.glob(LOG_NAME + "*")):
            try:
                p.unlink()
                report.logs += 1
            except OSError as exc:
                report.problems.append(f"A log file could not be deleted ({exc.strerror}).")
    try:
        report.mock_state = _unlink_family(dirs.data / MOCK_STATE)
    except OSError as exc:
        report.problems.append(f"The mock service's data could not be deleted ({exc.strerror}).")
    _forget_small_files(dirs, report)
    return report


def _forget_small_files(dirs: AppDirs, report: ForgetReport) -> None:
    """The capabilities cache, leftovers of interrupted atomic saves, the empty log folder."""
    try:
        cache = dirs.data / CAPABILITIES_FILE
        if cache.exists():
            cache.unlink()
            report.capabilities = True
    except OSError as exc:
        report.problems.append(
            f"The remembered service capabilities could not be deleted ({exc.strerror})."
        )
    leftovers = [*_glob(dirs.data, TEMP_PREFIX + "*"), *_glob(dirs.config, f".{CONFIG_NAME}.*.tmp")]
    for p in leftovers:
        try:
            p.unlink()
        except OSError as exc:
            report.problems.append(f"A temporary file could not be deleted ({exc.strerror}).")
    with suppress(OSError):  # an empty folder left behind would hold nothing
        if dirs.logs.is_dir() and not any(dirs.logs.iterdir()):
            dirs.logs.rmdir()


def _glob(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern)) if folder.is_dir() else []
