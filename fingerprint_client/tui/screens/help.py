"""Help and guidance: what to do now, where to get help, and what a hash is and is not."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from fingerprint_client import guidance
from fingerprint_client.tui.screens.base import BaseScreen


def _section(section: guidance.Section) -> Text:
    text = Text(section.title + "\n", style="bold")
    for paragraph in section.paragraphs:
        text.append("• " + paragraph + "\n")
    return text


class HelpScreen(BaseScreen):
    """Shown with F1 or ? from every screen; Escape goes back."""

    SCREEN_TITLE = "Help and guidance"

    def compose_body(self) -> ComposeResult:
        """Advice first, then contacts, then hashes explained."""
        with VerticalScroll(id="help-body"):
            for section in guidance.ADVICE:
                yield Static(_section(section), classes="help-section")
            contacts = Text("Where to get help\n", style="bold")
            for contact in guidance.CONTACTS:
                contacts.append(f"• {contact.name}: ", style="bold")
                contacts.append(f"{contact.reach}")
                contacts.append(f" - {contact.who}\n")
            contacts.append(f"Contacts last checked: {guidance.LAST_CHECKED}", style="italic")
            yield Static(contacts, classes="help-section", id="help-contacts")
            for section in guidance.HASH_EXPLAINED:
                yield Static(_section(section), classes="help-section")

    def on_mount(self) -> None:
        """Focus the text so the arrow keys scroll it."""
        self.query_one("#help-body", VerticalScroll).focus()
