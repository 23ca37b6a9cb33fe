"""Named pause points for the crash (kill -9) tests. Not a feature: nothing a person can use.

When BOTH `FINGERPRINT_CLIENT_TEST_PAUSE_AT=<point>` and `FINGERPRINT_CLIENT_TEST_PAUSE_FILE=<file>`
are set, reaching `<point>` writes the point's name to `<file>` and blocks for ever, so a test
can kill the process with SIGKILL at exactly that moment. Otherwise `pause_point` does nothing.

Points (in the order `submit` passes them):
    before-commit     fingerprints made, nothing stored yet
    after-commit      case, hashes and outbox committed; no network call yet
    after-attempt     an attempt of an outbox item was recorded; the request is not sent yet
    request-reached   the service answered (status line received); the answer is not read
    after-answer      the answer was read and validated; not yet recorded locally
    after-delivered   the item is recorded as delivered
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

__all__ = ["POINTS", "pause_point"]

POINTS = (
    "before-commit",
    "after-commit",
    "after-attempt",
    "request-reached",
    "after-answer",
    "after-delivered",
)
_AT = "FINGERPRINT_CLIENT_TEST_PAUSE_AT"
_FILE = "FINGERPRINT_CLIENT_TEST_PAUSE_FILE"


def pause_point(name: str) -> None:
    """Block for ever at `name` when the crash tests asked for it; otherwise return at once."""
    if os.environ.get(_AT) != name:
        return
    marker = os.environ.get(_FILE)
    if not marker:
        return
    Path(marker).write_text(name, encoding="utf-8")
    threading.Event().wait()  # until SIGKILL
