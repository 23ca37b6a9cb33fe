"""`--record FILE`: every request the mock service receives, one JSON object per line.

Line format (documented in docs/protocol.md):
`{"at": "...Z", "method": "POST", "path": "/v1/cases", "headers": {"idempotency-key": "..."},
"body": "<text>", "fault": null}` — header names lower case, the values of `authorization`,
`x-case-pin` and `x-admin-token` replaced by `"***"`; a body that is not UTF-8 is given as base64
with `"body_base64": true`; a body cut at the size limit has `"body_truncated": true`.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fingerprint_client.mock_server.cases import now_iso

MASKED_HEADERS = frozenset({"authorization", "x-case-pin", "x-admin-token"})
MASK = "***"


def masked_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers as a dict (lower-case names, repeated ones joined), secrets masked."""
    out: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        shown = MASK if key in MASKED_HEADERS else value
        out[key] = f"{out[key]}, {shown}" if key in out else shown
    return out


class Recorder:
    """Appends request records to a file created with mode 0600."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        self._file = os.fdopen(fd, "a", encoding="utf-8")
        self._lock = threading.Lock()

    def record(
        self,
        method: str,
        path: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        *,
        truncated: bool = False,
        fault: str | None = None,
    ) -> None:
        """Write one request as a JSON line (flushed at once)."""
        entry: dict[str, Any] = {
            "at": now_iso(),
            "method": method,
            "path": path,
            "headers": masked_headers(headers),
        }
        try:
            entry["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            entry["body"] = base64.b64encode(body).decode("ascii")
            entry["body_base64"] = True
        if truncated:
            entry["body_truncated"] = True
        entry["fault"] = fault
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._file.close()


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every record of a `--record` file (for tests and tools)."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
