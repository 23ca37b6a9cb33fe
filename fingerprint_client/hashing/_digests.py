"""Exact file digests (MD5, SHA-256), streamed in 1 MiB chunks in one pass.

`DigestsAlongside` computes them in a thread while the caller decodes the same file (a video):
it reads with `os.pread`, which leaves the file's shared position alone, and hashlib lets go
of the interpreter lock while it hashes, so the digests cost the video no time on a second
core.
"""

from __future__ import annotations

import hashlib
import os
import threading
from types import TracebackType
from typing import BinaryIO

CHUNK_SIZE = 1 << 20
DIGEST_ALGORITHMS = ("md5", "sha256")


def file_digests(f: BinaryIO, algorithms: tuple[str, ...]) -> dict[str, str]:
    """Lowercase hex digests of the whole of `f` for the digest names in `algorithms`."""
    hashers = _hashers(algorithms)
    if not hashers:
        return {}
    f.seek(0)
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    while True:
        n = f.readinto(view)  # type: ignore[attr-defined]
        if not n:
            break
        for h in hashers.values():
            h.update(view[:n])
    f.seek(0)
    return {a: h.hexdigest() for a, h in hashers.items()}


class DigestsAlongside:
    """The digests of the open file `f`, computed in a thread from `__enter__` on.

    `result()` (after the `with` block, or inside it) waits for them; an error reading the
    file is raised there. Leaving the block early (an exception, cancellation) stops the
    thread at its next chunk.
    """

    def __init__(self, f: BinaryIO, algorithms: tuple[str, ...]) -> None:
        self._fd = f.fileno()
        self._hashers = _hashers(algorithms)
        self._stop = threading.Event()
        self._error: OSError | None = None
        self._thread = threading.Thread(target=self._run, name="digests", daemon=True)

    def __enter__(self) -> DigestsAlongside:
        if self._hashers:
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def result(self) -> dict[str, str]:
        """The digests (waiting for them); raises the `OSError` that stopped them, if any."""
        if self._thread.is_alive():
            self._thread.join()
        if self._error is not None:
            raise self._error
        return {a: h.hexdigest() for a, h in self._hashers.items()}

    def _run(self) -> None:
        offset = 0
        try:
            while not self._stop.is_set():
                chunk = os.pread(self._fd, CHUNK_SIZE, offset)
                if not chunk:
                    return
                offset += len(chunk)
                for h in self._hashers.values():
                    h.update(chunk)
        except OSError as exc:
            self._error = exc


def _hashers(algorithms: tuple[str, ...]) -> dict[str, hashlib._Hash]:
    return {a: hashlib.new(a, usedforsecurity=False) for a in DIGEST_ALGORITHMS if a in algorithms}
