"""The values the hashing engine hands out: options in, file results and progress out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from fingerprint_client.hashing._errors import HashError

SUPPORTED_ALGORITHMS: Final[tuple[str, ...]] = ("pdq", "md5", "sha256", "phash", "dhash", "whash")
"""Every fingerprint this client can compute. colorhash is deliberately absent (it tracks skin)."""

DEFAULT_ALGORITHMS: Final[tuple[str, ...]] = ("pdq", "md5", "sha256")
"""What `hash` computes unless asked otherwise."""


@dataclass(frozen=True)
class HashOptions:
    """What to compute for each file.

    `variants` adds the 8 dihedral PDQ hashes; `frames` asks for PDQ of sampled frames of videos
    and animations; `per_file_timeout` (seconds) ends a file that takes longer with `timeout`.
    """

    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    variants: bool = False
    frames: bool = False
    per_file_timeout: float = 60.0

    def __post_init__(self) -> None:
        unknown = [a for a in self.algorithms if a not in SUPPORTED_ALGORITHMS]
        if unknown:
            raise ValueError(
                f"unknown algorithm(s) {', '.join(unknown)}; "
                f"choose from {', '.join(SUPPORTED_ALGORITHMS)}"
            )
        if not self.algorithms:
            raise ValueError("choose at least one algorithm")
        if self.per_file_timeout <= 0:
            raise ValueError("per_file_timeout must be positive")


@dataclass
class FileResult:
    """The outcome for one input file: its fingerprints, or why there are none."""

    index: int
    path: Path
    ok: bool
    media: str | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    hashes: dict[str, str] = field(default_factory=dict)
    pdq_quality: int | None = None
    pdq_stored_orientation: str | None = None
    pdq_variants: dict[str, str] | None = None
    pdq_frames: list[dict[str, Any]] | None = None
    warnings: list[str] = field(default_factory=list)
    error: HashError | None = None

    @classmethod
    def failure(cls, index: int, path: Path, error: HashError) -> FileResult:
        """A result for a file that could not be fingerprinted."""
        return cls(index=index, path=path, ok=False, error=error)

    def to_json(self, item: int | None = None) -> dict[str, Any]:
        """The object `hash --json` prints; with `item`, `"item": item` replaces `"path"`."""
        out: dict[str, Any] = {"item": item} if item is not None else {"path": str(self.path)}
        out["ok"] = self.ok
        if not self.ok:
            error = self.error or HashError.of("corrupt")
            out["error"] = error.to_json()
            return out
        out["media"] = self.media
        out["format"] = self.format
        out["width"] = self.width
        out["height"] = self.height
        out["hashes"] = dict(self.hashes)
        if self.pdq_quality is not None:
            out["pdq_quality"] = self.pdq_quality
        if self.pdq_stored_orientation is not None:
            out["pdq_stored_orientation"] = self.pdq_stored_orientation
        if self.pdq_variants is not None:
            out["pdq_variants"] = dict(self.pdq_variants)
        if self.pdq_frames is not None:
            out["pdq_frames"] = [dict(f) for f in self.pdq_frames]
        out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True)
class Progress:
    """A batch moved on: `done` of `total` files finished; `index` is the file just finished.

    `failed` counts finished files that could not be fingerprinted; `bytes_done`/`bytes_total`
    measure the input sizes (for a progress bar that moves evenly over big and small files).
    While a long file (a video) is being hashed, events with `index` None arrive now and then:
    `bytes_done` then includes the part of the files in progress that is done.
    """

    done: int
    total: int
    index: int | None = None
    failed: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
