"""The code that runs inside one batch worker process.

A worker receives `(index, path, known digests or None)` tasks over its pipe, one at a time,
and answers each with a `FileResult`; `None` asks it to finish. While a long file (a video) is
being hashed it also sends `("progress", index, fraction)` now and then (at most every
`PROGRESS_SECONDS`).

It starts with core dumps off (`RLIMIT_CORE=0`: nothing of an image may land on disk), an
address-space limit as the memory guard, SIGINT ignored (the parent decides when to stop) and
stderr pointed at /dev/null (decoders must not print).

`TEST_HOOK_ENV` exists for the engine's own tests only: the *parent* reads it when a batch is
created (never the worker, never from file content) and passes it here; it names a file name on
which the worker crashes (SIGSEGV), hangs or runs out of memory, so tests can prove one bad
file fails alone.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from fingerprint_client.hashing._allocator import keep_freed_memory
from fingerprint_client.hashing._result import FileResult, HashOptions

TEST_HOOK_ENV = "FINGERPRINT_CLIENT_HASHING_TEST_HOOK"
"""`crash:NAME`, `hang:NAME` or `oom:NAME` (comma-separated): for the test suite only."""

PROGRESS_SECONDS = 0.25
"""The shortest time between two progress messages of one worker."""

MEMORY_LIMIT_BYTES = 500 * 1024 * 1024
"""The resident-memory promise; the address-space limit is set from it at worker start."""
_ADDRESS_SPACE_HEADROOM = 448 * 1024 * 1024


def worker_main(conn: Connection, options: HashOptions, test_hook: str | None) -> None:
    """Serve tasks from `conn` until told to stop (or the parent goes away)."""
    from fingerprint_client.hashing._worker import hash_one  # preloaded by the fork server

    _harden()
    hooks = _parse_hooks(test_hook)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, path, known = task
        if hooks:
            _run_hook(hooks, path)
        result: FileResult = hash_one(path, options, index, _progress_sender(conn, index), known)
        try:
            conn.send(result)
        except (EOFError, OSError):
            return


def _progress_sender(conn: Connection, index: int) -> Callable[[float], None]:
    """A callback that tells the parent how far file `index` got (throttled; never raises)."""
    last = 0.0

    def send(fraction: float) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_SECONDS:
            return
        last = now
        with contextlib.suppress(OSError, ValueError):
            conn.send(("progress", index, min(1.0, max(0.0, float(fraction)))))

    return send


def _harden() -> None:
    keep_freed_memory()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, _address_space_limit())
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)


def _address_space_limit() -> tuple[int, int]:
    """Current address space plus the headroom: decoding may grow by that much, no more."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm") as f:  # noqa: PTH123 - a tiny procfs read
            pages = int(f.read().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return soft, hard
    limit = current + _ADDRESS_SPACE_HEADROOM
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    return limit, hard


def _parse_hooks(spec: str | None) -> dict[str, str]:
    hooks: dict[str, str] = {}
    for part in (spec or "").split(","):
        action, _, name = part.partition(":")
        if action in ("crash", "hang", "oom") and name:
            hooks[name] = action
    return hooks


def _run_hook(hooks: dict[str, str], path: Path) -> None:
    action = hooks.get(Path(path).name)
    if action == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif action == "hang":
        signal.pause()
    elif action == "oom":  # grow until the address-space limit stops us (MemoryError)
        hoard = [bytearray(64 << 20) for _ in range(24)]  # 1.5 GB: never reached under the limit
        del hoard
        signal.pause()  # no limit in force: hang, so the test sees `timeout` and fails
