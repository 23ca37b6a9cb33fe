"""Decoding an image safely: allowlisted formats, pixel limits, bounded memory, calm errors.

Policy (documented in docs/hashing.md):

* Only the formats `_sniff` recognises, and only their Pillow plugins, can decode a file.
* JPEG (and MPO) decode with DCT scaling to the smallest size keeping both sides >= 512 px,
  colour JPEGs straight to their luminance channel (every fingerprint here uses luminance).
* Other formats decode in full, so their estimated decoding memory (`decode_cost`) is limited
  to `DECODE_BUDGET_BYTES` (`too-large`): about 80 MP for RGB PNG/TIFF/BMP/WebP, 57 MP for
  HEIC, 44 MP for AVIF (million pixels).
* Declared sizes beyond `BOMB_PIXELS` (Pillow's own bomb limit; higher for JPEG, which
  decodes reduced) are refused as `decompression-bomb` before anything is decoded.
* A file that ends too early is refused as `truncated` (no partial hash is ever made).
* Very large decoded pictures are box-reduced (both sides stay >= `REDUCE_MIN_SIDE`) before
  the fingerprints are computed, which keeps memory and time bounded.
* Pillow's warnings are recorded here and never escape, so `-W error` changes nothing.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from typing import BinaryIO, Final

# The allowlisted decoders, imported explicitly: with all of them registered, Image.open never
# needs Image.init() (which would import and register every other plugin, EPS included).
from PIL import (  # noqa: F401 - imported to register them
    AvifImagePlugin,
    BmpImagePlugin,
    GifImagePlugin,
    Image,
    JpegImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)

from fingerprint_client.hashing._errors import HashFailure

DRAFT_SIZE: Final[tuple[int, int]] = (512, 512)
DECODE_BUDGET_BYTES: Final[int] = 380 * 1024 * 1024
"""Most memory decoding one picture may take (estimated), keeping each process under 500 MB."""
JPEG_BOMB_PIXELS: Final[int] = 1_000_000_000
BOMB_PIXELS: Final[int] = 2 * 89_478_485
"""Pillow's own decompression-bomb limit, used for every format except JPEG."""
REDUCE_MIN_SIDE: Final[int] = 1024
#: measured peak bytes per pixel where the decoder keeps its own buffer beside Pillow's
_DECODER_BYTES_PER_PIXEL: Final[dict[str, float]] = {"HEIF": 7.0, "AVIF": 9.0}
_REDUCE_OVERHEAD: Final[float] = 1.25  # the box-reduced copy of a big picture

_BYTES_PER_PIXEL: Final[dict[str, int]] = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2}
_REDUCIBLE_MODES: Final[frozenset[str]] = frozenset(
    {"L", "LA", "La", "RGB", "RGBA", "RGBa", "RGBX", "CMYK", "YCbCr", "I", "F"}
)
_JPEG_COMPONENTS: Final[dict[int, float]] = {0: 3.0, 1: 2.0, 2: 1.5}
_open_lock = threading.Lock()
_heif_registered = False


@dataclass
class LoadedImage:
    """A decoded picture (stored orientation, possibly reduced) and what we know of the file."""

    image: Image.Image
    format: str
    width: int
    height: int
    animated: bool = False


def load_image(f: BinaryIO, formats: tuple[str, ...]) -> LoadedImage:
    """Decode the first picture of `f` with one of `formats` (Pillow names) within the limits.

    Raises `HashFailure` (`unsupported-format`, `too-large`, `decompression-bomb`, `truncated`,
    `corrupt`) for anything that cannot be decoded safely.
    """
    if "HEIF" in formats:
        _register_heif()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            return _decode(f, formats)
        except HashFailure:
            raise
        except Image.DecompressionBombError:
            raise HashFailure("decompression-bomb") from None
        except MemoryError:
            raise HashFailure("too-large") from None
        except UnidentifiedImageError:
            # "BM" is a weak signature: many text files start that way
            code = "unsupported-format" if formats == ("BMP",) else "corrupt"
            raise HashFailure(code) from None
        except (OSError, EOFError) as exc:
            raise _decode_failure(exc) from None
        except Exception as exc:
            raise _decode_failure(exc) from None


def _decode(f: BinaryIO, formats: tuple[str, ...]) -> LoadedImage:
    with _open_lock:  # our own limits replace Pillow's global one while opening
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None
        try:
            img = Image.open(f, formats=list(formats))
        finally:
            Image.MAX_IMAGE_PIXELS = saved
    fmt = img.format or formats[0]
    width, height = img.size
    if width <= 0 or height <= 0:
        raise HashFailure("corrupt")
    is_jpeg = isinstance(img, JpegImagePlugin.JpegImageFile)
    bomb = JPEG_BOMB_PIXELS if is_jpeg else BOMB_PIXELS
    if width * height > bomb:
        raise HashFailure("decompression-bomb")
    if isinstance(img, JpegImagePlugin.JpegImageFile):
        _check_jpeg_memory(img)
        # Every fingerprint here uses luminance only, and a colour JPEG stores it (Y, with the
        # same BT.601 weights as PDQ): decoding Y alone skips the colour conversion.
        img.draft("L" if img.mode == "RGB" else img.mode, DRAFT_SIZE)
    if decode_cost(fmt, img.mode, img.size) > DECODE_BUDGET_BYTES:
        raise HashFailure("too-large")
    animated = bool(getattr(img, "is_animated", False))
    img.load()
    return LoadedImage(_reduced(img), fmt, width, height, animated)


def open_animation(f: BinaryIO, formats: tuple[str, ...]) -> Image.Image:
    """`f` opened again (not decoded) for reading its frames; the limits were checked before."""
    f.seek(0)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            return Image.open(f, formats=list(formats))
        except Exception as exc:
            raise _decode_failure(exc) from None


def decode_cost(fmt: str, mode: str, size: tuple[int, int]) -> float:
    """Estimated peak bytes to decode a picture of `size` pixels (after any DCT scaling)."""
    pixels = size[0] * size[1]
    per_pixel = _DECODER_BYTES_PER_PIXEL.get(fmt)
    if per_pixel is None:
        per_pixel = _BYTES_PER_PIXEL.get(mode, 4) * _REDUCE_OVERHEAD
    return pixels * per_pixel


def _check_jpeg_memory(img: JpegImagePlugin.JpegImageFile) -> None:
    """A progressive JPEG keeps every DCT coefficient (2 bytes each) in memory while decoding."""
    if not (img.info.get("progressive") or img.info.get("progression")):
        return
    components = _JPEG_COMPONENTS.get(JpegImagePlugin.get_sampling(img), 3.0)
    if img.mode in ("L", "1"):
        components = 1.0
    elif img.mode == "CMYK":
        components = 4.0
    if img.size[0] * img.size[1] * 2 * components > DECODE_BUDGET_BYTES:
        raise HashFailure("too-large")


def _reduced(img: Image.Image) -> Image.Image:
    """`img` box-reduced by the largest whole factor keeping both sides >= REDUCE_MIN_SIDE."""
    factor = min(img.size) // REDUCE_MIN_SIDE
    if factor < 2 or img.mode not in _REDUCIBLE_MODES:
        return img
    return img.reduce(factor)  # never close `img`: that would close the caller's file


def _decode_failure(exc: BaseException) -> HashFailure:
    text = str(exc).lower()
    if isinstance(exc, EOFError) or any(
        word in text for word in ("truncated", "premature end", "unexpected end", "end of file")
    ):
        return HashFailure("truncated")
    if "too large" in text or "exceeds limit" in text or "security limit" in text:
        return HashFailure("decompression-bomb")
    return HashFailure("corrupt")


def _register_heif() -> None:
    global _heif_registered
    if _heif_registered:
        return
    import pillow_heif

    pillow_heif.register_heif_opener(
        thumbnails=False, depth_images=False, aux_images=False, decode_threads=1
    )
    _heif_registered = True
