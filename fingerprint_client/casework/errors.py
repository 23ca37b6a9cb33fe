"""The one exception of the casework layer: a problem the person can act on.

`code` is stable (scripts and tests match it); `message` is kind, plain and never contains a
path, a PIN or a key. Service and store errors keep their own types (`ServiceError`,
`StoreError`, `KeystoreError`); the command line and the TUI catch all four.
"""

from __future__ import annotations

__all__ = ["CaseworkError"]


class CaseworkError(Exception):
    """A casework step cannot go on. `usage` is true when the person asked for something
    impossible (the command line exits 2), false when something around it failed (exit 1)."""

    def __init__(self, code: str, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.usage = usage
