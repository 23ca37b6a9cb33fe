"""Abstract pictures for the demo, generated from numbers (never photographs).

Each picture has enough structure for a good PDQ quality, so a demo request is accepted. One
deliberately broken file shows how an unreadable file is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

WIDTH, HEIGHT = 640, 480
Pixels = NDArray[np.uint8]


def _grid() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    return x / WIDTH, y / HEIGHT


def _to_rgb(r: NDArray[np.float64], g: NDArray[np.float64], b: NDArray[np.float64]) -> Pixels:
    stack = np.stack([r, g, b], axis=-1)
    return (np.clip(stack, 0.0, 1.0) * 255).astype(np.uint8)


def _waves(rng: np.random.Generator) -> Pixels:
    x, y = _grid()
    f1, f2 = rng.uniform(3, 9, size=2)
    return _to_rgb(
        0.5 + 0.5 * np.sin(2 * np.pi * f1 * x),
        0.5 + 0.5 * np.sin(2 * np.pi * f2 * y),
        0.5 + 0.5 * np.sin(2 * np.pi * (f1 * x + f2 * y) / 2),
    )


def _circles(rng: np.random.Generator) -> Pixels:
    x, y = _grid()
    cx, cy = rng.uniform(0.3, 0.7, size=2)
    r = np.hypot(x - cx, (y - cy) * HEIGHT / WIDTH)
    rings = 0.5 + 0.5 * np.cos(2 * np.pi * r * rng.uniform(8, 14))
    return _to_rgb(rings, 1 - x * rings, y)


def _tiles(rng: np.random.Generator) -> Pixels:
    cells = rng.random((6, 8, 3))
    big = np.kron(cells, np.ones((HEIGHT // 6, WIDTH // 8, 1)))
    return (big * 255).astype(np.uint8)


def _stripes(rng: np.random.Generator) -> Pixels:
    x, y = _grid()
    angle = rng.uniform(0, np.pi)
    t = x * np.cos(angle) + y * np.sin(angle)
    band = (np.floor(t * rng.uniform(10, 20)) % 2).astype(np.float64)
    return _to_rgb(band * 0.9, 0.3 + 0.4 * x, 1 - band * 0.7)


def _blobs(rng: np.random.Generator) -> Pixels:
    x, y = _grid()
    field = np.zeros_like(x)
    for _ in range(7):
        cx, cy, s = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.05, 0.2)
        field += np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
    field /= field.max()
    bands = (np.floor(field * 6) % 2).astype(np.float64)
    return _to_rgb(bands, field**2, 1 - field)


def _spiral(rng: np.random.Generator) -> Pixels:
    x, y = _grid()
    dx, dy = x - 0.5, (y - 0.5) * HEIGHT / WIDTH
    theta = np.arctan2(dy, dx)
    r = np.hypot(dx, dy)
    s = 0.5 + 0.5 * np.sin(theta * int(rng.integers(3, 7)) + r * 25)
    checks = ((np.floor(x * 8) + np.floor(y * 6)) % 2).astype(np.float64)
    return _to_rgb(s, 0.6 * checks + 0.4 * r, 1 - s * checks)


PATTERNS: tuple[tuple[str, Callable[[np.random.Generator], Pixels]], ...] = (
    ("waves.jpg", _waves),
    ("circles.png", _circles),
    ("tiles.png", _tiles),
    ("stripes.jpg", _stripes),
    ("blobs.webp", _blobs),
    ("spiral.jpg", _spiral),
)
BROKEN_NAME = "broken-file.jpg"


def generate_pictures(directory: Path, *, seed: int = 2026, broken: bool = True) -> list[Path]:
    """Write the demo pictures into `directory` (created 0700) and return their paths."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    written: list[Path] = []
    for name, make in PATTERNS:
        path = directory / name
        image = Image.fromarray(make(rng), "RGB")
        if name.endswith(".jpg"):
            image.save(path, quality=90)
        else:
            image.save(path)
        written.append(path)
    if broken:
        path = directory / BROKEN_NAME
        path.write_bytes(b"\xff\xd8\xff\xe0 this is not really a picture")
        written.append(path)
    return written
