"""New request, step 3 of 5: fingerprints computed on this device, with progress and cancel."""

from __future__ import annotations

import threading
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, ProgressBar, Static

from fingerprint_client.tui.backend import BackendError, FileOutcome, HashProgress
from fingerprint_client.tui.draft import RequestDraft
from fingerprint_client.tui.messages import (
    FileHashed,
    HashingFinished,
    HashingProgress,
    RequestPrepared,
    WorkFailed,
)
from fingerprint_client.tui.screens.base import BaseScreen

LOW_QUALITY = 50
QUALITY_EXPLAINED = (
    "⚠ Low quality means the picture has little detail (very dark, plain or tiny), so its "
    "PDQ fingerprint would not match copies reliably and is left out. Its exact fingerprints "
    "(MD5, SHA-256) are still sent; they match only identical copies. Press Ctrl+X to leave "
    "these files out completely."
)


def outcome_state(outcome: FileOutcome) -> Text:
    """A word and an icon for the state - never colour alone."""
    if not outcome.ok:
        return Text(f"✖ not used: {outcome.message or outcome.error_code}", style="bold")
    if outcome.quality is not None and outcome.quality < LOW_QUALITY:
        return Text(f"⚠ low quality ({outcome.quality})")
    if outcome.warnings:
        return Text("⚠ " + "; ".join(outcome.warnings))
    quality = f" (quality {outcome.quality})" if outcome.quality is not None else ""
    return Text(f"✔ fingerprinted{quality}")


def explanations(outcomes: list[FileOutcome], low_quality: bool) -> Text:
    """Every file that could not be used, with its whole message; then the quality note."""
    text = Text()
    for outcome in outcomes:
        if not outcome.ok:
            text.append(f"✖ {outcome.name}: ", style="bold")
            text.append(f"{outcome.message or outcome.error_code}\n")
    if low_quality:
        text.append(QUALITY_EXPLAINED)
    return text


class HashingScreen(BaseScreen):
    """Runs the hashing in a thread worker; each file's state appears as it finishes."""

    SCREEN_TITLE = "New request · 3 of 5 · Fingerprinting on this device"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel / back"),
        Binding("ctrl+n", "next", "Review"),
        Binding("ctrl+x", "drop_low_quality", "Leave out low quality"),
    ]

    def __init__(self, draft: RequestDraft) -> None:
        super().__init__()
        self.draft = draft
        self.cancel_event = threading.Event()
        self.finished = False
        self.cancelled = False

    def compose_body(self) -> ComposeResult:
        """Status, progress bar, per-file table, explanation, buttons."""
        with Vertical(classes="wizard-body"):
            yield Static(
                Text("Computing fingerprints here on your device. Nothing is sent yet."),
                id="hash-status",
            )
            yield ProgressBar(total=None, id="hash-progress", show_eta=False)
            table: DataTable[Text] = DataTable(id="hash-table", cursor_type="row")
            yield table
            yield Static("", id="hash-explain", classes="muted")
            with Horizontal(classes="wizard-buttons"):
                yield Button(
                    "Review what will be sent (Ctrl+N)", compact=True, id="btn-next", disabled=True
                )
                yield Button("Cancel (Esc)", compact=True, id="btn-cancel")

    def on_mount(self) -> None:
        """Start hashing in a thread worker."""
        table = self.query_one("#hash-table", DataTable)
        table.add_column("#", key="n", width=4)
        table.add_column("File", key="file", width=28)
        table.add_column("State", key="state")
        self.draft.outcomes = []
        self.run_worker(self._hash, thread=True, exclusive=True, group="hashing")

    def on_unmount(self) -> None:
        """Leaving the screen (or the app) stops the hashing."""
        self.cancel_event.set()

    def _hash(self) -> None:
        try:
            if self.draft.hashes_file is not None:
                outcomes = self.backend.load_hashes_file(self.draft.hashes_file)
                self.post_message(HashingProgress(HashProgress(len(outcomes), len(outcomes))))
                for outcome in outcomes:
                    self.post_message(FileHashed(outcome))
            else:
                self.backend.hash_files(self.draft.paths, self.cancel_event, self._on_item)
        except BackendError as exc:
            self.post_message(HashingFinished(False, exc.message))
            return
        except Exception as exc:
            self.post_message(
                HashingFinished(False, f"Fingerprinting stopped ({type(exc).__name__}).")
            )
            return
        self.post_message(HashingFinished(self.cancel_event.is_set()))

    def _on_item(self, item: HashProgress | FileOutcome) -> None:
        if isinstance(item, HashProgress):
            self.post_message(HashingProgress(item))
        else:
            self.post_message(FileHashed(item))

    @on(HashingProgress)
    def _progress(self, message: HashingProgress) -> None:
        bar = self.query_one("#hash-progress", ProgressBar)
        bar.update(total=max(message.progress.total, 1), progress=message.progress.done)

    @on(FileHashed)
    def _file(self, message: FileHashed) -> None:
        outcome = message.outcome
        self.draft.outcomes.append(outcome)
        table = self.query_one("#hash-table", DataTable)
        table.add_row(Text(str(outcome.index + 1)), Text(outcome.name), outcome_state(outcome))

    @on(HashingFinished)
    def _finished(self, message: HashingFinished) -> None:
        self.finished = True
        self.cancelled = message.cancelled
        status = self.query_one("#hash-status", Static)
        ok = len(self.draft.usable)
        failed = len(self.draft.outcomes) - ok
        if message.problem:
            status.update(Text("✖ " + message.problem))
        elif message.cancelled:
            status.update(Text(f"Stopped. {ok} file(s) were fingerprinted before you cancelled."))
        else:
            summary = f"✔ Done: {ok} file(s) fingerprinted"
            summary += f", {failed} could not be used (see why below)." if failed else "."
            if ok:
                summary += " Nothing has been sent. Next: review exactly what would be sent."
            status.update(Text(summary))
        bar = self.query_one("#hash-progress", ProgressBar)
        if bar.total is None:
            bar.update(total=1, progress=1)
        low = [o for o in self.draft.usable if o.quality is not None and o.quality < LOW_QUALITY]
        self.query_one("#hash-explain", Static).update(explanations(self.draft.outcomes, bool(low)))
        self.query_one("#btn-next", Button).disabled = ok == 0
        self.query_one("#btn-cancel", Button).label = "Back (Esc)"
        if ok:
            self.query_one("#btn-next", Button).focus()

    def action_drop_low_quality(self) -> None:
        """Leave low-quality files out of the request."""
        before = len(self.draft.outcomes)
        self.draft.outcomes = [
            o
            for o in self.draft.outcomes
            if not (o.quality is not None and o.quality < LOW_QUALITY)
        ]
        dropped = before - len(self.draft.outcomes)
        self.notify(f"Left out {dropped} low-quality file(s).")
        self.query_one("#hash-explain", Static).update(Text(""))
        self.query_one("#btn-next", Button).disabled = not self.draft.usable

    @on(Button.Pressed, "#btn-cancel")
    def action_cancel(self) -> None:
        """Stop hashing (within a second) or, when done, go back."""
        if not self.finished:
            self.cancel_event.set()
            self.query_one("#hash-status", Static).update(Text("Stopping..."))
            return
        self.app.pop_screen()

    @on(Button.Pressed, "#btn-next")
    def action_next(self) -> None:
        """Build the exact request (off the UI thread) and show it."""
        if not self.finished or not self.draft.usable:
            return
        self.query_one("#hash-status", Static).update(Text("Preparing the request..."))
        self.run_worker(self._prepare, thread=True, exclusive=True, group="prepare")

    def _prepare(self) -> None:
        draft = self.draft
        assert draft.program is not None and draft.profile is not None
        try:
            prepared = self.backend.prepare(
                draft.program, draft.profile, draft.label, draft.usable, add_to=draft.add_to
            )
        except BackendError as exc:
            self.post_message(WorkFailed(exc.message, exc.code))
            return
        except Exception as exc:
            self.post_message(
                WorkFailed(f"The request could not be prepared ({type(exc).__name__}).")
            )
            return
        self.post_message(RequestPrepared(prepared))

    @on(RequestPrepared)
    def _prepared(self, message: RequestPrepared) -> None:
        self.draft.prepared = message.prepared
        from fingerprint_client.tui.screens.wizard_review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.draft))

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        self.query_one("#hash-status", Static).update(Text("✖ " + message.message))
