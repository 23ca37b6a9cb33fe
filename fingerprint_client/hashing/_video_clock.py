"""Frame times, and the part of a stream each decoder covers when a video is split in two."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from av.video.frame import VideoFrame
from av.video.stream import VideoStream


@dataclass
class FrameClock:
    """Frame times in seconds from the first frame, always moving forward."""

    rate: float
    origin: float | None = None
    last: float | None = None

    @classmethod
    def of(cls, stream: VideoStream) -> FrameClock:
        """A clock for `stream` (its frame rate stands in for missing time stamps)."""
        return cls(float(stream.guessed_rate or stream.average_rate or 30))

    def time_of(self, frame: VideoFrame) -> float:
        """The time of `frame`, which must come after the frames asked before."""
        if frame.pts is not None:
            raw = frame.time
        else:  # no stamp (some AVI files): one frame period after the previous frame
            raw = (self.origin or 0.0) + (self.last or 0.0) + 1.0 / self.rate
        if self.origin is None:
            self.origin = raw
        t = raw - self.origin
        if self.last is not None and t <= self.last:  # repeated or out-of-order stamps
            t = self.last + 1e-3
        self.last = t
        return t


class SplitDecision:
    """Where the second half of a split video begins (stream seconds), once known; None when
    the video is decoded in one piece after all. Set once, by the second half's thread."""

    def __init__(self) -> None:
        self._made = threading.Event()
        self._point: float | None = None

    def decide(self, point: float | None) -> None:
        """Record the decision (only the first one counts)."""
        if not self._made.is_set():
            self._point = point
            self._made.set()

    def wait(self) -> float | None:
        """The decision, waiting for it if need be."""
        self._made.wait()
        return self._point


@dataclass
class DecodeWindow:
    """The frames one of two decoders gives, timed by `clock` (whose origin is the video's
    first frame), with one decoding thread unless the stream is decoded slice by slice.

    The second half starts at the key frame at `start` (stream seconds); frames shown before
    it are the first half's. The first half ends where `split` decides; it waits for that
    decision before passing `earliest_split`, so where it ends never depends on timing.
    """

    clock: FrameClock
    start: float | None = None
    split: SplitDecision | None = None
    earliest_split: float = math.inf

    def before_start(self, frame: VideoFrame) -> bool:
        """A frame shown before the key frame the window starts at (the first half's)."""
        return self.start is not None and frame.pts is not None and frame.time < self.start - 1e-6

    def at_stop(self, frame: VideoFrame) -> bool:
        """A frame that belongs to the second half."""
        if self.split is None or frame.pts is None or frame.time < self.earliest_split - 1e-6:
            return False
        point = self.split.wait()
        return point is not None and frame.time >= point - 1e-6
