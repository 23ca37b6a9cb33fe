"""Small modal dialogs: confirm (with an optional extra choice) and show the PIN."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Static

from fingerprint_client.tui.widgets.toggles import MarkedCheckbox


class ConfirmResult:
    """What the person chose in a `ConfirmDialog`."""

    def __init__(self, confirmed: bool, option: bool) -> None:
        self.confirmed = confirmed
        self.option = option


class ConfirmDialog(ModalScreen[ConfirmResult]):
    """Asks once, plainly. `y` confirms, `Esc` or `n` keeps things as they are."""

    DEFAULT_CSS = "ConfirmDialog { align: center middle; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes"),
        Binding("n,escape", "dismiss_no", "No"),
    ]

    def __init__(self, question: str, yes: str, *, option: str | None = None) -> None:
        super().__init__()
        self._question = question
        self._yes = yes
        self._option = option

    def compose(self) -> ComposeResult:
        """Question, optional checkbox, buttons."""
        with Vertical(id="dialog"):
            yield Static(Text(self._question))
            if self._option:
                yield MarkedCheckbox(self._option, id="dialog-option")
            with Horizontal(id="dialog-buttons"):
                yield Button(f"{self._yes} (y)", compact=True, id="dialog-yes", variant="warning")
                yield Button("No, go back (n)", compact=True, id="dialog-no")

    def on_mount(self) -> None:
        """The safe choice has focus."""
        self.query_one("#dialog-no", Button).focus()

    def _option_value(self) -> bool:
        boxes = self.query("#dialog-option")
        return bool(boxes) and self.query_one("#dialog-option", Checkbox).value

    @on(Button.Pressed, "#dialog-yes")
    def action_confirm(self) -> None:
        """Yes."""
        self.dismiss(ConfirmResult(True, self._option_value()))

    @on(Button.Pressed, "#dialog-no")
    def action_dismiss_no(self) -> None:
        """No."""
        self.dismiss(ConfirmResult(False, False))


class MessageDialog(ModalScreen[None]):
    """Shows a block of text (e.g. the PIN again) until a key is pressed."""

    DEFAULT_CSS = "MessageDialog { align: center middle; }"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "Close")]

    def __init__(self, text: Text) -> None:
        super().__init__()
        self._text = text

    def compose(self) -> ComposeResult:
        """The text and a close button."""
        with Vertical(id="dialog"):
            yield Static(self._text, id="dialog-text")
            with Horizontal(id="dialog-buttons"):
                yield Button("Close (Esc)", compact=True, id="dialog-close")

    @on(Button.Pressed, "#dialog-close")
    def action_close(self) -> None:
        """Close."""
        self.dismiss(None)
