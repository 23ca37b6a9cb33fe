"""Animated GIF and WebP: first frame only by default, sampled like a video with `--frames`."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from fingerprint_client.hashing import HashOptions, hash_one
from fingerprint_client.hashing.pdq import hamming
from fingerprint_client.hashing.video import hash_animated_frames
from tests.fixtures.videos import draw


def write_animation(path: Path, fmt: str, seconds: float = 4.0, fps: int = 10) -> Path:
    pictures = [
        Image.fromarray(draw(i / fps, 160, 120)) for i in range(round(seconds * fps))
    ]  # fmt: skip
    pictures[0].save(
        path, format=fmt, save_all=True, append_images=pictures[1:], duration=1000 // fps, loop=0
    )
    return path


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_frames_option_samples_the_animation(tmp_path: Path, fmt: str) -> None:
    path = write_animation(tmp_path / f"anim.{fmt.lower()}", fmt)
    result = hash_one(path, HashOptions(frames=True))
    assert result.ok, result.error
    assert result.media == "image"
    assert result.pdq_frames is not None
    times = [f["t"] for f in result.pdq_frames]
    # 4 s with cuts at 1.7 and 3.4: about one frame a second plus the cuts
    assert times[0] == 0.0 and 4 <= len(times) <= 7
    assert any(abs(t - 1.7) < 0.11 for t in times) and any(abs(t - 3.4) < 0.11 for t in times)
    assert all(0 <= f["quality"] <= 100 and len(f["pdq"]) == 64 for f in result.pdq_frames)
    # the first sampled frame is the picture the image hash is made of
    assert hamming(result.pdq_frames[0]["pdq"], result.hashes["pdq"]) <= 2


def test_without_frames_only_the_first_frame(tmp_path: Path) -> None:
    path = write_animation(tmp_path / "anim.gif", "GIF", seconds=1.0)
    result = hash_one(path, HashOptions())
    assert result.ok and result.pdq_frames is None


def test_frame_times_follow_durations(tmp_path: Path) -> None:
    path = write_animation(tmp_path / "slow.gif", "GIF", seconds=3.0, fps=2)
    with Image.open(path) as img:
        frames = hash_animated_frames(img, HashOptions(frames=True))
    assert [f["t"] for f in frames][:2] == [0.0, 1.0]


def test_progress_reaches_one(tmp_path: Path) -> None:
    path = write_animation(tmp_path / "anim.gif", "GIF", seconds=1.0)
    seen: list[float] = []
    with Image.open(path) as img:
        hash_animated_frames(img, HashOptions(frames=True), progress=seen.append)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
