"""The log file: `fingerprint-client.log` in the logs dir, 0600, INFO by default.

`RedactingFilter` guarantees that, unless `debug_logging` is on, no record carries a file path or
a hash value: the formatted message is rewritten (paths become `[path]`, long hex strings
`[hash]`), its arguments dropped, and tracebacks reduced to the exception type (tracebacks hold
paths and local values). Only the `fingerprint_client` logger tree writes to the file.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

from fingerprint_client.paths import AppDirs

LOG_NAME = "fingerprint-client.log"
LOGGER_NAME = "fingerprint_client"
MAX_BYTES = 1_000_000
BACKUPS = 2

_HEX = re.compile(r"(?i)(?<![0-9a-z])[0-9a-f]{16,}(?![0-9a-z])")
_B64ISH = re.compile(r"[A-Za-z0-9+/=_-]{40,}")
_PATH = re.compile(
    r"""(?x)
    (?:[A-Za-z]:[\\/]|\\\\|~[\\/]|\.{1,2}[\\/]|/)   # C:\  \\server  ~/  ./  ../  /
    [^\s'"<>|:]*                                    # the rest of the path
    """
)
_MEDIA_NAME = re.compile(
    r"(?i)[^\s'\"/\\]+\.(?:jpe?g|png|gif|webp|bmp|tiff?|heic|heif|avif|mpo|"
    r"mp4|mov|mkv|avi|webm|m4v|3gp|wmv|flv|mpe?g)\b"
)
_URL = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s'\"<>]+")


def redact(text: str) -> str:
    """`text` without paths and hash values (URLs keep scheme and host, lose their path)."""
    urls: list[str] = []

    def keep_url(m: re.Match[str]) -> str:
        scheme, _, rest = m.group(0).partition("://")
        host = rest.split("/", 1)[0].split("?", 1)[0]
        urls.append(f"{scheme}://{host}")
        return f"\x00{len(urls) - 1}\x00"

    text = _URL.sub(keep_url, text)
    text = _PATH.sub("[path]", text)
    text = _MEDIA_NAME.sub("[file]", text)
    text = _HEX.sub("[hash]", text)
    text = _B64ISH.sub("[data]", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: urls[int(m.group(1))], text)


class RedactingFilter(logging.Filter):
    """Removes paths and hash values from records unless `debug` is true."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__()
        self.debug = debug

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        if self.debug:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not break logging
            message = str(record.msg)
        if record.exc_info and record.exc_info[0] is not None:
            message += f" [{record.exc_info[0].__name__}]"
        record.msg = redact(message)
        record.args = None
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are created 0600."""

    def _open(self) -> object:  # type: ignore[override]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8")


_handler: logging.Handler | None = None


def setup_logging(dirs: AppDirs, debug_logging: bool = False) -> Path:
    """Send the `fingerprint_client` loggers to the log file (replacing an earlier setup) and
    return its path. INFO by default, DEBUG when `debug_logging`."""
    global _handler
    dirs.logs.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = dirs.logs / LOG_NAME
    logger = logging.getLogger(LOGGER_NAME)
    if _handler is not None:
        logger.removeHandler(_handler)
        _handler.close()
    handler = PrivateRotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=False
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(debug_logging))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug_logging else logging.INFO)
    _handler = handler
    return path


def close_logging() -> None:
    """Detach and close the log file (before `forget --all` deletes it)."""
    global _handler
    if _handler is not None:
        logging.getLogger(LOGGER_NAME).removeHandler(_handler)
        _handler.close()
        _handler = None
