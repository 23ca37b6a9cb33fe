"""What every screen shares: the top bar (with DEMO marker), the footer and `Escape` = back."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer

from fingerprint_client.tui.widgets.topbar import TopBar

if TYPE_CHECKING:
    from fingerprint_client.tui.app import FingerprintApp
    from fingerprint_client.tui.backend import Backend


class BaseScreen(Screen[None]):
    """A screen with the top bar, a body (`compose_body`) and the footer of keys."""

    SCREEN_TITLE: ClassVar[str] = ""
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    @property
    def fc(self) -> FingerprintApp:
        """The app, typed."""
        from fingerprint_client.tui.app import FingerprintApp

        return cast(FingerprintApp, self.app)

    @property
    def backend(self) -> Backend:
        """The program behind the screens."""
        return self.fc.backend

    def compose(self) -> ComposeResult:
        """Top bar, body, footer."""
        yield TopBar(self.screen_title, demo=self.fc.demo)
        yield from self.compose_body()
        yield Footer(compact=True)

    @property
    def screen_title(self) -> str:
        """`SCREEN_TITLE`; the wizard's steps say "Add images to case X" when its draft adds
        to an existing case."""
        add_to = getattr(getattr(self, "draft", None), "add_to", None)
        if isinstance(add_to, str) and self.SCREEN_TITLE.startswith("New request"):
            step = self.SCREEN_TITLE.rsplit(" · ", 1)[-1]
            return f"Add images to case {add_to} · {step}"
        return self.SCREEN_TITLE

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from ()

    def action_back(self) -> None:
        """Go back one screen (never past the home screen)."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
