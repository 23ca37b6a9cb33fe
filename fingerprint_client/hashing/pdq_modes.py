"""Pillow image modes to PDQ luminance, strip by strip.

Rules (the same in :func:`to_rgb_for_pdq` and in :func:`luma_strips_from_image`):

* ``L`` is used as luminance directly (Meta's grey path); ``1`` becomes 0/255 grey; ``LA`` and
  ``La`` drop alpha and keep the grey values.
* ``I``, ``I;16*`` and ``F`` hold numbers, not 8-bit levels. They are mapped to 0..255 from the
  image's extrema: values already within 0..255 are kept (what Pillow's own ``convert("I")``
  produces), ``F`` within 0..1 is multiplied by 255, values within 0..65535 (16-bit scans and
  PNGs) are divided by 257, anything else is stretched from its minimum to its maximum. NaN counts
  as 0. PDQ's bits do not change under such positive affine maps; only quality depends on them.
* Every other mode (``RGB``, ``RGBA``, ``RGBX``, ``P``, ``PA``, ``CMYK``, ``YCbCr``, ``LAB``,
  ``HSV``, ...) goes through Pillow's ``convert("RGB")``. Alpha is dropped - the colour values
  are used as stored, never composited - exactly as Meta's reference (``img.convert("RGB")``).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
from PIL import Image

FloatArray = npt.NDArray[np.float32]

_GREY_ALPHA_MODES = frozenset({"LA", "La"})
_NUMERIC_PREFIXES = ("I", "F")  # I, I;16, I;16B, I;16L, I;16N, F
# Modes Pillow converts straight to float luminance: alpha and padding ignored, palette looked up,
# "1" as 0/255; L as is; RGB with Meta's weights.
_DIRECT_TO_FLOAT = frozenset({"RGB", "RGBA", "RGBX", "L", "P", "1"})


def is_numeric_mode(mode: str) -> bool:
    """Whether `mode` stores numbers (32-bit int, 16-bit int or float) rather than 8-bit levels."""
    return mode.startswith(_NUMERIC_PREFIXES)


def numeric_scaling(mode: str, low: float, high: float) -> tuple[float, float]:
    """``(offset, scale)`` mapping a numeric mode's values ``v`` to ``(v - offset) * scale``."""
    if not (np.isfinite(low) and np.isfinite(high)):
        low, high = 0.0, 255.0
    if mode == "F" and low >= 0.0 and high <= 1.0:
        return 0.0, 255.0
    if low >= 0.0 and high <= 255.0:
        return 0.0, 1.0
    if low >= 0.0 and high <= 65535.0:
        return 0.0, 255.0 / 65535.0
    if high > low:
        return low, 255.0 / (high - low)
    return low, 1.0


def luma_strips_from_image(img: Image.Image, strip_rows: int) -> Iterator[tuple[int, FloatArray]]:
    """Yield ``(first_row, float32 luminance of rows first_row..)`` strips covering `img`."""
    cols, rows = img.size
    mode = img.mode
    scaling = _image_scaling(img) if is_numeric_mode(mode) else (0.0, 1.0)
    for start in range(0, rows, strip_rows):
        strip = img.crop((0, start, cols, min(rows, start + strip_rows)))
        yield start, _strip_luma(strip, mode, scaling)


def luma_from_rgb_strip(rgb: npt.NDArray[np.uint8]) -> FloatArray:
    """Meta's luminance of a C-contiguous uint8 (h, w, 3) array, computed by Pillow in C.

    Pillow's RGB-to-F conversion is ``(299 R + 587 G + 114 B) / 1000`` in float32: Meta's
    coefficients, within 2e-5 of Meta's float32 sum.
    """
    return _float_plane(Image.fromarray(np.ascontiguousarray(rgb)).convert("F"))


def to_rgb_for_pdq(img: Image.Image) -> Image.Image:
    """`img` as 8-bit ``RGB`` by the rules of this module (alpha dropped, numbers scaled)."""
    if img.mode == "RGB":
        return img
    if is_numeric_mode(img.mode):
        offset, scale = _image_scaling(img)
        grey = _numeric_to_float(np.asarray(img), offset, scale)
        levels = np.rint(grey).astype(np.uint8)
        return Image.fromarray(levels).convert("RGB")
    if img.mode in _GREY_ALPHA_MODES:
        return img.getchannel(0).convert("RGB")
    return img.convert("RGB")


def _image_scaling(img: Image.Image, strip_rows: int = 1024) -> tuple[float, float]:
    """The scaling of a numeric-mode image from its finite extrema (read strip by strip)."""
    cols, rows = img.size
    low, high = np.inf, -np.inf
    for start in range(0, rows, strip_rows):
        values = np.asarray(img.crop((0, start, cols, min(rows, start + strip_rows))))
        finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values
        if finite.size:
            low = min(low, float(finite.min()))
            high = max(high, float(finite.max()))
    return numeric_scaling(img.mode, low, high)


def _strip_luma(strip: Image.Image, mode: str, scaling: tuple[float, float]) -> FloatArray:
    if is_numeric_mode(mode):
        return _numeric_to_float(np.asarray(strip), *scaling)
    if mode in _GREY_ALPHA_MODES:  # the grey values as stored, alpha dropped
        strip = strip.getchannel(0)
    elif mode not in _DIRECT_TO_FLOAT:
        strip = strip.convert("RGB")
    return _float_plane(strip.convert("F"))


def _float_plane(img: Image.Image) -> FloatArray:
    """The pixels of an ``F`` image as a (h, w) float32 array (faster than ``np.asarray``)."""
    cols, rows = img.size
    return np.frombuffer(img.tobytes(), dtype=np.float32).reshape(rows, cols)


def _numeric_to_float(values: npt.NDArray[np.generic], offset: float, scale: float) -> FloatArray:
    grey = values.astype(np.float32)
    np.nan_to_num(grey, copy=False, nan=0.0, posinf=255.0, neginf=0.0)
    if offset:
        grey -= np.float32(offset)
    if scale != 1.0:
        grey *= np.float32(scale)
    np.clip(grey, 0.0, 255.0, out=grey)
    return grey
