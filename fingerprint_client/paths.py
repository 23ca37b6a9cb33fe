"""Where fingerprint-client keeps its files.

`--data-dir DIR` (or `FINGERPRINT_CLIENT_HOME`) puts database, config and logs for that run in one
directory; otherwise the platformdirs user directories are used. Every directory is created 0700.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "fingerprint-client"
ENV_HOME = "FINGERPRINT_CLIENT_HOME"


@dataclass(frozen=True)
class AppDirs:
    """The directories of one run. `data` holds the database; `config` the TOML settings."""

    data: Path
    config: Path
    logs: Path

    def ensure(self) -> AppDirs:
        """Create the directories (0700) and tighten them if they already exist."""
        for d in (self.data, self.config, self.logs):
            d.mkdir(mode=0o700, parents=True, exist_ok=True)
            d.chmod(0o700)
        return self


def resolve_dirs(data_dir: Path | str | None = None) -> AppDirs:
    """The directories for this run: explicit `data_dir`, then `$FINGERPRINT_CLIENT_HOME`, then
    the platform's user directories."""
    chosen = data_dir if data_dir is not None else os.environ.get(ENV_HOME) or None
    if chosen is not None:
        root = Path(chosen).expanduser().absolute()
        return AppDirs(data=root, config=root, logs=root / "logs")
    return AppDirs(
        data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )
