"""One writer at a time for a namespace's index, across processes.

The index of a namespace's secrets (for `forget --all`) is one keyring entry that each change
reads, edits and writes back. Two programs changing it at once (the app and a `case submit` in
another terminal) could each write back their own edit and lose the other's. Changes hold an
exclusive `flock` on a lock file beside the store while they do that. The file holds nothing.
A lock file that cannot be opened (a read-only folder), or a lock another program holds for
longer than `LOCK_WAIT_SECONDS`, leaves the change unguarded, as before: never a hang.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("fingerprint_client.keystore")

_FLAGS = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
LOCK_WAIT_SECONDS = 10.0
"""How long a change waits for another program's change (a keyring prompt it waits on, say)
before it goes ahead unguarded: a stuck program must not hang this one."""
_RETRY_SECONDS = 0.05


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
        if not _acquire(fd):
            log.warning("keyring: index changes are not locked (another program holds the lock)")
        yield
    finally:
        os.close(fd)  # releases the lock


def _acquire(fd: int) -> bool:
    """Take the lock on `fd`, waiting up to `LOCK_WAIT_SECONDS`; False if it stayed taken."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(_RETRY_SECONDS)
