"""The log file: private, INFO by default, no paths or hash values unless debug logging."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from fingerprint_client.logs import close_logging, redact, setup_logging
from fingerprint_client.paths import AppDirs, resolve_dirs

SECRET_PATH = "/home/anna/Private Pictures/beach-2024.jpg"
HASH = "9f" * 32


@pytest.fixture
def dirs(tmp_path: Path) -> Iterator[AppDirs]:
    yield resolve_dirs(tmp_path / "home").ensure()
    close_logging()


def _log_everything() -> None:
    log = logging.getLogger("fingerprint_client.test")
    log.debug("debug line %s", SECRET_PATH)
    log.info("hashed %s -> %s", SECRET_PATH, HASH)
    log.info("name only: beach-2024.jpg, relative: Pictures/beach.png, home ~/x.heic")
    try:
        open(SECRET_PATH)  # noqa: SIM115
    except OSError:
        log.exception("could not open")


def test_default_log_has_no_paths_or_hashes(dirs: AppDirs) -> None:
    path = setup_logging(dirs, debug_logging=False)
    _log_everything()
    close_logging()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "hashed [path]" in text and "[hash]" in text
    assert "FileNotFoundError" in text
    assert "debug line" not in text
    for leak in ("anna", "beach", HASH, "Pictures/", "Traceback"):
        assert leak not in text, leak


def test_debug_logging_keeps_details(dirs: AppDirs) -> None:
    path = setup_logging(dirs, debug_logging=True)
    _log_everything()
    close_logging()
    text = path.read_text()
    assert SECRET_PATH in text and HASH in text and "debug line" in text


def test_redact_keeps_service_host() -> None:
    assert redact("GET https://svc.example/v1/cases/abc failed") == (
        "GET https://svc.example failed"
    )
    assert redact("C:\\Users\\anna\\x.png") == "[path]"
