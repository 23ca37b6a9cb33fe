"""Decoding a video with PyAV (FFmpeg): the stream, its limits, and the frames as displayed.

Frames other frames refer to are always decoded (the rest only near a due sample), without
the deblocking filter on all but key frames (`FAST_DECODING`); only a 32x32 grey thumbnail is
made of each (`_video_thumb`). Sampled frames are reduced by FFmpeg's swscale straight to grey
at 512 px on the short side (as DESIGN.md allows for JPEG), turned and mirrored as the
display matrix says (see `_video_orientation`). 10-bit and HDR pictures come out as 8-bit
(swscale converts; no tone mapping).
"""

from __future__ import annotations

import functools
import io
import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import BinaryIO, Final

import av
import av.error
import numpy as np
import numpy.typing as npt
from av.container import InputContainer
from av.packet import Packet
from av.video.frame import VideoFrame
from av.video.reformatter import VideoReformatter
from av.video.stream import VideoStream

from fingerprint_client.hashing._video_clock import DecodeWindow, FrameClock
from fingerprint_client.hashing._video_orientation import (
    SWAPS_SIDES,
    Orientation,
    apply_orientation,
    orientation_of,
)
from fingerprint_client.hashing._video_sniff import DEMUXERS
from fingerprint_client.hashing._video_threads import SLICE, thread_type_for
from fingerprint_client.hashing._video_thumb import Thumb, luma_thumb

MAX_DURATION: Final[float] = 4 * 3600.0
"""Longest video fingerprinted (seconds)."""

MAX_PIXELS: Final[int] = 8192 * 4320
"""Largest picture (8K DCI) decoded."""

MAX_DECODED_FRAMES: Final[int] = 2_000_000
"""Most frames decoded from one file (4 h at 120 frames a second is 1.7 million)."""

MAX_DAMAGED_PACKETS: Final[int] = 50
"""Damaged pieces of a stream passed over before the file counts as corrupt."""

PDQ_SHORT_SIDE: Final[int] = 512
"""Sampled frames are reduced to this short side before PDQ (never smaller)."""

LARGE_PICTURE: Final[int] = 4096 * 2304
"""Above this many pixels (a little over 4K UHD) the decoder runs one thread (memory)."""

MAX_THREADS: Final[int] = 4
"""Decoder threads: more would cost memory (a 4K frame is 12 MB) for little speed."""

FAST_DECODING: Final[dict[str, str]] = {"skip_loop_filter": "nokey"}
"""Decoder options trading exactness PDQ barely sees for speed: the deblocking filter is
skipped on all but key frames (about 12 % less decoding; a sampled frame's PDQ moves by at
most a few bits, `test_fast_decoding_moves_hashes_by_a_few_bits`)."""

#: decoders we trust with a person's files (FFmpeg has many more, rarely used and less tested)
ALLOWED_CODECS: Final[frozenset[str]] = frozenset(
    {
        "h264", "hevc", "vp8", "vp9", "av1", "libdav1d", "mpeg4", "mpeg2video", "mpeg1video",
        "h263", "mjpeg", "prores", "msmpeg4v3", "msmpeg4v2", "theora", "dnxhd", "ffv1",
        "png", "rawvideo", "libvpx", "libvpx-vp9",
    }
)  # fmt: skip

TRUNCATED_MESSAGE: Final[str] = (
    "This video file is incomplete (it ends too early), so it cannot be fingerprinted "
    "reliably. If you still have the original, try that one."
)

TOO_LARGE_PICTURE: Final[str] = (
    "This video's picture is larger than 8K (or its size is invalid), too large to "
    "fingerprint safely on this device."
)

RGB = npt.NDArray[np.uint8]


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
    _sar: Fraction | None
    _reformatter: VideoReformatter

    @functools.cached_property
    def _geometry(self) -> tuple[int, int, Orientation]:
        # only for the frames asked (reading the side data costs about 1 ms a frame)
        return display_size(self._frame, self._sar)

    @property
    def display_size(self) -> tuple[int, int]:
        """(width, height) as shown: pixel aspect ratio and rotation applied."""
        w, h, _orientation = self._geometry
        return w, h

    @property
    def _orientation(self) -> Orientation:
        return self._geometry[2]

    def full_rgb(self) -> RGB:
        """The frame as displayed at full size, 8-bit RGB (for checks; costly)."""
        array = np.asarray(self._frame.to_ndarray(format="rgb24"), dtype=np.uint8)
        return apply_orientation(array, self._orientation)

    def rgb(self) -> RGB:
        """The frame as displayed, 8-bit RGB, 512 px on the short side (or less if smaller)."""
        return self._reduced("rgb24")

    def luma(self) -> RGB:
        """The frame's luma as displayed, 8-bit full range, 512 px on the short side (or less
        if smaller): what PDQ hashes, made by swscale straight from the Y plane (no RGB)."""
        return self._reduced("gray")

    def _reduced(self, pixel_format: str) -> RGB:
        w, h = self.display_size
        scale = min(1.0, PDQ_SHORT_SIDE / min(w, h))
        tw, th = max(1, round(w * scale)), max(1, round(h * scale))
        out = self._reformatter.reformat(
            self._frame, width=tw, height=th, format=pixel_format, interpolation="AREA"
        )
        array = np.asarray(out.to_ndarray(), dtype=np.uint8)
        return apply_orientation(array, self._orientation)


def decoder_threads(pixels: int) -> int:
    """Decoder threads for pictures of `pixels`: every frame thread holds pictures of its own,
    so above 4K one thread keeps an 8K video under the 500 MB a worker may use."""
    if pixels > LARGE_PICTURE:
        return 1
    return min(MAX_THREADS, os.cpu_count() or 1)


@contextmanager
def open_video(f: BinaryIO | io.RawIOBase, container_name: str) -> Iterator[InputContainer]:
    """The open file `f` read with the demuxer of `container_name` only (never FFmpeg's probing).

    FFmpeg reads through the Python file object, never by name, so that a name such as
    `concat:...` can never be taken for an FFmpeg protocol.
    """
    f.seek(0)
    try:
        container = av.open(
            f,
            "r",
            format=DEMUXERS[container_name],
            buffer_size=1 << 20,
            metadata_errors="replace",  # tags in broken encodings are not our business
        )
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


def display_size(frame: VideoFrame, sar: Fraction | None) -> tuple[int, int, Orientation]:
    """(width, height, orientation) of `frame` as shown: pixel aspect and display matrix
    applied."""
    w, h = frame.width, frame.height
    if sar is not None and sar > 0 and sar != 1:
        w = max(1, round(w * sar))
    orientation = orientation_of(frame)
    return (h, w, orientation) if orientation in SWAPS_SIDES else (w, h, orientation)


NeedsEveryFrame = Callable[[float], bool]
"""Asked with a time (seconds from the first frame): must every frame around it be decoded?"""


@dataclass
class DecodeStats:
    """What went wrong along the way without ending the decoding."""

    damaged_packets: int = 0


def decode_frames(
    container: InputContainer,
    stream: VideoStream,
    needs_every_frame: NeedsEveryFrame | None = None,
    stats: DecodeStats | None = None,
    *,
    exact: bool = False,
    window: DecodeWindow | None = None,
) -> Iterator[DecodedFrame]:
    """The decoded frames in display order with their times (seconds from the first frame).

    A damaged piece of the stream is passed over (counted in `stats`) as a video player does;
    more than `MAX_DAMAGED_PACKETS` of them end the file as `corrupt`.

    With `needs_every_frame`, frames that no other frame refers to (most B-frames) are not
    decoded while it answers False for the coming packets: they can never be sampled then, and
    skipping them saves a good part of the decoding. Frames that others refer to are always
    decoded and always looked at for scene cuts.

    Unless `exact`, the deblocking filter is skipped on all but key frames (`FAST_DECODING`).
    With a `window`, only that part of the stream is decoded (see `DecodeWindow`).
    """
    stats = stats if stats is not None else DecodeStats()
    context = stream.codec_context
    # the decoder itself refuses larger pictures, also when the header said nothing
    fast = {} if exact else FAST_DECODING
    context.options = {**context.options, **fast, "max_pixels": str(MAX_PIXELS)}
    sar = stream.sample_aspect_ratio
    time_base = stream.time_base
    clock = window.clock if window else FrameClock.of(stream)
    thumbs, pictures = VideoReformatter(), VideoReformatter()
    skipping = False
    count = 0
    try:
        if window and window.start is not None and time_base is not None:
            container.seek(round(window.start / time_base), stream=stream, backward=True)
        packets = container.demux(stream)
        first = next(packets, None)
        # chosen before the first decode, which opens the decoder
        kind = thread_type_for(context.name, context.extradata, _bytes_of(first))
        context.thread_type = kind
        one_thread = window is not None and kind != SLICE  # the halves share the cores
        context.thread_count = 1 if one_thread else decoder_threads(context.width * context.height)
        for packet in itertools.chain([first] if first is not None else [], packets):
            skip = (
                needs_every_frame is not None
                and clock.origin is not None
                and packet.pts is not None
                and time_base is not None
                and not needs_every_frame(float(packet.pts * time_base) - clock.origin)
            )
            if skip != skipping:
                context.skip_frame = "NONREF" if skip else "DEFAULT"
                skipping = skip
            for frame in _decode_packet(stream, packet, stats):
                if window and window.before_start(frame):
                    continue
                if window and window.at_stop(frame):
                    return
                count += 1
                if count > MAX_DECODED_FRAMES:
                    raise VideoProblem(
                        "too-large", "This video has too many frames to fingerprint safely."
                    )
                t = clock.time_of(frame)
                if t > MAX_DURATION:
                    raise VideoProblem(
                        "too-large", "This video is longer than 4 hours, too long to fingerprint."
                    )
                thumb = luma_thumb(frame, thumbs)
                yield DecodedFrame(t, thumb, frame, sar, pictures)
    except av.error.ArgumentError:  # avcodec_open2 refused: over max_pixels, or nonsense sizes
        raise VideoProblem("too-large", TOO_LARGE_PICTURE) from None
    except av.error.FFmpegError as exc:
        raise _problem_from(exc) from None
    if count == 0:
        raise VideoProblem(
            "corrupt", "No picture could be decoded from this video file; it may be damaged."
        )


def _bytes_of(packet: Packet[VideoStream] | None) -> bytes:
    return bytes(packet) if packet is not None and packet.size else b""


def _decode_packet(
    stream: VideoStream, packet: Packet[VideoStream], stats: DecodeStats
) -> list[VideoFrame]:
    try:
        return stream.decode(packet)
    except av.error.InvalidDataError:
        stats.damaged_packets += 1
        if stats.damaged_packets > MAX_DAMAGED_PACKETS:
            raise
        return []


def _problem_from(exc: av.error.FFmpegError) -> VideoProblem:
    """Our error for an FFmpeg failure (FFmpeg's own text can hold the path: never used)."""
    if isinstance(exc, av.error.DecoderNotFoundError | av.error.PatchWelcomeError):
        return VideoProblem(
            "unsupported-codec",
            "This video is stored in a format (codec) that cannot be decoded here.",
        )
    if isinstance(exc, av.error.EOFError):
        return VideoProblem("truncated", TRUNCATED_MESSAGE)
    if isinstance(exc, av.error.MemoryError):
        return VideoProblem(
            "too-large", "This video needs more memory to decode than is safe on this device."
        )
    return VideoProblem("corrupt", "This video file is damaged and could not be decoded.")
