"""Limits: length, picture size, and the memory a 4K video needs (measured in a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from av.video.stream import VideoStream

from fingerprint_client.hashing import HashOptions
from fingerprint_client.hashing.video import hash_video
from tests.fixtures.videos import RGB, draw, encode

MAX_RSS_MB = 500


def write_frames_at(path: Path, size: tuple[int, int], times: list[int]) -> Path:
    """A tiny H.264 file with one flat frame at each of `times` (whole seconds)."""
    width, height = size
    with av.open(str(path), "w", format="matroska") as out:
        stream = out.add_stream("libx264", rate=1, options={"preset": "ultrafast"})
        assert isinstance(stream, VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1)
        for t in times:
            frame = av.VideoFrame.from_ndarray(
                np.full((height, width, 3), 90 + t % 100, np.uint8), format="rgb24"
            )
            frame.pts, frame.time_base = t, Fraction(1, 1)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_longer_than_four_hours(tmp_path: Path) -> None:
    path = write_frames_at(tmp_path / "long.mkv", (64, 64), [0, 5 * 3600])
    result = hash_video(path, HashOptions())
    assert not result.ok and result.error is not None
    assert result.error.code == "too-large"
    assert "4 hours" in result.error.message


def test_just_under_the_length_limit_is_fine(tmp_path: Path) -> None:
    path = write_frames_at(tmp_path / "long-but-ok.mkv", (64, 64), [0, 3 * 3600])
    result = hash_video(path, HashOptions())
    assert result.ok, result.error


def test_larger_than_8k(tmp_path: Path) -> None:
    path = write_frames_at(tmp_path / "huge.mkv", (8448, 4352), [0])
    result = hash_video(path, HashOptions())
    assert not result.ok and result.error is not None
    assert result.error.code == "too-large"
    assert "8K" in result.error.message


def uhd_frames(seconds: float, fps: int, scale: int = 8) -> Iterator[RGB]:
    """480x270 times `scale` pictures (8: 3840x2160, 16: 7680x4320): the synthetic scenes
    drawn small and blown up (cheap to make)."""
    for i in range(round(seconds * fps)):
        small = draw(i / fps, 480, 270)
        yield np.ascontiguousarray(np.repeat(np.repeat(small, scale, axis=0), scale, axis=1))


PEAK_RSS_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from fingerprint_client.hashing import HashOptions
    from fingerprint_client.hashing.video import hash_video

    result = hash_video(Path(sys.argv[1]), HashOptions())
    # VmHWM: this process's peak resident memory (ru_maxrss would carry over the parent's
    # peak across fork + exec)
    status = Path("/proc/self/status").read_text().splitlines()
    peak_kb = int(next(line for line in status if line.startswith("VmHWM:")).split()[1])
    print(json.dumps({"ok": result.ok, "frames": len(result.pdq_frames or []),
                      "width": result.width, "peak_mb": peak_kb / 1024}))
    """
)


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("codec", "scale", "seconds"), [("libx264", 8, 2.0), ("libx265", 8, 2.0), ("libx264", 16, 0.7)]
)
def test_4k_and_8k_videos_stay_under_500_mb(
    tmp_path: Path, codec: str, scale: int, seconds: float
) -> None:
    path = encode(
        tmp_path / f"big-{codec}.mp4", uhd_frames(seconds, 12, scale), fps=12, codec=codec
    )
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=200,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["ok"] and report["width"] == 480 * scale and report["frames"] >= 1
    assert report["peak_mb"] < MAX_RSS_MB, report
