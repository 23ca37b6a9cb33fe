"""My requests: every local case with label, service, status and last update; filter and sort."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from fingerprint_client.tui.backend import CaseSummary
from fingerprint_client.tui.messages import CasesLoaded, WorkFailed
from fingerprint_client.tui.screens.base import BaseScreen
from fingerprint_client.tui.screens.wizard_delivery import status_words

SORT_KEYS: tuple[tuple[str, str], ...] = (
    ("updated", "last update"),
    ("label", "label"),
    ("status", "status"),
    ("profile", "service"),
)


def matches(case: CaseSummary, needle: str) -> bool:
    """Case-insensitive filter over label, service, status, program and case number."""
    if not needle:
        return True
    hay = " ".join(
        (case.label, case.profile, case.status, case.program, case.case_id or "", case.local_id)
    ).lower()
    return all(part in hay for part in needle.lower().split())


def sort_cases(cases: list[CaseSummary], key: str) -> list[CaseSummary]:
    """Newest update first, or alphabetical by the chosen column."""
    if key == "updated":
        return sorted(cases, key=lambda c: c.updated_at, reverse=True)
    return sorted(cases, key=lambda c: (getattr(c, key).lower(), c.updated_at))


def short_time(stamp: str) -> str:
    """`2026-11-23T09:01:02Z` -> `2026-11-23 09:01`."""
    return stamp.replace("T", " ")[:16] if stamp else ""


class CasesScreen(BaseScreen):
    """The case list. Enter opens a case."""

    SCREEN_TITLE = "My requests"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", show=True),
        Binding("slash", "filter", "Filter"),
        Binding("o", "sort", "Sort"),
        Binding("u", "sync", "Update from service"),
        Binding("n", "new_request", "New request"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cases: list[CaseSummary] = []
        self.sort_index = 0
        self._shown = False

    def compose_body(self) -> ComposeResult:
        """Filter box, table, status line."""
        with Vertical(classes="wizard-body"):
            yield Input(
                placeholder="Filter: label, status, service... (press / )", id="cases-filter"
            )
            table: DataTable[Text] = DataTable(
                id="cases-table", cursor_type="row", zebra_stripes=True
            )
            yield table
            yield Static(Text("Loading..."), id="cases-status", classes="muted")

    def on_mount(self) -> None:
        """Columns, then load (and update from the service) off the UI thread."""
        table = self.query_one("#cases-table", DataTable)
        table.add_column("Label", key="label", width=18)
        table.add_column("Service", key="profile", width=12)
        table.add_column("Status", key="status", width=24)
        table.add_column("Last update", key="updated", width=16)
        table.add_column("Case number", key="case")
        table.focus()
        self.load(sync=True)

    def on_screen_resume(self) -> None:
        """A case may have changed while we were away (not on the first showing)."""
        if self._shown:
            self.load(sync=False)
        self._shown = True

    def load(self, *, sync: bool) -> None:
        """Read the cases; with `sync`, deliver the outbox and refresh open cases first."""
        self.run_worker(lambda: self._load(sync), thread=True, group="cases")

    def _load(self, sync: bool) -> None:
        try:
            self.post_message(CasesLoaded(self.backend.list_cases()))
            if sync:
                report = self.backend.sync()
                self.post_message(CasesLoaded(self.backend.list_cases(), report))
        except Exception as exc:
            self.post_message(WorkFailed(f"Could not update the list ({type(exc).__name__})."))

    @on(CasesLoaded)
    def _loaded(self, message: CasesLoaded) -> None:
        self.cases = message.cases
        self._fill_table()
        status = self.query_one("#cases-status", Static)
        sort_label = SORT_KEYS[self.sort_index][1]
        line = f"{len(self.cases)} request(s). Sorted by {sort_label}."
        if message.sync is not None:
            report = message.sync
            line += f" Updated from the service: {report.refreshed} refreshed"
            if report.delivered:
                line += f", {report.delivered} sent"
            if report.queued:
                line += f", {report.queued} still queued (offline?)"
            line += "."
        status.update(Text(line))

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        self.query_one("#cases-status", Static).update(Text("✖ " + message.message))

    def _fill_table(self) -> None:
        table = self.query_one("#cases-table", DataTable)
        needle = self.query_one("#cases-filter", Input).value.strip()
        cursor_key = None
        if table.row_count and table.cursor_row >= 0:
            try:
                cursor_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            except Exception:
                cursor_key = None
        table.clear()
        shown = [c for c in self.cases if matches(c, needle)]
        for case in sort_cases(shown, SORT_KEYS[self.sort_index][0]):
            table.add_row(
                Text(case.label or "(no label)"),
                Text(case.profile),
                Text(status_words(case.status).split(" - ")[0]),
                Text(short_time(case.updated_at)),
                Text(case.case_id or "(not sent yet)"),
                key=case.local_id,
            )
        if cursor_key is not None and cursor_key in {c.local_id for c in shown}:
            table.move_cursor(row=table.get_row_index(cursor_key))
        if not self.cases:
            self.query_one("#cases-status", Static).update(
                Text("No requests yet. Press n to create one.")
            )

    @on(Input.Changed, "#cases-filter")
    def _filter_changed(self) -> None:
        self._fill_table()

    @on(Input.Submitted, "#cases-filter")
    def _filter_done(self) -> None:
        self.query_one("#cases-table", DataTable).focus()

    def action_filter(self) -> None:
        """Jump to the filter box."""
        self.query_one("#cases-filter", Input).focus()

    def action_sort(self) -> None:
        """Cycle the sort column."""
        self.sort_index = (self.sort_index + 1) % len(SORT_KEYS)
        self._fill_table()
        self.query_one("#cases-status", Static).update(
            Text(f"Sorted by {SORT_KEYS[self.sort_index][1]}.")
        )

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        keys = [k for k, _ in SORT_KEYS]
        if event.column_key.value in keys:
            self.sort_index = keys.index(str(event.column_key.value))
            self._fill_table()

    def action_sync(self) -> None:
        """Send what is queued and refresh every open case."""
        self.query_one("#cases-status", Static).update(Text("Updating from the service..."))
        self.load(sync=True)

    @on(DataTable.RowSelected)
    def _row(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self._open(str(event.row_key.value))

    def action_open(self) -> None:
        """Open the highlighted case."""
        table = self.query_one("#cases-table", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is not None:
            self._open(str(key))

    def _open(self, local_id: str) -> None:
        from fingerprint_client.tui.screens.case_view import CaseScreen

        self.app.push_screen(CaseScreen(local_id))

    def action_new_request(self) -> None:
        """Start the wizard."""
        from fingerprint_client.tui.screens.wizard_program import ProgramScreen

        self.app.push_screen(ProgramScreen())
