"""Fingerprinting what a person chose - files and folders - in one stream of events.

`InputHashing` is the one way the command line (`hash`, `submit`) and the app go from chosen
paths to results: the folders that could not be listed first, then the batch's progress and
each file's result in input order, cancellable from any thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from fingerprint_client.hashing._engine import BatchHasher, start_workers_early
from fingerprint_client.hashing._inputs import InputSet, collect_inputs
from fingerprint_client.hashing._result import FileResult, HashOptions, Progress

CANCEL_POLL_SECONDS = 0.1
"""How often a running batch checks the caller's cancel event."""


@dataclass(frozen=True)
class InputOutcome:
    """The result of one input; `position` counts the unusable inputs first, then the files."""

    position: int
    result: FileResult


class InputHashing:
    """Fingerprint files and folders with the batch engine (folders walked into sub-folders
    unless `recursive` is off).

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
        recursive: bool = True,
    ) -> None:
        start_workers_early()  # they get ready while the folders are walked
        self._inputs = collect_inputs(list(paths), recursive)
        self._options = options
        self._workers = workers
        self._cancel = cancel or threading.Event()
        self._watched = cancel is not None
        self._results = 0

    @property
    def inputs(self) -> InputSet:
        """What the paths named: the files, the unreadable folders, what was left out."""
        return self._inputs

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

    def __iter__(self) -> Iterator[InputOutcome | Progress]:
        for position, problem in enumerate(self._inputs.problems):
            yield InputOutcome(position, problem)
        first = len(self._inputs.problems)
        if not self._inputs.files:
            yield Progress(0, 0, None, 0, 0, 0)
            return
        batch = BatchHasher(self._inputs.files, self._options, self._workers)
        finished = threading.Event()
        if self._watched:  # the caller may cancel from another thread
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
