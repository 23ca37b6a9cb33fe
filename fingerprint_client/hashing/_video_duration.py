"""A video's length read from its container header in plain Python (no FFmpeg).

Safe to run in the batch engine's main process - it only reads a few bounded pieces of the
file - so the engine can give a long video a time limit that fits it before a worker starts.
"""

from __future__ import annotations

import struct
from typing import BinaryIO, Final

from fingerprint_client.hashing._video_sniff import DEMUXERS

_MAX_BOXES: Final[int] = 10_000
_MKV_WINDOW: Final[int] = 1 << 16

_SEGMENT: Final[int] = 0x18538067
_INFO: Final[int] = 0x1549A966
_CLUSTER: Final[int] = 0x1F43B675
_TIMESTAMP_SCALE: Final[int] = 0x2AD7B1
_DURATION: Final[int] = 0x4489


def header_duration(f: BinaryIO, size: int, container: str) -> float | None:
    """Seconds the container header declares, or None when it declares none (or is odd)."""
    try:
        f.seek(0)
        if DEMUXERS.get(container) == "mov":
            return _mov_duration(f, size)
        if DEMUXERS.get(container) == "matroska":
            return _mkv_duration(f.read(_MKV_WINDOW))
        if container == "AVI":
            return _avi_duration(f.read(64))
    except (OSError, struct.error, ValueError, OverflowError):
        return None
    return None


def _boxes(f: BinaryIO, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload offset, payload end) of the boxes between `start` and `end`."""
    out: list[tuple[bytes, int, int]] = []
    offset = start
    while offset + 8 <= end and len(out) < _MAX_BOXES:
        f.seek(offset)
        header = f.read(16)
        box_size, box_type = struct.unpack(">I4s", header[:8])
        payload = offset + 8
        if box_size == 1 and len(header) == 16:
            box_size, payload = struct.unpack(">Q", header[8:16])[0], offset + 16
        elif box_size == 0:
            box_size = end - offset
        if box_size < 8:
            break
        out.append((box_type, payload, min(end, offset + box_size)))
        offset += box_size
    return out


def _mov_duration(f: BinaryIO, size: int) -> float | None:
    for box_type, start, end in _boxes(f, 0, size):
        if box_type != b"moov":
            continue
        for child, payload, _end in _boxes(f, start, end):
            if child != b"mvhd":
                continue
            f.seek(payload)
            data = f.read(32)
            if data[0] == 1:
                timescale, duration = struct.unpack(">IQ", data[20:32])
            else:
                timescale, duration = struct.unpack(">II", data[12:20])
            return duration / timescale if timescale else None
    return None


def _element_id(data: bytes, pos: int) -> tuple[int, int] | None:
    """An EBML element id (marker bits kept) at `pos`: (id, length) or None."""
    if pos >= len(data) or data[pos] == 0:
        return None
    length = 1
    while length <= 4 and not data[pos] & (0x80 >> (length - 1)):
        length += 1
    if length > 4 or pos + length > len(data):
        return None
    return int.from_bytes(data[pos : pos + length], "big"), length


def _element_size(data: bytes, pos: int) -> tuple[int, int] | None:
    """An EBML size at `pos`: (size, length) or None (unknown sizes count as the rest)."""
    if pos >= len(data) or data[pos] == 0:
        return None
    length = 1
    while not data[pos] & (0x80 >> (length - 1)):
        length += 1
    if pos + length > len(data):
        return None
    value = int.from_bytes(data[pos : pos + length], "big") & ((1 << (7 * length)) - 1)
    if value == (1 << (7 * length)) - 1:
        value = len(data)
    return value, length


def _elements(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """(id, payload start, payload end) of the EBML elements between `start` and `end`."""
    out: list[tuple[int, int, int]] = []
    pos = start
    while pos < end and len(out) < _MAX_BOXES:
        found_id = _element_id(data, pos)
        if found_id is None:
            break
        found_size = _element_size(data, pos + found_id[1])
        if found_size is None:
            break
        payload = pos + found_id[1] + found_size[1]
        out.append((found_id[0], payload, min(end, payload + found_size[0])))
        pos = payload + found_size[0]
    return out


def _mkv_duration(data: bytes) -> float | None:
    top = _elements(data, 0, len(data))
    segment = next(((s, e) for i, s, e in top if i == _SEGMENT), None)
    if segment is None:
        return None
    for element, start, end in _elements(data, *segment):
        if element == _CLUSTER:
            break
        if element != _INFO:
            continue
        scale, duration = 1_000_000, None
        for child, payload, child_end in _elements(data, start, end):
            raw = data[payload:child_end]
            if child == _TIMESTAMP_SCALE and raw:
                scale = int.from_bytes(raw, "big")
            elif child == _DURATION and len(raw) in (4, 8):
                duration = struct.unpack(">f" if len(raw) == 4 else ">d", raw)[0]
        return duration * scale / 1e9 if duration is not None else None
    return None


def _avi_duration(head: bytes) -> float | None:
    if len(head) < 56 or head[12:16] != b"LIST" or head[20:24] != b"hdrl" or head[24:28] != b"avih":
        return None
    micro_per_frame, total_frames = struct.unpack("<I12xI", head[32:52])
    return micro_per_frame * total_frames / 1e6 if micro_per_frame and total_frames else None
