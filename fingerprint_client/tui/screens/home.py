"""Home: what the tool does, the privacy promise, and the four things a person can do."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Static

from fingerprint_client import guidance
from fingerprint_client.tui.screens.base import BaseScreen

NO_KEYRING = (
    "This computer has no safe keyring, so PINs cannot be kept here: the PIN of each request "
    "is shown once - please write it down."
)


class HomeScreen(BaseScreen):
    """The first screen."""

    SCREEN_TITLE = "fingerprint-client"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", show=False),
        Binding("n", "new_request", "New request"),
        Binding("m", "my_requests", "My requests"),
        Binding("s", "settings", "Settings"),
        Binding("q", "quit_app", "Quit"),
    ]

    def compose_body(self) -> ComposeResult:
        """Promise, actions, and the no-service notice (filled in when known)."""
        with VerticalScroll(id="home-body"):
            yield Static(Text(guidance.WHAT_THIS_DOES), id="home-what")
            yield Static(Text(guidance.PRIVACY_PROMISE), id="home-promise")
            with Vertical(id="home-actions"):
                yield Button(
                    "Create a takedown request (n)", compact=True, id="btn-new", variant="primary"
                )
                yield Button("My requests (m)", compact=True, id="btn-cases")
                yield Button("Help and guidance (F1)", compact=True, id="btn-help")
                yield Button("Settings (s)", compact=True, id="btn-settings")
            yield Static("", id="home-service")
            yield Static(Text("In danger now? Call 112.  Child helplines: 116 111."), id="home-sos")

    service_known = False
    """True once the no-service notice is decided."""

    def on_mount(self) -> None:
        """Find out whether a service is configured (off the UI thread)."""
        self.query_one("#btn-new", Button).focus()
        self.check_service()

    def on_screen_resume(self) -> None:
        """Settings may have changed the answer."""
        self.check_service()

    @work(thread=True, group="home-service")
    def check_service(self) -> None:
        """Ask the backend whether any service profile exists."""
        try:
            configured = self.backend.service_configured()
            secure = self.backend.keyring_secure()
        except Exception:
            configured, secure = False, False
        self.app.call_from_thread(self._show_service, configured, secure)

    def _show_service(self, configured: bool, secure: bool = True) -> None:
        self.service_known = True
        notice = self.query_one("#home-service", Static)
        if self.fc.demo:
            notice.update(
                Text(
                    "DEMO: requests go to a practice service on this computer. "
                    "Nothing reaches a real takedown service."
                )
            )
        elif configured:
            notice.update(Text(""))
        else:
            notice.update(Text(guidance.NO_SERVICE))
        if not secure and not self.fc.demo:
            notice.update(Text(f"{NO_KEYRING}\n{notice.content}".strip()))
        notice.set_class(not configured or not secure or self.fc.demo, "notice")

    def action_quit_app(self) -> None:
        """Leave normally (the demo then says that nothing reached a real service)."""
        self.app.exit(result="quit")

    @on(Button.Pressed, "#btn-new")
    def action_new_request(self) -> None:
        """Start the new-request wizard."""
        from fingerprint_client.tui.screens.wizard_program import ProgramScreen

        self.app.push_screen(ProgramScreen())

    @on(Button.Pressed, "#btn-cases")
    def action_my_requests(self) -> None:
        """Open the list of cases."""
        from fingerprint_client.tui.screens.cases import CasesScreen

        self.app.push_screen(CasesScreen())

    @on(Button.Pressed, "#btn-help")
    def _help(self) -> None:
        self.fc.action_help()

    @on(Button.Pressed, "#btn-settings")
    def action_settings(self) -> None:
        """Open settings."""
        from fingerprint_client.tui.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen())
