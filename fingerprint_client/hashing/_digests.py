"""Exact file digests (MD5, SHA-256), streamed in 1 MiB chunks in one pass."""

from __future__ import annotations

import hashlib
from typing import BinaryIO

CHUNK_SIZE = 1 << 20
DIGEST_ALGORITHMS = ("md5", "sha256")


def file_digests(f: BinaryIO, algorithms: tuple[str, ...]) -> dict[str, str]:
    """Lowercase hex digests of the whole of `f` for the digest names in `algorithms`."""
    wanted = [a for a in DIGEST_ALGORITHMS if a in algorithms]
    if not wanted:
        return {}
    hashers = {a: hashlib.new(a, usedforsecurity=False) for a in wanted}
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
