"""A directory tree that lists only supported images and videos (names only, never a preview),
with multi-select. Names are plain text: a file called `[@click=app.quit].png` shows as such."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from rich.style import Style
from rich.text import Text, TextType
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DirectoryTree
from textual.widgets._directory_tree import DirEntry
from textual.widgets._tree import TreeNode

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".mpo", ".png", ".webp", ".gif", ".bmp", ".dib", ".tif",
     ".tiff", ".heic", ".heif", ".avif"}
)  # fmt: skip
VIDEO_SUFFIXES = frozenset(
    {".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".3gp", ".mpg", ".mpeg", ".wmv"}
)
HASHES_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson"})
MEDIA_SUFFIXES = IMAGE_SUFFIXES | VIDEO_SUFFIXES


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


class FilePicker(DirectoryTree):
    """Folders plus supported media files (and hashes files); `space` marks or unmarks."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_mark", "Mark / unmark"),
    ]

    class MarksChanged(Message):
        """The set of marked files and folders changed."""

        def __init__(self, marked: dict[Path, bool]) -> None:
            super().__init__()
            self.marked = marked
            """Marked paths -> True for folders."""

    def __init__(self, path: Path, *, id: str | None = None) -> None:
        self.marked: dict[Path, bool] = {}
        """Marked paths (in marking order) -> True for folders."""
        super().__init__(path, id=id)

    def process_label(self, label: TextType) -> Text:
        """Names are literal text, never markup."""
        text = Text(label) if isinstance(label, str) else label.copy()
        return text.split()[0] if text.plain else text

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        """Only folders and the files the app can fingerprint; no hidden entries."""
        for path in paths:
            if path.name.startswith("."):
                continue
            suffix = path.suffix.lower()
            if suffix in MEDIA_SUFFIXES or suffix in HASHES_SUFFIXES or _is_dir(path):
                yield path

    def render_label(self, node: TreeNode[DirEntry], base_style: Style, style: Style) -> Text:
        """A mark before marked entries (a word-free icon plus the list below the tree)."""
        label = super().render_label(node, base_style, style)
        path = node.data.path if node.data is not None else None
        mark = "[x] " if path is not None and path in self.marked else "[ ] "
        return Text.assemble(Text(mark), label)

    def action_toggle_mark(self) -> None:
        """Mark or unmark the highlighted file or folder."""
        node = self.cursor_node
        if node is None or node.data is None:
            return
        path = node.data.path
        if path in self.marked:
            del self.marked[path]
        else:
            self.marked[path] = node.allow_expand
        node.refresh()
        self.post_message(self.MarksChanged(dict(self.marked)))

    @property
    def highlighted_path(self) -> Path | None:
        """The path under the cursor."""
        node = self.cursor_node
        return node.data.path if node is not None and node.data is not None else None
