"""Exact file digests (MD5, SHA-256), streamed in 1 MiB chunks in one pass.

Every reader here uses `os.preadv` into one reused buffer: it leaves the file's shared position
alone (a decoder may be reading the same file) and allocates nothing per chunk.

`DigestsAlongside` computes them in a thread while the caller decodes the same file (a video):
hashlib lets go of the interpreter lock while it hashes, so the digests cost the video no time
on a second core. `KnownDigests` are digests computed earlier (by the batch's own process while
its workers start, see `_ahead.py`), tied to the identity of the file they were computed from.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import BinaryIO

CHUNK_SIZE = 1 << 20
DIGEST_ALGORITHMS = ("md5", "sha256")

FileIdentity = tuple[int, int, int, int, int]
"""(device, inode, size, modification and change times in ns): a file whose contents changed
since differs (to the file system's timestamp granularity)."""


def identity_of(fd: int) -> FileIdentity:
    """The identity of the open file `fd`."""
    st = os.fstat(fd)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclass(frozen=True)
class KnownDigests:
    """Digests computed earlier from the file with `identity`."""

    identity: FileIdentity
    digests: dict[str, str]

    def for_file(self, f: BinaryIO) -> dict[str, str] | None:
        """The digests if `f` is still the file they were computed from, else None."""
        try:
            return dict(self.digests) if identity_of(f.fileno()) == self.identity else None
        except OSError:
            return None


def wanted(algorithms: tuple[str, ...]) -> tuple[str, ...]:
    """The digest names among `algorithms`."""
    return tuple(a for a in DIGEST_ALGORITHMS if a in algorithms)


def file_digests(
    f: BinaryIO, algorithms: tuple[str, ...], known: KnownDigests | None = None
) -> dict[str, str]:
    """Lowercase hex digests of the whole of `f` for the digest names in `algorithms`: the
    `known` ones if `f` is still the file they came from, else computed now."""
    digests = known.for_file(f) if known is not None else None
    if digests is not None:
        return digests
    hashers = new_hashers(algorithms)
    if hashers:
        digest_fd(f.fileno(), hashers)
    return hex_digests(hashers)


def digest_fd(
    fd: int, hashers: dict[str, hashlib._Hash], stop: threading.Event | None = None
) -> bool:
    """Feed the whole of file `fd` to `hashers`; False if `stop` was set before the end.

    Raises the `OSError` of a failed read.
    """
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    offset = 0
    while stop is None or not stop.is_set():
        n = os.preadv(fd, [buffer], offset)
        if not n:
            return True
        offset += n
        chunk = view[:n]
        for h in hashers.values():
            h.update(chunk)
    return False


class DigestsAlongside:
    """The digests of the open file `f`, computed in a thread from `__enter__` on.

    `result()` (after the `with` block, or inside it) waits for them; an error reading the
    file is raised there. Leaving the block early (an exception, cancellation) stops the
    thread at its next chunk. With `known` digests that still fit `f`, no thread is needed.
    """

    def __init__(
        self, f: BinaryIO, algorithms: tuple[str, ...], known: KnownDigests | None = None
    ) -> None:
        self._fd = f.fileno()
        self._known = known.for_file(f) if known is not None else None
        self._hashers = new_hashers(algorithms) if self._known is None else {}
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
        return self._known if self._known is not None else hex_digests(self._hashers)

    def _run(self) -> None:
        try:
            digest_fd(self._fd, self._hashers, self._stop)
        except OSError as exc:
            self._error = exc


def new_hashers(algorithms: tuple[str, ...]) -> dict[str, hashlib._Hash]:
    """Fresh hashers for the digest names among `algorithms`."""
    return {a: hashlib.new(a, usedforsecurity=False) for a in wanted(algorithms)}


def hex_digests(hashers: dict[str, hashlib._Hash]) -> dict[str, str]:
    """Each hasher's lowercase hex digest, by name."""
    return {a: h.hexdigest() for a, h in hashers.items()}
