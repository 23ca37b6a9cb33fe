"""Safe loading through `hash_one`: every bad-input class gets its stable code, never a hang."""

from __future__ import annotations

import json
import os
import socket
import struct
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image

from fingerprint_client.hashing import ERROR_CODES, FileResult, HashOptions, hash_one
from tests.fixtures.images import FORMATS, WriteFile, image_bytes, photo_like
from tests.fixtures.unprivileged import run_python_subject_to_permissions

OPTIONS = HashOptions()


def _failed(result: FileResult, code: str, path: Path) -> None:
    assert not result.ok, result
    assert result.error is not None
    assert result.error.code == code, result.error
    assert str(path) not in result.error.message
    assert path.name not in result.error.message
    assert result.to_json() == {
        "path": str(path),
        "ok": False,
        "error": {"code": code, "message": result.error.message},
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_allowed_format_is_fingerprinted(fmt: str, image_file: WriteFile) -> None:
    path = image_file(f"picture.{fmt.lower()}", image_bytes(fmt, photo_like(96, 64)))
    result = hash_one(path, OPTIONS)
    assert result.ok, result.error
    assert result.media == "image"
    assert (result.width, result.height) == (96, 64)
    assert set(result.hashes) == {"pdq", "md5", "sha256"}
    assert len(result.hashes["pdq"]) == 64
    assert result.pdq_quality is not None


def test_mpo_is_read_as_its_first_picture(image_file: WriteFile) -> None:
    first, second = photo_like(96, 64, seed=1), photo_like(96, 64, seed=2)
    path = image_file("pair.mpo", image_bytes("MPO", first, save_all=True, append_images=[second]))
    result = hash_one(path, OPTIONS)
    assert result.ok and result.format == "MPO"
    alone = hash_one(image_file("first.jpg", image_bytes("JPEG", first)), OPTIONS)
    assert result.hashes["pdq"] == alone.hashes["pdq"]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nothing-here.jpg"
    _failed(hash_one(path, OPTIONS), "not-found", path)


def test_directory(tmp_path: Path) -> None:
    _failed(hash_one(tmp_path, OPTIONS), "not-a-regular-file", tmp_path)


def test_fifo_never_blocks(tmp_path: Path) -> None:
    path = tmp_path / "pipe.jpg"
    os.mkfifo(path)
    _failed(hash_one(path, OPTIONS), "not-a-regular-file", path)


def test_device() -> None:
    _failed(hash_one(Path("/dev/null"), OPTIONS), "not-a-regular-file", Path("/dev/null"))


def test_socket(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        _failed(hash_one(path, OPTIONS), "not-a-regular-file", path)


def test_dangling_symlink(tmp_path: Path) -> None:
    path = tmp_path / "gone.jpg"
    path.symlink_to(tmp_path / "never-existed.jpg")
    _failed(hash_one(path, OPTIONS), "not-a-regular-file", path)


def test_looping_symlink(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jpg", tmp_path / "b.jpg"
    a.symlink_to(b)
    b.symlink_to(a)
    _failed(hash_one(a, OPTIONS), "not-a-regular-file", a)


def test_symlink_to_a_picture_is_followed(tmp_path: Path, image_file: WriteFile) -> None:
    target = image_file("real.png", image_bytes("PNG"))
    link = tmp_path / "link.png"
    link.symlink_to(target)
    assert hash_one(link, OPTIONS).hashes == hash_one(target, OPTIONS).hashes


def test_unreadable_file(image_file: WriteFile) -> None:
    path = image_file("secret.png", image_bytes("PNG"))
    path.chmod(0)
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from fingerprint_client.hashing import HashOptions, hash_one\n"
        "print(json.dumps(hash_one(Path(sys.argv[1]), HashOptions()).to_json()))\n"
    )
    result = json.loads(run_python_subject_to_permissions(code, str(path)))
    assert result["ok"] is False
    assert result["error"]["code"] == "permission-denied"
    assert str(path) not in result["error"]["message"]
    assert path.name not in result["error"]["message"]


def test_empty_file(image_file: WriteFile) -> None:
    path = image_file("empty.jpg", b"")
    _failed(hash_one(path, OPTIONS), "empty", path)


@pytest.mark.parametrize(
    "data",
    [
        b"Just some notes, not a picture.\n" * 10,
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",
        b"%!PS-Adobe-3.0\n/Helvetica findfont\nshowpage\n",
        b"\xc5\xd0\xd3\xc6" + bytes(28) + b"%!PS-Adobe-3.0 EPSF-3.0\n",
        b"P6\n4 4\n255\n" + bytes(48),
        b"BM but really a text file that starts with BM",
        b"\x00\x00\x01\x00\x01\x00\x10\x10" + bytes(64),  # an .ico
    ],
    ids=["text", "eps", "postscript", "eps-binary", "ppm", "bm-text", "ico"],
)
def test_everything_else_is_refused(data: bytes, image_file: WriteFile) -> None:
    path = image_file("looks-like.jpg", data)
    _failed(hash_one(path, OPTIONS), "unsupported-format", path)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP"])
def test_truncated_files_are_refused(fmt: str, image_file: WriteFile) -> None:
    data = image_bytes(fmt, photo_like(200, 150))
    path = image_file(f"cut.{fmt.lower()}", data[: len(data) * 2 // 3])
    result = hash_one(path, OPTIONS)
    assert result.error is not None
    assert result.error.code in {"truncated", "corrupt"}
    if fmt in {"JPEG", "PNG"}:
        assert result.error.code == "truncated"


def test_corrupt_file(image_file: WriteFile) -> None:
    data = bytearray(image_bytes("PNG", photo_like(200, 150)))
    data[100:400] = bytes(range(256)) + bytes(44)
    path = image_file("broken.png", bytes(data))
    _failed(hash_one(path, OPTIONS), "corrupt", path)


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(bytes(1 + width * 3) * 4)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding(image_file: WriteFile) -> None:
    path = image_file("bomb.png", _png_claiming(40_000, 40_000))
    _failed(hash_one(path, OPTIONS), "decompression-bomb", path)


def test_too_large_for_memory_is_refused(image_file: WriteFile) -> None:
    path = image_file("wide.png", _png_claiming(12_000, 12_000))
    _failed(hash_one(path, OPTIONS), "too-large", path)


def test_pillow_warnings_never_escape(image_file: WriteFile) -> None:
    """Same results under `-W error`: a size above Pillow's warning limit, broken EXIF."""
    exif = Image.Exif()
    exif[0x0112] = 6
    good = image_file("ok.jpg", image_bytes("JPEG", photo_like(120, 80), exif=exif))
    broken = bytearray(good.read_bytes())
    at = broken.find(b"Exif\x00\x00")
    broken[at + 6 : at + 14] = b"XX\x00\x2a\xff\xff\xff\xff"
    bad_exif = image_file("bad-exif.jpg", bytes(broken))
    warn_size = image_file("big.png", _png_claiming(9_500, 9_500))
    paths = [good, bad_exif, warn_size]
    plain = [hash_one(p, OPTIONS).to_json() for p in paths]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        strict = [hash_one(p, OPTIONS).to_json() for p in paths]
    assert plain == strict
    assert plain[0]["ok"] and plain[1]["ok"]


def test_error_codes_are_designs_list() -> None:
    assert ERROR_CODES == (
        "not-found", "not-a-regular-file", "permission-denied", "empty", "unsupported-format",
        "too-large", "decompression-bomb", "truncated", "corrupt", "timeout", "decoder-crashed",
        "no-video-stream", "unsupported-codec",
    )  # fmt: skip


def test_numeric_oddities_behave_the_same_under_w_error(image_file: WriteFile) -> None:
    import numpy as np

    values = np.asarray(photo_like(64, 48).convert("L"), dtype=np.float32)
    values[0, :5] = [np.nan, np.inf, -np.inf, 1e38, -1e38]
    path = image_file("odd.tiff", image_bytes("TIFF", Image.fromarray(values, mode="F")))
    plain = hash_one(path, OPTIONS).to_json()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        strict = hash_one(path, OPTIONS).to_json()
    assert plain == strict
    assert plain["ok"] is True or plain["error"]["code"] in ERROR_CODES
