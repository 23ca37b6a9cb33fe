"""Fingerprinting files for a case: only what the service accepts, in worker processes.

Folders are walked recursively (`hashing.InputHashing`). Results come back in the `hash --json`
shape with paths: the caller decides whether paths are kept (only with `remember_paths`); they
are never sent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fingerprint_client.hashing import (
    SUPPORTED_ALGORITHMS,
    HashOptions,
    InputHashing,
    InputOutcome,
)
from fingerprint_client.service.models import Capabilities

__all__ = ["HashedFiles", "choose_options", "hash_files_for", "options_for"]


@dataclass
class HashedFiles:
    """The `hash --json`-shaped entries of every input (failures included) and their paths."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    skipped: int = 0
    cancelled: bool = False


def choose_options(
    wanted: Sequence[str] | None,
    accepted: Collection[str] | None = None,
    frames: bool = True,
) -> HashOptions:
    """The algorithms in `wanted` (default: all) that `accepted` allows (default: all), PDQ
    always (its quality decides whether it is sent); `frames` asks for video/animation frames."""
    chosen = tuple(
        a
        for a in SUPPORTED_ALGORITHMS
        if (accepted is None or a in accepted) and (wanted is None or a in wanted)
    )
    if "pdq" not in chosen:
        chosen = ("pdq", *chosen)
    return HashOptions(algorithms=chosen, frames=frames)


def options_for(caps: Capabilities, wanted: Sequence[str] | None = None) -> HashOptions:
    """Compute only fingerprints the service accepts, and of those only `wanted` (the
    `default_algorithms` setting; default all). PDQ is always computed; video frames whenever
    the service accepts `pdq_frames`."""
    return choose_options(wanted, caps.algorithms, frames="pdq_frames" in caps.algorithms)


def hash_files_for(
    paths: Sequence[Path],
    caps: Capabilities,
    *,
    wanted: Sequence[str] | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> HashedFiles:
    """Fingerprint `paths` (files and folders, walked recursively) for service `caps`; only
    algorithms in `wanted` (default: all the service accepts) are computed."""
    run = InputHashing(paths, options_for(caps, wanted), workers=workers, cancel=cancel)
    out = HashedFiles(skipped=run.skipped)
    for event in run:
        if isinstance(event, InputOutcome):
            out.entries.append(event.result.to_json())
            out.labels.append(str(event.result.path))
        elif progress is not None and event.total:
            progress(event.done, event.total)
    out.cancelled = run.cancelled
    return out
