"""Synthetic pictures for the PDQ tests (generated, never photographs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

PDQ_DATA = Path(__file__).resolve().parents[2] / "data" / "pdq"
#: A landscape photograph of a bridge from Meta's PDQ test data (no people), quality 100.
BRIDGE = PDQ_DATA / "images" / "aaa-orig.jpg"


def cloud_picture(width: int = 640, height: int = 480, seed: int = 1) -> Image.Image:
    """A colourful RGB "cloud": random colour grids of 4 octaves, upsampled and summed.

    Like a photograph it has energy at every scale (amplitude falling with frequency), so its
    PDQ has quality near 100 and few bits close to the median.
    """
    rng = np.random.default_rng(seed)
    total = np.zeros((height, width, 3), dtype=np.float32)
    for octave in range(4):
        grid = rng.integers(0, 256, size=(3 << octave, 4 << octave, 3), dtype=np.uint8)
        layer = Image.fromarray(grid).resize((width, height), Image.Resampling.BICUBIC)
        total += np.asarray(layer, dtype=np.float32) / np.float32(1.6**octave)
    total -= total.min()
    total *= np.float32(255) / total.max()
    return Image.fromarray(np.rint(total).astype(np.uint8))


def bridge_picture() -> Image.Image:
    """The bridge photograph, decoded to RGB."""
    with Image.open(BRIDGE) as img:
        return img.convert("RGB")
