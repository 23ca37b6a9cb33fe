"""New request, step 5 of 5: saved on this device, then sent; the handover of case id and PIN."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from fingerprint_client.tui.backend import BackendError, Committed, Delivery
from fingerprint_client.tui.draft import RequestDraft
from fingerprint_client.tui.messages import DeliveryTried, RequestCommitted, WorkFailed
from fingerprint_client.tui.screens.base import BaseScreen

STATUS_WORDS = {
    "queued": "⏳ queued - saved on this device, waiting to be sent",
    "received": "✔ sent - the service received it",
    "active": "✔ active - shared with participating platforms",
    "rejected": "✖ refused by the service (see the case timeline)",
    "failed": "✖ refused (see the case timeline)",
    "withdraw-queued": "⏳ withdrawal queued",
    "withdrawn": "✔ withdrawn",
    "deleted": "✔ deleted by the service",
    "cancelled": "✔ cancelled before it was sent",
}


def status_words(status: str) -> str:
    """A status as words with an icon (never colour alone)."""
    return STATUS_WORDS.get(status, status)


def spaced(value: str) -> str:
    """Large-looking, easy to copy by hand: characters separated by spaces."""
    return " ".join(value)


def handover_text(case_id: str | None, pin: str, pin_in_keyring: bool, demo: bool) -> Text:
    """The case number and PIN, large and clear, with what to do with them."""
    text = Text()
    text.append("Write this down and keep it safe.\n\n", style="bold")
    text.append("Case number:  ")
    text.append(case_id or "(given by the service once sent)", style="bold reverse")
    text.append("\n\nPIN:  ")
    text.append(f" {spaced(pin)} ", style="bold reverse")
    text.append("\n\n")
    text.append(
        "You need both to check or withdraw this request. Nobody else can see the PIN: the "
        "service keeps only a scrambled form of it.\n"
    )
    if pin_in_keyring:
        where = (
            "this demo's keyring (forgotten when the demo ends)"
            if demo
            else "this computer's keyring"
        )
        text.append(f"The PIN is also saved in {where}; see it again under My requests (p).")
    else:
        text.append("The PIN could NOT be saved on this computer. Please write it down now.")
    return text


class DeliveryScreen(BaseScreen):
    """Commits the consented request to the outbox, sends it, and hands over case id and PIN."""

    SCREEN_TITLE = "New request · 5 of 5 · Sending"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "done", "Done"),
        Binding("r", "retry", "Try sending again"),
        Binding("m", "my_requests", "My requests"),
    ]

    def __init__(self, draft: RequestDraft) -> None:
        super().__init__()
        self.draft = draft
        self.delivery: Delivery | None = None
        self._sending = False

    def compose_body(self) -> ComposeResult:
        """Status and the handover box."""
        with VerticalScroll(classes="wizard-body"):
            yield Static(Text("Saving the request on this device..."), id="delivery-status")
            with Vertical(id="handover-box"):
                yield Static(Text(""), id="handover")
            with Horizontal(classes="wizard-buttons"):
                yield Button("Done (Esc)", compact=True, id="btn-done", variant="primary")
                yield Button("Try sending again (r)", compact=True, id="btn-retry", disabled=True)

    def on_mount(self) -> None:
        """Commit first (before any network call), then deliver."""
        self.query_one("#handover-box").display = False
        self.run_worker(self._commit, thread=True, exclusive=True, group="commit")

    def _commit(self) -> None:
        assert self.draft.prepared is not None
        try:
            committed = self.backend.commit(self.draft.prepared)
        except BackendError as exc:
            self.post_message(WorkFailed(exc.message, exc.code))
            return
        except Exception as exc:
            self.post_message(WorkFailed(f"The request could not be saved ({type(exc).__name__})."))
            return
        self.post_message(RequestCommitted(committed))
        self._deliver(committed.local_id)

    def _deliver(self, local_id: str) -> None:
        try:
            delivery = self.backend.deliver(local_id)
        except BackendError as exc:
            self.post_message(WorkFailed(exc.message, exc.code))
            return
        except Exception as exc:
            self.post_message(
                WorkFailed(f"Sending stopped ({type(exc).__name__}). It stays queued.")
            )
            return
        self.post_message(DeliveryTried(delivery))

    @on(RequestCommitted)
    def _committed(self, message: RequestCommitted) -> None:
        self.draft.committed = message.committed
        self._sending = True
        joined = message.committed.joined_case
        self.query_one("#delivery-status", Static).update(
            Text(
                f"✔ Saved on this device (queued) as part of case {joined}. Sending now..."
                if joined
                else "✔ Saved on this device (queued). Sending now..."
            )
        )
        self._show_handover(None, message.committed)

    def _show_handover(self, case_id: str | None, committed: Committed) -> None:
        if committed.joined_case:  # same case number and PIN as before: nothing new to note
            return
        box = self.query_one("#handover-box")
        box.display = True
        self.query_one("#handover", Static).update(
            handover_text(case_id, committed.pin, committed.pin_in_keyring, self.fc.demo)
        )

    @on(DeliveryTried)
    def _delivered(self, message: DeliveryTried) -> None:
        self._sending = False
        self.delivery = message.delivery
        summary = message.delivery.summary
        status = Text(status_words(summary.status))
        if summary.status in {"failed", "rejected"}:
            status.append(f"\n{message.delivery.problem or ''}")
        elif not message.delivery.delivered:
            status = Text(
                "⏳ Not sent yet - you seem to be offline or the service is not answering. "
                "The request is saved and will be sent later (press r to try now)."
            )
            if message.delivery.problem:
                status.append(f"\n{message.delivery.problem}")
        joined = self.draft.committed.joined_case if self.draft.committed else None
        if joined and message.delivery.delivered:
            status = Text(
                f"✔ The new fingerprints joined case {summary.case_id or joined}. "
                "Its case number and PIN stay the same."
            )
        self.query_one("#delivery-status", Static).update(status)
        self.query_one("#btn-retry", Button).disabled = message.delivery.delivered
        if self.draft.committed is not None:
            self._show_handover(summary.case_id, self.draft.committed)

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        self._sending = False
        self.query_one("#delivery-status", Static).update(Text("✖ " + message.message))
        self.query_one("#btn-retry", Button).disabled = self.draft.committed is None

    @on(Button.Pressed, "#btn-retry")
    def action_retry(self) -> None:
        """Try the outbox again."""
        committed = self.draft.committed
        if committed is None or self._sending or (self.delivery and self.delivery.delivered):
            return
        self._sending = True
        self.query_one("#delivery-status", Static).update(Text("Sending..."))
        self.run_worker(
            lambda: self._deliver(committed.local_id), thread=True, exclusive=True, group="send"
        )

    @on(Button.Pressed, "#btn-done")
    def action_done(self) -> None:
        """Back to the home screen, or to the case the images were added to (the request is
        safe either way)."""
        from fingerprint_client.tui.screens.case_view import CaseScreen

        add_to = self.draft.add_to
        while len(self.app.screen_stack) > 2:
            top = self.app.screen
            if add_to and isinstance(top, CaseScreen) and top.local_id == add_to:
                return
            self.app.pop_screen()

    def action_my_requests(self) -> None:
        """Home, then My requests."""
        self.action_done()
        from fingerprint_client.tui.screens.cases import CasesScreen

        self.app.push_screen(CasesScreen())
