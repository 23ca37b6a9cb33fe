"""Recognising video containers by content, and files that end too early."""

from __future__ import annotations

import io
import struct

import pytest

from fingerprint_client.hashing._video_sniff import ends_too_early
from fingerprint_client.hashing.video import sniff_video
from tests.fixtures.videos import VideoSet


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\0\0\0\0" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (ftyp(b"isom", b"isom", b"avc1"), "MP4"),
        (ftyp(b"mp42", b"mp41"), "MP4"),
        (ftyp(b"M4V ", b"M4V "), "MP4"),
        (ftyp(b"qt  ", b"qt  "), "MOV"),
        (ftyp(b"3gp4", b"3gp4"), "3GP"),
        (ftyp(b"xxxx", b"mp4x"), "MP4"),  # unknown major brand, known compatible one
        (b"\x00\x00\x00\x08wide" + b"\0" * 8, "MOV"),  # QuickTime without ftyp
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "WebM"),
        (b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska", "Matroska"),
        (b"RIFF\x10\x00\x00\x00AVI LIST", "AVI"),
        # images in the same containers stay images
        (ftyp(b"heic", b"mif1", b"heic"), None),
        (ftyp(b"avif", b"avif", b"mif1"), None),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", None),
        (b"GIF89a\x01\x00\x01\x00", None),
        (b"\x89PNG\r\n\x1a\n", None),
        (b"\xff\xd8\xff\xe0", None),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84abcd", None),
        (b"", None),
        (b"hello world, a text file", None),
    ],
)
def test_sniff_video(head: bytes, expected: str | None) -> None:
    assert sniff_video(head) == expected


def test_sniff_generated_files(videos: VideoSet) -> None:
    found = {
        p.suffix: sniff_video(p.read_bytes()[:64])
        for p in (videos.original, videos.webm, videos.mkv, videos.avi)
    }
    assert found == {".mp4": "MP4", ".webm": "WebM", ".mkv": "Matroska", ".avi": "AVI"}


@pytest.mark.parametrize("attr", ["original", "webm", "mkv", "avi"])
def test_whole_files_are_not_short(videos: VideoSet, attr: str) -> None:
    data = getattr(videos, attr).read_bytes()
    container = sniff_video(data[:64])
    assert container is not None
    assert not ends_too_early(io.BytesIO(data), len(data), container)


@pytest.mark.parametrize("attr", ["original", "webm", "mkv", "avi"])
@pytest.mark.parametrize("keep", [0.3, 0.9])
def test_cut_files_are_short(videos: VideoSet, attr: str, keep: float) -> None:
    data = getattr(videos, attr).read_bytes()
    container = sniff_video(data[:64])
    assert container is not None
    cut = data[: int(len(data) * keep)]
    assert ends_too_early(io.BytesIO(cut), len(cut), container)
