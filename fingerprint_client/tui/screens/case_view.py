"""One case: status, hashes, timeline (platform feedback included), and what can be done."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from fingerprint_client.tui.backend import BackendError, CaseDetail, CaseEvent
from fingerprint_client.tui.draft import RequestDraft
from fingerprint_client.tui.messages import CaseLoaded, PinLoaded, WorkDone, WorkFailed
from fingerprint_client.tui.screens.base import BaseScreen
from fingerprint_client.tui.screens.cases import short_time
from fingerprint_client.tui.screens.dialogs import ConfirmDialog, ConfirmResult, MessageDialog
from fingerprint_client.tui.screens.wizard_delivery import spaced, status_words

OPEN_STATUSES = frozenset({"queued", "received", "withdraw-queued"})
ACTION_ICONS = {"blocked": "✔", "under_review": "…", "not_blocked": "✖"}
REFRESH_SECONDS = 3.0


def case_header(detail: CaseDetail) -> Text:
    """The case in a few plain lines."""
    s = detail.summary
    program = "Take It Down (under 18)" if s.program == "under18" else "StopNCII (18+)"
    text = Text()
    text.append(s.label or "(no label)", style="bold")
    text.append(f"   Service: {s.profile} · {program}\n")
    text.append("Status: ")
    text.append(status_words(s.status), style="bold")
    text.append(f"\nCase number: {s.case_id or '(not sent yet)'}   ")
    text.append(f"Created {short_time(s.created_at)} · updated {short_time(s.updated_at)}")
    return text


def event_line(event: CaseEvent) -> Text:
    """One timeline entry; platform feedback gets an icon as well as its words."""
    icon = ""
    if event.platform and event.action:
        icon = ACTION_ICONS.get(event.action, "•") + " "
    return Text(f"{short_time(event.at)}  {icon}{event.status}: {event.detail}")


class CaseScreen(BaseScreen):
    """A case's details; refreshes itself while the service is still working on it."""

    SCREEN_TITLE = "Request"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "refresh", "Refresh"),
        Binding("p", "show_pin", "PIN"),
        Binding("a", "add_images", "Add images"),
        Binding("w", "withdraw_case", "Withdraw"),
        Binding("x", "withdraw_hash", "Withdraw hash"),
        Binding("e", "export", "Receipt"),
    ]

    def __init__(self, local_id: str) -> None:
        super().__init__()
        self.local_id = local_id
        self.detail: CaseDetail | None = None
        self._busy = False

    def compose_body(self) -> ComposeResult:
        """Header, hashes, timeline, status line."""
        with Vertical(classes="wizard-body"):
            yield Static(Text("Loading..."), id="case-header")
            hashes: DataTable[Text] = DataTable(id="case-hashes", cursor_type="row")
            yield hashes
            events: DataTable[Text] = DataTable(
                id="case-events", cursor_type="row", show_header=False
            )
            yield events
            yield Static(Text(""), id="case-status", classes="muted")

    def on_mount(self) -> None:
        """Columns; load locally, then refresh from the service; refresh again while open."""
        hashes = self.query_one("#case-hashes", DataTable)
        hashes.add_column("Hash", key="id", width=14)
        hashes.add_column("Kind", key="alg", width=7)
        hashes.add_column("Value", key="value", width=20)
        hashes.add_column("Quality", key="q", width=7)
        hashes.add_column("Status", key="status")
        self.query_one("#case-events", DataTable).add_column("Timeline", key="event")
        hashes.focus()
        self.load(refresh=False)
        self.load(refresh=True)
        self.set_interval(REFRESH_SECONDS, self._tick_refresh)

    def on_screen_resume(self) -> None:
        """Back from another screen (e.g. images added): show the case as it is now."""
        if self.detail is not None:
            self.load(refresh=False)

    def _tick_refresh(self) -> None:
        if self.detail is not None and self.detail.summary.status in OPEN_STATUSES:
            self.load(refresh=True)

    def load(self, *, refresh: bool) -> None:
        """Read the case (asking the service first with `refresh`) in a thread worker."""
        if self._busy and refresh:
            return
        self._busy = refresh
        self.run_worker(lambda: self._load(refresh), thread=True, group="case")

    def _load(self, refresh: bool) -> None:
        try:
            self.post_message(CaseLoaded(self.backend.case_detail(self.local_id, refresh), refresh))
        except BackendError as exc:
            self.post_message(WorkFailed(exc.message, exc.code))
        except Exception as exc:
            self.post_message(WorkFailed(f"Could not read this request ({type(exc).__name__})."))

    @on(CaseLoaded)
    def _loaded(self, message: CaseLoaded) -> None:
        if message.refreshed:
            self._busy = False
        self.detail = message.detail
        self.query_one("#case-header", Static).update(case_header(message.detail))
        hashes = self.query_one("#case-hashes", DataTable)
        row = hashes.cursor_row
        hashes.clear()
        for h in message.detail.hashes:
            hashes.add_row(
                Text(h.hash_id or "-"),
                Text(h.algorithm),
                Text(h.value[:16] + ("…" if len(h.value) > 16 else "")),
                Text("" if h.quality is None else str(h.quality)),
                Text(h.status),
                key=h.hash_id or f"local-{id(h)}",
            )
        if hashes.row_count:
            hashes.move_cursor(row=min(max(row, 0), hashes.row_count - 1))
        events = self.query_one("#case-events", DataTable)
        events.clear()
        for event in reversed(message.detail.events):
            events.add_row(event_line(event))
        if message.refreshed:
            self.query_one("#case-status", Static).update(
                Text(f"Checked with the service at {self.fc.now():%H:%M:%S}.")
            )

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        self._busy = False
        self.query_one("#case-status", Static).update(Text("✖ " + message.message))

    @on(WorkDone)
    def _done(self, message: WorkDone) -> None:
        self.query_one("#case-status", Static).update(Text(message.detail))
        self.load(refresh=False)

    def action_refresh(self) -> None:
        """Ask the service now."""
        self.query_one("#case-status", Static).update(Text("Checking with the service..."))
        self._busy = False
        self.load(refresh=True)

    def action_show_pin(self) -> None:
        """Read the PIN from the keyring and show it."""
        self.run_worker(
            lambda: self.post_message(PinLoaded(self.backend.pin(self.local_id))), thread=True
        )

    @on(PinLoaded)
    def _pin(self, message: PinLoaded) -> None:
        if message.pin is None:
            text = Text("The PIN of this request is not in this computer's keyring.")
        else:
            text = Text("PIN of this request:\n\n")
            text.append(f" {spaced(message.pin)} ", style="bold reverse")
            text.append("\n\nKeep it with the case number. It is not shown anywhere else.")
        self.app.push_screen(MessageDialog(text))

    def action_add_images(self) -> None:
        """Add more images to this case (same program and service)."""
        if self.detail is None:
            return
        s = self.detail.summary
        if s.status not in {"queued", "received", "active"}:
            self.notify("Images can only be added to a request that is still open.")
            return
        draft = RequestDraft(
            program="under18" if s.program == "under18" else "adult",
            profile=s.profile,
            label=s.label,
            add_to=self.local_id,
        )
        from fingerprint_client.tui.screens.wizard_files import FilesScreen

        self.app.push_screen(FilesScreen(draft))

    def action_withdraw_case(self) -> None:
        """Withdraw the whole case after one plain question."""
        question = (
            "Withdraw this whole request? The service deletes its fingerprints and platforms "
            "stop blocking these images. This cannot be undone (you can make a new request)."
        )
        self.app.push_screen(
            ConfirmDialog(
                question, "Withdraw", option="Also forget the fingerprints on this device"
            ),
            lambda result: self._withdraw(None, result),
        )

    def action_withdraw_hash(self) -> None:
        """Withdraw the highlighted hash only."""
        table = self.query_one("#case-hashes", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is None or str(key).startswith("local-"):
            self.notify("This fingerprint has not been sent yet; withdraw the whole request.")
            return
        self.app.push_screen(
            ConfirmDialog(
                f"Withdraw fingerprint {key} only? The rest of the request stays active.",
                "Withdraw it",
                option="Also forget this fingerprint on this device",
            ),
            lambda result: self._withdraw(str(key), result),
        )

    def _withdraw(self, hash_id: str | None, result: ConfirmResult | None) -> None:
        if result is None or not result.confirmed:
            return
        self.query_one("#case-status", Static).update(Text("Withdrawing..."))

        def work() -> None:
            try:
                summary = self.backend.withdraw(self.local_id, hash_id, result.option)
            except BackendError as exc:
                self.post_message(WorkFailed(exc.message, exc.code))
                return
            except Exception as exc:
                self.post_message(WorkFailed(f"Withdrawing stopped ({type(exc).__name__})."))
                return
            self.post_message(WorkDone("withdraw", "Now: " + status_words(summary.status)))

        self.run_worker(work, thread=True, group="withdraw")

    def action_export(self) -> None:
        """Write a receipt (text and JSON) for the police or a helpline."""
        directory = self.fc.options.export_dir or Path.home()

        def work() -> None:
            try:
                written = self.backend.export_receipt(self.local_id, directory)
            except BackendError as exc:
                self.post_message(WorkFailed(exc.message, exc.code))
                return
            except Exception as exc:
                self.post_message(
                    WorkFailed(f"The receipt could not be written ({type(exc).__name__}).")
                )
                return
            self.post_message(WorkDone("export", f"Receipt saved: {written}"))

        self.run_worker(work, thread=True, group="export")
