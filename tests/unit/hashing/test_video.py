"""Video fingerprints end to end on generated clips: copies match, errors are clear."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from fingerprint_client.hashing import HashOptions, hash_one
from fingerprint_client.hashing._video_decode import (
    decode_frames,
    open_video,
    pick_stream,
    stream_info,
)
from fingerprint_client.hashing._video_parts import sample_frames
from fingerprint_client.hashing._video_sampling import SamplePlanner
from fingerprint_client.hashing.pdq import hamming, pdq_from_luma, pdq_from_rgb
from fingerprint_client.hashing.video import hash_video
from tests.fixtures.videos import CUTS, VideoSet, encode, synthetic_frames

MATCH_BITS = 31
Frames = list[dict[str, Any]]


def frames_of(path: Path) -> Frames:
    result = hash_video(path, HashOptions())
    assert result.ok, result.error
    assert result.pdq_frames
    return result.pdq_frames


def matched(query: Frames, reference: Frames, bits: int = MATCH_BITS) -> float:
    """The share of `query` frames within `bits` of some `reference` frame (as vPDQ matches)."""
    hits = sum(1 for q in query if min(hamming(q["pdq"], r["pdq"]) for r in reference) <= bits)
    return hits / len(query)


def test_result_shape(videos: VideoSet) -> None:
    result = hash_video(videos.original, HashOptions())
    out = result.to_json()
    assert out["ok"] is True
    assert out["media"] == "video"
    assert out["format"] == "MP4"
    assert (out["width"], out["height"]) == (320, 240)
    assert set(out["hashes"]) == {"md5", "sha256"}
    frames = out["pdq_frames"]
    assert 8 <= len(frames) <= 14  # 8 s: one a second plus the cuts, minus repeats
    for frame in frames:
        assert set(frame) == {"t", "pdq", "quality"}
        assert isinstance(frame["t"], float) and frame["t"] == round(frame["t"], 3)
        assert len(frame["pdq"]) == 64 and int(frame["pdq"], 16) >= 0
        assert 0 <= frame["quality"] <= 100
    times = [f["t"] for f in frames]
    assert times == sorted(times) and times[0] == 0.0


def test_cuts_are_sampled(videos: VideoSet) -> None:
    times = [f["t"] for f in frames_of(videos.original)]
    for cut in CUTS[1:]:
        assert any(abs(t - cut) <= 1 / 15 + 1e-3 for t in times), (cut, times)


def test_digests_equal_hashlib(videos: VideoSet) -> None:
    data = videos.original.read_bytes()
    result = hash_video(videos.original, HashOptions())
    assert result.hashes == {
        "md5": hashlib.md5(data).hexdigest(),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def test_only_the_requested_hashes(videos: VideoSet) -> None:
    result = hash_video(videos.original, HashOptions(algorithms=("sha256",)))
    assert result.ok
    assert set(result.hashes) == {"sha256"}
    assert result.pdq_frames is None
    assert (result.width, result.height) == (320, 240)
    with_frames = hash_video(videos.original, HashOptions(algorithms=("sha256",), frames=True))
    assert with_frames.pdq_frames and set(with_frames.hashes) == {"sha256"}


def test_reencoded_copy_matches(videos: VideoSet) -> None:
    original, copy = frames_of(videos.original), frames_of(videos.reencoded)
    assert matched(copy, original) >= 0.8
    # ... at the same moments: most frames of the copy have a twin at the same time
    same_time = [
        c for c in copy if any(abs(c["t"] - o["t"]) <= 0.07 for o in original)
    ]  # fmt: skip
    assert len(same_time) >= 0.8 * len(copy)


def test_trimmed_copy_matches(videos: VideoSet) -> None:
    original, trimmed = frames_of(videos.original), frames_of(videos.trimmed)
    assert matched(trimmed, original) >= 0.8
    # after its first cut the trimmed copy samples exactly the original's moments
    start = videos.trim_start
    first_cut = min(c for c in CUTS if c > start)
    later = [round(f["t"] + start, 1) for f in trimmed if f["t"] + start >= first_cut - 0.01]
    assert later == [round(f["t"], 1) for f in original if f["t"] >= first_cut - 0.01]


def test_unrelated_video_does_not_match(videos: VideoSet, tmp_path: Path) -> None:
    upright = frames_of(videos.rotated_pixels)
    assert matched(upright, frames_of(videos.original)) < 0.5


def test_rotated_phone_video_hashes_as_displayed(videos: VideoSet) -> None:
    result = hash_video(videos.rotated_meta, HashOptions())
    assert result.ok
    assert (result.width, result.height) == (240, 320)
    assert result.pdq_frames
    upright = frames_of(videos.rotated_pixels)
    assert matched(result.pdq_frames, upright) == 1.0
    for stored, displayed in zip(result.pdq_frames, upright, strict=True):
        assert abs(stored["t"] - displayed["t"]) < 0.01


@pytest.mark.parametrize(
    ("attr", "container"),
    [
        ("webm", "WebM"),
        ("av1", "WebM"),
        ("mov", "MOV"),
        ("mkv", "Matroska"),
        ("avi", "AVI"),
        ("ten_bit", "Matroska"),
        ("hdr", "MP4"),
    ],
)
def test_other_containers_and_codecs(videos: VideoSet, attr: str, container: str) -> None:
    """VP9 and AV1 in WebM, HEVC in MOV, VP8 in MKV, MPEG-4 in AVI, 10-bit HEVC in MKV and
    HDR10-tagged HEVC in MP4 give the same frames as H.264 in MP4."""
    result = hash_video(getattr(videos, attr), HashOptions())
    assert result.ok, result.error
    assert result.format == container
    assert (result.width, result.height) == (320, 240)
    assert result.pdq_frames
    reference = [f for f in frames_of(videos.original) if f["t"] < 3.0]
    assert matched(result.pdq_frames, reference) >= 0.8


def test_progress_reports_fractions_up_to_one(videos: VideoSet) -> None:
    seen: list[float] = []
    result = hash_video(videos.original, HashOptions(), progress=seen.append)
    assert result.ok
    assert len(seen) >= 5
    assert seen == sorted(seen) and all(0.0 <= x <= 1.0 for x in seen)
    assert seen[-1] == 1.0


def test_audio_only_file(videos: VideoSet) -> None:
    result = hash_video(videos.audio_only, HashOptions())
    assert not result.ok and result.error is not None
    assert result.error.code == "no-video-stream"
    assert "sound" in result.error.message


@pytest.mark.parametrize("keep", [0.2, 0.6, 0.95])
def test_truncated_file(videos: VideoSet, tmp_path: Path, keep: float) -> None:
    data = videos.original.read_bytes()
    cut = tmp_path / "partial-download.mp4"
    cut.write_bytes(data[: int(len(data) * keep)])
    result = hash_video(cut, HashOptions())
    assert not result.ok and result.error is not None
    assert result.error.code == "truncated"
    assert "incomplete" in result.error.message
    assert str(tmp_path) not in result.error.message


def test_truncated_webm(videos: VideoSet, tmp_path: Path) -> None:
    data = videos.webm.read_bytes()
    cut = tmp_path / "cut.webm"
    cut.write_bytes(data[: len(data) // 2])
    result = hash_video(cut, HashOptions())
    assert result.error is not None and result.error.code == "truncated"


def test_corrupt_file(videos: VideoSet, tmp_path: Path) -> None:
    data = videos.original.read_bytes()
    moov = data.find(b"moov") - 4
    size = int.from_bytes(data[moov : moov + 4], "big")
    garbage = bytes((i * 97 + 13) % 251 for i in range(size - 8))
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(data[: moov + 8] + garbage + data[moov + size :])
    result = hash_video(broken, HashOptions())
    assert not result.ok and result.error is not None
    assert result.error.code == "corrupt"
    assert str(tmp_path) not in result.error.message


def test_unknown_codec(videos: VideoSet, tmp_path: Path) -> None:
    data = videos.original.read_bytes()
    assert data.count(b"avc1") >= 1
    odd = tmp_path / "odd.mp4"
    odd.write_bytes(data.replace(b"avc1", b"zzz1"))
    result = hash_video(odd, HashOptions())
    assert not result.ok and result.error is not None
    assert result.error.code == "unsupported-codec"


def test_name_is_never_taken_for_an_ffmpeg_protocol(videos: VideoSet, tmp_path: Path) -> None:
    tricky = tmp_path / "concat:a.mp4|b.mp4"
    tricky.write_bytes(videos.original.read_bytes())
    result = hash_video(tricky, HashOptions())
    assert result.ok, result.error


def test_batch_entry_point_hashes_videos(videos: VideoSet) -> None:
    """The image pipeline hands videos over by content (no file name extension needed)."""
    result = hash_one(videos.webm, HashOptions(), index=3)
    assert result.ok, result.error
    assert result.index == 3
    assert result.media == "video" and result.format == "WebM"
    assert result.pdq_frames


def test_vp9_in_mp4_with_odd_size(tmp_path: Path) -> None:
    path = encode(
        tmp_path / "odd.mp4", synthetic_frames(202, 150, 10, 1.5), codec="libvpx-vp9", fps=10
    )
    result = hash_video(path, HashOptions())
    assert result.ok, result.error
    assert (result.width, result.height) == (202, 150)


def test_reduced_frames_agree_with_full_frames(tmp_path: Path) -> None:
    """PDQ of the 512 px luma that is hashed (swscale's grey: the Y plane, not Meta's RGB
    weights) and of the 512 px RGB reduction stay within DESIGN.md's image agreement of PDQ of
    the full RGB frame, and within a few bits of each other."""
    path = encode(tmp_path / "hd.mp4", synthetic_frames(1280, 720, 5, 2.0), fps=5)
    from_luma, from_rgb, luma_vs_rgb = [], [], []
    with path.open("rb") as f, open_video(f, "MP4") as container:
        stream = pick_stream(container)
        for decoded in decode_frames(container, stream, exact=True):
            luma, reduced = decoded.luma(), decoded.rgb()
            assert luma.shape == reduced.shape[:2] and min(luma.shape) == 512
            full = np.asarray(decoded.full_rgb(), dtype=np.uint8)
            assert full.shape[:2] == (720, 1280)
            full_hex = pdq_from_rgb(full).hex
            luma_hex = pdq_from_luma(luma.astype(np.float32)).hex
            from_luma.append(hamming(luma_hex, full_hex))
            from_rgb.append(hamming(pdq_from_rgb(reduced).hex, full_hex))
            luma_vs_rgb.append(hamming(luma_hex, pdq_from_rgb(reduced).hex))
    for distances in (from_luma, from_rgb):
        assert max(distances) <= 10 and sum(distances) / len(distances) <= 8, distances
    assert max(luma_vs_rgb) <= 8, luma_vs_rgb


@pytest.mark.parametrize(
    ("attr", "container_name"),
    [("original", "MP4"), ("webm", "WebM"), ("av1", "WebM"), ("mov", "MOV"), ("hdr", "MP4")],
)
def test_skipping_unreferenced_frames_changes_nothing(
    videos: VideoSet, attr: str, container_name: str
) -> None:
    """Frames no other frame refers to are skipped between samples: same result as decoding
    every frame (H.264, VP9, AV1, HEVC)."""
    path = getattr(videos, attr)
    fast = frames_of(path)
    with path.open("rb") as f, open_video(f, container_name) as container:
        stream = pick_stream(container)
        info = stream_info(container, stream)
        every = decode_frames(container, stream, needs_every_frame=None)
        reference, _size = sample_frames(every, SamplePlanner(), info, None)
    assert [dict(frame) for frame in reference] == fast


def test_damaged_middle_is_passed_over(videos: VideoSet, tmp_path: Path) -> None:
    """Like a video player, damaged pieces are skipped and the rest is still fingerprinted."""
    data = bytearray(videos.original.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 1500] = bytes((i * 37 + 11) % 256 for i in range(1500))
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    result = hash_video(damaged, HashOptions())
    assert result.ok, result.error
    assert result.pdq_frames
    assert matched(result.pdq_frames, frames_of(videos.original)) >= 0.6


@pytest.mark.parametrize(
    ("attr", "container_name"),
    [("original", "MP4"), ("webm", "WebM"), ("mov", "MOV"), ("hdr", "MP4")],
)
def test_fast_decoding_moves_hashes_by_a_few_bits(
    videos: VideoSet, attr: str, container_name: str
) -> None:
    """Skipping the deblocking filter (all but key frames) leaves the sampled moments as they
    are and moves each frame's PDQ by a few bits at most (H.264, VP9, HEVC)."""
    path = getattr(videos, attr)
    fast = frames_of(path)
    with path.open("rb") as f, open_video(f, container_name) as container:
        stream = pick_stream(container)
        info = stream_info(container, stream)
        planner = SamplePlanner()
        decoded = decode_frames(container, stream, planner.needs_every_frame, exact=True)
        exact, _size = sample_frames(decoded, planner, info, None)
    assert [frame["t"] for frame in exact] == [frame["t"] for frame in fast]
    distances = [hamming(a["pdq"], b["pdq"]) for a, b in zip(exact, fast, strict=True)]
    assert max(distances) <= 8, distances
