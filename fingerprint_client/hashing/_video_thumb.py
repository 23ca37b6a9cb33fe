"""The 32x32 grey thumbnail of a decoded frame that scene cuts are found on (`_video_sampling`).

Read straight from the luma plane where there is one: no conversion of the picture.
"""

from __future__ import annotations

import functools
from typing import Final

import numpy as np
import numpy.typing as npt
from av.video.frame import VideoFrame
from av.video.reformatter import VideoReformatter

from fingerprint_client.hashing._video_sampling import THUMB_SIDE

Thumb = npt.NDArray[np.float32]

#: planar formats whose first plane is the luma, with its bit depth
_LUMA_PLANE_BITS: Final[dict[str, int]] = {
    **dict.fromkeys(
        ("yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv440p",
         "yuvj440p", "yuv411p", "yuv410p", "nv12", "nv21", "gray"), 8
    ),
    **dict.fromkeys(("yuv420p10le", "yuv422p10le", "yuv444p10le", "gray10le"), 10),
    **dict.fromkeys(("yuv420p12le", "yuv422p12le", "yuv444p12le", "gray12le"), 12),
}  # fmt: skip
_GRID: Final[int] = THUMB_SIDE * 4


@functools.lru_cache(maxsize=8)
def _grid_points(height: int, width: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Row and column indices of the thumbnail's sample points (the same for every frame)."""
    rows = np.linspace(0, height - 1, _GRID).astype(np.intp)
    cols = np.linspace(0, width - 1, _GRID).astype(np.intp)
    return rows[:, None], cols[None, :]


def luma_thumb(frame: VideoFrame, reformatter: VideoReformatter) -> Thumb:
    """A 32x32 grey thumbnail (0..255, full range) for cut detection.

    Read straight from the luma plane where there is one (a 128x128 grid of points averaged
    in 4x4 blocks: no conversion of the picture); otherwise converted by swscale.
    """
    bits = _LUMA_PLANE_BITS.get(frame.format.name)
    if bits is None:
        small = reformatter.reformat(
            frame, width=THUMB_SIDE, height=THUMB_SIDE, format="gray", interpolation="AREA"
        )
        return np.asarray(small.to_ndarray(), dtype=np.float32)
    plane = frame.planes[0]
    dtype = np.dtype(np.uint8) if bits == 8 else np.dtype("<u2")
    luma = np.frombuffer(memoryview(plane), dtype).reshape(-1, plane.line_size // dtype.itemsize)
    grid = luma[_grid_points(frame.height, frame.width)].astype(np.float32) * (
        255.0 / ((1 << bits) - 1)
    )
    if frame.color_range != 2 and not frame.format.name.startswith("yuvj"):  # limited range
        grid = (grid - 16.0) * (255.0 / 219.0)
    thumb: Thumb = grid.reshape(THUMB_SIDE, 4, THUMB_SIDE, 4).mean(axis=(1, 3))
    return thumb
