"""New request, step 2 of 5: choose files and folders (names only), or a hashes file."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from fingerprint_client.tui.draft import RequestDraft
from fingerprint_client.tui.screens.base import BaseScreen
from fingerprint_client.tui.widgets.file_picker import HASHES_SUFFIXES, FilePicker


def marked_summary(paths: dict[Path, bool]) -> Text:
    """The marked entries by name only (plain text, never markup, never a preview)."""
    if not paths:
        return Text("Nothing marked yet. Move with the arrow keys, press Space to mark.")
    text = Text(f"Marked ({len(paths)}): ", style="bold")
    text.append(", ".join(p.name + ("/" if is_dir else "") for p, is_dir in paths.items()))
    return text


class FilesScreen(BaseScreen):
    """A directory tree of supported images and videos; Space marks, Ctrl+N goes on."""

    SCREEN_TITLE = "New request · 2 of 5 · Choose images"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Fingerprint marked"),
        Binding("ctrl+o", "import_hashes", "Use hashes file"),
    ]

    def __init__(self, draft: RequestDraft) -> None:
        super().__init__()
        self.draft = draft

    def compose_body(self) -> ComposeResult:
        """Explanation, the tree, the marked list, buttons."""
        start = self.fc.options.start_dir or Path.home()
        with Vertical(classes="wizard-body"):
            yield Static(
                Text(
                    "Mark the images or videos to block (Space), then press Ctrl+N. Folders "
                    "are searched inside. Only names are shown - no picture is ever opened "
                    "on screen. A hashes file made on your own device (.json) can be used "
                    "instead: highlight it and press Ctrl+O."
                ),
                classes="muted",
            )
            yield FilePicker(start, id="file-tree")
            yield Static(marked_summary({}), id="selected-files")
            with Horizontal(classes="wizard-buttons"):
                yield Button(
                    "Fingerprint marked (Ctrl+N)", compact=True, id="btn-next", variant="primary"
                )
                yield Button("Use hashes file (Ctrl+O)", compact=True, id="btn-import")

    def on_mount(self) -> None:
        """Focus the tree; the hashing workers get ready while the person chooses."""
        self.query_one(FilePicker).focus()
        self.run_worker(
            self.backend.get_ready_to_hash, thread=True, group="hashing-ready", exit_on_error=False
        )

    @on(FilePicker.MarksChanged)
    def _marks(self, event: FilePicker.MarksChanged) -> None:
        self.query_one("#selected-files", Static).update(marked_summary(event.marked))

    @on(Button.Pressed, "#btn-next")
    def action_next(self) -> None:
        """Hash the marked files and folders."""
        marked = list(self.query_one(FilePicker).marked)
        if not marked:
            self.notify("Mark at least one image, video or folder with Space.", severity="warning")
            return
        self.draft.paths = marked
        self.draft.hashes_file = None
        from fingerprint_client.tui.screens.wizard_hashing import HashingScreen

        self.app.push_screen(HashingScreen(self.draft))

    @on(Button.Pressed, "#btn-import")
    def action_import_hashes(self) -> None:
        """Use the highlighted hashes file instead of images."""
        picker = self.query_one(FilePicker)
        path = picker.highlighted_path
        node = picker.cursor_node
        is_dir = node is not None and node.allow_expand
        if path is None or path.suffix.lower() not in HASHES_SUFFIXES or is_dir:
            self.notify(
                "Highlight a hashes file (.json) made with `fingerprint-client hash --json "
                "--no-paths`, then press Ctrl+O.",
                severity="warning",
                markup=False,
            )
            return
        self.draft.paths = []
        self.draft.hashes_file = path
        from fingerprint_client.tui.screens.wizard_hashing import HashingScreen

        self.app.push_screen(HashingScreen(self.draft))
