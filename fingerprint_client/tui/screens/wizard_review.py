"""New request, step 4 of 5: the exact bytes that would leave the device, then consent."""

from __future__ import annotations

import json
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, ContentSwitcher, Static

from fingerprint_client.tui.backend import PreparedRequest
from fingerprint_client.tui.draft import RequestDraft
from fingerprint_client.tui.screens.base import BaseScreen

REVEALS = (
    "What these fingerprints reveal: someone who already has the same file can confirm from the "
    "exact hashes (md5, sha256) that it was reported; the PDQ hash can be partly turned back "
    "into a very blurry likeness; the service sees your internet address. No picture, file "
    "name, folder or EXIF data is in the request."
)


def request_head(prepared: PreparedRequest) -> Text:
    """Where it goes and the headers (secrets masked), as plain text."""
    text = Text()
    text.append(f"{prepared.method} {prepared.service_url.rstrip('/')}{prepared.path}\n")
    for name, value in sorted(prepared.headers.items()):
        text.append(f"{name}: {value}\n")
    return text


def pretty_body(body: bytes) -> Text:
    """The body indented for reading (the raw view shows the bytes actually sent)."""
    try:
        return Text(json.dumps(json.loads(body), indent=2, sort_keys=True, ensure_ascii=False))
    except ValueError:
        return Text(body.decode("utf-8", "replace"))


def raw_body(prepared: PreparedRequest) -> Text:
    """Every body exactly as it will be sent, with its size."""
    text = Text()
    bodies = (prepared.body, *prepared.extra_bodies)
    for number, body in enumerate(bodies, start=1):
        if len(bodies) > 1:
            text.append(f"-- part {number} of {len(bodies)} --\n", style="bold")
        text.append(body.decode("utf-8", "replace"))
        text.append(f"\n({len(body)} bytes)\n")
    return text


class ReviewScreen(BaseScreen):
    """Shows the request and asks for consent. Nothing is stored or sent before Ctrl+Y."""

    SCREEN_TITLE = "New request · 4 of 5 · What will be sent"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+y", "send", "I agree, send"),
        Binding("r", "toggle_raw", "Raw bytes / readable"),
    ]

    def __init__(self, draft: RequestDraft) -> None:
        super().__init__()
        self.draft = draft

    @property
    def prepared(self) -> PreparedRequest:
        """The request under review."""
        assert self.draft.prepared is not None
        return self.draft.prepared

    def compose_body(self) -> ComposeResult:
        """Summary, headers, body (readable / raw), what it reveals, consent."""
        prepared = self.prepared
        program = "Take It Down (under 18)" if prepared.program == "under18" else "StopNCII (18+)"
        with Vertical(classes="wizard-body"):
            yield Static(
                Text(
                    f"{prepared.hash_count} fingerprint(s) for {program}, to the service "
                    f"'{prepared.profile}'. These are the exact bytes. Press r to switch "
                    "between readable and raw."
                    + (
                        f" These fingerprints join case {prepared.joins_case}: no new case "
                        "number and no new PIN."
                        if prepared.joins_case
                        else ""
                    )
                ),
                id="review-summary",
            )
            with ContentSwitcher(initial="review-pretty", id="review-switcher"):
                with VerticalScroll(id="review-pretty"):
                    yield Static(request_head(prepared), classes="muted")
                    yield Static(pretty_body(prepared.body), id="review-pretty-body")
                with VerticalScroll(id="review-raw"):
                    yield Static(request_head(prepared), classes="muted")
                    yield Static(raw_body(prepared), id="review-raw-body")
            reveals = "\n".join(prepared.reveals) if prepared.reveals else REVEALS
            with VerticalScroll(id="review-reveals-box"):
                yield Static(Text(reveals), id="review-reveals", classes="muted")
            with Horizontal(classes="wizard-buttons"):
                yield Button(
                    "I agree, send (Ctrl+Y)", compact=True, id="btn-send", variant="primary"
                )
                yield Button("Not now (Esc)", compact=True, id="btn-back")

    def on_mount(self) -> None:
        """Focus the body so arrows scroll it."""
        self.query_one("#review-pretty", VerticalScroll).focus()

    def action_toggle_raw(self) -> None:
        """Switch between the readable and the raw view."""
        switcher = self.query_one("#review-switcher", ContentSwitcher)
        switcher.current = "review-raw" if switcher.current == "review-pretty" else "review-pretty"
        self.query_one(f"#{switcher.current}", VerticalScroll).focus()

    @on(Button.Pressed, "#btn-back")
    def _back(self) -> None:
        self.action_back()

    @on(Button.Pressed, "#btn-send")
    def action_send(self) -> None:
        """Consent given: commit and deliver on the next screen."""
        from fingerprint_client.tui.screens.wizard_delivery import DeliveryScreen

        self.app.push_screen(DeliveryScreen(self.draft))
