"""Fingerprinting one file, in whatever process calls it: open safely, sniff, decode, hash.

Used in-process by `hash_one` (tests, small uses) and inside the batch engine's worker
processes. Every failure ends as a `FileResult` with a stable error code, never an exception.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image

from fingerprint_client.hashing._digests import KnownDigests, file_digests
from fingerprint_client.hashing._errors import HashError, HashFailure
from fingerprint_client.hashing._fileio import open_regular, read_head
from fingerprint_client.hashing._imagehashes import image_hashes
from fingerprint_client.hashing._loader import LoadedImage, load_image, open_animation
from fingerprint_client.hashing._orientation import exif_orientation, swaps_sides, to_displayed
from fingerprint_client.hashing._result import FileResult, HashOptions
from fingerprint_client.hashing._sniff import SNIFF_BYTES, sniff_image, sniff_video_container

LOW_QUALITY = 50
LOW_QUALITY_WARNING = (
    "This picture has little detail (PDQ quality {quality} of 100, under 50), so its "
    "fingerprint is unreliable: services may not match copies of it, or may refuse it."
)
FIRST_FRAME_WARNING = (
    "This is an animation: only its first frame was fingerprinted (use --frames for more)."
)


def hash_one(
    path: Path,
    options: HashOptions,
    index: int = 0,
    progress: Callable[[float], None] | None = None,
    known: KnownDigests | None = None,
) -> FileResult:
    """Fingerprint the file at `path` in this process (no time limit: see `BatchHasher`).
    `progress` hears the fraction done of a long file (a video), now and then; `known` are
    digests computed earlier, used if the file is still the one they came from."""
    try:
        with warnings.catch_warnings(record=True):  # identical results under `-W error`
            warnings.simplefilter("always")
            return _hash_file(path, options, index, progress, known)
    except HashFailure as failure:
        return FileResult.failure(index, path, failure.error)
    except MemoryError:
        return FileResult.failure(index, path, HashError.of("too-large"))
    except Exception:  # a bug or an unforeseen decoder error: never a traceback
        return FileResult.failure(index, path, HashError.of("corrupt"))


def _hash_file(
    path: Path,
    options: HashOptions,
    index: int,
    progress: Callable[[float], None] | None = None,
    known: KnownDigests | None = None,
) -> FileResult:
    f, _size = open_regular(path)
    with f:
        head = read_head(f, SNIFF_BYTES)
        formats = sniff_image(head)
        if formats is None:
            container = sniff_video_container(head)
            if container is None:
                raise HashFailure("unsupported-format")
            f.close()
            return _hash_video(path, options, index, progress, known)
        digests = file_digests(f, options.algorithms, known)
        loaded = load_image(f, formats)
        result = _hash_image(loaded, path, options, index)
        if loaded.animated and options.frames and not f.closed:
            result.pdq_frames = _animation_frames(f, formats, options)
        elif loaded.animated:
            result.warnings.append(FIRST_FRAME_WARNING)
        result.hashes.update(digests)
        result.hashes = {a: result.hashes[a] for a in options.algorithms if a in result.hashes}
        return result


def _hash_image(loaded: LoadedImage, path: Path, options: HashOptions, index: int) -> FileResult:
    img = loaded.image
    orientation = exif_orientation(img)
    width, height = loaded.width, loaded.height
    if swaps_sides(orientation):
        width, height = height, width
    result = FileResult(
        index=index, path=path, ok=True, media="image", format=loaded.format, width=width,
        height=height,
    )  # fmt: skip
    displayed = to_displayed(img, orientation)
    if "pdq" in options.algorithms:
        from fingerprint_client.hashing import pdq

        if options.variants:
            main, variants = pdq.pdq_variants_from_image(displayed)
            result.pdq_variants = {name: h.hex for name, h in variants.items()}
        else:
            main = pdq.pdq_from_image(displayed)
        result.hashes["pdq"] = main.hex
        result.pdq_quality = main.quality
        if orientation != 1:
            result.pdq_stored_orientation = pdq.pdq_from_image(img).hex
        if main.quality < LOW_QUALITY:
            result.warnings.append(LOW_QUALITY_WARNING.format(quality=main.quality))
    result.hashes.update(image_hashes(displayed, options.algorithms))
    return result


def _animation_frames(
    f: BinaryIO, formats: tuple[str, ...], options: HashOptions
) -> list[dict[str, Any]] | None:
    """`pdq_frames` of an animated GIF/WebP/PNG, by the video module's sampling."""
    try:
        from fingerprint_client.hashing import video

        sample = video.hash_animated_frames
    except (ImportError, AttributeError):
        return None
    img: Image.Image = open_animation(f, formats)
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            frames = sample(img, options)
    except Exception as exc:
        raise _video_failure(exc) from None
    finally:
        img.close()
    return [dict(frame) for frame in frames]


def _hash_video(
    path: Path,
    options: HashOptions,
    index: int,
    progress: Callable[[float], None] | None = None,
    known: KnownDigests | None = None,
) -> FileResult:
    try:
        from fingerprint_client.hashing import video

        hash_video = video.hash_video
    except (ImportError, AttributeError):
        raise HashFailure("unsupported-format") from None
    result = hash_video(path, options, progress, known=known)
    result.index = index
    return result


def _video_failure(exc: Exception) -> HashFailure:
    code = getattr(exc, "code", None)
    if isinstance(code, str):
        try:
            return HashFailure(code)
        except ValueError:
            pass
    return HashFailure("corrupt")
