"""Long single-slice videos are decoded in two halves at once: same moments, same hashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from fingerprint_client.hashing import HashOptions
from fingerprint_client.hashing import _video_parts as parts
from fingerprint_client.hashing.pdq import hamming
from fingerprint_client.hashing.video import hash_video
from tests.fixtures.videos import encode, synthetic_frames


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10 s, one slice per picture, a key frame every second (as phones make them)."""
    path = tmp_path_factory.mktemp("halves") / "long.mp4"
    frames = synthetic_frames(320, 240, 15, 10.0)
    return encode(path, frames, options={"threads": "1", "g": "15", "bf": "2"})


def split_points(monkeypatch: pytest.MonkeyPatch) -> list[float | None]:
    seen: list[float | None] = []
    real = parts._split_point

    def spy(*args: object) -> float | None:
        point = real(*args)  # type: ignore[arg-type]
        seen.append(point)
        return point

    monkeypatch.setattr(parts, "_split_point", spy)
    return seen


def test_a_long_video_is_split_near_its_middle_and_hashes_the_same_each_time(
    long_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = split_points(monkeypatch)
    first = hash_video(long_clip, HashOptions())
    again = hash_video(long_clip, HashOptions())
    assert len(seen) == 2 and seen[0] is not None
    assert 3.5 <= seen[0] <= 6.5
    assert first.ok and first.pdq_frames
    assert again.pdq_frames == first.pdq_frames
    times = [frame["t"] for frame in first.pdq_frames]
    assert times == sorted(times) and len(set(times)) == len(times)


def test_halves_find_the_moments_and_hashes_of_one_piece(
    long_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    halves = hash_video(long_clip, HashOptions())
    monkeypatch.setattr("fingerprint_client.hashing.video.can_split", lambda info: False)
    whole = hash_video(long_clip, HashOptions())
    assert halves.hashes == whole.hashes and halves.width == whole.width
    assert halves.pdq_frames and whole.pdq_frames
    matched = sum(
        1
        for w in whole.pdq_frames
        if any(
            abs(h["t"] - w["t"]) <= 0.6 and hamming(h["pdq"], w["pdq"]) <= 31
            for h in halves.pdq_frames
        )
    )
    assert matched >= 0.9 * len(whole.pdq_frames)


def test_progress_only_moves_forward_and_ends_at_one(long_clip: Path) -> None:
    seen: list[float] = []
    assert hash_video(long_clip, HashOptions(), seen.append).ok
    assert seen == sorted(seen)
    assert seen[-1] == 1.0


def test_a_short_video_is_decoded_in_one_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = split_points(monkeypatch)
    short = encode(tmp_path / "short.mp4", synthetic_frames(160, 120, 15, 2.0))
    assert hash_video(short, HashOptions()).ok
    assert seen == []


def test_when_the_second_half_cannot_seek_the_first_goes_on_alone(
    long_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole_monkey = pytest.MonkeyPatch()
    whole_monkey.setattr("fingerprint_client.hashing.video.can_split", lambda info: False)
    whole = hash_video(long_clip, HashOptions())
    whole_monkey.undo()

    def refuse(*args: object) -> float | None:
        raise OSError("no seeking here")

    monkeypatch.setattr(parts, "_split_point", refuse)
    alone = hash_video(long_clip, HashOptions())
    assert alone.ok
    assert alone.pdq_frames == whole.pdq_frames
