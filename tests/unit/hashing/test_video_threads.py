"""Slice threading for H.264 pictures coded in several slices; frame threading otherwise."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from fingerprint_client.hashing import HashOptions
from fingerprint_client.hashing import _video_decode as video_decode
from fingerprint_client.hashing._fileio import open_regular
from fingerprint_client.hashing._video_decode import decode_frames, open_video, pick_stream
from fingerprint_client.hashing._video_threads import h264_slices, thread_type_for
from fingerprint_client.hashing.video import hash_video
from tests.fixtures.videos import encode, synthetic_frames

AVCC = bytes.fromhex("01640028ff")  # avcC record: 4-byte NAL lengths


def nal(nal_type: int, body: bytes = b"\x88\x84") -> bytes:
    return bytes([0x60 | nal_type]) + body


def length_prefixed(*units: bytes, size: int = 4) -> bytes:
    return b"".join(len(u).to_bytes(size, "big") + u for u in units)


def test_slices_are_counted_in_length_prefixed_pictures() -> None:
    sei, idr, non_idr = nal(6), nal(5), nal(1)
    assert h264_slices(AVCC, length_prefixed(sei, idr, idr)) == 2
    assert h264_slices(AVCC, length_prefixed(non_idr)) == 1
    assert h264_slices(AVCC, length_prefixed(sei)) == 0
    two_byte = bytes.fromhex("01640028fd")  # lengthSizeMinusOne = 1
    assert h264_slices(two_byte, length_prefixed(idr, idr, idr, size=2)) == 3


def test_slices_are_counted_in_annex_b_pictures() -> None:
    picture = b"\x00\x00\x00\x01" + nal(9) + b"\x00\x00\x01" + nal(5) + b"\x00\x00\x01" + nal(5)
    assert h264_slices(None, picture) == 2
    assert h264_slices(None, b"\x00\x00\x01" + nal(1)) == 1


def test_damaged_pictures_never_raise() -> None:
    assert h264_slices(AVCC, b"\xff\xff\xff\xff\x65") == 0
    assert h264_slices(AVCC, b"\x00") == 0
    assert h264_slices(b"", length_prefixed(nal(5), nal(5))) == 2


def test_only_h264_with_several_slices_gets_slice_threads() -> None:
    two = length_prefixed(nal(5), nal(5))
    assert thread_type_for("h264", AVCC, two) == "SLICE"
    assert thread_type_for("h264", AVCC, length_prefixed(nal(5))) == "AUTO"
    assert thread_type_for("hevc", AVCC, two) == "AUTO"
    assert thread_type_for("h264", AVCC, b"") == "AUTO"


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("slices")
    return {
        slices: encode(
            folder / f"slices{slices}.mp4",
            synthetic_frames(320, 240, 15, 4.0),
            options={"slices": str(slices), "threads": "1"},
        )
        for slices in (1, 4)
    }


def chosen_thread_type(path: Path) -> str:
    f, _ = open_regular(path)
    with f, open_video(f, "MP4") as container:
        stream = pick_stream(container)
        next(decode_frames(container, stream))
        return str(stream.codec_context.thread_type.name)


def test_a_real_clip_decodes_with_the_threads_its_slices_allow(clips: dict[int, Path]) -> None:
    assert chosen_thread_type(clips[4]) == "SLICE"
    assert chosen_thread_type(clips[1]) in ("FRAME", "AUTO")  # FFmpeg's own choice: frames


def test_the_threads_never_change_the_fingerprints(
    clips: dict[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    sliced = hash_video(clips[4], HashOptions())
    assert sliced.ok and sliced.pdq_frames
    monkeypatch.setattr(video_decode, "thread_type_for", lambda *_: "FRAME")
    framed = hash_video(clips[4], HashOptions())
    assert framed.pdq_frames == sliced.pdq_frames
    assert framed.hashes == sliced.hashes


def test_the_clip_really_has_the_slices_it_was_made_with(clips: dict[int, Path]) -> None:
    with av.open(str(clips[4])) as container:
        stream = container.streams.video[0]
        first = bytes(next(container.demux(stream)))
        assert h264_slices(stream.codec_context.extradata, first) == 4
