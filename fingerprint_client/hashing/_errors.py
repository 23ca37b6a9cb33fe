"""Stable error codes and the kind, plain messages that go with them.

Messages never contain a path: the caller shows the path beside the message when it may.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

ERROR_MESSAGES: Final[dict[str, str]] = {
    "not-found": "This file does not exist (any more). Check the name and try again.",
    "not-a-regular-file": (
        "This is not an ordinary file (it may be a folder, a device, a pipe or a broken link), "
        "so it was not read."
    ),
    "permission-denied": ("This file could not be opened: you do not have permission to read it."),
    "empty": "This file is empty, so there is nothing to fingerprint.",
    "unsupported-format": (
        "This file is not an image we can read. Supported: JPEG, PNG, WebP, GIF, BMP, TIFF, "
        "HEIC/HEIF and AVIF images, and common video files."
    ),
    "too-large": (
        "This image is too large to fingerprint safely on this device. "
        "A smaller copy (for example a screenshot) can be fingerprinted instead."
    ),
    "decompression-bomb": (
        "This image claims an enormous size for its file, which is a sign of a broken or "
        "hostile file, so it was not decoded."
    ),
    "truncated": (
        "This image file is incomplete (it ends too early), so a reliable fingerprint is not "
        "possible. If you still have the original, try that one."
    ),
    "corrupt": "This image file is damaged and could not be decoded.",
    "timeout": "Fingerprinting this file took too long, so it was stopped.",
    "decoder-crashed": (
        "The image decoder stopped unexpectedly on this file (it may be damaged). "
        "The other files were not affected."
    ),
    "no-video-stream": "This video file contains no video picture to fingerprint.",
    "unsupported-codec": "This video uses a format (codec) that cannot be decoded here.",
}

ERROR_CODES: Final[tuple[str, ...]] = tuple(ERROR_MESSAGES)


@dataclass(frozen=True)
class HashError:
    """Why a file could not be fingerprinted: a stable `code` and a plain `message`."""

    code: str
    message: str

    @classmethod
    def of(cls, code: str, detail: str | None = None) -> HashError:
        """The standard error for `code`; `detail` (never a path) is appended when given."""
        message = ERROR_MESSAGES[code]
        if detail:
            message = f"{message} ({detail})"
        return cls(code, message)

    def to_json(self) -> dict[str, str]:
        """The `error` object of `hash --json`."""
        return {"code": self.code, "message": self.message}


class HashFailure(Exception):
    """Raised inside the hashing code to end one file with a stable error code."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        if code not in ERROR_MESSAGES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(code)
        self.code = code
        self.detail = detail

    @property
    def error(self) -> HashError:
        """The public error value of this failure."""
        return HashError.of(self.code, self.detail)
