"""The imagehash family (phash, dhash, whash) on request; colorhash is never computed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from PIL import Image

IMAGEHASH_ALGORITHMS: Final[tuple[str, ...]] = ("phash", "dhash", "whash")


def image_hashes(img: Image.Image, algorithms: tuple[str, ...]) -> dict[str, str]:
    """imagehash's hex strings for the imagehash names in `algorithms`.

    imagehash works on the greyscale picture; other modes are first normalised like PDQ's input
    (alpha dropped, numeric modes scaled).
    """
    wanted = [a for a in IMAGEHASH_ALGORITHMS if a in algorithms]
    if not wanted:
        return {}
    import imagehash  # imported on request: it pulls in scipy and pywavelets

    from fingerprint_client.hashing.pdq import to_rgb_for_pdq

    functions: dict[str, Callable[[Image.Image], Any]] = {
        "phash": imagehash.phash,
        "dhash": imagehash.dhash,
        "whash": imagehash.whash,
    }
    picture = img if img.mode in ("L", "RGB") else to_rgb_for_pdq(img)
    return {name: str(functions[name](picture)) for name in wanted}
