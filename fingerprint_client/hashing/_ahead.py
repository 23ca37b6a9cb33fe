"""Exact digests computed in the batch's own process while its workers start.

Starting the workers takes the fork server ~0.15 s (a fresh interpreter loading numpy and the
decoders), and meanwhile the batch's process has a core with nothing to do. `DigestsAhead`
uses it: a thread takes the files in input order and computes their MD5 / SHA-256 - bytes only,
through the same safe opening as the workers (a FIFO or a device is never read); beyond the
format signature nothing is parsed, let alone decoded, in this process. A worker handed those
digests skips its own pass over the file, but only if the file it opened has the identity
(device, inode, size, modification and change times) the digests were computed from: a file
that changed in between is digested again.

The engine stops the thread once its workers run (from then on every core has a worker); it
also stops on its own after `AHEAD_SECONDS`, so a batch that is never iterated cannot keep it
reading.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

from fingerprint_client.hashing._digests import (
    KnownDigests,
    digest_fd,
    hex_digests,
    identity_of,
    new_hashers,
    wanted,
)
from fingerprint_client.hashing._errors import HashFailure
from fingerprint_client.hashing._fileio import open_regular
from fingerprint_client.hashing._sniff import SNIFF_BYTES, sniff_image, sniff_video_container

AHEAD_SECONDS = 2.0
"""The longest the thread runs, whatever happens."""
STOP_WAIT_SECONDS = 1.0
"""The longest `stop(wait=True)` waits for the thread."""


class DigestsAhead:
    """Digests of `paths` (in order) computed in a thread from `start()` until `stop()`."""

    def __init__(self, paths: Sequence[Path], algorithms: tuple[str, ...]) -> None:
        self._paths = list(paths)
        self._algorithms = wanted(algorithms)
        self._known: dict[int, KnownDigests] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._deadline = threading.Timer(AHEAD_SECONDS, self._stop.set)
        self._deadline.daemon = True
        self._thread = threading.Thread(target=self._run, name="digests-ahead", daemon=True)

    def start(self) -> None:
        """Start the thread (nothing to do when no digest is asked for)."""
        if self._algorithms and self._paths:
            self._deadline.start()
            self._thread.start()

    def stop(self, wait: bool = False) -> None:
        """Stop at the next chunk (the file being read then is dropped); `wait` waits for the
        thread, at most `STOP_WAIT_SECONDS` (a read stuck on a dead network share must not hold
        up the batch: the thread is a daemon)."""
        self._stop.set()
        self._deadline.cancel()
        if wait and self._thread.is_alive():
            self._thread.join(STOP_WAIT_SECONDS)

    def take(self, index: int) -> KnownDigests | None:
        """The digests of file `index`, if they are ready (each is handed out once)."""
        with self._lock:
            return self._known.pop(index, None)

    @property
    def done(self) -> int:
        """How many files have digests waiting (for diagnostics and tests)."""
        with self._lock:
            return len(self._known)

    def _run(self) -> None:
        for index, path in enumerate(self._paths):
            if self._stop.is_set():
                return
            try:
                known = self._digest(path)
            except (HashFailure, OSError, ValueError):
                continue  # the worker meets the same problem and reports it
            if known is not None:
                with self._lock:
                    self._known[index] = known

    def _digest(self, path: Path) -> KnownDigests | None:
        f, _size = open_regular(path, buffering=0)  # never blocks: a FIFO is refused
        with f:
            fd = f.fileno()
            head = os.pread(fd, SNIFF_BYTES, 0)
            if sniff_image(head) is None and sniff_video_container(head) is None:
                return None  # not something the workers fingerprint
            identity = identity_of(fd)
            hashers = new_hashers(self._algorithms)
            if not digest_fd(fd, hashers, self._stop):
                return None
            return KnownDigests(identity, hex_digests(hashers))
