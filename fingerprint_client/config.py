"""Settings: a small TOML file, `config.toml` in the config dir (the data dir with `--data-dir`).

Every field is documented below and in docs/store.md. A missing file means the defaults; a file
that cannot be read or holds invalid values gives the defaults plus a kind message (`problem`),
never a traceback. The file is written 0600 and atomically (temporary file, then rename).

There is no default endpoint: a takedown service is reached only through a profile the person
adds. Until then `NO_SERVICE_MESSAGE` explains where to go instead.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fingerprint_client.guidance import NO_SERVICE
from fingerprint_client.paths import AppDirs

CONFIG_NAME = "config.toml"
KNOWN_ALGORITHMS = ("pdq", "md5", "sha256", "phash", "dhash", "whash")
"""The algorithms one can choose (hashing.SUPPORTED_ALGORITHMS; video frames come with pdq)."""

NO_SERVICE_MESSAGE = NO_SERVICE
"""Shown by `submit` (CLI and TUI) while no profile exists: no real service is configured;
points to takeitdown.ncmec.org (under 18) and stopncii.org (18 and over)."""


def no_service_message() -> str:
    """`NO_SERVICE_MESSAGE`, as a function for callers that prefer one."""
    return NO_SERVICE_MESSAGE


class Settings(BaseModel):
    """The person's settings. Unknown keys in the file are refused (a typo should not pass
    silently)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    remember_paths: bool = Field(
        default=False,
        description="Keep the file path of each fingerprinted file in the local database, so "
        "that you can see later which file a fingerprint came from. Off by default: paths can "
        "reveal names and are never sent anywhere either way.",
    )
    default_algorithms: list[str] = Field(
        default_factory=lambda: ["pdq", "md5", "sha256"],
        description="Fingerprints to compute by default. Only those the chosen service accepts "
        "are sent. colorhash is never offered.",
    )
    default_profile: str | None = Field(
        default=None,
        description="The endpoint profile `submit` uses when `--profile` is not given.",
    )
    theme: Literal["default", "high-contrast"] = Field(
        default="default", description="Colours of the app: `default` or `high-contrast`."
    )
    debug_logging: bool = Field(
        default=False,
        description="Write technical details to the log file, including paths and hash values. "
        "Off by default; turn on only to diagnose a problem, and off again afterwards.",
    )
    hash_workers: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="How many processes fingerprint files at once (default: the number of CPUs).",
    )

    @field_validator("default_algorithms")
    @classmethod
    def _known_algorithms(cls, value: list[str]) -> list[str]:
        unknown = [a for a in value if a not in KNOWN_ALGORITHMS]
        if unknown:
            raise ValueError(
                f"unknown algorithm(s) {', '.join(unknown)}; choose from "
                + ", ".join(KNOWN_ALGORITHMS)
            )
        if not value:
            raise ValueError("at least one algorithm is needed")
        return list(dict.fromkeys(value))


@dataclass(frozen=True)
class LoadedSettings:
    """Settings as read: `problem` is a kind message when the file was unusable (the defaults
    are used then), else None."""

    settings: Settings
    problem: str | None = None


def config_path(dirs: AppDirs) -> Path:
    """Where the settings file of this run lives."""
    return dirs.config / CONFIG_NAME


def load_settings(dirs: AppDirs) -> LoadedSettings:
    """Read the settings; never raises. An unreadable or invalid file gives the defaults and a
    `problem` message (which names the bad fields, never the path)."""
    path = config_path(dirs)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LoadedSettings(Settings())
    except OSError as exc:
        return LoadedSettings(
            Settings(),
            f"The settings file could not be read ({type(exc).__name__}); using the defaults.",
        )
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return LoadedSettings(
            Settings(), f"The settings file is not valid TOML ({exc}); using the defaults."
        )
    try:
        return LoadedSettings(Settings.model_validate(data))
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) or "?" for e in exc.errors()})
        return LoadedSettings(
            Settings(),
            "The settings file has invalid values ("
            + ", ".join(fields)
            + "); using the defaults. Fix or delete it to silence this message.",
        )


def save_settings(dirs: AppDirs, settings: Settings) -> Path:
    """Write the settings atomically, 0600. `None` values are left out (TOML has no null)."""
    path = config_path(dirs)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = settings.model_dump(exclude_none=True)
    tmp = path.with_name(f".{CONFIG_NAME}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            tomli_w.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    path.chmod(0o600)
    return path


def update_settings(dirs: AppDirs, **changes: object) -> Settings:
    """Load, change the given fields (validated) and save. Raises `ValueError` with a kind
    message when a value is invalid."""
    current = load_settings(dirs).settings
    try:
        updated = Settings.model_validate({**current.model_dump(), **changes})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc
    save_settings(dirs, updated)
    return updated


_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback_host(host: str) -> bool:
    """True for `localhost`, 127.0.0.0/8 and ::1."""
    import ipaddress

    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_service_url(url: str) -> str:
    """A profile URL made canonical (no trailing slash), or `ValueError` with a kind message:
    https is required unless the host is loopback; no user name, password, query or fragment."""
    from urllib.parse import urlsplit

    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError as exc:
        raise ValueError("That is not a valid web address.") from exc
    if parts.scheme not in ("https", "http") or not host:
        raise ValueError("Give the service's web address, starting with https://.")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise ValueError(
            "The address must start with https:// (plain http is only allowed for a service on "
            "this computer, such as the mock service)."
        )
    if parts.username or parts.password:
        raise ValueError("Leave the user name and password out of the address; use an API key.")
    if parts.query or parts.fragment:
        raise ValueError("Leave the ?query and #fragment out of the address.")
    return url.rstrip("/")
