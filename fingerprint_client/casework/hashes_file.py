"""Reading a `hash --json --no-paths` file, so that a helper can submit without the images.

The file holds the objects `hash --json` prints: one per line (JSON lines), or one JSON array.
Entries carrying a `path` are accepted, but the path is dropped at once: it is neither stored
nor sent. The file is size-capped and every problem is a `CaseworkError` with a stable code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fingerprint_client.casework.errors import CaseworkError

__all__ = ["MAX_HASHES_FILE_BYTES", "read_hashes_file"]

MAX_HASHES_FILE_BYTES = 64 * 1024 * 1024
_BAD = "This file is not a `hash --json` result file"


def read_hashes_file(path: Path) -> list[dict[str, Any]]:
    """The entries of a hashes file, paths removed. `-` reads standard input."""
    try:
        if str(path) == "-":
            import sys

            raw = sys.stdin.buffer.read(MAX_HASHES_FILE_BYTES + 1)
        else:
            with path.open("rb") as fh:
                raw = fh.read(MAX_HASHES_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise CaseworkError("not-found", "The hashes file does not exist.", usage=True) from exc
    except PermissionError as exc:
        raise CaseworkError(
            "permission-denied", "The hashes file could not be read (permission).", usage=True
        ) from exc
    except OSError as exc:
        raise CaseworkError("unreadable", "The hashes file could not be read.", usage=True) from exc
    if len(raw) > MAX_HASHES_FILE_BYTES:
        raise CaseworkError("too-large", "The hashes file is too large.", usage=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseworkError("invalid-hashes-file", f"{_BAD} (not UTF-8).", usage=True) from exc
    entries = _parse(text)
    if not entries:
        raise CaseworkError("invalid-hashes-file", f"{_BAD} (it is empty).", usage=True)
    for entry in entries:
        entry.pop("path", None)
    return entries


def _parse(text: str) -> list[dict[str, Any]]:
    stripped = text.strip()
    try:
        if stripped.startswith("["):
            value = json.loads(stripped)
            items = value if isinstance(value, list) else []
        else:
            items = [json.loads(line) for line in stripped.splitlines() if line.strip()]
    except (ValueError, RecursionError) as exc:
        raise CaseworkError("invalid-hashes-file", f"{_BAD} (not JSON).", usage=True) from exc
    if not all(isinstance(i, dict) for i in items):
        raise CaseworkError(
            "invalid-hashes-file", f"{_BAD} (expected one object per file).", usage=True
        )
    return items
