"""The Textual application and `make_app`, the one factory used by the CLI and the tests.

Leaks closed here (DESIGN.md "Rules"): no command palette (so no screenshot command), no
screenshot key, a crash shows a calm message without locals, paths or a traceback, and `Ctrl+Q`
leaves at once (quick exit) after the demo clean-up, without waiting on running workers.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import App
from textual.binding import Binding, BindingType

from fingerprint_client.tui.backend import Backend
from fingerprint_client.tui.themes import DEFAULT_THEME, THEMES

CRASH_MESSAGE = (
    "Something went wrong inside fingerprint-client ({kind}). Nothing was sent that you did not "
    "confirm, and requests already saved are kept. Please start the app again."
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker while stderr is still the real terminal.

    Textual replaces `sys.stderr` while it runs; the tracker, started lazily by the first hashing
    worker, would then fail ("bad value(s) in fds_to_keep"). Starting it first avoids that.
    """
    from multiprocessing import resource_tracker

    with contextlib.suppress(Exception):
        resource_tracker.ensure_running()


@dataclass
class AppOptions:
    """Everything `make_app` injects: the backend, demo mode, and what tests pin down."""

    backend: Backend
    demo: bool = False
    start_dir: Path | None = None
    """Where the file picker opens (the demo's generated pictures in demo mode)."""
    clock: Callable[[], datetime] = _utc_now
    on_quick_exit: Callable[[], None] | None = None
    """Clean-up run before a quick exit ends the process (the demo removes its data here)."""
    hard_exit: bool = False
    """Quick exit ends the process with `os._exit` (the CLI); tests keep the process alive."""
    theme: str | None = None
    export_dir: Path | None = None
    """Where receipts are written (the home folder unless set)."""
    extra: dict[str, object] = field(default_factory=dict)


class FingerprintApp(App[str | None]):
    """fingerprint-client's terminal app."""

    TITLE = "fingerprint-client"
    CSS_PATH = "styles/app.tcss"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quick_exit", "Quick exit", priority=True),
        Binding("f1", "help", "Help", priority=True),
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+c", "quick_exit", show=False, priority=True),
    ]

    def __init__(self, options: AppOptions) -> None:
        start_resource_tracker()
        super().__init__()
        self.options = options
        self.quick_exited = False
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = options.theme if options.theme in {t.name for t in THEMES} else DEFAULT_THEME

    @property
    def backend(self) -> Backend:
        """The program behind the screens."""
        return self.options.backend

    @property
    def demo(self) -> bool:
        """True in `fingerprint-client demo`."""
        return self.options.demo

    def now(self) -> datetime:
        """The (injectable) clock."""
        return self.options.clock()

    def on_mount(self) -> None:
        """Open the home screen."""
        from fingerprint_client.tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())

    # -- actions -------------------------------------------------------------------------

    def action_help(self) -> None:
        """Open help and guidance (once)."""
        from fingerprint_client.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_quick_exit(self) -> None:
        """Leave at once: clean up the demo, restore the terminal, end the process."""
        self.quick_exited = True
        if self.options.on_quick_exit is not None:
            with contextlib.suppress(Exception):
                self.options.on_quick_exit()
        if self.options.hard_exit:
            driver = self._driver
            if driver is not None:
                with contextlib.suppress(Exception):
                    driver.stop_application_mode()
                    driver.close()
            os._exit(0)
        self.exit(result="quick-exit")

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Disabled: a screenshot could keep a PIN or file names on disk."""

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """Disabled (see `action_screenshot`)."""
        return None

    # -- crash handling: no locals, no paths, no traceback --------------------------------

    def _fatal_error(self) -> None:
        import sys

        kind = type(sys.exc_info()[1] or self._exception).__name__
        self.bell()
        self._exit_renderables.append(Text(CRASH_MESSAGE.format(kind=kind)))
        self._close_messages_no_wait()

    def _handle_exception(self, error: Exception) -> None:
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self._fatal_error()


def make_app(
    backend: Backend,
    *,
    demo: bool = False,
    start_dir: Path | None = None,
    clock: Callable[[], datetime] | None = None,
    on_quick_exit: Callable[[], None] | None = None,
    hard_exit: bool = False,
    theme: str | None = None,
    export_dir: Path | None = None,
) -> FingerprintApp:
    """Build the app. The CLI passes `hard_exit=True`; tests inject a fixed clock."""
    options = AppOptions(
        backend=backend,
        demo=demo,
        start_dir=start_dir,
        clock=clock or _utc_now,
        on_quick_exit=on_quick_exit,
        hard_exit=hard_exit,
        theme=theme,
        export_dir=export_dir,
    )
    return FingerprintApp(options)
