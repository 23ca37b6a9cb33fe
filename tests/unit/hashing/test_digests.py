"""Streamed digests, and digests computed in a thread beside the decoder (videos)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from fingerprint_client.hashing._digests import CHUNK_SIZE, DigestsAlongside, file_digests


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.bin"
    path.write_bytes(os.urandom(3 * CHUNK_SIZE + 12345))
    return path


def expected(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    return {"md5": hashlib.md5(data).hexdigest(), "sha256": hashlib.sha256(data).hexdigest()}


def test_streamed_digests_equal_hashlibs(big_file: Path) -> None:
    with big_file.open("rb") as f:
        assert file_digests(f, ("pdq", "md5", "sha256")) == expected(big_file)
        assert file_digests(f, ("pdq",)) == {}


def test_digests_alongside_leave_the_readers_position_alone(big_file: Path) -> None:
    with big_file.open("rb") as f:
        with DigestsAlongside(f, ("md5", "sha256")) as digests:
            head = f.read(1000)  # the decoder reads the same file meanwhile
            position = f.tell()
        assert digests.result() == expected(big_file)
        assert f.tell() == position
        assert head == big_file.read_bytes()[:1000]


def test_only_the_asked_digests(big_file: Path) -> None:
    with big_file.open("rb") as f, DigestsAlongside(f, ("sha256",)) as digests:
        pass
    assert digests.result() == {"sha256": expected(big_file)["sha256"]}
    with big_file.open("rb") as f, DigestsAlongside(f, ("pdq",)) as nothing:
        pass
    assert nothing.result() == {}


def test_a_read_error_is_raised_by_result(big_file: Path) -> None:
    fd = os.open(big_file, os.O_WRONLY)  # reading it fails with EBADF
    with os.fdopen(fd, "rb") as f, DigestsAlongside(f, ("md5",)) as digests:
        pass
    with pytest.raises(OSError):
        digests.result()


def test_leaving_early_stops_the_thread(big_file: Path) -> None:
    with big_file.open("rb") as f:
        with pytest.raises(RuntimeError), DigestsAlongside(f, ("md5",)) as digests:
            raise RuntimeError("the decoder failed")
        assert not digests._thread.is_alive()
