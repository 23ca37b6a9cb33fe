"""On-device fingerprints: safe loading, PDQ and exact digests, and the batch engine.

The one API the command line, the app and the casework layer use::

    from fingerprint_client.hashing import BatchHasher, HashOptions, collect_inputs

    inputs = collect_inputs([Path("~/Pictures").expanduser()], recursive=True)
    with BatchHasher(inputs.files, HashOptions()) as batch:
        for event in batch:          # Progress events and FileResults, results in input order
            ...

Nothing here prints, and this package imports nothing else of fingerprint_client.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fingerprint_client.hashing._engine import BatchHasher, start_workers_early
from fingerprint_client.hashing._errors import ERROR_CODES, HashError
from fingerprint_client.hashing._input_hashing import InputHashing, InputOutcome
from fingerprint_client.hashing._inputs import InputSet, collect_inputs
from fingerprint_client.hashing._result import (
    DEFAULT_ALGORITHMS,
    SUPPORTED_ALGORITHMS,
    FileResult,
    HashOptions,
    Progress,
)


def hash_one(
    path: Path,
    options: HashOptions,
    index: int = 0,
    progress: Callable[[float], None] | None = None,
) -> FileResult:
    """Fingerprint the file at `path` in this process (no time limit, no crash isolation).
    `progress` hears the fraction done of a long file (a video) now and then.

    For tests and small uses; batches belong in `BatchHasher`. Imported on first use, so that
    a program that only runs batches never loads the decoders in its own process.
    """
    from fingerprint_client.hashing._worker import hash_one as _hash_one

    return _hash_one(path, options, index, progress)


__all__ = [
    "DEFAULT_ALGORITHMS",
    "ERROR_CODES",
    "SUPPORTED_ALGORITHMS",
    "BatchHasher",
    "FileResult",
    "HashError",
    "HashOptions",
    "InputHashing",
    "InputOutcome",
    "InputSet",
    "Progress",
    "collect_inputs",
    "hash_one",
    "start_workers_early",
]
