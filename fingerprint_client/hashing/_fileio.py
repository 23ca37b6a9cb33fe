"""Opening only regular files, without ever blocking, and reading their first bytes.

A FIFO, a device, a socket, a directory, a dangling or looping link each get a clear error code;
the file is opened with O_NONBLOCK and checked again with fstat, so nothing can swap a pipe in
between the check and the open.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from fingerprint_client.hashing._errors import HashFailure

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY


def open_regular(path: Path, buffering: int = 1 << 16) -> tuple[BinaryIO, int]:
    """Open `path` for reading if it is a non-empty regular file: (binary file, size).

    `buffering=0` gives an unbuffered file, for reading a few bytes only.

    Raises `HashFailure` with `not-found`, `not-a-regular-file`, `permission-denied` or `empty`.
    """
    try:
        st = path.stat()
    except OSError as exc:
        raise _failure_for(path, exc) from None
    except ValueError:  # e.g. an embedded NUL byte in the name
        raise HashFailure("not-found") from None
    if not stat.S_ISREG(st.st_mode):
        raise HashFailure("not-a-regular-file")
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _failure_for(path, exc) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise HashFailure("not-a-regular-file")
        if st.st_size == 0:
            raise HashFailure("empty")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=buffering), st.st_size
    except BaseException:
        os.close(fd)
        raise


def _failure_for(path: Path, exc: OSError) -> HashFailure:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return HashFailure("permission-denied")
    if exc.errno == errno.ELOOP:
        return HashFailure("not-a-regular-file", "a link that points back to itself")
    if exc.errno == errno.ENOENT:
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                return HashFailure("not-a-regular-file", "a link to something that is gone")
        except OSError:
            pass
        return HashFailure("not-found")
    if exc.errno in (errno.ENOTDIR, errno.ENAMETOOLONG):
        return HashFailure("not-found")
    if exc.errno in (errno.EISDIR, errno.ENXIO, errno.ENODEV):
        return HashFailure("not-a-regular-file")
    return HashFailure("permission-denied", "the system refused to open it")


def read_head(f: BinaryIO, size: int) -> bytes:
    """The first `size` bytes of `f` (fewer if it is shorter); `f` is left at the start."""
    f.seek(0)
    head = f.read(size)
    f.seek(0)
    return head
