"""The bar at the top of every screen: where you are, and a DEMO marker in demo mode."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

DEMO_TEXT = " DEMO "
QUICK_EXIT_TEXT = " Ctrl+Q quick exit "


class TopBar(Horizontal):
    """Title of the screen on the left; the quick-exit key and the DEMO marker on the right."""

    def __init__(self, title: str, *, demo: bool) -> None:
        super().__init__(id="topbar")
        self._title = title
        self._demo = demo

    def compose(self) -> ComposeResult:
        """The title and, in demo mode, the marker."""
        yield Static(Text(self._title), id="topbar-title")
        yield Static(Text(QUICK_EXIT_TEXT), id="topbar-exit")
        if self._demo:
            yield Static(Text(DEMO_TEXT), id="demo-marker")
