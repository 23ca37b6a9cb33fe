from __future__ import annotations

import stat
from pathlib import Path

import pytest

from fingerprint_client.paths import resolve_dirs


def test_explicit_data_dir_holds_everything(tmp_path: Path) -> None:
    dirs = resolve_dirs(tmp_path / "home").ensure()
    assert dirs.data == tmp_path / "home"
    assert dirs.config == dirs.data
    assert dirs.logs.parent == dirs.data
    for d in (dirs.data, dirs.logs):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700


def test_environment_variable_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINGERPRINT_CLIENT_HOME", str(tmp_path / "x"))
    assert resolve_dirs().data == tmp_path / "x"


def test_existing_loose_directory_is_tightened(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    resolve_dirs(loose).ensure()
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700
