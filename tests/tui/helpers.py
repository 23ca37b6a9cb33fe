"""Helpers for the TUI tests: polling with a deadline (never sleeps as synchronisation), reading
what a screen shows, and building an app on the real program."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from fingerprint_client.keystore import Keystore
from fingerprint_client.paths import resolve_dirs
from fingerprint_client.tui.app import FingerprintApp, make_app
from fingerprint_client.tui.core_backend import CoreBackend

FIXED_PIN = "7KQ2-M9XD-4TA0"
FIXED_NOW = datetime(2026, 11, 23, 9, 30, 0, tzinfo=UTC)


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 30.0, what: str = ""
) -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what or condition}")


def screen_name(app: FingerprintApp) -> str:
    """The class name of the active screen."""
    return type(app.screen).__name__


def static_text(app: FingerprintApp, selector: str) -> str:
    """The plain text of a Static on the active screen ("" while it is not there yet)."""
    try:
        return str(app.screen.query_one(selector, Static).content)
    except NoMatches:
        return ""


def all_static_text(app: FingerprintApp) -> str:
    """Every Static's text on the active screen, joined."""
    return "\n".join(str(s.content) for s in app.screen.query(Static))


def table_rows(app: FingerprintApp, selector: str) -> list[list[str]]:
    """A DataTable's cells as plain strings."""
    try:
        table: DataTable[Text] = app.screen.query_one(selector, DataTable)
    except NoMatches:
        return []
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def make_backend(home: Path, keystore: Keystore, *, workers: int = 1) -> CoreBackend:
    """The real program on a data dir of its own, PIN and clock pinned."""
    return CoreBackend(
        resolve_dirs(home).ensure(),
        keystore,
        pin_factory=lambda: FIXED_PIN,
        workers=workers,
        clock=lambda: FIXED_NOW,
    )


def build_app(backend: CoreBackend, **kwargs: object) -> FingerprintApp:
    """`make_app` with the clock pinned."""
    return make_app(backend, clock=lambda: FIXED_NOW, **kwargs)  # type: ignore[arg-type]
