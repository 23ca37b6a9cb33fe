"""Batch workers keep freed memory for the next file (glibc's mallopt); measured in children."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

FAULTS_WHILE_HASHING = """
import resource, sys
from pathlib import Path
from fingerprint_client.hashing._allocator import keep_freed_memory
tuned = sys.argv[1] == "tuned" and keep_freed_memory()
from fingerprint_client.hashing import HashOptions, hash_one
paths = [Path(p) for p in sys.argv[2:]]
for path in paths:  # warm up: imports and first-use allocations
    assert hash_one(path, HashOptions()).ok
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(3):
    for path in paths:
        assert hash_one(path, HashOptions()).ok
print(int(tuned), resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def glibc() -> bool:
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError, AttributeError):
        return False


def faults_while_hashing(mode: str, paths: list[Path]) -> tuple[bool, int]:
    command = [sys.executable, "-c", FAULTS_WHILE_HASHING, mode, *map(str, paths)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
    return out[0] == "1", int(out[1])


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("photos")
    paths = []
    for seed in range(3):
        coarse = np.random.default_rng(seed).integers(0, 256, (378, 504, 3), dtype=np.uint8)
        path = folder / f"photo{seed}.jpg"
        Image.fromarray(coarse).resize((4032, 3024), Image.Resampling.BILINEAR).save(path)
        paths.append(path)
    return paths


def test_the_allocator_is_tuned_under_glibc_only(photos: list[Path]) -> None:
    tuned, _ = faults_while_hashing("tuned", photos[:1])
    assert tuned == glibc()


@pytest.mark.skipif(not glibc(), reason="mallopt is glibc's")
def test_each_photo_reuses_the_memory_of_the_last(photos: list[Path]) -> None:
    _, default = faults_while_hashing("default", photos)
    _, tuned = faults_while_hashing("tuned", photos)
    hashed = 3 * len(photos)
    assert default > 100 * hashed  # glibc's defaults: hundreds of fresh pages per photo
    assert tuned < 10 * hashed
