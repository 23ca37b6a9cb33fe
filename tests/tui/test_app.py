"""The shell: home, help from every screen, quick exit, DEMO marker, the leaks that are closed
(no command palette or screenshot, crash reports without locals or paths), and settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.screen import Screen

from fingerprint_client import config, guidance
from fingerprint_client.keystore import Keystore
from fingerprint_client.tui.app import CRASH_MESSAGE
from fingerprint_client.tui.core_backend import CoreBackend
from fingerprint_client.tui.screens.help import HelpScreen
from fingerprint_client.tui.themes import HIGH_CONTRAST
from tests.tui.conftest import Live
from tests.tui.helpers import all_static_text, build_app, screen_name, static_text, wait_until

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]


async def test_home_without_a_service_points_to_the_real_services(
    backend_factory: Callable[..., CoreBackend],
) -> None:
    app = build_app(backend_factory())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(
            pilot,
            lambda: "takeitdown.ncmec.org" in static_text(app, "#home-service"),
            what="notice",
        )
        text = all_static_text(app)
        assert guidance.PRIVACY_PROMISE in text
        assert "stopncii.org" in text
        assert not app.screen.query("#demo-marker")


async def test_demo_marker_on_every_screen(live: Live, pictures: Path) -> None:
    app = build_app(live.backend, demo=True, start_dir=pictures)
    async with app.run_test(size=(80, 24)) as pilot:
        for key, name in (("f1", "HelpScreen"), ("escape", "HomeScreen"), ("n", "ProgramScreen")):
            await pilot.press(key)
            await wait_until(pilot, lambda n=name: screen_name(app) == n, what=name)  # type: ignore[misc]
            assert app.screen.query("#demo-marker"), name
        await pilot.press("escape", "m")
        await wait_until(pilot, lambda: screen_name(app) == "CasesScreen", what="cases")
        assert app.screen.query("#demo-marker")
        await pilot.press("escape", "s")
        await wait_until(pilot, lambda: screen_name(app) == "SettingsScreen", what="settings")
        assert app.screen.query("#demo-marker")


async def test_help_from_every_screen_with_f1_and_question_mark(live: Live, pictures: Path) -> None:
    app = build_app(live.backend, start_dir=pictures)
    async with app.run_test(size=(80, 24)) as pilot:
        for path in ((), ("n",), ("m",), ("s",)):
            await pilot.press(*path)
            await pilot.pause()
            before = screen_name(app)
            await pilot.press("f1")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
            await pilot.press("escape")
            await wait_until(pilot, lambda b=before: screen_name(app) == b, what="back")  # type: ignore[misc]
            if before in {"HomeScreen", "CasesScreen"}:
                await pilot.press("question_mark")
                await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help ?")
                await pilot.press("escape")
            await pilot.press("escape")
        await pilot.press("f1")
        text = all_static_text(app)
    for needed in (
        "112",
        "116 111",
        "betterinternetforkids.eu",
        "takeitdown.ncmec.org",
        "stopncii.org",
        f"Contacts last checked: {guidance.LAST_CHECKED}",
        "Do not pay",
        "Deactivate",
        "Block the person",
        "privacy settings",
        "police",
        "someone you trust",
        "blurry likeness",
        "cropped, edited",
    ):
        assert needed in text, needed


async def test_quick_exit_from_a_nested_screen_runs_cleanup_first(
    live: Live, pictures: Path
) -> None:
    cleaned: list[str] = []
    app = build_app(live.backend, start_dir=pictures, on_quick_exit=lambda: cleaned.append("x"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await wait_until(pilot, lambda: screen_name(app) == "ProgramScreen", what="program")
        await pilot.click("#label-input")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert cleaned == ["x"]
    assert app.return_value == "quick-exit" and app.quick_exited


async def test_no_command_palette_and_no_screenshot(
    backend_factory: Callable[..., CoreBackend], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = build_app(backend_factory())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert screen_name(app) == "HomeScreen"
        app.action_screenshot()
        assert app.deliver_screenshot() is None
        await pilot.pause()
    assert not list(tmp_path.glob("*.svg"))


class _Exploding(Screen[None]):
    def on_mount(self) -> None:
        secret_path = "/home/someone/private/secret-photo.jpg"  # noqa: F841 - must not leak
        raise RuntimeError("boom")


async def test_crash_report_has_no_locals_paths_or_traceback(
    backend_factory: Callable[..., CoreBackend], capsys: pytest.CaptureFixture[str]
) -> None:
    app = build_app(backend_factory())
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(_Exploding())
            await pilot.pause()
    shown = " ".join(capsys.readouterr().err.split())
    assert CRASH_MESSAGE.format(kind="RuntimeError") in shown
    assert "secret" not in shown and "Traceback" not in shown


async def test_settings_profile_key_theme_and_forget(
    live: Live, memory_keystore: Keystore, tmp_path: Path
) -> None:
    app = build_app(live.backend)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s")
        await wait_until(pilot, lambda: screen_name(app) == "SettingsScreen", what="settings")
        await pilot.click("#profile-name")
        await pilot.press(*"stopncii")
        await pilot.click("#profile-url")
        await pilot.press(*"https://stopncii.example")
        await pilot.click("#profile-key")
        await pilot.press(*"sekret-key-123")
        await pilot.press("f2")
        await wait_until(
            pilot,
            lambda: "Profile stopncii saved" in static_text(app, "#settings-status"),
            what="saved",
        )
        names = {p.name: p for p in live.backend.profiles()}
        assert names["stopncii"].has_api_key and names["stopncii"].url == "https://stopncii.example"
        assert live.backend.store.keystore.get_api_key("stopncii") == "sekret-key-123"
        for f in (tmp_path / "home").rglob("*"):
            if f.is_file():
                assert b"sekret-key-123" not in f.read_bytes(), f.name

        app.screen.query_one("#theme-select").value = HIGH_CONTRAST  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: app.theme == HIGH_CONTRAST, what="theme")
        await wait_until(
            pilot,
            lambda: config.load_settings(live.backend.dirs).settings.theme == "high-contrast",
            what="theme saved",
        )
        await pilot.click("#remember-paths")
        await wait_until(
            pilot,
            lambda: config.load_settings(live.backend.dirs).settings.remember_paths,
            what="remember",
        )

        app.screen.query_one("#algorithms").select("phash")  # type: ignore[attr-defined]
        await wait_until(
            pilot,
            lambda: "phash" in config.load_settings(live.backend.dirs).settings.default_algorithms,
            what="algorithms saved",
        )

        await pilot.press("f9")
        await wait_until(pilot, lambda: screen_name(app) == "ConfirmDialog", what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: screen_name(app) == "HomeScreen", what="home again")
    assert live.backend.profiles() == []
    assert live.backend.store.keystore.get_api_key("stopncii") is None


async def test_home_warns_when_the_keyring_is_not_safe(tmp_path: Path) -> None:
    from keyring.backends import fail

    from fingerprint_client.keystore import Keystore as _Keystore
    from tests.tui.helpers import make_backend

    backend = make_backend(tmp_path / "home", _Keystore(fail.Keyring()))  # type: ignore[no-untyped-call]
    try:
        app = build_app(backend)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(
                pilot,
                lambda: "no safe keyring" in static_text(app, "#home-service"),
                what="warning",
            )
            assert "takeitdown.ncmec.org" in static_text(app, "#home-service")
    finally:
        backend.close()
