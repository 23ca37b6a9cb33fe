"""Recognising supported images from their first bytes (never from the file name).

Only the Pillow formats named here may ever decode a file: the list is passed to
`Image.open(..., formats=...)`, so no other plugin (above all EPS/PS, which runs Ghostscript)
can be reached whatever the content.
"""

from __future__ import annotations

import struct
from typing import Final

SNIFF_BYTES: Final[int] = 256
"""How many leading bytes the sniffers look at."""

_HEIF_BRANDS: Final[frozenset[bytes]] = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"mif2", b"msf1"}
)
_AVIF_BRANDS: Final[frozenset[bytes]] = frozenset({b"avif", b"avis"})


def sniff_image(head: bytes) -> tuple[str, ...] | None:
    """The Pillow format names allowed to decode a file starting with `head`, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return ("JPEG",)  # Pillow's JPEG opener returns MPO files as format "MPO" itself
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ("PNG",)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return ("GIF",)
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ("WEBP",)
    if head.startswith(b"BM") and _bmp_header_ok(head):
        return ("BMP",)
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return ("TIFF",)
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _sniff_heif(head)
    return None


def _bmp_header_ok(head: bytes) -> bool:
    """ "BM" alone is a weak signature: also require a known DIB header size."""
    if len(head) < 18:
        return False
    return struct.unpack("<I", head[14:18])[0] in (12, 16, 40, 52, 56, 64, 108, 124)


def _sniff_heif(head: bytes) -> tuple[str, ...] | None:
    size = struct.unpack(">I", head[:4])[0]
    end = min(len(head), max(size, 16))
    brands = {head[8:12], *(head[i : i + 4] for i in range(16, end - 3, 4))}
    if head[8:12] in _AVIF_BRANDS or (head[8:12] not in _HEIF_BRANDS and brands & _AVIF_BRANDS):
        return ("AVIF", "HEIF")
    if head[8:12] in _HEIF_BRANDS:
        return ("HEIF", "AVIF") if brands & _AVIF_BRANDS else ("HEIF",)
    return None


def sniff_video_container(head: bytes) -> str | None:
    """The video container name for `head` per the video code's sniffer, or None.

    Its light sniffing module is preferred: `video` itself imports PyAV (FFmpeg), which the
    batch's main process and the folder walk should not pay for.
    """
    try:
        from fingerprint_client.hashing._video_sniff import sniff_video
    except ImportError:
        try:
            from fingerprint_client.hashing.video import sniff_video
        except ImportError:
            return None
    try:
        result = sniff_video(head)
    except Exception:
        return None
    return result if isinstance(result, str) else None


def is_supported_head(head: bytes) -> bool:
    """True when `head` starts a supported image or video file."""
    return sniff_image(head) is not None or sniff_video_container(head) is not None
