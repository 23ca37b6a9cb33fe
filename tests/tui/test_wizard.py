"""The new-request wizard end to end against a real mock service: age -> files -> hashing ->
the exact bytes -> consent -> delivery and handover; offline stays queued and is sent later."""

from __future__ import annotations

import json
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from fingerprint_client.tui.app import FingerprintApp
from fingerprint_client.tui.screens.wizard_delivery import DeliveryScreen
from fingerprint_client.tui.screens.wizard_hashing import HashingScreen
from fingerprint_client.tui.widgets.file_picker import FilePicker
from tests.tui.conftest import Live
from tests.tui.helpers import (
    FIXED_PIN,
    build_app,
    screen_name,
    static_text,
    table_rows,
    wait_until,
)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]


async def choose_under18_and_continue(pilot: Pilot[Any], app: FingerprintApp) -> None:
    """Home -> program screen -> 'Under 18' -> files screen."""
    await pilot.press("n")
    await wait_until(pilot, lambda: screen_name(app) == "ProgramScreen", what="program screen")
    await wait_until(
        pilot,
        lambda: app.screen.query_one("#profile-select").value == "mock",  # type: ignore[attr-defined]
        what="profiles loaded",
    )
    await pilot.press("enter")  # the first answer: under 18
    await pilot.press("ctrl+n")
    await wait_until(pilot, lambda: screen_name(app) == "FilesScreen", what="files screen")


async def mark_root_and_hash(pilot: Pilot[Any], app: FingerprintApp) -> HashingScreen:
    """Mark the whole start folder, hash it, wait for the end."""
    picker = app.screen.query_one(FilePicker)
    await wait_until(pilot, lambda: picker.cursor_node is not None, what="tree loaded")
    await pilot.press("space")
    await pilot.press("ctrl+n")
    await wait_until(pilot, lambda: screen_name(app) == "HashingScreen", what="hashing screen")
    screen = app.screen
    assert isinstance(screen, HashingScreen)
    await wait_until(pilot, lambda: screen.finished, timeout=60, what="hashing finished")
    return screen


async def test_the_workers_get_ready_while_the_person_chooses(live: Live, pictures: Path) -> None:
    forkserver._forkserver._stop()  # type: ignore[attr-defined]  # as in a fresh program
    assert forkserver._forkserver._forkserver_pid is None  # type: ignore[attr-defined]
    app = build_app(live.backend, start_dir=pictures)
    async with app.run_test(size=(100, 30)) as pilot:
        await choose_under18_and_continue(pilot, app)
        await wait_until(
            pilot,
            lambda: forkserver._forkserver._forkserver_pid is not None,  # type: ignore[attr-defined]
            what="the fork server started before anything was marked",
        )
        assert not app.screen.query_one(FilePicker).marked


async def test_new_request_sends_exactly_the_reviewed_bytes(live: Live, pictures: Path) -> None:
    app = build_app(live.backend, start_dir=pictures)
    async with app.run_test(size=(100, 30)) as pilot:
        await choose_under18_and_continue(pilot, app)
        hashing = await mark_root_and_hash(pilot, app)
        rows = table_rows(app, "#hash-table")
        states = {row[1]: row[2] for row in rows}
        assert len(rows) == 7
        assert states["broken-file.jpg"].startswith("✖ not used: This image file is incomplete")
        assert all(
            s.startswith("✔ fingerprinted") for n, s in states.items() if n != "broken-file.jpg"
        )
        assert len(hashing.draft.usable) == 6

        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen_name(app) == "ReviewScreen", what="review")
        shown_raw = static_text(app, "#review-raw-body")
        prepared = hashing.draft.prepared
        assert prepared is not None
        assert prepared.body.decode() in shown_raw
        assert f"({len(prepared.body)} bytes)" in shown_raw
        assert '"program":"under18"' in prepared.body.decode()
        assert "pictures" not in prepared.body.decode() and ".jpg" not in prepared.body.decode()
        posted = [r for r in live.service.records() if r["method"] != "GET"]
        assert posted == [], "nothing may be sent before consent"

        await pilot.press("ctrl+y")
        await wait_until(pilot, lambda: screen_name(app) == "DeliveryScreen", what="delivery")
        delivery = app.screen
        assert isinstance(delivery, DeliveryScreen)
        await wait_until(pilot, lambda: delivery.delivery is not None, what="delivered")
        assert delivery.delivery is not None and delivery.delivery.delivered
        handover = static_text(app, "#handover")
        case_id = delivery.delivery.summary.case_id
        assert case_id and case_id in handover
        assert " ".join(FIXED_PIN) in handover
        assert "Write this down" in handover

        sent = live.service.requests_to("/v1/cases")
        assert len(sent) == 1
        assert json.loads(sent[0]["body"]) == json.loads(prepared.body)
        assert sent[0]["body"].encode() == prepared.body
        assert live.backend.pin(delivery.delivery.summary.local_id) == FIXED_PIN

    # Nothing of the pictures (names, folder, pixels) was written by the app.
    for path in live.backend.dirs.data.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for marker in (b"waves", b"circles", str(pictures).encode(), FIXED_PIN.encode()):
                assert marker not in data, (path.name, marker)


async def test_offline_request_stays_queued_and_is_sent_later(
    live: Live, pictures: Path, mock_service_factory: Any, tmp_path: Path
) -> None:
    app = build_app(live.backend, start_dir=pictures)
    async with app.run_test(size=(100, 30)) as pilot:
        await choose_under18_and_continue(pilot, app)
        await mark_root_and_hash(pilot, app)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen_name(app) == "ReviewScreen", what="review")
        port = int(live.service.url.rsplit(":", 1)[1])
        live.service.stop()  # the connection drops after the review
        await pilot.press("ctrl+y")
        await wait_until(pilot, lambda: screen_name(app) == "DeliveryScreen", what="delivery")
        delivery = app.screen
        assert isinstance(delivery, DeliveryScreen)
        await wait_until(pilot, lambda: delivery.delivery is not None, timeout=60, what="tried")
        assert delivery.delivery is not None and not delivery.delivery.delivered
        assert delivery.delivery.summary.status == "queued"
        assert "Not sent yet" in static_text(app, "#delivery-status")
        assert " ".join(FIXED_PIN) in static_text(app, "#handover")

        # The service is back (same address): My requests sends what was queued.
        mock_service_factory(port=port, advance_after=0.5, feedback=1.0)
        await pilot.press("m")
        await wait_until(pilot, lambda: screen_name(app) == "CasesScreen", what="cases")
        await wait_until(
            pilot,
            lambda: any(
                "sent" in row[2] or "active" in row[2] for row in table_rows(app, "#cases-table")
            ),
            timeout=60,
            what="queued case delivered",
        )
        cases = live.backend.list_cases()
        assert len(cases) == 1 and cases[0].case_id is not None


async def test_cancel_stops_hashing_and_nothing_is_prepared(
    live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fingerprint_client.hashing._process import TEST_HOOK_ENV
    from fingerprint_client.tui.demo_pictures import generate_pictures

    many = tmp_path / "many"
    generate_pictures(many / "set", broken=False)
    originals = sorted((many / "set").iterdir())
    for n in range(50):
        for original in originals:
            (many / "set" / f"copy{n:02d}-{original.name}").write_bytes(original.read_bytes())
    # the last file never finishes, so the batch cannot end before the person stops it
    (many / "set" / "zz-stuck.png").write_bytes(originals[0].read_bytes())
    monkeypatch.setenv(TEST_HOOK_ENV, "hang:zz-stuck.png")
    total = len(list((many / "set").iterdir()))
    app = build_app(live.backend, start_dir=many)
    async with app.run_test(size=(100, 30)) as pilot:
        await choose_under18_and_continue(pilot, app)
        picker = app.screen.query_one(FilePicker)
        await wait_until(pilot, lambda: picker.cursor_node is not None, what="tree loaded")
        await pilot.press("space", "ctrl+n")
        await wait_until(pilot, lambda: screen_name(app) == "HashingScreen", what="hashing screen")
        screen = app.screen
        assert isinstance(screen, HashingScreen)
        await wait_until(pilot, lambda: len(screen.draft.outcomes) > 0, what="first result")
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.finished, timeout=30, what="stopped")
        assert screen.cancelled
        assert len(screen.draft.outcomes) < total
        assert "Stopped" in static_text(app, "#hash-status")
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen_name(app) == "FilesScreen", what="back to files")
    assert live.backend.list_cases() == []


async def test_names_with_markup_show_literally(live: Live, pictures: Path) -> None:
    odd = pictures.parent / "odd"
    odd.mkdir()
    (pictures / "waves.jpg").rename(odd / "[@click=app.quit].jpg")
    (pictures / "tiles.png").rename(odd / "a [b] b.png")
    (odd / "[red]broken[.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a picture")
    app = build_app(live.backend, start_dir=odd)
    async with app.run_test(size=(100, 30)) as pilot:
        await choose_under18_and_continue(pilot, app)
        picker = app.screen.query_one(FilePicker)
        await wait_until(pilot, lambda: picker.cursor_node is not None, what="tree loaded")
        labels = [str(node.label) for node in picker.root.children]
        assert "[@click=app.quit].jpg" in labels and "a [b] b.png" in labels
        await mark_root_and_hash(pilot, app)
        names = [row[1] for row in table_rows(app, "#hash-table")]
        assert sorted(names) == sorted(["[@click=app.quit].jpg", "a [b] b.png", "[red]broken[.jpg"])
        assert app.is_running, "a file name must never run an action"


async def test_request_from_a_hashes_file_made_elsewhere(
    live: Live, pictures: Path, tmp_path: Path
) -> None:
    from fingerprint_client.hashing import HashOptions, hash_one

    helper_dir = tmp_path / "helper"
    helper_dir.mkdir()
    lines = [
        json.dumps(hash_one(pictures / name, HashOptions(), n).to_json(item=n))
        for n, name in enumerate(["waves.jpg", "circles.png"])
    ]
    (helper_dir / "hashes.jsonl").write_text("\n".join(lines) + "\n")
    app = build_app(live.backend, start_dir=helper_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await choose_under18_and_continue(pilot, app)
        picker = app.screen.query_one(FilePicker)
        await wait_until(pilot, lambda: len(picker.root.children) == 1, what="tree loaded")
        await pilot.press("down", "ctrl+o")
        await wait_until(pilot, lambda: screen_name(app) == "HashingScreen", what="hashing")
        screen = app.screen
        assert isinstance(screen, HashingScreen)
        await wait_until(pilot, lambda: screen.finished, what="read")
        assert [row[1] for row in table_rows(app, "#hash-table")] == ["item 0", "item 1"]
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen_name(app) == "ReviewScreen", what="review")
        await pilot.press("ctrl+y")
        await wait_until(pilot, lambda: screen_name(app) == "DeliveryScreen", what="delivery")
        delivery = app.screen
        assert isinstance(delivery, DeliveryScreen)
        await wait_until(pilot, lambda: delivery.delivery is not None, what="sent")
        assert delivery.delivery is not None and delivery.delivery.delivered
    sent = json.loads(live.service.requests_to("/v1/cases")[0]["body"])
    assert len([h for h in sent["hashes"] if h["algorithm"] == "pdq"]) == 2
