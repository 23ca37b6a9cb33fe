"""The batch engine (placeholder)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

from fingerprint_client.hashing._result import FileResult, HashOptions, Progress

_DEFAULT_OPTIONS = HashOptions()


class BatchHasher:
    """Fingerprints many files in worker processes; iterate for events in input order."""

    def __init__(
        self,
        paths: Sequence[Path],
        options: HashOptions = _DEFAULT_OPTIONS,
        workers: int | None = None,
    ) -> None:
        self._paths = list(paths)
        self._options = options
        self._workers = workers

    def __enter__(self) -> BatchHasher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cancel()

    def __iter__(self) -> Iterator[Progress | FileResult]:
        raise NotImplementedError

    def cancel(self) -> None:
        """Stop the batch: iteration ends within a second and workers are killed."""
