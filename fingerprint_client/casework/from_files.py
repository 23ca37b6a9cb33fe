"""Fingerprinting files for a case: only what the service accepts, in worker processes.

`InputHashing` is the one way the command line and the app fingerprint what a person chose:
files and folders (walked recursively), the inputs that could not be used first, then the
batch's progress and results in input order, cancellable from any thread. Results come back in
the `hash --json` shape with paths: the caller decides whether paths are kept (only with
`remember_paths`); they are never sent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fingerprint_client.hashing import (
    SUPPORTED_ALGORITHMS,
    BatchHasher,
    FileResult,
    HashOptions,
    collect_inputs,
    start_workers_early,
)
from fingerprint_client.hashing import Progress as HashProgress
from fingerprint_client.service.models import Capabilities

__all__ = [
    "HashedFiles",
    "InputHashing",
    "InputOutcome",
    "choose_options",
    "hash_files_for",
    "options_for",
]

CANCEL_POLL_SECONDS = 0.1
"""How often a running batch checks the caller's cancel event."""


@dataclass
class HashedFiles:
    """The `hash --json`-shaped entries of every input (failures included) and their paths."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    skipped: int = 0
    cancelled: bool = False


@dataclass(frozen=True)
class InputOutcome:
    """The result of one input; `position` counts the unusable inputs first, then the files."""

    position: int
    result: FileResult


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


class InputHashing:
    """Fingerprint files and folders (walked recursively) with the batch engine.

    Iterate once: an `InputOutcome` for each folder that could not be listed, then the batch's
    `Progress` events and an `InputOutcome` per file (a named file that is missing or not a
    file fails there, in its place), in input order. Setting `cancel` (from any thread) ends
    the iteration within a fraction of a second; `cancelled` then says so.
    """

    def __init__(
        self,
        paths: Sequence[Path],
        options: HashOptions,
        *,
        workers: int | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        start_workers_early()  # they get ready while the folders are walked
        self._inputs = collect_inputs(list(paths), recursive=True)
        self._options = options
        self._workers = workers
        self._cancel = cancel or threading.Event()
        self._results = 0

    @property
    def skipped(self) -> int:
        """Files in the folders that are not pictures or videos (left out, counted)."""
        return self._inputs.skipped

    @property
    def files(self) -> int:
        """How many files go to the batch."""
        return len(self._inputs.files)

    @property
    def cancelled(self) -> bool:
        """True when the caller cancelled before every file had its result."""
        return self._cancel.is_set() and self._results < len(self._inputs.files)

    def __iter__(self) -> Iterator[InputOutcome | HashProgress]:
        for position, problem in enumerate(self._inputs.problems):
            yield InputOutcome(position, problem)
        first = len(self._inputs.problems)
        if not self._inputs.files:
            yield HashProgress(0, 0, None, 0, 0, 0)
            return
        batch = BatchHasher(self._inputs.files, self._options, self._workers)
        finished = threading.Event()
        threading.Thread(
            target=self._watch, args=(batch, finished), name="fc-hash-cancel", daemon=True
        ).start()
        try:
            with batch:
                for event in batch:
                    if self._cancel.is_set():
                        return
                    if isinstance(event, FileResult):
                        self._results += 1
                        yield InputOutcome(first + event.index, event)
                    else:
                        yield event
        finally:
            finished.set()

    def _watch(self, batch: BatchHasher, finished: threading.Event) -> None:
        """Cancel `batch` as soon as the caller asks, even while it waits for a long file."""
        while not finished.is_set():
            if self._cancel.wait(CANCEL_POLL_SECONDS):
                batch.cancel()
                return


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
