"""Sampling a video's frames, in one piece or in two halves decoded side by side.

Frame threading, FFmpeg's way of using several cores for one H.264 stream, helps little when
most decoded frames refer to the one before (a P-frame chain): on 2 cores it decodes the
frames we need about 1.15x faster than one thread. Two decoders, one from the start and one
from a key frame near the middle, each with one thread, decode them about 1.8x faster (the
interpreter lock is let go while FFmpeg decodes). So a long enough video whose stream is not
already decoded slice by slice is split at the key frame nearest its middle (`_split_point`,
found by the second half's thread), each half sampled by its own `SamplePlanner`, and the
halves' samples joined.

The second half's sampling grid starts at the key frame, as if a scene began there - what a
copy trimmed at that point gives - so its samples stay on a one-a-second grid; the split is
the same for the same file, so its fingerprints are too. Near-repeats are dropped across the
join exactly as within a half.
"""

from __future__ import annotations

import io
import itertools
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Final

import av.error
import numpy as np
from av.container import InputContainer
from av.video.stream import VideoStream

from fingerprint_client.hashing._video_clock import DecodeWindow, FrameClock, SplitDecision
from fingerprint_client.hashing._video_decode import (
    DecodedFrame,
    DecodeStats,
    StreamInfo,
    decode_frames,
    open_video,
    pick_stream,
)
from fingerprint_client.hashing._video_sampling import FrameCollector, FrameHash, SamplePlanner
from fingerprint_client.hashing._video_threads import SLICE
from fingerprint_client.hashing.pdq import PdqHash, pdq_from_luma

SPLIT_MIN_SECONDS: Final[float] = 4.0
"""Shorter videos are decoded in one piece (the second decoder would not pay for itself)."""
SPLIT_MAX_PIXELS: Final[int] = 2560 * 1440
"""Larger pictures are decoded in one piece: two decoders hold twice the pictures (memory)."""
SPLIT_RANGE: Final[tuple[float, float]] = (0.25, 0.75)
"""The key frame split at lies within this share of the length, or the video is not split."""

ProgressCallback = Callable[[float], None]


@dataclass
class Samples:
    """What one piece of the video gave: sampled (time, PDQ) in order, and the first size."""

    hashes: list[tuple[float, PdqHash]] = field(default_factory=list)
    size: tuple[int, int] | None = None
    last_t: float = 0.0


def feed_samples(
    decoded: Iterator[DecodedFrame],
    planner: SamplePlanner,
    samples: Samples,
    on_sample: Callable[[float], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """PDQ of the frames `planner` picks from `decoded`, added to `samples`."""
    for frame in decoded:
        if samples.size is None:
            samples.size = frame.display_size
        samples.last_t = frame.t
        if planner.offer(frame.t, frame.thumb):
            samples.hashes.append((frame.t, pdq_from_luma(frame.luma().astype(np.float32))))
            if on_sample is not None:
                on_sample(frame.t)
        # let the decoder reuse this picture's memory while it decodes the next one
        del frame
        if stop is not None and stop.is_set():
            return


def sample_frames(
    decoded: Iterator[DecodedFrame],
    planner: SamplePlanner,
    info: StreamInfo,
    progress: ProgressCallback | None,
) -> tuple[list[FrameHash], tuple[int, int]]:
    """PDQ of the frames `planner` picks from `decoded`, near-repeats dropped, and the
    displayed size (of the first frame); `progress` gets the fraction of `info.duration`."""
    samples = Samples()
    feed_samples(decoded, planner, samples, _reporter(progress, info.duration, lambda: 0.0))
    return joined_frames(samples.hashes), samples.size or (info.width, info.height)


def sample_whole(
    container: InputContainer,
    stream: VideoStream,
    info: StreamInfo,
    stats: DecodeStats,
    progress: ProgressCallback | None,
) -> tuple[list[FrameHash], tuple[int, int]]:
    """`pdq_frames` and displayed size of the video, decoded in one piece."""
    planner = SamplePlanner()
    decoded = decode_frames(container, stream, planner.needs_every_frame, stats)
    return sample_frames(decoded, planner, info, progress)


def can_split(info: StreamInfo) -> bool:
    """Whether the video is long enough, small enough and the machine has the cores."""
    return (
        (os.cpu_count() or 1) >= 2
        and info.duration is not None
        and info.duration >= SPLIT_MIN_SECONDS
        and info.width * info.height <= SPLIT_MAX_PIXELS
    )


def sample_in_halves(
    f: BinaryIO,
    container_name: str,
    first_half: tuple[InputContainer, VideoStream],
    info: StreamInfo,
    stats: DecodeStats,
    progress: ProgressCallback | None,
) -> tuple[list[FrameHash], tuple[int, int]]:
    """`pdq_frames` and displayed size: the first half decoded here, the second (from the key
    frame nearest the middle, found meanwhile) in a thread; in one piece if there is none."""
    container, stream = first_half
    duration = info.duration or 0.0
    decision = SplitDecision()
    window = DecodeWindow(FrameClock.of(stream), split=decision)
    planner, samples = SamplePlanner(), Samples()
    decoded = decode_frames(container, stream, planner.needs_every_frame, stats, window=window)
    second: _SecondHalf | None = None
    try:
        first = next(decoded, None)  # fixes the time origin and the threading
        origin = window.clock.origin or 0.0
        if first is None or stream.codec_context.thread_type.name == SLICE:
            decision.decide(None)  # slices already keep the cores busy
        else:
            window.earliest_split = origin + SPLIT_RANGE[0] * duration
            second = _SecondHalf(f, container_name, origin, duration, decision)
            second.start()
        report = _reporter(progress, duration, lambda: second.done() if second else 0.0)
        if first is not None:
            feed_samples(itertools.chain([first], decoded), planner, samples, report)
    except BaseException:
        decision.decide(None)
        if second is not None:
            second.stop.set()
        raise
    finally:
        if second is not None:
            second.finish(report=lambda: report(samples.last_t) if progress else None)
    if second is None:
        return joined_frames(samples.hashes), samples.size or (info.width, info.height)
    stats.damaged_packets += second.stats.damaged_packets
    if second.error is not None:
        raise second.error
    size = samples.size or second.samples.size or (info.width, info.height)
    return joined_frames(samples.hashes + second.samples.hashes), size


class _SecondHalf(threading.Thread):
    """Finds the key frame to split at, decides, then samples the video from there on."""

    def __init__(
        self,
        f: BinaryIO,
        container_name: str,
        origin: float,
        duration: float,
        decision: SplitDecision,
    ) -> None:
        super().__init__(name="second-half", daemon=True)
        self._f, self._container_name = f, container_name
        self._origin, self._duration = origin, duration
        self._decision = decision
        self._start: float | None = None
        self.samples = Samples()
        self.stats = DecodeStats()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def done(self) -> float:
        """Seconds of video this half has got through."""
        if self._start is None:
            return 0.0
        return max(0.0, self.samples.last_t - (self._start - self._origin))

    def run(self) -> None:
        try:
            with open_video(_PositionedReader(self._f), self._container_name) as container:
                stream = pick_stream(container)  # the same stream as the first half's
                self._start = _split_point(container, stream, self._origin, self._duration)
                self._decision.decide(self._start)
                if self._start is None:
                    return
                clock = FrameClock.of(stream)
                clock.origin = self._origin
                window = DecodeWindow(clock, start=self._start)
                planner = SamplePlanner()
                decoded = decode_frames(
                    container, stream, planner.needs_every_frame, self.stats, window=window
                )
                feed_samples(decoded, planner, self.samples, stop=self.stop)
        except BaseException as exc:
            if self._start is not None:  # handed to the first half's thread
                self.error = exc
            # before a split was decided, the first half simply goes on alone
        finally:
            self._decision.decide(None)  # no-op when decided already

    def finish(self, report: Callable[[], None]) -> None:
        """Wait for the half to end, reporting progress now and then."""
        while self.is_alive():
            self.join(timeout=0.25)
            report()


def _split_point(
    container: InputContainer, stream: VideoStream, origin: float, duration: float
) -> float | None:
    """The stream time of the key frame nearest the middle, if within `SPLIT_RANGE`."""
    if stream.time_base is None:
        return None
    middle = origin + duration / 2
    low, high = (origin + share * duration for share in SPLIT_RANGE)
    try:
        candidates = [_key_frame_near(container, stream, middle, back) for back in (True, False)]
    except av.error.FFmpegError:  # a stream that cannot seek is decoded in one piece
        return None
    inside = [k for k in candidates if k is not None and low <= k <= high]
    return min(inside, key=lambda k: abs(k - middle)) if inside else None


class _PositionedReader(io.RawIOBase):
    """A second reader of an open file with a position of its own (`os.pread`), so two
    decoders can read one file at once; the file is never opened again by name."""

    def __init__(self, f: BinaryIO) -> None:
        super().__init__()
        self._fd = f.fileno()
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = os.pread(self._fd, len(buffer), self._position)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            self._position = offset
        elif whence == io.SEEK_CUR:
            self._position += offset
        else:
            self._position = os.fstat(self._fd).st_size + offset
        return self._position

    def tell(self) -> int:
        return self._position


def _key_frame_near(
    container: InputContainer, stream: VideoStream, t: float, backward: bool
) -> float | None:
    time_base = stream.time_base
    assert time_base is not None
    container.seek(round(t / time_base), stream=stream, backward=backward)
    for packet in container.demux(stream):
        if packet.pts is None:
            continue
        return float(packet.pts * time_base) if packet.is_keyframe else None
    return None


def joined_frames(hashes: list[tuple[float, PdqHash]]) -> list[FrameHash]:
    collector = FrameCollector()
    for t, pdq in hashes:
        collector.add(t, pdq)
    return collector.frames


def _reporter(
    progress: ProgressCallback | None, duration: float | None, elsewhere: Callable[[], float]
) -> Callable[[float], None]:
    def report(t: float) -> None:
        if progress is not None and duration:
            progress(min(1.0, (t + elsewhere()) / duration))

    return report
