"""Decoding a video with PyAV (FFmpeg): the stream, its limits, and the frames as displayed.

Every frame is decoded (FFmpeg's own threads), but only a 32x32 grey thumbnail is made of each;
full colour is produced only for the frames the sampler picks, scaled by FFmpeg's swscale to
512 px on the short side (as DESIGN.md allows for JPEG), with the stored rotation applied.
10-bit and HDR pictures come out as 8-bit RGB (swscale converts; no tone mapping).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import BinaryIO, Final

import av
import av.error
import numpy as np
import numpy.typing as npt
from av.container import InputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from fingerprint_client.hashing._video_sampling import THUMB_SIDE
from fingerprint_client.hashing._video_sniff import DEMUXERS

MAX_DURATION: Final[float] = 4 * 3600.0
"""Longest video fingerprinted (seconds)."""

MAX_PIXELS: Final[int] = 8192 * 4320
"""Largest picture (8K DCI) decoded."""

MAX_DECODED_FRAMES: Final[int] = 2_000_000
"""Most frames decoded from one file (4 h at 120 frames a second is 1.7 million)."""

PDQ_SHORT_SIDE: Final[int] = 512
"""Sampled frames are reduced to this short side before PDQ (never smaller)."""

MAX_THREADS: Final[int] = 4
"""Decoder threads: more would cost memory (a 4K frame is 12 MB) for little speed."""

#: decoders we trust with a person's files (FFmpeg has many more, rarely used and less tested)
ALLOWED_CODECS: Final[frozenset[str]] = frozenset(
    {
        "h264", "hevc", "vp8", "vp9", "av1", "libdav1d", "mpeg4", "mpeg2video", "mpeg1video",
        "h263", "mjpeg", "prores", "msmpeg4v3", "msmpeg4v2", "theora", "dnxhd", "ffv1",
        "png", "rawvideo", "libvpx", "libvpx-vp9",
    }
)  # fmt: skip

RGB = npt.NDArray[np.uint8]
Thumb = npt.NDArray[np.float32]


class VideoProblem(Exception):
    """Ends one video with a stable error `code` and a plain-words `message` (never a path)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StreamInfo:
    """What the container says about the picture stream, before decoding."""

    codec: str
    width: int
    height: int
    duration: float | None


@dataclass
class DecodedFrame:
    """One decoded frame: its time (seconds from the first frame) and grey thumbnail."""

    t: float
    thumb: Thumb
    _frame: VideoFrame
    _rotation: int
    _display_width: int
    _display_height: int

    @property
    def display_size(self) -> tuple[int, int]:
        """(width, height) as shown: pixel aspect ratio and rotation applied."""
        return self._display_width, self._display_height

    def full_rgb(self) -> RGB:
        """The frame as displayed at full size, 8-bit RGB (for checks; costly)."""
        array = np.asarray(self._frame.to_ndarray(format="rgb24"), dtype=np.uint8)
        turns = (self._rotation // 90) % 4
        return np.ascontiguousarray(np.rot90(array, k=turns)) if turns else array

    def rgb(self) -> RGB:
        """The frame as displayed, 8-bit RGB, 512 px on the short side (or less if smaller)."""
        w, h = self._display_width, self._display_height
        scale = min(1.0, PDQ_SHORT_SIDE / min(w, h))
        tw, th = max(1, round(w * scale)), max(1, round(h * scale))
        out = self._frame.reformat(width=tw, height=th, format="rgb24", interpolation="AREA")
        array = np.asarray(out.to_ndarray(), dtype=np.uint8)
        turns = (self._rotation // 90) % 4
        return np.ascontiguousarray(np.rot90(array, k=turns)) if turns else array


def quarter_turns(degrees: float) -> int:
    """A display rotation (counter-clockwise degrees) rounded to a multiple of 90."""
    return (round(degrees / 90.0) * 90) % 360


@contextmanager
def open_video(f: BinaryIO, container_name: str) -> Iterator[InputContainer]:
    """The open file `f` read with the demuxer of `container_name` only (never FFmpeg's probing).

    FFmpeg reads through the Python file object, never by name, so that a name such as
    `concat:...` can never be taken for an FFmpeg protocol.
    """
    f.seek(0)
    try:
        container = av.open(f, "r", format=DEMUXERS[container_name], buffer_size=1 << 20)
    except av.error.FFmpegError as exc:
        raise _problem_from(exc) from None
    try:
        yield container
    finally:
        container.close()


def pick_stream(container: InputContainer) -> VideoStream:
    """The main picture stream (cover art is not one), checked against the limits."""
    streams = [
        s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic
    ]
    if not streams and not container.streams:
        raise VideoProblem(
            "corrupt", "This video file is damaged: no picture or sound could be found in it."
        )
    if not streams:
        raise VideoProblem(
            "no-video-stream",
            "This file holds no moving picture (it may be sound only), "
            "so there is nothing to fingerprint.",
        )
    stream = streams[0]
    codec_context = stream.codec_context
    name = codec_context.name if codec_context is not None else None
    if name is None or name not in ALLOWED_CODECS:
        raise VideoProblem(
            "unsupported-codec",
            "This video is stored in a format (codec) that cannot be decoded here. "
            "A copy saved as an ordinary MP4 (for example from the phone's share menu) "
            "can be fingerprinted instead.",
        )
    return stream


def stream_info(container: InputContainer, stream: VideoStream) -> StreamInfo:
    """Codec, displayed size, duration and rotation, checked against the limits."""
    width, height = stream.codec_context.width, stream.codec_context.height
    if width * height > MAX_PIXELS:
        raise VideoProblem(
            "too-large",
            f"This video's picture is larger than 8K ({width}x{height}), "
            "too large to fingerprint safely on this device.",
        )
    duration = _duration(container, stream)
    if duration is not None and duration > MAX_DURATION:
        raise VideoProblem(
            "too-large",
            "This video is longer than 4 hours, too long to fingerprint in one piece. "
            "Shorter parts of it can be fingerprinted one by one.",
        )
    return StreamInfo(stream.codec_context.name, width, height, duration)


def _duration(container: InputContainer, stream: VideoStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    if container.duration is not None and container.duration > 0:
        return container.duration / 1_000_000
    return None


def display_size(frame: VideoFrame, sar: Fraction | None) -> tuple[int, int, int]:
    """(width, height, rotation) of `frame` as shown: pixel aspect and rotation applied."""
    w, h = frame.width, frame.height
    if sar is not None and sar > 0 and sar != 1:
        w = max(1, round(w * sar))
    rotation = quarter_turns(frame.rotation)
    return (h, w, rotation) if rotation in (90, 270) else (w, h, rotation)


def decode_frames(container: InputContainer, stream: VideoStream) -> Iterator[DecodedFrame]:
    """Every frame in display order with its time (seconds from the first frame)."""
    stream.thread_type = "AUTO"
    stream.codec_context.thread_count = min(MAX_THREADS, os.cpu_count() or 1)
    sar = stream.sample_aspect_ratio
    rate = stream.guessed_rate or stream.average_rate or Fraction(30)
    origin: float | None = None
    last_t = -1.0 / float(rate)
    count = 0
    try:
        for frame in container.decode(stream):
            count += 1
            if count > MAX_DECODED_FRAMES:
                raise VideoProblem(
                    "too-large", "This video has too many frames to fingerprint safely."
                )
            raw_t = frame.time if frame.pts is not None else None
            if raw_t is None:
                raw_t = (origin or 0.0) + last_t + 1.0 / float(rate)
            if origin is None:
                origin = raw_t
            t = raw_t - origin
            if t <= last_t:  # out-of-order or repeated stamps: keep time moving forward
                t = last_t + 1e-3
            if t > MAX_DURATION:
                raise VideoProblem(
                    "too-large", "This video is longer than 4 hours, too long to fingerprint."
                )
            last_t = t
            w, h, rotation = display_size(frame, sar)
            thumb_frame = frame.reformat(
                width=THUMB_SIDE, height=THUMB_SIDE, format="gray", interpolation="AREA"
            )
            thumb = thumb_frame.to_ndarray().astype(np.float32)
            yield DecodedFrame(t, thumb, frame, rotation, w, h)
    except av.error.FFmpegError as exc:
        raise _problem_from(exc) from None
    if count == 0:
        raise VideoProblem(
            "corrupt", "No picture could be decoded from this video file; it may be damaged."
        )


def _problem_from(exc: av.error.FFmpegError) -> VideoProblem:
    """Our error for an FFmpeg failure (FFmpeg's own text can hold the path: never used)."""
    if isinstance(exc, av.error.DecoderNotFoundError | av.error.PatchWelcomeError):
        return VideoProblem(
            "unsupported-codec",
            "This video is stored in a format (codec) that cannot be decoded here.",
        )
    if isinstance(exc, av.error.EOFError):
        return VideoProblem(
            "truncated",
            "This video file is incomplete (it ends too early), so it cannot be fingerprinted "
            "reliably. If you still have the original, try that one.",
        )
    if isinstance(exc, av.error.MemoryError):
        return VideoProblem(
            "too-large", "This video needs more memory to decode than is safe on this device."
        )
    return VideoProblem("corrupt", "This video file is damaged and could not be decoded.")
