"""Recognising video containers from their content, and noticing files that end too early.

Only the containers named here are ever handed to FFmpeg, always with the demuxer chosen
explicitly: FFmpeg's own probing could pick demuxers that follow references to other files or
URLs (playlists, concat lists), which a fingerprinting tool must never do.
"""

from __future__ import annotations

import struct
from typing import BinaryIO, Final

#: container name (reported as the file's `format`) -> FFmpeg demuxer name
DEMUXERS: Final[dict[str, str]] = {
    "MP4": "mov",
    "MOV": "mov",
    "3GP": "mov",
    "WebM": "matroska",
    "Matroska": "matroska",
    "AVI": "avi",
}

#: ISO base media brands that mark a movie (not a still image such as HEIC or AVIF)
_MP4_BRANDS: Final[frozenset[bytes]] = frozenset(
    {
        b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso8", b"iso9",
        b"mp41", b"mp42", b"mp71", b"avc1", b"hvc1", b"hev1", b"av01", b"vp09",
        b"M4V ", b"M4VH", b"M4VP", b"M4A ", b"M4B ", b"f4v ", b"dash", b"mmp4",
        b"MSNV", b"NDAS", b"XAVC", b"mp4x", b"cmfc", b"cmf2", b"FACE",
    }
)  # fmt: skip
_MOV_BRANDS: Final[frozenset[bytes]] = frozenset({b"qt  "})
_3GP_PREFIXES: Final[tuple[bytes, ...]] = (b"3gp", b"3g2", b"3ge", b"3gg", b"3gs")
#: brands of still images in the same box format: these stay images
_IMAGE_BRANDS: Final[frozenset[bytes]] = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"mif1", b"mif2", b"msf1", b"avif", b"avis", b"avci"}
)
#: QuickTime files from before `ftyp` existed start with one of these atoms
_OLD_QUICKTIME_ATOMS: Final[frozenset[bytes]] = frozenset(
    {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
)
_EBML_MAGIC: Final[bytes] = b"\x1a\x45\xdf\xa3"
_SEGMENT_ID: Final[bytes] = b"\x18\x53\x80\x67"


def sniff_video(head: bytes) -> str | None:
    """The container name ("MP4", "MOV", "3GP", "WebM", "Matroska", "AVI") of a video file
    whose first bytes are `head` (at least 64 are best), or None when it is not one.

    Still images stored in the same box format (HEIC, AVIF) are not videos.
    """
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "AVI"
    if head.startswith(_EBML_MAGIC):
        window = head[:64]
        if b"webm" in window:
            return "WebM"
        if b"matroska" in window:
            return "Matroska"
        return None
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _sniff_ftyp(head)
    if len(head) >= 8 and head[4:8] in _OLD_QUICKTIME_ATOMS:
        size = struct.unpack(">I", head[:4])[0]
        if size in (0, 1) or size >= 8:
            return "MOV"
    return None


def _sniff_ftyp(head: bytes) -> str | None:
    size = struct.unpack(">I", head[:4])[0]
    end = min(len(head), size if size >= 16 else 16)
    major = head[8:12]
    compatible = [head[i : i + 4] for i in range(16, end - 3, 4)]
    if major in _IMAGE_BRANDS:
        return None
    for brand in [major, *compatible]:
        if brand in _MOV_BRANDS:
            return "MOV"
        if brand.startswith(_3GP_PREFIXES):
            return "3GP"
        if brand in _MP4_BRANDS:
            return "MP4"
    return None


def ends_too_early(f: BinaryIO, size: int, container: str) -> bool:
    """True when the file's own structure says it was cut short (a partial download or copy).

    `f` is the open file and `size` its length. MP4/MOV: a top-level box runs past the end of
    the file, or the movie header (`moov`) is missing. Matroska/WebM: the segment has a known
    size that runs past the end. AVI: the RIFF size runs past the end.
    """
    f.seek(0)
    if DEMUXERS.get(container) == "mov":
        return _mov_ends_too_early(f, size)
    if DEMUXERS.get(container) == "matroska":
        return _mkv_ends_too_early(f, size)
    if container == "AVI":
        head = f.read(8)
        return len(head) < 8 or struct.unpack("<I", head[4:8])[0] + 8 > size
    return False


def _mov_ends_too_early(f: BinaryIO, size: int) -> bool:
    offset = 0
    seen_moov = False
    for _ in range(100_000):  # a real file has a handful of top-level boxes
        if offset >= size:
            break
        if size - offset < 8:  # a few stray bytes at the end: padding, not a cut
            break
        f.seek(offset)
        header = f.read(16)
        box_size, box_type = struct.unpack(">I4s", header[:8])
        if box_size == 1:
            if len(header) < 16:
                return True
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:  # runs to the end of the file
            box_size = size - offset
        if box_size < 8:
            return False  # not a size at all: damaged rather than short
        seen_moov = seen_moov or box_type == b"moov"
        if offset + box_size > size:
            return True
        offset += box_size
    return not seen_moov


def _read_vint(data: bytes, pos: int) -> tuple[int, int, bool] | None:
    """An EBML variable-length integer at `pos`: (value, length, all-ones) or None."""
    if pos >= len(data) or data[pos] == 0:
        return None
    first = data[pos]
    length = 1
    while not first & (0x80 >> (length - 1)):
        length += 1
    if pos + length > len(data):
        return None
    value = first & ((0x80 >> (length - 1)) - 1)
    for b in data[pos + 1 : pos + length]:
        value = (value << 8) | b
    return value, length, value == (1 << (7 * length)) - 1


def _mkv_ends_too_early(f: BinaryIO, size: int) -> bool:
    head = f.read(4096)
    header_size = _read_vint(head, 4)
    if header_size is None:
        return len(head) < 12
    segment_at = 4 + header_size[1] + header_size[0]
    if head[segment_at : segment_at + 4] != _SEGMENT_ID:
        return segment_at + 4 > size
    segment_size = _read_vint(head, segment_at + 4)
    if segment_size is None:
        return True
    value, length, unknown = segment_size
    if unknown:
        return False  # a live recording: its size was never written
    return segment_at + 4 + length + value > size
