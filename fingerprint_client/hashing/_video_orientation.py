"""How a video frame is shown: the display matrix a phone stores (rotation, mirroring).

The rules are FFmpeg's own (`ffmpeg` turns pictures upright this way, "autorotate"): the angle
from the matrix picks a quarter turn, and the signs of its entries pick the mirrored variants.
Angles that are not quarter turns are ignored (never seen from cameras).
"""

from __future__ import annotations

import math
import struct
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
from av.sidedata.sidedata import Type as SideDataType
from av.video.frame import VideoFrame

Orientation = Literal[
    "none", "clock", "cclock", "transpose", "transverse", "hflip", "vflip", "rot180"
]

#: orientations that swap width and height
SWAPS_SIDES: Final[frozenset[str]] = frozenset({"clock", "cclock", "transpose", "transverse"})


def orientation_of(frame: VideoFrame) -> Orientation:
    """The turn or mirror that shows `frame` as intended (from its display matrix)."""
    matrix = _display_matrix(frame)
    if matrix is None:
        return "none"
    m0, m1, m3, m4 = matrix[0], matrix[1], matrix[3], matrix[4]
    scale0, scale1 = math.hypot(m0, m3), math.hypot(m1, m4)
    if scale0 == 0 or scale1 == 0:
        return "none"
    # FFmpeg's get_rotation(): clockwise degrees in [0, 360)
    theta = float(round(math.degrees(math.atan2(m1 / scale1, m0 / scale0))))
    theta -= 360 * math.floor(theta / 360 + 0.9 / 360)
    if abs(theta - 90) < 1:
        return "transpose" if m3 > 0 else "clock"
    if abs(theta - 270) < 1:
        return "transverse" if m3 < 0 else "cclock"
    if abs(theta - 180) < 1:
        if m0 < 0 and m4 < 0:
            return "rot180"
        return "hflip" if m0 < 0 else "vflip" if m4 < 0 else "none"
    if abs(theta) < 1 and m4 < 0:
        return "vflip"
    return "none"


def apply_orientation(
    rgb: npt.NDArray[np.uint8], orientation: Orientation
) -> npt.NDArray[np.uint8]:
    """`rgb` (height x width, with or without a channel axis) as shown."""
    if orientation == "none":
        return rgb
    turned = {
        "clock": lambda a: np.rot90(a, k=-1),
        "cclock": lambda a: np.rot90(a, k=1),
        "transpose": lambda a: a.swapaxes(0, 1),
        "transverse": lambda a: np.rot90(a, k=2).swapaxes(0, 1),
        "hflip": lambda a: a[:, ::-1],
        "vflip": lambda a: a[::-1],
        "rot180": lambda a: a[::-1, ::-1],
    }[orientation](rgb)
    return np.ascontiguousarray(turned)


def _display_matrix(frame: VideoFrame) -> tuple[int, ...] | None:
    side_data: Any = frame.side_data  # a SideDataContainer (PyAV's stub says otherwise)
    try:
        raw = bytes(side_data[SideDataType.DISPLAYMATRIX])
    except (KeyError, ValueError, TypeError):
        return None
    return struct.unpack("=9i", raw[:36]) if len(raw) >= 36 else None
