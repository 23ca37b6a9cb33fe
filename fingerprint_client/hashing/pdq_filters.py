"""The linear algebra of PDQ: tent-filter-and-decimate operators, the 16x64 DCT, the quality metric.

Meta's reference blurs the full-resolution luminance plane with two X,Y passes of a 1-D box filter
(Jarosz, "Fast Image Convolutions", 2001; a tent filter), then keeps 64 rows and 64 columns
("target centres, not corners"). Every step is linear and separable, so the whole
blur-then-decimate is exactly ``Mr @ luma @ Mc.T`` with a 64xH matrix ``Mr`` (the vertical passes
followed by row selection) and a 64xW matrix ``Mc`` (the horizontal passes followed by column
selection). Those matrices depend only on the image size; they are built once per size with
cumulative sums and cached. Hashing then costs two matrix products and needs no full-size scratch
buffer at all (Meta's code needs two full-size float planes).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]

#: Side of the downsampled image PDQ works on.
DOWNSAMPLE_SIDE = 64
#: Number of DCT coefficients kept per axis (frequencies 1..16, the DC term is skipped).
DCT_SIDE = 16
#: Two X,Y passes of box filters make the tent filter.
JAROSZ_PASSES = 2


def jarosz_window_size(old_dimension: int, new_dimension: int = DOWNSAMPLE_SIDE) -> int:
    """Meta's box window: half of one output cell, rounded up (two passes cover a full cell)."""
    return (old_dimension + 2 * new_dimension - 1) // (2 * new_dimension)


def decimation_indices(
    old_dimension: int, new_dimension: int = DOWNSAMPLE_SIDE
) -> npt.NDArray[np.intp]:
    """Indices of the kept samples: the centres of `new_dimension` equal cells."""
    k = np.arange(new_dimension, dtype=np.int64)
    # int(((k + 0.5) * n) / m) computed exactly in integers.
    return ((2 * k + 1) * old_dimension // (2 * new_dimension)).astype(np.intp)


def _box_transpose(rows: npt.NDArray[np.float64], window: int) -> npt.NDArray[np.float64]:
    """Apply the transpose of Meta's 1-D box filter to every row of `rows` (shape k x n).

    Meta's box filter of full window ``w`` writes
    ``out[o] = mean(in[max(0, o-L) .. min(n-1, o+R)])`` with ``half = (w + 2) // 2``,
    ``L = w - half`` and ``R = half - 1`` (windows are clipped and averaged over the samples
    actually present). As a matrix ``B[o, i] = 1 / count(o)`` on that
    window, so ``(r @ B)[i]`` is the plain sum of ``r[o] / count(o)`` over ``o`` in
    ``[i - R, i + L]``, which cumulative sums give for all ``i`` at once.
    """
    n = rows.shape[1]
    half = (window + 2) // 2
    left = window - half
    right = half - 1
    o = np.arange(n)
    counts = np.minimum(n - 1, o + right) - np.maximum(0, o - left) + 1
    scaled = rows / counts
    csum = np.zeros((rows.shape[0], n + 1), dtype=np.float64)
    np.cumsum(scaled, axis=1, out=csum[:, 1:])
    hi = np.minimum(n, o + left + 1)  # exclusive end of the o-range for each i
    lo = np.maximum(0, o - right)
    result: npt.NDArray[np.float64] = csum[:, hi] - csum[:, lo]
    return result


@functools.lru_cache(maxsize=64)
def _downsample_operator(dimension: int) -> FloatArray:
    """The 64 x `dimension` matrix of both box passes along one axis followed by decimation."""
    window = jarosz_window_size(dimension)
    selection = np.zeros((DOWNSAMPLE_SIDE, dimension), dtype=np.float64)
    selection[np.arange(DOWNSAMPLE_SIDE), decimation_indices(dimension)] = 1.0
    operator = selection
    for _ in range(JAROSZ_PASSES):
        operator = _box_transpose(operator, window)
    result = np.ascontiguousarray(operator, dtype=np.float32)
    result.setflags(write=False)
    return result


def downsample_operators(num_rows: int, num_cols: int) -> tuple[FloatArray, FloatArray]:
    """``(Mr, McT)`` with ``Mr @ luma @ McT`` equal to Meta's blurred and decimated 64x64 plane.

    ``Mr`` is 64 x num_rows; ``McT`` is num_cols x 64 (already transposed, contiguous).
    """
    rows_op = _downsample_operator(num_rows)
    cols_op_t = _transposed_operator(num_cols)
    return rows_op, cols_op_t


@functools.lru_cache(maxsize=64)
def _transposed_operator(dimension: int) -> FloatArray:
    result = np.ascontiguousarray(_downsample_operator(dimension).T)
    result.setflags(write=False)
    return result


def _dct_matrix() -> FloatArray:
    """Meta's 16x64 DCT-II rows for frequencies 1..16, scaled by sqrt(2/64)."""
    i = np.arange(1, DCT_SIDE + 1, dtype=np.float64)[:, None]
    j = np.arange(DOWNSAMPLE_SIDE, dtype=np.float64)[None, :]
    scale = math.sqrt(2.0 / DOWNSAMPLE_SIDE)
    matrix = scale * np.cos((math.pi / 2.0 / DOWNSAMPLE_SIDE) * i * (2.0 * j + 1.0))
    result = matrix.astype(np.float32)
    result.setflags(write=False)
    return result


DCT_MATRIX: FloatArray = _dct_matrix()


def dct16(block64: FloatArray) -> FloatArray:
    """The 16x16 low-frequency DCT block ``D @ A @ D.T`` of a 64x64 plane."""
    return (DCT_MATRIX @ block64 @ DCT_MATRIX.T).astype(np.float32, copy=False)


def quality_metric(block64: FloatArray) -> int:
    """Meta's image-domain quality: the sum of quantised neighbour gradients / 90, capped at 100.

    Each difference is scaled to percent of full range and truncated toward zero (C's int
    conversion) before its absolute value is summed, so only significant gradients count.
    """
    vertical = np.trunc((block64[:-1, :] - block64[1:, :]) * np.float32(100) / np.float32(255))
    horizontal = np.trunc((block64[:, :-1] - block64[:, 1:]) * np.float32(100) / np.float32(255))
    # Every term is a small integer, so float64 sums are exact.
    gradient_sum = int(np.abs(vertical, dtype=np.float64).sum()) + int(
        np.abs(horizontal, dtype=np.float64).sum()
    )
    return min(100, gradient_sum // 90)
