"""Video fingerprints: exact digests of the file plus PDQ of frames sampled in time.

`hash_video` gives a `FileResult` with `media="video"`, the container as `format`, the size as
displayed, `hashes` = {"md5", "sha256"} (as requested) and `pdq_frames` = [{"t", "pdq",
"quality"}]: one frame at each scene cut and then one a second until the next cut (see
`_video_sampling`), a frame within 10 bits of the last kept one dropped. Copies of a video
(re-encoded, resized, trimmed) so yield frames at the same moments.

`hash_animated_frames` does the same for the frames of an animated GIF or WebP (`--frames`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Final

import numpy as np
from PIL import Image

from fingerprint_client.hashing._digests import DigestsAlongside, KnownDigests
from fingerprint_client.hashing._errors import HashError, HashFailure
from fingerprint_client.hashing._fileio import open_regular, read_head
from fingerprint_client.hashing._result import FileResult, HashOptions
from fingerprint_client.hashing._video_decode import (
    MAX_DURATION,
    TRUNCATED_MESSAGE,
    DecodeStats,
    VideoProblem,
    open_video,
    pick_stream,
    stream_info,
)
from fingerprint_client.hashing._video_duration import header_duration
from fingerprint_client.hashing._video_parts import (
    can_split,
    sample_in_halves,
    sample_whole,
)
from fingerprint_client.hashing._video_sampling import (
    THUMB_SIDE,
    FrameCollector,
    FrameHash,
    SamplePlanner,
)
from fingerprint_client.hashing._video_sniff import ends_too_early, sniff_video
from fingerprint_client.hashing.pdq import pdq_from_rgb

__all__ = [
    "FrameHash",
    "ProgressCallback",
    "hash_animated_frames",
    "hash_video",
    "sniff_video",
    "time_limit_for",
]

ProgressCallback = Callable[[float], None]
"""Called with the fraction done (0..1) of the file being fingerprinted."""

LOW_QUALITY: Final[int] = 50
SECONDS_PER_VIDEO_SECOND: Final[float] = 2.0
"""Time allowed per second of video on top of the engine's per-file limit (a slow 2-core
machine decodes 4K HEVC at about real time; 1080p H.264 many times faster)."""
MAX_ANIMATION_FRAMES: Final[int] = 20_000


def time_limit_for(path: Path, base: float) -> float:
    """A per-file time limit that fits the file at `path`: `base` for anything but a video; for
    a video `base` plus 2 s per second of the length its header declares (4 hours at most).

    Plain Python reading a few bounded pieces of the file (no FFmpeg), so the batch engine can
    call it in its main process before handing the file to a worker. Never raises.
    """
    try:
        f, size = open_regular(path)
        with f:
            container = sniff_video(read_head(f, 64))
            if container is None:
                return base
            duration = header_duration(f, size, container)
    except (HashFailure, OSError, ValueError):
        return base
    if duration is None or not math.isfinite(duration) or duration <= 0:
        return base
    return base + SECONDS_PER_VIDEO_SECOND * min(duration, MAX_DURATION)


def hash_video(
    path: Path,
    options: HashOptions,
    progress: ProgressCallback | None = None,
    index: int = 0,
    known: KnownDigests | None = None,
) -> FileResult:
    """Fingerprint the video at `path`; a failure comes back as a `FileResult` with an error.

    `progress`, when given, is called with the fraction done (0..1) as frames are sampled
    (about once per second of video). `known` are digests computed earlier, used if the file
    is still the one they came from.
    """
    try:
        f, size = open_regular(path)
        with f:
            return _hash_video(f, size, path, options, progress, index, known)
    except VideoProblem as problem:
        return FileResult.failure(index, path, HashError(problem.code, problem.message))
    except HashFailure as failure:
        return FileResult.failure(index, path, failure.error)


def _hash_video(
    f: BinaryIO,
    size: int,
    path: Path,
    options: HashOptions,
    progress: ProgressCallback | None,
    index: int,
    known: KnownDigests | None = None,
) -> FileResult:
    container_name = sniff_video(read_head(f, 64))
    if container_name is None:
        raise HashFailure("unsupported-format")
    if ends_too_early(f, size, container_name):
        raise VideoProblem("truncated", TRUNCATED_MESSAGE)
    frames: list[FrameHash] | None = None
    stats = DecodeStats()
    with (
        DigestsAlongside(f, options.algorithms, known) as digests,
        open_video(f, container_name) as container,
    ):
        stream = pick_stream(container)
        info = stream_info(container, stream)
        width, height = info.width, info.height
        if "pdq" in options.algorithms or options.frames:
            if can_split(info):
                frames, (width, height) = sample_in_halves(
                    f, container_name, (container, stream), info, stats, progress
                )
            else:
                frames, (width, height) = sample_whole(container, stream, info, stats, progress)
    hashes = digests.result()
    if progress is not None:
        progress(1.0)
    return FileResult(
        index=index,
        path=path,
        ok=True,
        media="video",
        format=container_name,
        width=width,
        height=height,
        hashes={a: hashes[a] for a in options.algorithms if a in hashes},
        pdq_frames=[dict(frame) for frame in frames] if frames is not None else None,
        warnings=_warnings(frames, stats),
    )


def _warnings(frames: list[FrameHash] | None, stats: DecodeStats) -> list[str]:
    out = []
    if stats.damaged_packets:
        out.append(
            "Parts of this video are damaged and were passed over; the frames that could be "
            "decoded were fingerprinted."
        )
    low = sum(1 for f in frames or [] if f["quality"] < LOW_QUALITY)
    if frames and low * 2 > len(frames):
        out.append(
            "Most sampled frames are nearly plain (PDQ quality under 50), "
            "so matching copies of this video may be unreliable."
        )
    return out


def hash_animated_frames(
    img: Image.Image, options: HashOptions, progress: ProgressCallback | None = None
) -> list[FrameHash]:
    """`pdq_frames` of an animated image (GIF, WebP) opened with Pillow, sampled like a video.

    Frame times come from each frame's `duration` (a duration under 20 ms counts as 100 ms,
    as browsers show it). `options` is accepted for symmetry with `hash_video`.
    """
    del options
    total = max(1, int(getattr(img, "n_frames", 1)))
    planner = SamplePlanner()
    collector = FrameCollector()
    for number, t, rgb_frame in _animation_frames(img, total):
        thumb = np.asarray(
            rgb_frame.convert("L").resize((THUMB_SIDE, THUMB_SIDE), Image.Resampling.BOX),
            dtype=np.float32,
        )
        if planner.offer(t, thumb):
            collector.add(t, pdq_from_rgb(np.asarray(rgb_frame)))
        if progress is not None:
            progress((number + 1) / total)
    return collector.frames


def _animation_frames(img: Image.Image, total: int) -> Iterator[tuple[int, float, Image.Image]]:
    if total > MAX_ANIMATION_FRAMES:
        raise VideoProblem("too-large", "This animation has too many frames to fingerprint safely.")
    t = 0.0
    for number in range(total):
        img.seek(number)
        yield number, t, img.convert("RGB")
        duration = img.info.get("duration") or 0
        t += (duration if duration >= 20 else 100) / 1000.0
