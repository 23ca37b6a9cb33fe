"""Settings file: defaults, round trip, invalid files, permissions, URL rules."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from fingerprint_client.config import (
    NO_SERVICE_MESSAGE,
    Settings,
    config_path,
    load_settings,
    save_settings,
    update_settings,
    validate_service_url,
)
from fingerprint_client.paths import AppDirs, resolve_dirs


@pytest.fixture
def dirs(tmp_path: Path) -> AppDirs:
    return resolve_dirs(tmp_path / "home").ensure()


def test_defaults_without_a_file(dirs: AppDirs) -> None:
    loaded = load_settings(dirs)
    assert loaded.problem is None
    s = loaded.settings
    assert s.remember_paths is False
    assert s.default_algorithms == ["pdq", "md5", "sha256"]
    assert s.default_profile is None and s.theme == "default" and s.debug_logging is False


def test_round_trip_is_private(dirs: AppDirs) -> None:
    s = Settings(remember_paths=True, default_profile="mock", theme="high-contrast")
    path = save_settings(dirs, s)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings(dirs).settings == s
    assert 'theme = "high-contrast"' in path.read_text()


def test_update_settings(dirs: AppDirs) -> None:
    update_settings(dirs, default_profile="a")
    assert load_settings(dirs).settings.default_profile == "a"
    update_settings(dirs, default_profile=None)
    assert load_settings(dirs).settings.default_profile is None
    with pytest.raises(ValueError, match="theme"):
        update_settings(dirs, theme="neon")


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"remember_paths = [", "not valid TOML"),
        (b"\xff\xfe", "not valid TOML"),
        (b'theme = "neon"\n', "theme"),
        (b'default_algorithms = ["colorhash"]\n', "default_algorithms"),
        (b"typo_field = 1\n", "typo_field"),
    ],
)
def test_invalid_file_gives_defaults_and_a_message(
    dirs: AppDirs, content: bytes, needle: str
) -> None:
    config_path(dirs).write_bytes(content)
    loaded = load_settings(dirs)
    assert loaded.settings == Settings()
    assert loaded.problem is not None and needle in loaded.problem
    assert str(dirs.config) not in loaded.problem


def test_fields_are_documented() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name


def test_no_service_message_points_to_both_services() -> None:
    assert "takeitdown.ncmec.org" in NO_SERVICE_MESSAGE
    assert "stopncii.org" in NO_SERVICE_MESSAGE


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://takedown.example/", True),
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("http://example.com", False),
        ("ftp://example.com", False),
        ("https://user:pw@example.com", False),
        ("https://example.com/?x=1", False),
        ("example.com", False),
        ("https://[bad", False),
    ],
)
def test_service_url_rules(url: str, ok: bool) -> None:
    if ok:
        assert not validate_service_url(url).endswith("/")
    else:
        with pytest.raises(ValueError):
            validate_service_url(url)


def test_known_algorithms_follow_the_hashing_engine() -> None:
    from fingerprint_client.config import KNOWN_ALGORITHMS
    from fingerprint_client.hashing import SUPPORTED_ALGORITHMS

    assert set(KNOWN_ALGORITHMS) == set(SUPPORTED_ALGORITHMS)
    assert set(Settings().default_algorithms) <= set(SUPPORTED_ALGORITHMS)
