"""How FFmpeg's decoder threads share the work of one video: by frame or by slice.

FFmpeg's default for H.264 is frame threading: each thread decodes another frame, waiting for
the rows of the frames it refers to. When every picture is coded as several slices (cameras
and encoders that encode in parallel do this), slice threading lets the threads decode the
slices of one picture side by side instead, which is much faster for the frames we decode
(about 1.5x on a 2-slice 1080p clip on 2 cores, the non-reference frames skipped), and hands
the frames over at once. So the first picture of an H.264 stream is looked at (its NAL unit
headers only) and slice threading is chosen when it has two slices or more.
"""

from __future__ import annotations

from typing import Final

FRAME_OR_SLICE: Final[str] = "AUTO"
"""FFmpeg's own choice (frame threading where the codec has it)."""
SLICE: Final[str] = "SLICE"

_H264_SLICE_TYPES: Final[frozenset[int]] = frozenset({1, 5})  # non-IDR and IDR coded slices
_MAX_NAL_UNITS: Final[int] = 1024


def thread_type_for(codec: str, extradata: bytes | None, first_picture: bytes) -> str:
    """The decoder's `thread_type` for a stream of `codec` whose first packet is `first_picture`."""
    if codec != "h264" or not first_picture:
        return FRAME_OR_SLICE
    return SLICE if h264_slices(extradata, first_picture) >= 2 else FRAME_OR_SLICE


def h264_slices(extradata: bytes | None, picture: bytes) -> int:
    """Coded slices in one H.264 access unit, in MP4/MKV form (length-prefixed NAL units, the
    length size read from `extradata`'s avcC record) or Annex B form (start codes)."""
    if picture[:3] == b"\x00\x00\x01" or picture[:4] == b"\x00\x00\x00\x01":
        types = _annex_b_nal_types(picture)
    else:
        length_size = 4
        if extradata and len(extradata) >= 5 and extradata[0] == 1:
            length_size = (extradata[4] & 3) + 1
        types = _length_prefixed_nal_types(picture, length_size)
    return sum(1 for nal_type in types if nal_type in _H264_SLICE_TYPES)


def _length_prefixed_nal_types(data: bytes, length_size: int) -> list[int]:
    types: list[int] = []
    pos = 0
    while pos + length_size < len(data) and len(types) < _MAX_NAL_UNITS:
        length = int.from_bytes(data[pos : pos + length_size], "big")
        pos += length_size
        if length <= 0 or pos + length > len(data):
            break
        types.append(data[pos] & 0x1F)
        pos += length
    return types


def _annex_b_nal_types(data: bytes) -> list[int]:
    types: list[int] = []
    pos = data.find(b"\x00\x00\x01")
    while pos != -1 and pos + 3 < len(data) and len(types) < _MAX_NAL_UNITS:
        types.append(data[pos + 3] & 0x1F)
        pos = data.find(b"\x00\x00\x01", pos + 3)
    return types
