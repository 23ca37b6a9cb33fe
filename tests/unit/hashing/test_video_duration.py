"""The length from the container header (plain Python) and the time limit made from it."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fingerprint_client.hashing._video_duration import header_duration
from fingerprint_client.hashing._video_sniff import ends_too_early
from fingerprint_client.hashing.video import SECONDS_PER_VIDEO_SECOND, sniff_video, time_limit_for
from tests.fixtures.videos import CLIP_SECONDS, VideoSet


@pytest.mark.parametrize(
    ("attr", "seconds"),
    [
        ("original", CLIP_SECONDS),
        ("webm", 3.0),
        ("av1", 3.0),
        ("mov", 3.0),
        ("mkv", 3.0),
        ("avi", 3.0),
        ("ten_bit", 3.0),
    ],
)
def test_header_duration(videos: VideoSet, attr: str, seconds: float) -> None:
    data = getattr(videos, attr).read_bytes()
    container = sniff_video(data[:64])
    assert container is not None
    duration = header_duration(io.BytesIO(data), len(data), container)
    assert duration is not None
    assert abs(duration - seconds) <= 0.2


def test_time_limit_grows_with_the_video(videos: VideoSet) -> None:
    limit = time_limit_for(videos.original, 60.0)
    assert abs(limit - (60.0 + SECONDS_PER_VIDEO_SECOND * CLIP_SECONDS)) <= 0.5


def test_time_limit_of_other_files_is_the_base(tmp_path: Path, videos: VideoSet) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a video")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in (text, tmp_path / "missing.mp4", fifo, videos.audio_only):
        assert time_limit_for(path, 60.0) == pytest.approx(60.0, abs=2.5)


@pytest.mark.parametrize("cut", [0, 12, 40, 100, 300])
def test_cut_or_odd_headers_never_raise(videos: VideoSet, cut: int) -> None:
    for attr in ("original", "webm", "avi"):
        data = getattr(videos, attr).read_bytes()
        container = sniff_video(data[:64])
        assert container is not None
        part = data[:cut] + b"\xff" * 64
        header_duration(io.BytesIO(part), len(part), container)  # must not raise


@given(
    body=st.binary(max_size=400),
    prefix=st.sampled_from(
        [b"\x00\x00\x00\x18ftypisom", b"\x1a\x45\xdf\xa3", b"RIFF\x00\x01\x00\x00AVI ", b""]
    ),
)
def test_any_bytes_never_raise(body: bytes, prefix: bytes) -> None:
    data = prefix + body
    container = sniff_video(data[:64])
    if container is None:
        return
    header_duration(io.BytesIO(data), len(data), container)
    ends_too_early(io.BytesIO(data), len(data), container)
