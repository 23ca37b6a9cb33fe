"""The linear algebra of PDQ: tent-filter-and-decimate operators, the 16x64 DCT, the quality metric.

Meta's reference blurs the full-resolution luminance plane with two X,Y passes of a 1-D box filter
(Jarosz, "Fast Image Convolutions", 2001; a tent filter), then keeps 64 rows and 64 columns
("target centres, not corners"). Every step is linear and separable, so the whole
blur-then-decimate is exactly ``Mr @ luma @ Mc.T`` with a 64xH matrix ``Mr`` (the vertical passes
followed by row selection) and a 64xW matrix ``Mc`` (the horizontal passes followed by column
selection). Those matrices depend only on the image size; they are built once per size with
cumulative sums, kept as bands (each output reads only the inputs under its tent) and cached.
Hashing then costs about one multiply-add per pixel and needs no full-size scratch buffer at all
(Meta's code needs two full-size float planes).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

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


def _dense_operator(dimension: int) -> npt.NDArray[np.float64]:
    """The 64 x `dimension` matrix of both box passes along one axis followed by decimation."""
    window = jarosz_window_size(dimension)
    selection = np.zeros((DOWNSAMPLE_SIDE, dimension), dtype=np.float64)
    selection[np.arange(DOWNSAMPLE_SIDE), decimation_indices(dimension)] = 1.0
    operator = selection
    for _ in range(JAROSZ_PASSES):
        operator = _box_transpose(operator, window)
    return operator


@dataclass(frozen=True)
class BandOperator:
    """The tent-and-decimate operator of one axis, stored as a band.

    Output sample ``k`` is ``sum_s weight[k, s] * input[index[k, s]]``; each output only reads the
    ``2 * window - 1`` or so inputs under its tent, so the whole reduction costs about one
    multiply-add per pixel. It runs in numpy's own single-threaded loops, never in a threaded
    BLAS (which oversubscribes the cores when several hashing processes run at once).
    """

    index: npt.NDArray[np.intp]
    weight: FloatArray

    def reduce_columns(self, strip: FloatArray) -> FloatArray:
        """(h, n) rows -> (h, 64): every row reduced along its length."""
        gathered = strip[:, self.index]  # (h, 64, band)
        return np.asarray(np.einsum("hks,ks->hk", gathered, self.weight), dtype=np.float32)

    def reduce_rows(self, partial: FloatArray) -> FloatArray:
        """(n, m) -> (64, m): the columns of `partial` reduced along their length."""
        gathered = partial[self.index]  # (64, band, m)
        return np.asarray(np.einsum("ksm,ks->km", gathered, self.weight), dtype=np.float32)


@functools.lru_cache(maxsize=64)
def band_operator(dimension: int) -> BandOperator:
    """The cached :class:`BandOperator` for an axis of `dimension` samples.

    Each of the 64 output rows starts as the unit vector at its decimation index and is pushed
    back through the box filter twice (see :func:`_box_transpose`), on a local window only:
    every pass widens the support by ``L`` on the left and ``R`` on the right, so the band is
    ``2 * window - 1`` wide and the cost is 64 x band, independent of the image.
    """
    window = jarosz_window_size(dimension)
    half = (window + 2) // 2
    left, right = window - half, half - 1
    start = decimation_indices(dimension).astype(np.int64)  # global position of local index 0
    values = np.ones((DOWNSAMPLE_SIDE, 1), dtype=np.float64)
    for _ in range(JAROSZ_PASSES):
        width = values.shape[1]
        position = start[:, None] + np.arange(width)[None, :]
        valid = (position >= 0) & (position < dimension)
        clipped = np.clip(position, 0, dimension - 1)
        counts = np.minimum(dimension - 1, clipped + right) - np.maximum(0, clipped - left) + 1
        scaled = np.where(valid, values / counts, 0.0)
        csum = np.zeros((DOWNSAMPLE_SIDE, width + 1), dtype=np.float64)
        np.cumsum(scaled, axis=1, out=csum[:, 1:])
        # New local u (global start - left + u) sums old local t in [u - left - right, u].
        u = np.arange(width + left + right)
        values = csum[:, np.minimum(u + 1, width)] - csum[:, np.clip(u - left - right, 0, width)]
        start = start - left
    position = start[:, None] + np.arange(values.shape[1])[None, :]
    inside = (position >= 0) & (position < dimension)
    index = np.clip(position, 0, dimension - 1).astype(np.intp)
    weight = np.where(inside, values, 0.0).astype(np.float32)
    index.setflags(write=False)
    weight.setflags(write=False)
    return BandOperator(index, weight)


def downsample_operators(num_rows: int, num_cols: int) -> tuple[BandOperator, BandOperator]:
    """``(rows, cols)`` operators whose reductions give Meta's blurred, decimated 64x64 plane."""
    return band_operator(num_rows), band_operator(num_cols)


def dense_downsample_operator(dimension: int) -> FloatArray:
    """The same operator as a dense 64 x `dimension` matrix (for tests and documentation)."""
    return _dense_operator(dimension).astype(np.float32)


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
