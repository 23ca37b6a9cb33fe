"""Text that is never parsed as markup: file names and anything a server sent."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def plain(value: object, style: str = "") -> Text:
    """`value` as literal text: `[b]`, `[/]` or `[@click=...]` stay visible characters."""
    return Text(str(value), style=style)


class PlainStatic(Static):
    """A Static whose content is always literal text."""

    def __init__(self, value: object = "", *, id: str | None = None, classes: str = "") -> None:
        super().__init__(plain(value), id=id, classes=classes)

    def set_plain(self, value: object) -> None:
        """Replace the content with literal text."""
        self.update(plain(value))
