"""What every command receives (the resolved directories and global flags), and `fail`."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import click

from fingerprint_client.paths import AppDirs, resolve_dirs


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` to stderr and exit with `code` (1 failure, 2 usage)."""
    click.echo(message, err=True)
    sys.exit(code)


@dataclass
class CliContext:
    data_dir: Path | None = None
    debug: bool = False
    _dirs: AppDirs | None = field(default=None, repr=False)

    @property
    def dirs(self) -> AppDirs:
        """The run's directories, created 0700 on first use."""
        if self._dirs is None:
            self._dirs = resolve_dirs(self.data_dir).ensure()
        return self._dirs
