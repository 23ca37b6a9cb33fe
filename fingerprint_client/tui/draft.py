"""The state one new request carries through the wizard's screens."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fingerprint_client.tui.backend import Committed, FileOutcome, PreparedRequest, Program


@dataclass
class RequestDraft:
    """What the person chose so far. Paths live only in memory, never on disk."""

    program: Program | None = None
    profile: str | None = None
    label: str = ""
    paths: list[Path] = field(default_factory=list)
    hashes_file: Path | None = None
    outcomes: list[FileOutcome] = field(default_factory=list)
    prepared: PreparedRequest | None = None
    committed: Committed | None = None
    add_to: str | None = None
    """A local case id when adding more images to an existing case."""

    @property
    def usable(self) -> list[FileOutcome]:
        """Outcomes that produced hashes."""
        return [o for o in self.outcomes if o.ok]
