"""New request, step 1 of 5: how old the person was when the image was taken, which service."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, RadioSet, Select, Static

from fingerprint_client import guidance
from fingerprint_client.tui.backend import ProfileInfo, Program
from fingerprint_client.tui.draft import RequestDraft
from fingerprint_client.tui.screens.base import BaseScreen
from fingerprint_client.tui.widgets.toggles import MarkedRadioButton

_HINTS = {
    "under18": ("takeitdown", "take-it-down", "tid", "under18", "ncmec"),
    "adult": ("stopncii", "ncii", "adult"),
}


def suggest_profile(program: Program | None, profiles: list[ProfileInfo]) -> str | None:
    """The profile whose name fits the program, else the default, else the first."""
    for profile in profiles:
        if program and any(hint in profile.name.lower() for hint in _HINTS[program]):
            return profile.name
    for profile in profiles:
        if profile.is_default:
            return profile.name
    return profiles[0].name if profiles else None


class ProgramScreen(BaseScreen):
    """Age when the image was taken -> program and suggested service profile; optional label."""

    SCREEN_TITLE = "New request · 1 of 5 · Your age in the image"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next"),
    ]

    def __init__(self, draft: RequestDraft | None = None) -> None:
        super().__init__()
        self.draft = draft or RequestDraft()
        self._profiles: list[ProfileInfo] = []

    def compose_body(self) -> ComposeResult:
        """Question, answers, service, label."""
        with VerticalScroll(classes="wizard-body"):
            yield Static(
                Text("How old were you when the image was taken?", style="bold"),
                classes="title",
            )
            with RadioSet(id="program-choices"):
                yield MarkedRadioButton("Under 18  (Take It Down)", id="prog-under18")
                yield MarkedRadioButton("18 or older  (StopNCII)", id="prog-adult")
            yield Static(
                Text(
                    "Not sure? If you may have been under 18, choose under 18. "
                    "Your answer only decides which program the request goes to."
                ),
                classes="muted",
            )
            yield Label("Service", classes="hint")
            yield Select[str]([], id="profile-select", prompt="No service set up")
            yield Static("", id="program-service-note")
            yield Label("Label (optional, only on this device, stored encrypted)", classes="hint")
            yield Input(placeholder="e.g. a first name or a note", id="label-input")
            with Horizontal(classes="wizard-buttons"):
                yield Button("Next (Ctrl+N)", compact=True, id="btn-next", variant="primary")
                yield Button("Back (Esc)", compact=True, id="btn-back")

    def on_mount(self) -> None:
        """Load the profiles off the UI thread."""
        self.query_one(RadioSet).focus()
        self.load_profiles()

    @work(thread=True, exclusive=True, group="profiles")
    def load_profiles(self) -> None:
        """Read the profiles."""
        try:
            profiles = self.backend.profiles()
        except Exception:
            profiles = []
        self.app.call_from_thread(self._set_profiles, profiles)

    def _set_profiles(self, profiles: list[ProfileInfo]) -> None:
        self._profiles = profiles
        select = self.query_one("#profile-select", Select)
        select.set_options([(Text(p.name), p.name) for p in profiles])
        note = self.query_one("#program-service-note", Static)
        if not profiles:
            note.update(Text(guidance.NO_SERVICE))
            note.add_class("notice")
        self._suggest()

    def _suggest(self) -> None:
        if not self._profiles:
            return
        suggested = suggest_profile(self.draft.program, self._profiles)
        if suggested is not None:
            self.query_one("#profile-select", Select).value = suggested

    @on(RadioSet.Changed)
    def _program_changed(self, event: RadioSet.Changed) -> None:
        pressed = event.pressed.id or ""
        self.draft.program = "under18" if pressed == "prog-under18" else "adult"
        self._suggest()

    @on(Button.Pressed, "#btn-back")
    def _back(self) -> None:
        self.action_back()

    @on(Button.Pressed, "#btn-next")
    def action_next(self) -> None:
        """Check the answers and go to choosing files."""
        pressed = self.query_one(RadioSet).pressed_button
        if pressed is not None:
            self.draft.program = "under18" if pressed.id == "prog-under18" else "adult"
        if self.draft.program is None:
            self.notify("Please choose your age when the image was taken.", severity="warning")
            return
        value = self.query_one("#profile-select", Select).value
        if not isinstance(value, str):
            self.notify(
                "No service is set up. Add one in Settings, or use the websites named on "
                "this screen.",
                severity="warning",
            )
            return
        self.draft.profile = value
        self.draft.label = self.query_one("#label-input", Input).value.strip()
        from fingerprint_client.tui.screens.wizard_files import FilesScreen

        self.app.push_screen(FilesScreen(self.draft))
