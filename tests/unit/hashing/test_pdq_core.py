"""PDQ against a literal transcription of Meta's algorithm, and the public API's contract."""

from __future__ import annotations

import dataclasses
import math
import tracemalloc

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from fingerprint_client.hashing import pdq
from fingerprint_client.hashing.pdq import (
    PdqHash,
    hamming,
    luma_from_rgb,
    pdq_from_image,
    pdq_from_luma,
    pdq_from_rgb,
)
from fingerprint_client.hashing.pdq_filters import (
    band_operator,
    dense_downsample_operator,
    downsample_operators,
    quality_metric,
)
from tests.unit.hashing.pdq_pictures import cloud_picture

Floats = npt.NDArray[np.float64]


# --- a plain transcription of Meta's pdqhashing.cpp / downscaling.cpp, loops and all ----------


def _meta_box_1d(values: Floats, window: int) -> Floats:
    """Meta's box1DFloat along axis 0: clipped windows [o - L, o + R], averaged."""
    half = (window + 2) // 2
    left, right = window - half, half - 1
    n = values.shape[0]
    out = np.empty_like(values)
    for o in range(n):
        lo, hi = max(0, o - left), min(n - 1, o + right)
        out[o] = values[lo : hi + 1].sum(axis=0) / (hi - lo + 1)
    return out


def _meta_pdq(luma: Floats) -> tuple[str, int]:
    rows, cols = luma.shape
    plane = luma.astype(np.float64)
    window_rows = (cols + 127) // 128  # along rows: from the number of columns
    window_cols = (rows + 127) // 128
    for _ in range(2):
        plane = _meta_box_1d(plane.T, window_rows).T
        plane = _meta_box_1d(plane, window_cols)
    block = np.empty((64, 64))
    for i in range(64):
        for j in range(64):
            block[i, j] = plane[int((i + 0.5) * rows / 64), int((j + 0.5) * cols / 64)]
    dct = np.empty((16, 64))
    for i in range(16):
        for j in range(64):
            dct[i, j] = math.sqrt(2 / 64) * math.cos(math.pi / 2 / 64 * (i + 1) * (2 * j + 1))
    coefficients = dct @ block @ dct.T
    median = float(np.sort(coefficients.ravel())[127])
    words = [0] * 16
    for i in range(16):
        for j in range(16):
            if coefficients[i, j] > median:
                k = i * 16 + j
                words[k >> 4] |= 1 << (k & 15)
    hex_text = "".join(f"{w:04x}" for w in reversed(words))
    return hex_text, _meta_quality(block.astype(np.float32))


def _meta_quality(block: npt.NDArray[np.float32]) -> int:
    gradient_sum = 0
    for i in range(63):
        for j in range(64):
            gradient_sum += abs(int((float(block[i, j]) - float(block[i + 1, j])) * 100 / 255))
    for i in range(64):
        for j in range(63):
            gradient_sum += abs(int((float(block[i, j]) - float(block[i, j + 1])) * 100 / 255))
    return min(100, gradient_sum // 90)


@pytest.mark.parametrize(
    ("rows", "cols"), [(5, 5), (64, 64), (7, 130), (129, 257), (300, 217), (90, 640)]
)
def test_matches_a_literal_transcription_of_meta(rows: int, cols: int) -> None:
    rgb = np.asarray(cloud_picture(cols, rows, seed=rows + cols))
    luma = luma_from_rgb(rgb)
    expected_hex, expected_quality = _meta_pdq(luma.astype(np.float64))
    result = pdq_from_luma(luma)
    assert hamming(result.hex, expected_hex) <= 2
    assert abs(result.quality - expected_quality) <= 1


@pytest.mark.parametrize("dimension", [5, 6, 64, 128, 129, 333, 1004, 1600, 4001])
def test_band_operator_equals_the_dense_operator(dimension: int) -> None:
    band = band_operator(dimension)
    rebuilt = np.zeros((64, dimension), dtype=np.float64)
    rows = np.repeat(np.arange(64), band.index.shape[1])
    np.add.at(rebuilt, (rows, band.index.ravel()), band.weight.ravel().astype(np.float64))
    np.testing.assert_allclose(rebuilt, dense_downsample_operator(dimension), atol=1e-7)
    # every output is an average: its weights sum to one
    np.testing.assert_allclose(band.weight.sum(axis=1), 1.0, rtol=1e-5)


@settings(max_examples=30, deadline=None)
@given(rows=st.integers(5, 420), cols=st.integers(5, 420), seed=st.integers(0, 2**32 - 1))
def test_strip_reduction_equals_the_dense_product(rows: int, cols: int, seed: int) -> None:
    luma = np.random.default_rng(seed).random((rows, cols), dtype=np.float32) * 255
    expected = (
        dense_downsample_operator(rows).astype(np.float64)
        @ luma.astype(np.float64)
        @ dense_downsample_operator(cols).T.astype(np.float64)
    )
    strips = ((start, luma[start : start + 7]) for start in range(0, rows, 7))
    block = pdq._reduce_strips(rows, cols, strips)
    np.testing.assert_allclose(block, expected, atol=1e-3)


def test_quality_metric_is_metas() -> None:
    rng = np.random.default_rng(5)
    for scale in (1.0, 4.0, 40.0):
        block = (128 + scale * rng.standard_normal((64, 64))).astype(np.float32)
        assert quality_metric(block) == _meta_quality(block)


# --- bit order, hex and threshold ---------------------------------------------------------------


def _hex_of(coefficients: npt.NDArray[np.float32]) -> str:
    return pdq._bits_to_hex(coefficients.astype(np.float32))


def test_bit_k_is_row_i_column_j_printed_from_bit_255_down() -> None:
    k = np.arange(256).reshape(16, 16)
    assert _hex_of(k.astype(np.float32)) == "f" * 32 + "0" * 32
    assert _hex_of((k % 16 < 8).astype(np.float32)) == "00ff" * 16  # j < 8: low byte of each word
    assert _hex_of((k // 16 % 2 == 1).astype(np.float32)) == "ffff0000" * 8  # odd rows i


def test_threshold_is_strictly_greater_than_the_lower_median() -> None:
    assert _hex_of(np.zeros((16, 16), dtype=np.float32)) == "0" * 64
    values = np.zeros(256, dtype=np.float32)
    values[200:] = 1.0  # the median is 0: only the 56 ones are above it
    assert int(_hex_of(values.reshape(16, 16)), 16).bit_count() == 56
    values[:129] = -1.0  # the 128th smallest is -1: every 0 and 1 is above it
    assert int(_hex_of(values.reshape(16, 16)), 16).bit_count() == 127


# --- API contract ---------------------------------------------------------------------------------


def test_hash_format() -> None:
    result = pdq_from_image(cloud_picture())
    assert isinstance(result, PdqHash)
    assert len(result.hex) == 64
    assert result.hex == result.hex.lower()
    int(result.hex, 16)
    assert isinstance(result.quality, int)
    assert 0 <= result.quality <= 100
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.quality = 1  # type: ignore[misc]


def test_luma_uses_metas_weights() -> None:
    rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]]], dtype=np.uint8)
    luma = luma_from_rgb(rgb)
    assert luma.dtype == np.float32
    expected = [0.299 * 255, 0.587 * 255, 0.114 * 255, 0.299 * 10 + 0.587 * 20 + 0.114 * 30]
    np.testing.assert_allclose(luma[0], expected, rtol=1e-5)


def test_the_three_entry_points_agree() -> None:
    img = cloud_picture(333, 251, seed=4)
    rgb = np.asarray(img)
    from_image = pdq_from_image(img)
    assert pdq_from_rgb(rgb) == from_image
    assert pdq_from_luma(luma_from_rgb(rgb)) == from_image
    assert pdq_from_luma(luma_from_rgb(rgb).astype(np.float64)) == from_image


def test_strip_size_does_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    img = cloud_picture(301, 203, seed=9)
    whole = pdq_from_image(img)
    monkeypatch.setattr(pdq, "STRIP_PIXELS", 301 * 7)
    assert pdq_from_image(img) == whole
    assert pdq_from_rgb(np.asarray(img)) == whole


def test_flat_and_featureless_images_have_low_quality() -> None:
    assert pdq_from_image(Image.new("RGB", (400, 300), (128, 128, 128))).quality < 50
    assert pdq_from_image(Image.new("L", (640, 480), 0)).quality == 0
    ramp = np.tile(np.linspace(0, 255, 500, dtype=np.float32), (400, 1))
    assert pdq_from_luma(ramp).quality < 50
    assert pdq_from_image(cloud_picture()).quality >= 80


def test_images_below_five_pixels_get_the_zero_hash() -> None:
    for size in [(4, 100), (100, 4), (1, 1)]:
        assert pdq_from_image(Image.new("RGB", size, (9, 99, 199))) == PdqHash("0" * 64, 0)
    assert pdq_from_luma(np.zeros((3, 50), dtype=np.float32)) == PdqHash("0" * 64, 0)


def test_bad_arrays_are_refused() -> None:
    with pytest.raises(ValueError):
        pdq_from_rgb(np.zeros((10, 10), dtype=np.uint8))
    with pytest.raises(ValueError):
        pdq_from_rgb(np.zeros((10, 10, 3), dtype=np.float32))
    with pytest.raises(ValueError):
        pdq_from_luma(np.zeros((10, 10, 3), dtype=np.float32))


def test_hamming() -> None:
    zero, ones = "0" * 64, "f" * 64
    assert hamming(zero, ones) == 256
    assert hamming(ones, ones) == 0
    assert hamming("0" * 63 + "7", zero) == 3
    assert hamming("A" + "0" * 63, "a" + "0" * 63) == 0
    for a, b in [("0" * 64, "0" * 63), ("g" * 64, zero), ("", "")]:
        with pytest.raises(ValueError):
            hamming(a, b)


def peak_bytes_hashing(img: Image.Image) -> int:
    """Peak memory Python allocates while hashing `img` (the size's operators cached first)."""
    downsample_operators(img.height, img.width)  # cached per size: 64 x band, not image-sized
    tracemalloc.start()
    try:
        pdq_from_image(img)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def test_no_full_size_float_copy_of_a_large_image() -> None:
    width, height = 3000, 2000
    img = Image.new("RGB", (width, height))
    img.paste(cloud_picture(width // 2, height), (0, 0))
    full_float_plane = width * height * 4
    assert peak_bytes_hashing(img) < full_float_plane / 4


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(5, 400),
    cols=st.integers(5, 400),
    seed=st.integers(0, 2**16),
    strip=st.sampled_from([7 * 64 * 3, 1 << 18]),
)
def test_grey_pictures_hash_exactly_like_their_float_plane(
    rows: int, cols: int, seed: int, strip: int
) -> None:
    levels = np.random.default_rng(seed).integers(0, 256, (rows, cols), dtype=np.uint8)
    expected = pdq_from_luma(levels.astype(np.float32))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdq, "STRIP_PIXELS", strip)  # forces several column bands
        grey = Image.fromarray(levels)
        assert pdq_from_image(grey) == expected
        with_alpha = Image.merge("LA", [grey, Image.new("L", grey.size, 7)])
        assert pdq_from_image(with_alpha) == expected


def test_no_full_size_float_copy_of_a_large_grey_image() -> None:
    width, height = 3000, 2000
    img = cloud_picture(width, height).convert("L")
    assert peak_bytes_hashing(img) < width * height * 4 / 4
