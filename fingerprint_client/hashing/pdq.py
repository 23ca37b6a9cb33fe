"""Meta's PDQ perceptual hash (256 bits + quality), vectorised with numpy.

Written from Meta's published algorithm (facebook/ThreatExchange, ``pdq/cpp``):

1. luminance ``Y = 0.299 R + 0.587 G + 0.114 B`` as float32 (a grey image is used as is);
2. a tent filter (two X,Y passes of 1-D box filters, window ``ceil(side / 128)``) and decimation
   to 64x64 at cell centres - one linear operator per axis, applied here as banded reductions
   over row strips (see :mod:`.pdq_filters`);
3. the quality metric on the 64x64 plane;
4. the 16x16 block of DCT frequencies 1..16 on both axes;
5. bit ``k = 16 i + j`` is set when coefficient ``(i, j)`` is strictly greater than the median
   (Meta's Torben median of 256 values is the lower median, the 128th smallest);
6. hex: 16 words of 16 bits, word ``i`` holding row ``i`` with bit ``j`` at ``1 << j``, printed
   from word 15 down to word 0 - i.e. the 256 bits from ``k = 255`` down to ``k = 0``.

Alpha is dropped (the colour values are used as stored), as Meta's reference does
(``img.convert("RGB")`` in its Python hasher; a PNM without alpha in its C++ tools).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image

from fingerprint_client.hashing.pdq_filters import (
    DOWNSAMPLE_SIDE,
    FloatArray,
    dct16,
    downsample_operators,
    quality_metric,
)
from fingerprint_client.hashing.pdq_modes import (
    luma_from_rgb_strip,
    luma_strips_from_image,
    to_rgb_for_pdq,
)

__all__ = [
    "DIHEDRAL_NAMES",
    "PdqHash",
    "dihedral_coefficients",
    "hamming",
    "luma_from_rgb",
    "pdq_from_image",
    "pdq_from_luma",
    "pdq_from_rgb",
    "pdq_variants_from_image",
    "to_rgb_for_pdq",
]

#: The seven non-identity dihedral transforms, in Meta's order and naming.
#: ``flipx`` mirrors top-bottom, ``flipy`` mirrors left-right, ``flip_plus1`` transposes
#: (mirror on the main diagonal), ``flip_minus1`` mirrors on the anti-diagonal and
#: ``rotateN`` turns the picture N degrees counter-clockwise (Pillow's ``ROTATE_N``).
DIHEDRAL_NAMES: tuple[str, ...] = (
    "rotate90",
    "rotate180",
    "rotate270",
    "flipx",
    "flipy",
    "flip_plus1",
    "flip_minus1",
)

#: Meta's RGB-to-luminance weights (ITU-R BT.601).
LUMA_COEFFICIENTS: tuple[float, float, float] = (0.299, 0.587, 0.114)
#: Images narrower or shorter than this get the all-zero hash and quality 0, as in Meta's C++.
MIN_HASHABLE_DIM = 5
#: Rows are processed in strips of about this many pixels, so no full-size float copy is made.
STRIP_PIXELS = 1 << 18

#: 8-bit grey modes, hashed rows first (alpha, if any, dropped).
GREY_MODES = frozenset({"L", "LA", "La"})

_ZERO_HEX = "0" * 64
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True)
class PdqHash:
    """A PDQ hash: 64 lowercase hex characters in Meta's order, and its quality 0..100."""

    hex: str
    quality: int


def luma_from_rgb(rgb: npt.NDArray[np.uint8]) -> FloatArray:
    """Meta's float32 luminance of a uint8 (H, W, 3) RGB array."""
    _check_rgb(rgb)
    luma = np.empty(rgb.shape[:2], dtype=np.float32)
    for start, stop in _strips(rgb.shape[0], rgb.shape[1]):
        luma[start:stop] = luma_from_rgb_strip(rgb[start:stop])
    return luma


def pdq_from_luma(luma: npt.NDArray[np.floating]) -> PdqHash:
    """PDQ of a float (H, W) luminance plane (values on the 0..255 scale)."""
    if luma.ndim != 2:
        raise ValueError("luminance must be a 2-D array")
    rows, cols = luma.shape
    if rows < MIN_HASHABLE_DIM or cols < MIN_HASHABLE_DIM:
        return PdqHash(_ZERO_HEX, 0)
    strips = (
        (start, np.asarray(luma[start:stop], dtype=np.float32))
        for start, stop in _strips(rows, cols)
    )
    return _hash_from_block(_reduce_strips(rows, cols, strips))


def pdq_from_rgb(rgb: npt.NDArray[np.uint8]) -> PdqHash:
    """PDQ of a uint8 (H, W, 3) RGB array, without materialising the full luminance plane."""
    _check_rgb(rgb)
    rows, cols = rgb.shape[:2]
    if rows < MIN_HASHABLE_DIM or cols < MIN_HASHABLE_DIM:
        return PdqHash(_ZERO_HEX, 0)
    strips = ((start, luma_from_rgb_strip(rgb[start:stop])) for start, stop in _strips(rows, cols))
    return _hash_from_block(_reduce_strips(rows, cols, strips))


def pdq_from_image(img: Image.Image) -> PdqHash:
    """PDQ of a Pillow image of any mode, hashed as stored (apply EXIF orientation before).

    The image is normalised (:func:`to_rgb_for_pdq`'s rules) and turned into luminance strip by
    strip, so no full-size copy of the image is made.
    """
    block = _block_from_image(img)
    if block is None:
        return PdqHash(_ZERO_HEX, 0)
    return _hash_from_block(block)


def pdq_variants_from_image(img: Image.Image) -> tuple[PdqHash, dict[str, PdqHash]]:
    """The PDQ of `img` and of its 7 other dihedral transforms, keyed by :data:`DIHEDRAL_NAMES`.

    As in Meta's reference the variants come from sign flips and transposes of the one 16x16 DCT
    block (cheap); they agree with hashing the transformed pixels to within a few bits.
    """
    block = _block_from_image(img)
    if block is None:
        zero = PdqHash(_ZERO_HEX, 0)
        return zero, dict.fromkeys(DIHEDRAL_NAMES, zero)
    quality = quality_metric(block)
    coefficients = dct16(block)
    original = PdqHash(_bits_to_hex(coefficients), quality)
    variants = {
        name: PdqHash(_bits_to_hex(transformed), quality)
        for name, transformed in dihedral_coefficients(coefficients).items()
    }
    return original, variants


def dihedral_coefficients(coefficients: FloatArray) -> dict[str, FloatArray]:
    """The 16x16 DCT blocks of the 7 dihedral transforms of the image with block `coefficients`.

    Row ``i`` holds vertical frequency ``i + 1``: mirroring an axis multiplies odd frequencies
    (even indices) by -1, and a quarter turn or diagonal mirror also transposes the block.
    """
    index = np.arange(coefficients.shape[0])
    odd_frequency = np.where(index % 2 == 0, np.float32(-1), np.float32(1))
    rows_sign = odd_frequency[:, None]  # mirror top-bottom
    cols_sign = odd_frequency[None, :]  # mirror left-right
    both = rows_sign * cols_sign
    return {
        "rotate90": (coefficients * cols_sign).T,
        "rotate180": coefficients * both,
        "rotate270": (coefficients * rows_sign).T,
        "flipx": coefficients * rows_sign,
        "flipy": coefficients * cols_sign,
        "flip_plus1": coefficients.T,
        "flip_minus1": (coefficients * both).T,
    }


def hamming(a_hex: str, b_hex: str) -> int:
    """Number of differing bits between two hex hashes of the same length."""
    if len(a_hex) != len(b_hex) or not a_hex or not _is_hex(a_hex) or not _is_hex(b_hex):
        raise ValueError("hashes must be hex strings of the same length")
    return (int(a_hex, 16) ^ int(b_hex, 16)).bit_count()


# ----------------------------------------------------------------------------------------------


def _block_from_image(img: Image.Image) -> FloatArray | None:
    """The blurred, decimated 64x64 luminance plane of `img`, or None when it is too small."""
    cols, rows = img.size
    if rows < MIN_HASHABLE_DIM or cols < MIN_HASHABLE_DIM:
        return None
    if img.mode in GREY_MODES:
        return _block_from_grey(img if img.mode == "L" else img.getchannel(0))
    strip_rows = max(1, STRIP_PIXELS // cols)
    return _reduce_strips(rows, cols, luma_strips_from_image(img, strip_rows))


def _block_from_grey(img: Image.Image) -> FloatArray:
    """The 64x64 plane of an 8-bit grey picture, rows first (the common case: a JPEG's luma).

    The rows' operator reads whole rows, which numpy gathers as blocks; the picture is read a
    band of columns at a time, so only about `STRIP_PIXELS` values are held at once.
    """
    cols, rows = img.size
    rows_op, cols_op = downsample_operators(rows, cols)
    partial = np.empty((DOWNSAMPLE_SIDE, cols), dtype=np.float32)
    step = max(1, STRIP_PIXELS // rows_op.index.size)
    for start in range(0, cols, step):
        stop = min(cols, start + step)
        levels = np.asarray(img.crop((start, 0, stop, rows)))
        gathered = levels[rows_op.index].astype(np.float32)  # (64, band, stop - start)
        partial[:, start:stop] = np.einsum("ksm,ks->km", gathered, rows_op.weight)
    return cols_op.reduce_columns(partial)


def _reduce_strips(rows: int, cols: int, strips: Iterable[tuple[int, FloatArray]]) -> FloatArray:
    """Meta's tent-filtered, decimated 64x64 plane from row strips of a rows x cols luminance."""
    rows_op, cols_op = downsample_operators(rows, cols)
    partial = np.empty((rows, DOWNSAMPLE_SIDE), dtype=np.float32)
    for start, strip in strips:
        partial[start : start + strip.shape[0]] = cols_op.reduce_columns(strip)
    return rows_op.reduce_rows(partial)


def _hash_from_block(block: FloatArray) -> PdqHash:
    return PdqHash(_bits_to_hex(dct16(block)), quality_metric(block))


def _bits_to_hex(coefficients: FloatArray) -> str:
    flat = coefficients.ravel()
    median = np.partition(flat, 127)[127]  # Torben's result for 256 values: the lower median
    bits = flat > median
    return np.packbits(bits[::-1]).tobytes().hex()


def _strips(rows: int, cols: int) -> list[tuple[int, int]]:
    step = max(1, STRIP_PIXELS // max(1, cols))
    return [(start, min(rows, start + step)) for start in range(0, rows, step)]


def _check_rgb(rgb: npt.NDArray[np.uint8]) -> None:
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError("expected a uint8 array of shape (height, width, 3)")


def _is_hex(text: str) -> bool:
    return all(ch in _HEX_DIGITS for ch in text)
