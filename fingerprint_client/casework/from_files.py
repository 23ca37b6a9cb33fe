"""Fingerprinting files for a case: only what the service accepts, in worker processes.

Results come back in the `hash --json` shape (with paths: the caller decides whether paths are
kept — only with `remember_paths` — and they are never sent). Folders are walked recursively.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fingerprint_client.hashing import (
    SUPPORTED_ALGORITHMS,
    BatchHasher,
    FileResult,
    HashOptions,
    Progress,
    collect_inputs,
)
from fingerprint_client.service.models import Capabilities

__all__ = ["HashedFiles", "hash_files_for", "options_for"]


@dataclass
class HashedFiles:
    """The `hash --json`-shaped entries of every input (failures included) and their paths."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    skipped: int = 0
    cancelled: bool = False


def options_for(caps: Capabilities, wanted: Sequence[str] | None = None) -> HashOptions:
    """Compute only fingerprints the service accepts, and of those only `wanted` (the
    `default_algorithms` setting; default all). PDQ is always computed (its quality decides
    whether it is sent); video frames whenever the service accepts `pdq_frames`."""
    chosen = tuple(
        a for a in SUPPORTED_ALGORITHMS if a in caps.algorithms and (wanted is None or a in wanted)
    )
    if "pdq" not in chosen:
        chosen = ("pdq", *chosen)
    return HashOptions(algorithms=chosen, frames="pdq_frames" in caps.algorithms)


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
    inputs = collect_inputs(list(paths), recursive=True)
    out = HashedFiles(skipped=inputs.skipped)
    for problem in inputs.problems:
        out.entries.append(problem.to_json())
        out.labels.append(str(problem.path))
    if not inputs.files:
        return out
    with BatchHasher(inputs.files, options_for(caps, wanted), workers) as batch:
        for event in batch:
            if cancel is not None and cancel.is_set():
                batch.cancel()
                out.cancelled = True
                break
            if isinstance(event, Progress):
                if progress is not None:
                    progress(event.done, event.total)
            elif isinstance(event, FileResult):
                out.entries.append(event.to_json())
                out.labels.append(str(event.path))
    return out
