"""Display matrices: turned and mirrored phone videos hash as displayed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from fingerprint_client.hashing import HashOptions
from fingerprint_client.hashing.pdq import hamming
from fingerprint_client.hashing.video import hash_video
from tests.fixtures.videos import RGB, encode, synthetic_frames

Transform = Callable[[RGB], RGB]


def shown(frames: Iterator[RGB], transform: Transform) -> Iterator[RGB]:
    for rgb in frames:
        yield np.ascontiguousarray(transform(rgb))


@pytest.mark.parametrize(
    ("rotation", "hflip", "vflip", "transform"),
    [
        (180.0, False, False, lambda a: a[::-1, ::-1]),
        (90.0, False, False, lambda a: np.rot90(a, k=1)),
        (0.0, True, False, lambda a: a[:, ::-1]),
        (0.0, False, True, lambda a: a[::-1]),
        (-90.0, True, False, lambda a: a.transpose(1, 0, 2)),
    ],
    ids=["turned-180", "turned-90-ccw", "mirrored", "upside-down", "turned-and-mirrored"],
)
def test_display_matrix_is_applied(
    tmp_path: Path, rotation: float, hflip: bool, vflip: bool, transform: Transform
) -> None:
    stored = encode(
        tmp_path / "stored.mp4",
        synthetic_frames(320, 240, 10, 2.0),
        fps=10,
        display=(rotation, hflip, vflip),
    )
    upright = encode(
        tmp_path / "upright.mp4", shown(synthetic_frames(320, 240, 10, 2.0), transform), fps=10
    )
    a, b = hash_video(stored, HashOptions()), hash_video(upright, HashOptions())
    assert a.ok and b.ok and a.pdq_frames and b.pdq_frames
    assert (a.width, a.height) == (b.width, b.height)
    assert len(a.pdq_frames) == len(b.pdq_frames)
    pairs = zip(a.pdq_frames, b.pdq_frames, strict=True)
    distances = [hamming(x["pdq"], y["pdq"]) for x, y in pairs]
    assert max(distances) <= 31, distances
