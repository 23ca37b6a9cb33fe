"""My requests and the case view against a real mock service: list, filter, sort, timeline with
platform feedback, PIN shown again, withdraw one hash, withdraw the case (forgetting local
values), receipt, more images added to the same case."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fingerprint_client.tui.backend import FileOutcome
from fingerprint_client.tui.core_backend import CoreBackend
from fingerprint_client.tui.screens.case_view import CaseScreen
from fingerprint_client.tui.screens.dialogs import MessageDialog
from tests.tui.conftest import Live
from tests.tui.helpers import (
    FIXED_PIN,
    all_static_text,
    build_app,
    screen_name,
    static_text,
    table_rows,
    wait_until,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]


def submit(backend: CoreBackend, files: list[Path], label: str, program: str = "adult") -> str:
    """Create and deliver one case through the same backend the screens use."""
    outcomes: list[FileOutcome] = []
    backend.hash_files(
        files,
        threading.Event(),
        lambda i: outcomes.append(i) if isinstance(i, FileOutcome) else None,
    )
    prepared = backend.prepare(program, "mock", label, [o for o in outcomes if o.ok])  # type: ignore[arg-type]
    committed = backend.commit(prepared)
    assert backend.deliver(committed.local_id).delivered
    return committed.local_id


async def test_list_filter_sort_and_case_lifecycle(
    live: Live, pictures: Path, tmp_path: Path
) -> None:
    first = submit(live.backend, [pictures / "waves.jpg"], "Sam [b]bold[/b]")
    submit(live.backend, [pictures / "tiles.png", pictures / "circles.png"], "Alex", "under18")
    receipts = tmp_path / "receipts"
    app = build_app(live.backend, export_dir=receipts)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("m")
        await wait_until(pilot, lambda: screen_name(app) == "CasesScreen", what="cases")
        await wait_until(pilot, lambda: len(table_rows(app, "#cases-table")) == 2, what="rows")
        labels = [row[0] for row in table_rows(app, "#cases-table")]
        assert "Sam [b]bold[/b]" in labels, "labels are plain text, never markup"

        await pilot.press("o")  # sort by label
        await wait_until(
            pilot,
            lambda: [r[0] for r in table_rows(app, "#cases-table")] == ["Alex", "Sam [b]bold[/b]"],
            what="sorted by label",
        )
        await pilot.press("slash")
        await pilot.press(*"sam")
        await wait_until(pilot, lambda: len(table_rows(app, "#cases-table")) == 1, what="filter")
        await pilot.press("enter")  # leave the filter box
        await pilot.press("enter")  # open the case
        await wait_until(pilot, lambda: screen_name(app) == "CaseScreen", what="case view")
        case = app.screen
        assert isinstance(case, CaseScreen) and case.local_id == first

        await wait_until(
            pilot,
            lambda: case.detail is not None and case.detail.summary.status == "active",
            timeout=30,
            what="active",
        )
        await wait_until(
            pilot,
            lambda: any(
                any(f"  {icon} active: " in r[0] for icon in "✔✖…")
                for r in table_rows(app, "#case-events")
            ),
            timeout=30,
            what="platform feedback",
        )
        assert "active - shared with participating platforms" in static_text(app, "#case-header")

        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, MessageDialog), what="PIN dialog")
        assert " ".join(FIXED_PIN) in static_text(app, "#dialog-text")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is case, what="dialog closed")

        # Withdraw the highlighted hash only.
        hash_id = table_rows(app, "#case-hashes")[0][0]
        await pilot.press("x")
        await wait_until(pilot, lambda: screen_name(app) == "ConfirmDialog", what="confirm")
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: any(
                r[0] == hash_id and r[4] == "withdrawn" for r in table_rows(app, "#case-hashes")
            ),
            timeout=30,
            what="hash withdrawn",
        )
        case_id = next(c.case_id for c in live.backend.list_cases() if c.local_id == first)
        remote = next(c for c in live.service.cases() if c["case_id"] == case_id)
        gone = next(h for h in remote["hashes"] if h["hash_id"] == hash_id)
        assert gone["status"] == "withdrawn" and "value" not in gone

        # Receipt.
        await pilot.press("e")
        await wait_until(
            pilot, lambda: "Receipt saved" in static_text(app, "#case-status"), what="receipt"
        )
        text = (receipts / f"receipt-{first}.txt").read_text()
        assert "TAKEDOWN REQUEST RECEIPT" in text and "pictures" not in text and ".jpg" not in text

        # Withdraw the whole case, forgetting the local values.
        await pilot.press("w")
        await wait_until(pilot, lambda: screen_name(app) == "ConfirmDialog", what="confirm")
        await pilot.click("#dialog-option")
        await pilot.press("y")
        await wait_until(
            pilot,
            lambda: case.detail is not None and case.detail.summary.status == "withdrawn",
            timeout=30,
            what="withdrawn",
        )
        assert all(r[2] == "(not kept)" for r in table_rows(app, "#case-hashes"))
        remote = next(c for c in live.service.cases() if c["case_id"] == case_id)
        assert remote["status"] == "withdrawn"


async def test_refusing_the_confirmation_changes_nothing(live: Live, pictures: Path) -> None:
    local_id = submit(live.backend, [pictures / "stripes.jpg"], "Kim")
    app = build_app(live.backend)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(CaseScreen(local_id))
        await wait_until(pilot, lambda: screen_name(app) == "CaseScreen", what="case")
        await pilot.press("w")
        await wait_until(pilot, lambda: screen_name(app) == "ConfirmDialog", what="confirm")
        await pilot.press("n")
        await wait_until(pilot, lambda: screen_name(app) == "CaseScreen", what="back")
    assert live.backend.list_cases()[0].status in {"received", "active"}
    assert [r for r in live.service.records() if "withdraw" in str(r["path"])] == []


async def test_add_images_joins_the_same_case(live: Live, pictures: Path) -> None:
    local_id = submit(live.backend, [pictures / "waves.jpg"], "Robin")
    case_id = live.backend.list_cases()[0].case_id
    assert case_id is not None
    app = build_app(live.backend, start_dir=pictures)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(CaseScreen(local_id))
        await wait_until(pilot, lambda: screen_name(app) == "CaseScreen", what="case")
        case = app.screen
        assert isinstance(case, CaseScreen)
        await wait_until(pilot, lambda: case.detail is not None, what="loaded")
        before = len(table_rows(app, "#case-hashes"))
        await pilot.press("a")
        await wait_until(pilot, lambda: screen_name(app) == "FilesScreen", what="files")
        await pilot.press("down", "space", "ctrl+n")  # blobs.webp
        await wait_until(pilot, lambda: screen_name(app) == "HashingScreen", what="hashing")
        await wait_until(pilot, lambda: app.screen.finished, what="hashed")  # type: ignore[attr-defined]
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen_name(app) == "ReviewScreen", what="review")
        summary = static_text(app, "#review-summary")
        assert f"join case {case_id}" in summary and "no new PIN" in summary
        assert f"/v1/cases/{case_id}/hashes" in all_static_text(app)
        await pilot.press("ctrl+y")
        await wait_until(pilot, lambda: screen_name(app) == "DeliveryScreen", what="delivery")
        await wait_until(
            pilot,
            lambda: f"joined case {case_id}" in static_text(app, "#delivery-status"),
            timeout=30,
            what="added",
        )
        assert not app.screen.query_one("#handover-box").display, "no new case number or PIN"
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is case, what="back to the case")
        await wait_until(
            pilot, lambda: len(table_rows(app, "#case-hashes")) > before, what="new rows"
        )
    (only,) = live.backend.list_cases()
    assert only.local_id == local_id and only.case_id == case_id
    (remote,) = live.service.cases()
    values = [h["value"] for h in remote["hashes"] if "value" in h]
    assert len(values) == len(set(values)) == len(live.backend.case_detail(local_id, False).hashes)
