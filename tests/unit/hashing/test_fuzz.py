"""Random and mutated image bytes through `hash_one`: always a result, never a traceback."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fingerprint_client.hashing import ERROR_CODES, FileResult, HashOptions, hash_one
from fingerprint_client.hashing._errors import HashFailure
from fingerprint_client.hashing._worker import _hash_file
from tests.fixtures.images import image_bytes, photo_like

SEEDS = {fmt: image_bytes(fmt, photo_like(48, 32)) for fmt in ("JPEG", "PNG", "GIF", "WEBP")}
SEEDS["TIFF"] = image_bytes("TIFF", photo_like(24, 16))
SEEDS["BMP"] = image_bytes("BMP", photo_like(24, 16))
OPTIONS = HashOptions(algorithms=("pdq", "md5", "sha256", "phash"))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(0, 6))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "overwrite"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if action == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "cut":
            del data[at:]
        elif action == "insert":
            data[at:at] = draw(st.binary(max_size=64))
        elif data:
            chunk = draw(st.binary(min_size=1, max_size=16))
            data[at : at + len(chunk)] = chunk
    return bytes(data)


def _check(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.bin"
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # nothing may leak out as a warning either
            try:  # the inner function: only a HashFailure may come out (no bug hidden as corrupt)
                strict = _hash_file(path, OPTIONS, 0)
            except HashFailure as failure:
                strict = FileResult.failure(0, path, failure.error)
            result = hash_one(path, OPTIONS)
    assert result.to_json() == strict.to_json()
    if result.ok:
        assert len(result.hashes["pdq"]) == 64
    else:
        assert result.error is not None and result.error.code in ERROR_CODES
        assert "fuzz.bin" not in result.error.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_images_never_crash(data: bytes) -> None:
    _check(data)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=512))
def test_random_bytes_never_crash(data: bytes) -> None:
    _check(data)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(SEEDS)), st.binary(max_size=256))
def test_valid_header_then_garbage(fmt: str, tail: bytes) -> None:
    _check(SEEDS[fmt][:32] + tail)
