"""PDQ against the reference vectors made with Meta's own tools (tests/data/pdq)."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PIL import Image

from fingerprint_client.hashing.pdq import hamming, pdq_from_image, pdq_from_rgb
from tests.unit.hashing.pdq_pictures import PDQ_DATA

META_TOOL_SIDE = 512  # Meta's C++ tool first resizes anything larger to 512x512 (nearest)


def _vectors() -> list[tuple[str, str]]:
    with (PDQ_DATA / "expected.csv").open(newline="") as handle:
        return [(row["file"], row["pdq_hex"]) for row in csv.DictReader(handle)]


VECTORS = _vectors()


def test_reference_data_is_complete() -> None:
    assert len(VECTORS) >= 15
    for name, expected in VECTORS:
        assert (PDQ_DATA / "images" / name).is_file(), name
        assert len(expected) == 64


@pytest.mark.parametrize(("name", "expected"), VECTORS, ids=[v[0] for v in VECTORS])
def test_agrees_with_meta(name: str, expected: str) -> None:
    with Image.open(PDQ_DATA / "images" / name) as img:
        result = pdq_from_image(img)
    distance = hamming(result.hex, expected)
    limit = 10 if result.quality >= 80 else 31
    assert distance <= limit, f"{name}: {distance} bits (quality {result.quality})"


def _meta_tool_resize(rgb: np.ndarray) -> np.ndarray:
    """CImg's default nearest-neighbour resize to 512x512, as Meta's tool does above 512 px."""
    rows, cols = rgb.shape[:2]
    if rows <= META_TOOL_SIDE and cols <= META_TOOL_SIDE:
        return rgb
    ys = np.arange(META_TOOL_SIDE) * rows // META_TOOL_SIDE
    xs = np.arange(META_TOOL_SIDE) * cols // META_TOOL_SIDE
    return np.ascontiguousarray(rgb[ys][:, xs])


@pytest.mark.parametrize(("name", "expected"), VECTORS, ids=[v[0] for v in VECTORS])
def test_core_is_exact_given_meta_tools_resize(name: str, expected: str) -> None:
    """With the tool's pre-resize replayed, only decoder/float rounding may differ."""
    with Image.open(PDQ_DATA / "images" / name) as img:
        rgb = np.asarray(img.convert("RGB"))
    result = pdq_from_rgb(_meta_tool_resize(rgb))
    assert hamming(result.hex, expected) <= 2
