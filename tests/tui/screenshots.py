"""Writes the SVG screenshots used by README.md and docs/tui.md into docs/screenshots/.

    .venv/bin/python -m tests.tui.screenshots

It drives the demo (generated abstract pictures, the embedded mock service, an in-memory
keyring) with Textual's Pilot at 100x30 and saves: home, help, review, handover, case.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from fingerprint_client.tui.app import FingerprintApp, make_app
from fingerprint_client.tui.demo import DemoSession
from fingerprint_client.tui.screens.case_view import CaseScreen
from fingerprint_client.tui.screens.wizard_delivery import DeliveryScreen
from fingerprint_client.tui.screens.wizard_hashing import HashingScreen
from fingerprint_client.tui.widgets.file_picker import FilePicker

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZE = (100, 30)


async def _until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the demo did not get there in time")
        await pilot.pause(0.05)


def _save(app: FingerprintApp, name: str) -> None:
    app.save_screenshot(f"{name}.svg", str(OUT))


async def main() -> None:
    """Drive the demo and save the screenshots."""
    OUT.mkdir(parents=True, exist_ok=True)
    session = DemoSession.start(
        advance_after=1.0, feedback=1.0, pin_factory=lambda: "7KQ2-M9XD-4TA0"
    )
    try:
        app = make_app(session.backend, demo=True, start_dir=session.pictures)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.5)
            _save(app, "home")
            await pilot.press("f1")
            await pilot.pause(0.3)
            _save(app, "help")
            await pilot.press("escape", "n")
            await _until(pilot, lambda: type(app.screen).__name__ == "ProgramScreen")
            await pilot.pause(0.5)
            await pilot.press("enter", "ctrl+n")
            await _until(pilot, lambda: bool(app.screen.query(FilePicker)))
            picker = app.screen.query_one(FilePicker)
            await _until(pilot, lambda: len(picker.root.children) > 0)
            await pilot.press("space", "ctrl+n")
            await _until(
                pilot, lambda: isinstance(app.screen, HashingScreen) and app.screen.finished
            )
            _save(app, "hashing")
            await pilot.press("ctrl+n")
            await _until(pilot, lambda: type(app.screen).__name__ == "ReviewScreen")
            await pilot.pause(0.3)
            _save(app, "review")
            await pilot.press("ctrl+y")
            await _until(
                pilot,
                lambda: isinstance(app.screen, DeliveryScreen) and app.screen.delivery is not None,
            )
            _save(app, "handover")
            await pilot.press("m")
            await _until(pilot, lambda: type(app.screen).__name__ == "CasesScreen")
            await pilot.pause(0.5)
            await pilot.press("enter")
            await _until(
                pilot,
                lambda: (
                    isinstance(app.screen, CaseScreen)
                    and app.screen.detail is not None
                    and app.screen.detail.summary.status == "active"
                    and len(app.screen.detail.events) > 3
                ),
            )
            await pilot.pause(0.3)
            _save(app, "case")
    finally:
        session.close()


if __name__ == "__main__":
    asyncio.run(main())
