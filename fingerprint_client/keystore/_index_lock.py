"""One writer at a time for a namespace's index, across processes.

The index of a namespace's secrets (for `forget --all`) is one keyring entry that each change
reads, edits and writes back. Two programs changing it at once (the app and a `case submit` in
another terminal) could each write back their own edit and lose the other's. Changes hold an
exclusive `flock` on a lock file beside the store while they do that. The file holds nothing.
A lock file that cannot be opened (a read-only folder) leaves the change unguarded, as before.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("fingerprint_client.keystore")

_FLAGS = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW


@contextmanager
def index_lock(path: Path | None) -> Iterator[None]:
    """Hold the lock at `path` inside the block (nothing to hold when `path` is None)."""
    if path is None:
        yield
        return
    try:
        fd = os.open(path, _FLAGS, 0o600)
    except OSError as exc:
        log.warning("keyring: index changes are not locked (%s)", type(exc).__name__)
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
