"""EXIF orientation: reading the tag and turning the stored pixels into the displayed picture."""

from __future__ import annotations

from typing import Final

from PIL import Image

ORIENTATION_TAG: Final[int] = 0x0112

#: EXIF orientation -> the Pillow transpose that shows the picture as displayed
_TRANSPOSE: Final[dict[int, Image.Transpose]] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def exif_orientation(img: Image.Image) -> int:
    """The EXIF orientation 1..8 of `img`; 1 when absent, invalid or unreadable."""
    try:
        value = img.getexif().get(ORIENTATION_TAG, 1)
    except Exception:  # damaged EXIF never stops the fingerprint: treat as upright
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def swaps_sides(orientation: int) -> bool:
    """True when showing this orientation exchanges width and height."""
    return orientation in (5, 6, 7, 8)


def to_displayed(img: Image.Image, orientation: int) -> Image.Image:
    """`img` as displayed under EXIF `orientation` (the same object when nothing changes)."""
    method = _TRANSPOSE.get(orientation)
    return img if method is None else img.transpose(method)
