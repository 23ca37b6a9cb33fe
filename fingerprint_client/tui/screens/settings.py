"""Settings: service profiles (API key into the keyring), remember_paths, default algorithms,
theme (high contrast included), and forget everything. Changes apply at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
)

from fingerprint_client.tui.backend import BackendError, ProfileInfo, SettingsView
from fingerprint_client.tui.messages import WorkDone, WorkFailed
from fingerprint_client.tui.screens.base import BaseScreen
from fingerprint_client.tui.screens.dialogs import ConfirmDialog, ConfirmResult
from fingerprint_client.tui.themes import THEME_LABELS
from fingerprint_client.tui.widgets.toggles import MarkedCheckbox

ALGORITHMS = ("pdq", "md5", "sha256", "phash", "dhash", "whash")


class SettingsLoaded(WorkDone):
    """Settings and profiles read from disk."""

    def __init__(self, view: SettingsView, profiles: list[ProfileInfo]) -> None:
        super().__init__("settings")
        self.view = view
        self.profiles = profiles


class SettingsScreen(BaseScreen):
    """Everything a person or a support worker may change."""

    SCREEN_TITLE = "Settings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "add_profile", "Add profile"),
        Binding("delete", "remove_profile", "Remove profile"),
        Binding("f9", "forget_all", "Forget everything"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: SettingsView | None = None
        self._loading = True

    def compose_body(self) -> ComposeResult:
        """Profiles, options, danger zone."""
        with VerticalScroll(id="settings-body"):
            yield Static(Text("Service profiles", style="bold"), classes="title")
            profiles: DataTable[Text] = DataTable(id="profiles-table", cursor_type="row")
            yield profiles
            yield Input(placeholder="Profile name, e.g. stopncii", id="profile-name")
            yield Input(placeholder="Service address (https://...)", id="profile-url")
            yield Input(
                placeholder="API key (optional; kept in the keyring)",
                password=True,
                id="profile-key",
            )
            yield MarkedCheckbox("Make this the default service", id="profile-default")
            with Horizontal(classes="wizard-buttons"):
                yield Button("Add profile (F2)", compact=True, id="btn-add-profile")
                yield Button("Remove selected (Del)", compact=True, id="btn-remove-profile")
            with Horizontal(classes="setting-row"):
                yield Label("Remember file locations on this device")
                yield MarkedCheckbox("On", id="remember-paths")
            yield Static(
                Text("Off (recommended): the app never stores where your images are."),
                classes="muted",
            )
            yield Label("Fingerprints to compute", classes="hint")
            yield SelectionList[str](*[(a, a) for a in ALGORITHMS], id="algorithms")
            yield Label("Theme", classes="hint")
            yield Select[str](
                [(label, name) for name, label in THEME_LABELS.items()],
                id="theme-select",
                allow_blank=False,
            )
            yield Static(Text("Forget everything", style="bold"), classes="hint")
            yield Static(
                Text(
                    "Deletes every request, fingerprint, setting and saved PIN of this app on "
                    "this device. Requests already sent stay with the service until withdrawn."
                ),
                classes="muted",
            )
            yield Button("Forget everything (F9)", compact=True, id="btn-forget", variant="error")
            yield Static(Text(""), id="settings-status", classes="muted")

    def on_mount(self) -> None:
        """Columns and the current values."""
        table = self.query_one("#profiles-table", DataTable)
        table.add_column("Name", key="name", width=14)
        table.add_column("Address", key="url", width=34)
        table.add_column("Default", key="default", width=8)
        table.add_column("API key", key="key")
        self.query_one("#theme-select", Select).value = self.app.theme
        self.reload()

    def reload(self) -> None:
        """Read settings and profiles off the UI thread."""
        self._loading = True

        def work() -> None:
            try:
                self.post_message(SettingsLoaded(self.backend.settings(), self.backend.profiles()))
            except Exception as exc:
                self.post_message(WorkFailed(f"Settings could not be read ({type(exc).__name__})."))

        self.run_worker(work, thread=True, group="settings")

    @on(SettingsLoaded)
    def _loaded(self, message: SettingsLoaded) -> None:
        self.view = message.view
        table = self.query_one("#profiles-table", DataTable)
        table.clear()
        for p in message.profiles:
            table.add_row(
                Text(p.name),
                Text(p.url),
                Text("yes" if p.is_default else "no"),
                Text("saved in keyring" if p.has_api_key else "none"),
                key=p.name,
            )
        with self.prevent(Checkbox.Changed, SelectionList.SelectedChanged):
            self.query_one("#remember-paths", MarkedCheckbox).value = message.view.remember_paths
            algorithms = self.query_one("#algorithms", SelectionList)
            algorithms.deselect_all()
            for name in message.view.default_algorithms:
                if name in ALGORITHMS:
                    algorithms.select(name)
        self._loading = False

    def _run(self, what: str, done: str, fn: Callable[[], None]) -> None:
        def work() -> None:
            try:
                fn()
            except BackendError as exc:
                self.post_message(WorkFailed(exc.message, exc.code))
                return
            except Exception as exc:
                self.post_message(WorkFailed(f"That did not work ({type(exc).__name__})."))
                return
            self.post_message(WorkDone(what, done))

        self.run_worker(work, thread=True, group="settings-change")

    @on(WorkDone)
    def _done(self, message: WorkDone) -> None:
        if isinstance(message, SettingsLoaded):
            return
        self.query_one("#settings-status", Static).update(Text("✔ " + message.detail))
        if message.what == "forget":
            self.app.pop_screen()
            return
        self.reload()

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        self.query_one("#settings-status", Static).update(Text("✖ " + message.message))

    def _save(
        self,
        *,
        remember_paths: bool | None = None,
        default_algorithms: list[str] | None = None,
        theme: str | None = None,
    ) -> None:
        if self.view is None or self._loading:
            return
        current = self.view
        view = SettingsView(
            remember_paths=current.remember_paths if remember_paths is None else remember_paths,
            default_algorithms=tuple(default_algorithms or current.default_algorithms),
            default_profile=current.default_profile,
            theme=theme or current.theme,
        )
        self.view = view
        self._run("save", "Saved.", lambda: self.backend.save_settings(view))

    @on(Checkbox.Changed, "#remember-paths")
    def _remember(self, event: Checkbox.Changed) -> None:
        self._save(remember_paths=event.value)

    @on(SelectionList.SelectedChanged, "#algorithms")
    def _algorithms(self, event: SelectionList.SelectedChanged[str]) -> None:
        chosen = [a for a in ALGORITHMS if a in event.selection_list.selected]
        if not chosen:
            self.notify("Keep at least one fingerprint kind (pdq is the one platforms use).")
            return
        self._save(default_algorithms=chosen)

    @on(Select.Changed, "#theme-select")
    def _theme(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.app.theme:
            self.app.theme = event.value
            self._save(theme=event.value)

    @on(Button.Pressed, "#btn-add-profile")
    def action_add_profile(self) -> None:
        """Add (or replace) the profile typed in the boxes."""
        name = self.query_one("#profile-name", Input).value.strip()
        url = self.query_one("#profile-url", Input).value.strip()
        key_input = self.query_one("#profile-key", Input)
        key = key_input.value.strip() or None
        make_default = self.query_one("#profile-default", Checkbox).value
        if not name or not url:
            self.notify("Please type a profile name and the service address.", severity="warning")
            return
        key_input.value = ""
        self._run(
            "profile",
            f"Profile {name} saved.",
            lambda: self.backend.add_profile(name, url, key, make_default),
        )

    @on(Button.Pressed, "#btn-remove-profile")
    def action_remove_profile(self) -> None:
        """Remove the highlighted profile (after asking)."""
        table = self.query_one("#profiles-table", DataTable)
        if not table.row_count:
            return
        name = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if name is None:
            return

        def answer(result: ConfirmResult | None) -> None:
            if result is not None and result.confirmed:
                self._run(
                    "profile",
                    f"Profile {name} removed.",
                    lambda: self.backend.remove_profile(str(name)),
                )

        self.app.push_screen(
            ConfirmDialog(f"Remove the profile {name} and its saved API key?", "Remove"), answer
        )

    @on(Button.Pressed, "#btn-forget")
    def action_forget_all(self) -> None:
        """Wipe everything of this app on this device (after asking)."""

        def answer(result: ConfirmResult | None) -> None:
            if result is not None and result.confirmed:
                self._run("forget", "Everything was forgotten.", self.backend.forget_all)

        self.app.push_screen(
            ConfirmDialog(
                "Forget everything? All requests, fingerprints, settings and saved PINs of this "
                "app are deleted from this device. Write down case numbers and PINs you still "
                "need.",
                "Forget everything",
            ),
            answer,
        )
