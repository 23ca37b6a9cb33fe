"""Snapshot tests of every screen at 80x24 and 120x40 (pytest-textual-snapshot).

Everything random is pinned: the PIN (`pin_factory`), the clock of the app and of the store, the
pictures (generated from a seed), and the service (an unreachable loopback address, so no case
id is ever handed out and every request stays queued). Update with `--snapshot-update` after
checking the SVGs by eye.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

import fingerprint_client.store_core as store_core
from fingerprint_client.tui.app import FingerprintApp
from fingerprint_client.tui.backend import FileOutcome
from fingerprint_client.tui.core_backend import CoreBackend
from fingerprint_client.tui.screens.case_view import CaseScreen
from fingerprint_client.tui.screens.wizard_delivery import DeliveryScreen
from fingerprint_client.tui.screens.wizard_hashing import HashingScreen
from fingerprint_client.tui.themes import HIGH_CONTRAST
from fingerprint_client.tui.widgets.file_picker import FilePicker
from tests.tui.helpers import build_app, screen_name, static_text, table_rows, wait_until

pytestmark = pytest.mark.timeout(120)

SIZES = [(80, 24), (120, 40)]
OFFLINE_URL = "http://127.0.0.1:9"
STORE_NOW = "2026-11-23T09:30:00Z"

Step = Callable[[Pilot[Any], FingerprintApp], Awaitable[None]]


@pytest.fixture(autouse=True)
def _frozen_store_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    original = store_core.now
    for name, module in list(sys.modules.items()):
        if name.startswith("fingerprint_client") and getattr(module, "now", None) is original:
            monkeypatch.setattr(module, "now", lambda: STORE_NOW)


async def _home(pilot: Pilot[Any], app: FingerprintApp) -> None:
    await wait_until(
        pilot, lambda: getattr(app.screen, "service_known", False), what="service known"
    )


async def _help(pilot: Pilot[Any], app: FingerprintApp) -> None:
    await pilot.press("f1")
    await wait_until(pilot, lambda: screen_name(app) == "HelpScreen", what="help")


async def _program(pilot: Pilot[Any], app: FingerprintApp) -> None:
    await pilot.press("n")
    await wait_until(pilot, lambda: screen_name(app) == "ProgramScreen", what="program")
    await wait_until(
        pilot,
        lambda: app.screen.query_one("#profile-select").value == "stopncii",  # type: ignore[attr-defined]
        what="profiles",
    )
    await pilot.press("enter")


async def _files(pilot: Pilot[Any], app: FingerprintApp) -> None:
    await _program(pilot, app)
    await pilot.press("ctrl+n")
    await wait_until(pilot, lambda: screen_name(app) == "FilesScreen", what="files")
    picker = app.screen.query_one(FilePicker)
    await wait_until(pilot, lambda: len(picker.root.children) == 7, what="tree")
    await pilot.press("space")


async def _hashing(pilot: Pilot[Any], app: FingerprintApp) -> None:
    await _files(pilot, app)
    await pilot.press("ctrl+n")
    await wait_until(pilot, lambda: screen_name(app) == "HashingScreen", what="hashing")
    screen = app.screen
    assert isinstance(screen, HashingScreen)
    await wait_until(pilot, lambda: screen.finished, timeout=60, what="hashed")


async def _review(pilot: Pilot[Any], app: FingerprintApp) -> None:
    await _hashing(pilot, app)
    await pilot.press("ctrl+n")
    await wait_until(pilot, lambda: screen_name(app) == "ReviewScreen", what="review")


async def _handover(pilot: Pilot[Any], app: FingerprintApp) -> None:
    await _review(pilot, app)
    await pilot.press("ctrl+y")
    await wait_until(pilot, lambda: screen_name(app) == "DeliveryScreen", what="delivery")
    screen = app.screen
    assert isinstance(screen, DeliveryScreen)
    await wait_until(pilot, lambda: screen.delivery is not None, timeout=60, what="tried")


async def _cases(pilot: Pilot[Any], app: FingerprintApp) -> None:
    await pilot.press("m")
    await wait_until(pilot, lambda: screen_name(app) == "CasesScreen", what="cases")
    await wait_until(
        pilot,
        lambda: "Updated from the service" in static_text(app, "#cases-status"),
        what="sync" + static_text(app, "#cases-status"),
    )
    await wait_until(pilot, lambda: len(table_rows(app, "#cases-table")) == 1, what="rows")


async def _case(pilot: Pilot[Any], app: FingerprintApp) -> None:
    local_id = app.backend.list_cases()[0].local_id
    app.push_screen(CaseScreen(local_id))
    await wait_until(pilot, lambda: screen_name(app) == "CaseScreen", what="case")
    await wait_until(pilot, lambda: "Checked with" in static_text(app, "#case-status"), what="ok")


async def _confirm(pilot: Pilot[Any], app: FingerprintApp) -> None:
    await _case(pilot, app)
    await pilot.press("w")
    await wait_until(pilot, lambda: screen_name(app) == "ConfirmDialog", what="confirm")


async def _settings(pilot: Pilot[Any], app: FingerprintApp) -> None:
    await pilot.press("s")
    await wait_until(pilot, lambda: screen_name(app) == "SettingsScreen", what="settings")
    await wait_until(pilot, lambda: len(table_rows(app, "#profiles-table")) == 1, what="rows")


# name -> (steps, needs a profile, needs a queued case, demo mode)
SCENARIOS: dict[str, tuple[Step, bool, bool, bool]] = {
    "home_no_service": (_home, False, False, False),
    "home_demo": (_home, True, False, True),
    "help": (_help, True, False, False),
    "program": (_program, True, False, False),
    "files": (_files, True, False, False),
    "hashing": (_hashing, True, False, False),
    "review": (_review, True, False, False),
    "handover": (_handover, True, False, False),
    "cases": (_cases, True, True, False),
    "case": (_case, True, True, False),
    "confirm_withdraw": (_confirm, True, True, False),
    "settings": (_settings, True, False, False),
    "home_high_contrast": (_home, True, False, False),
}


def _queue_case(backend: CoreBackend, pictures: Path) -> None:
    outcomes: list[FileOutcome] = []
    backend.hash_files(
        [pictures / "waves.jpg", pictures / "tiles.png"],
        threading.Event(),
        lambda item: outcomes.append(item) if isinstance(item, FileOutcome) else None,
    )
    prepared = backend.prepare("adult", "stopncii", "Sam", outcomes)
    backend.commit(prepared)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_screen(
    snap_compare: Any,
    backend_factory: Callable[..., CoreBackend],
    pictures: Path,
    scenario: str,
    size: tuple[int, int],
) -> None:
    steps, with_profile, with_case, demo = SCENARIOS[scenario]
    backend = backend_factory()
    if with_profile:
        backend.add_profile("stopncii", OFFLINE_URL, None, True)
    if with_case:
        _queue_case(backend, pictures)
    theme = HIGH_CONTRAST if scenario.endswith("high_contrast") else None
    app = build_app(backend, demo=demo, start_dir=pictures, theme=theme)

    async def run_before(pilot: Pilot[Any]) -> None:
        await steps(pilot, app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
