"""Which frames of a moving picture get a PDQ hash, so that copies yield the same moments.

A frame is sampled at every scene cut and then once a second after it: the time grid restarts
at each cut. A re-encoded copy (other size, bitrate or frame rate) finds the same cuts, so its
samples fall on the same moments; a trimmed copy drifts only until its first cut, and from
there on its samples line up with the original's exactly.

Cuts are found with a cheap metric on a 32x32 grey thumbnail of every decoded frame: the mean
absolute frame difference (MAFD, in percent of full scale), counted as a cut when both it and
its change from the previous difference exceed a threshold (the rule of FFmpeg's `scdet`), so
that steady fast motion is not mistaken for cuts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final, TypedDict

import numpy as np
import numpy.typing as npt

from fingerprint_client.hashing.pdq import PdqHash, hamming

THUMB_SIDE: Final[int] = 32
"""Side of the grey thumbnail used for cut detection (the picture squeezed to a square)."""

SAMPLE_INTERVAL: Final[float] = 1.0
"""Seconds between samples within one scene."""

CUT_THRESHOLD: Final[float] = 8.0
"""Minimum MAFD (percent) and jump in MAFD for a cut."""

MIN_SCENE: Final[float] = 0.5
"""A cut closer than this (seconds) to the previous one is ignored (strobes, flashes)."""

NEAR_IDENTICAL_BITS: Final[int] = 10
"""A sampled frame within this many bits of the last kept one is dropped."""

SKIP_MARGIN: Final[float] = 0.05
"""Every frame is decoded from this long (seconds, by packet time) before a sample is due.

A packet's time is its frame's display time, so only the time slack needs covering."""

TIME_SLACK: Final[float] = 0.002
"""Timestamps of copies differ by rounding to their time bases; this much early still counts."""


class FrameHash(TypedDict):
    """One entry of `pdq_frames`: the moment (seconds), its PDQ and PDQ quality."""

    t: float
    pdq: str
    quality: int


@dataclass
class SamplePlanner:
    """Fed every decoded frame in order, says which ones to hash."""

    interval: float = SAMPLE_INTERVAL
    threshold: float = CUT_THRESHOLD
    min_scene: float = MIN_SCENE
    _anchor: float | None = None
    _due: float = 0.0
    _previous: npt.NDArray[np.float32] | None = None
    _previous_mafd: float | None = None

    def offer(self, t: float, thumb: npt.NDArray[np.float32] | None) -> bool:
        """Whether the frame at `t` seconds (from the first frame) is sampled.

        `thumb` is the frame's grey thumbnail (values 0..255); None skips cut detection.
        """
        cut = self._is_cut(thumb)
        if self._anchor is None or (cut and t - self._anchor >= self.min_scene):
            self._anchor = t
            self._due = t
        if t + TIME_SLACK < self._due:
            return False
        steps = math.floor((t - self._anchor + TIME_SLACK) / self.interval) + 1
        self._due = self._anchor + steps * self.interval
        return True

    def needs_every_frame(self, t: float) -> bool:
        """Whether frames around `t` may be sampled (so none of them may be skipped)."""
        return self._anchor is None or t + SKIP_MARGIN >= self._due

    def _is_cut(self, thumb: npt.NDArray[np.float32] | None) -> bool:
        if thumb is None:
            return False
        previous, self._previous = self._previous, thumb
        if previous is None or previous.shape != thumb.shape:
            return False
        mafd = float(np.mean(np.abs(thumb - previous))) * (100.0 / 255.0)
        previous_mafd, self._previous_mafd = self._previous_mafd, mafd
        if previous_mafd is None:  # the jump needs two differences
            return False
        return min(mafd, abs(mafd - previous_mafd)) > self.threshold


@dataclass
class FrameCollector:
    """Keeps sampled frame hashes, dropping one within `NEAR_IDENTICAL_BITS` of the last kept."""

    frames: list[FrameHash] = field(default_factory=list)
    dropped: int = 0

    def add(self, t: float, pdq: PdqHash) -> None:
        """Record the hash of the frame at `t` seconds unless it repeats the previous one."""
        if self.frames and hamming(self.frames[-1]["pdq"], pdq.hex) <= NEAR_IDENTICAL_BITS:
            self.dropped += 1
            return
        self.frames.append({"t": round(t, 3), "pdq": pdq.hex, "quality": int(pdq.quality)})
