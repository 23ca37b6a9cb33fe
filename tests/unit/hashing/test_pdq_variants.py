"""The 8 dihedral PDQ hashes, derived from one DCT, against hashing the transformed pixels."""

from __future__ import annotations

import pytest
from PIL import Image

from fingerprint_client.hashing.pdq import (
    DIHEDRAL_NAMES,
    PdqHash,
    hamming,
    pdq_from_image,
    pdq_variants_from_image,
)
from tests.unit.hashing.pdq_pictures import PDQ_DATA, bridge_picture, cloud_picture

# Meta's names for Pillow's transposes.
PILLOW_TRANSPOSE = {
    "rotate90": Image.Transpose.ROTATE_90,  # counter-clockwise
    "rotate180": Image.Transpose.ROTATE_180,
    "rotate270": Image.Transpose.ROTATE_270,
    "flipx": Image.Transpose.FLIP_TOP_BOTTOM,
    "flipy": Image.Transpose.FLIP_LEFT_RIGHT,
    "flip_plus1": Image.Transpose.TRANSPOSE,
    "flip_minus1": Image.Transpose.TRANSVERSE,
}


def _odd_cloud() -> Image.Image:
    return cloud_picture(333, 517, seed=8)


def _big_cloud() -> Image.Image:
    return cloud_picture(1000, 750, seed=2)


def _wee() -> Image.Image:
    with Image.open(PDQ_DATA / "images" / "wee.jpg") as img:
        return img.convert("RGB")


def _even_cloud() -> Image.Image:
    return cloud_picture(400, 300, seed=2)


# Where the 64 decimation centres are not mirror-symmetric (e.g. 640 = 10 x 64: centres at
# 5, 15, .., 635 become 634, 624, .. when flipped) a flip moves every sample by a pixel, so the
# re-hashed pixels drift from the derived variant; Meta's derivation has the same property.
PICTURES = {"bridge": bridge_picture, "odd-cloud": _odd_cloud, "big-cloud": _big_cloud, "wee": _wee}
SHIFTED_PICTURES = {"cloud": cloud_picture, "even-cloud": _even_cloud}


def test_names() -> None:
    assert DIHEDRAL_NAMES == (
        "rotate90",
        "rotate180",
        "rotate270",
        "flipx",
        "flipy",
        "flip_plus1",
        "flip_minus1",
    )
    assert set(PILLOW_TRANSPOSE) == set(DIHEDRAL_NAMES)


@pytest.mark.parametrize("picture", sorted(PICTURES))
def test_variants_match_hashing_the_transformed_pixels(picture: str) -> None:
    img = PICTURES[picture]()
    original, variants = pdq_variants_from_image(img)
    assert original == pdq_from_image(img)
    assert original.quality >= 80
    assert tuple(variants) == DIHEDRAL_NAMES
    for name, transpose in PILLOW_TRANSPOSE.items():
        direct = pdq_from_image(img.transpose(transpose))
        derived = variants[name]
        assert derived.quality == original.quality
        assert hamming(derived.hex, direct.hex) <= 10, name
        # ... and it is this transform, not merely any: the original is far away.
        assert hamming(derived.hex, original.hex) > 31, name


@pytest.mark.parametrize("picture", sorted(SHIFTED_PICTURES))
def test_variants_stay_within_the_match_threshold_when_samples_shift(picture: str) -> None:
    img = SHIFTED_PICTURES[picture]()
    _, variants = pdq_variants_from_image(img)
    for name, transpose in PILLOW_TRANSPOSE.items():
        direct = pdq_from_image(img.transpose(transpose))
        assert hamming(variants[name].hex, direct.hex) <= 31, name


def test_variants_are_distinct_from_each_other() -> None:
    _, variants = pdq_variants_from_image(cloud_picture())
    hashes = list(variants.values())
    for i, first in enumerate(hashes):
        for second in hashes[i + 1 :]:
            assert hamming(first.hex, second.hex) > 31


def test_variants_of_a_tiny_image_are_zero() -> None:
    original, variants = pdq_variants_from_image(Image.new("RGB", (3, 3)))
    zero = PdqHash("0" * 64, 0)
    assert original == zero
    assert variants == dict.fromkeys(DIHEDRAL_NAMES, zero)
