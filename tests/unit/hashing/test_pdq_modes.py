"""Every Pillow mode hashes like its RGB original; alpha is dropped as Meta's reference does."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from fingerprint_client.hashing.pdq import PdqHash, hamming, pdq_from_image, to_rgb_for_pdq
from fingerprint_client.hashing.pdq_modes import numeric_scaling
from tests.unit.hashing.pdq_pictures import bridge_picture, cloud_picture

MODES = ["1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "YCbCr", "I", "I;16", "F", "LAB", "HSV"]
MORE_MODES = ["RGBX", "RGBa", "La", "I;16B", "I;16L"]

SOURCES = {"bridge": bridge_picture, "cloud": cloud_picture}
_BASELINES: dict[str, tuple[Image.Image, PdqHash]] = {}


def _source(name: str) -> tuple[Image.Image, PdqHash]:
    if name not in _BASELINES:
        img = SOURCES[name]()
        _BASELINES[name] = (img, pdq_from_image(img))
    return _BASELINES[name]


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("mode", MODES + MORE_MODES)
def test_mode_hashes_like_the_rgb_original(source: str, mode: str) -> None:
    original, expected = _source(source)
    assert expected.quality >= 80
    converted = original.convert(mode)
    assert converted.mode == mode
    result = pdq_from_image(converted)
    assert hamming(result.hex, expected.hex) <= 10, mode
    assert result.quality >= 80
    normalised = to_rgb_for_pdq(converted)
    assert normalised.mode == "RGB"
    assert normalised.size == converted.size
    assert hamming(pdq_from_image(normalised).hex, expected.hex) <= 10


def _sixteen_bit(grey: Image.Image, mode: str) -> Image.Image:
    values = np.asarray(grey).astype(np.uint16) * 257  # 0..255 -> 0..65535
    if mode == "I":
        return Image.fromarray(values.astype(np.int32))
    return Image.fromarray(values).convert(mode) if mode != "I;16" else Image.fromarray(values)


@pytest.mark.parametrize("mode", ["I;16", "I"])
def test_full_range_sixteen_bit_values_are_scaled_to_eight_bit(mode: str) -> None:
    grey = cloud_picture().convert("L")
    expected = pdq_from_image(grey)
    wide = _sixteen_bit(grey, mode)
    assert wide.mode == mode
    assert np.asarray(wide).max() > 255
    result = pdq_from_image(wide)
    assert result.hex == expected.hex
    assert abs(result.quality - expected.quality) <= 1


@pytest.mark.parametrize(("low", "high"), [(0.0, 1.0), (-3.0, 7.5), (1000.0, 90000.0)])
def test_float_images_in_other_ranges(low: float, high: float) -> None:
    grey = cloud_picture().convert("L")
    expected = pdq_from_image(grey)
    values = low + np.asarray(grey, dtype=np.float32) / 255 * (high - low)
    result = pdq_from_image(Image.fromarray(values.astype(np.float32)))
    assert hamming(result.hex, expected.hex) <= 2
    assert result.quality >= 80


def test_float_nan_and_infinity_do_not_break_hashing() -> None:
    values = np.asarray(cloud_picture().convert("L"), dtype=np.float32).copy()
    values[10:20, 10:20] = np.nan
    values[30, 30] = np.inf
    result = pdq_from_image(Image.fromarray(values))
    assert len(result.hex) == 64


def test_numeric_scaling_rules() -> None:
    assert numeric_scaling("F", 0.0, 1.0) == (0.0, 255.0)
    assert numeric_scaling("I", 0.0, 255.0) == (0.0, 1.0)
    assert numeric_scaling("I;16", 3.0, 65535.0) == (0.0, 255.0 / 65535.0)
    assert numeric_scaling("I", -10.0, 10.0) == (-10.0, 255.0 / 20.0)
    assert numeric_scaling("F", 7.0, 7.0) == (0.0, 1.0)


# --- alpha ---------------------------------------------------------------------------------------


def _with_wild_alpha(img: Image.Image) -> Image.Image:
    """`img` with alpha 0 on its left half and random alpha elsewhere (colours kept as stored)."""
    rng = np.random.default_rng(3)
    alpha = rng.integers(0, 256, size=(img.height, img.width), dtype=np.uint8)
    alpha[:, : img.width // 2] = 0
    with_alpha = img.convert("RGBA")
    with_alpha.putalpha(Image.fromarray(alpha))
    return with_alpha


def test_alpha_is_dropped_not_composited() -> None:
    original = cloud_picture()
    expected = pdq_from_image(original)
    rgba = _with_wild_alpha(original)
    assert pdq_from_image(rgba) == expected
    # Compositing (what a browser shows) would be a different picture altogether:
    on_white = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    assert hamming(pdq_from_image(on_white).hex, expected.hex) > 31


def test_alpha_is_dropped_for_grey_and_palette_modes() -> None:
    rgba = _with_wild_alpha(cloud_picture())
    alpha = rgba.getchannel("A")
    grey = rgba.convert("L")
    la = grey.copy()
    la.putalpha(alpha)
    assert pdq_from_image(la) == pdq_from_image(grey)
    palette = rgba.convert("RGB").convert("P")
    pa = palette.convert("PA")
    pa.putalpha(alpha)
    assert pa.mode == "PA"
    assert pdq_from_image(pa) == pdq_from_image(palette)


def test_palette_transparency_is_ignored() -> None:
    palette = cloud_picture().convert("P")
    keyed = palette.copy()
    keyed.info["transparency"] = int(np.asarray(palette)[0, 0])
    assert pdq_from_image(keyed) == pdq_from_image(palette)
