"""Files that are not still images go to the video code; animations honour --frames."""

from __future__ import annotations

from pathlib import Path

from fingerprint_client.hashing import BatchHasher, FileResult, HashOptions, hash_one
from tests.fixtures.images import photo_like
from tests.fixtures.videos import encode, synthetic_frames


def _animation(path: Path) -> Path:
    frames = [photo_like(120, 90, seed=i).convert("P") for i in range(5)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=500, loop=0)
    return path


def test_animation_first_frame_with_a_warning_or_frames_on_request(tmp_path: Path) -> None:
    path = _animation(tmp_path / "moving.gif")
    plain = hash_one(path, HashOptions())
    assert plain.ok and plain.pdq_frames is None
    assert any("first frame" in w for w in plain.warnings)
    framed = hash_one(path, HashOptions(frames=True))
    assert framed.ok and framed.hashes == plain.hashes
    assert framed.pdq_frames and {"t", "pdq", "quality"} <= set(framed.pdq_frames[0])
    assert "pdq_frames" in framed.to_json()


def test_a_video_is_handed_to_the_video_code_in_workers_too(tmp_path: Path) -> None:
    video = encode(tmp_path / "clip.mp4", synthetic_frames(64, 48, 5, 1.0), fps=5)
    direct = hash_one(video, HashOptions())
    assert direct.ok, direct.error
    assert direct.media == "video" and direct.format == "MP4"
    with BatchHasher([video], HashOptions(), workers=1) as batch:
        (result,) = [e for e in batch if isinstance(e, FileResult)]
    assert result.to_json() == direct.to_json()


def test_videos_get_a_time_limit_that_fits_their_length(tmp_path: Path) -> None:
    from fingerprint_client.hashing._engine import _time_limit_for

    video = encode(tmp_path / "long.mp4", synthetic_frames(32, 24, 5, 6.0), fps=5)
    picture = tmp_path / "p.png"
    photo_like(40, 30).save(picture)
    assert _time_limit_for(picture, 10.0) == 10.0
    assert _time_limit_for(video, 10.0) > 10.0


def test_a_long_file_reports_how_far_it_got(tmp_path: Path) -> None:
    """`hash_one` passes a progress callback down to the video code: fractions rise to 1.0."""
    clip = encode(tmp_path / "clip.mp4", synthetic_frames(160, 120, 10, 4.0))
    heard: list[float] = []
    result = hash_one(clip, HashOptions(), progress=heard.append)
    assert result.ok, result
    assert len(heard) >= 2
    assert heard == sorted(heard)
    assert heard[-1] == 1.0


def test_progress_from_workers_keeps_results_and_byte_counts_in_order(tmp_path: Path) -> None:
    """Workers send progress messages while hashing videos; the batch still yields every result
    in input order, and `bytes_done` never goes back."""
    clips = [
        encode(tmp_path / f"clip{i}.mp4", synthetic_frames(160, 120, 10, 3.0 + i)) for i in range(3)
    ]
    picture = tmp_path / "p.png"
    photo_like(64, 48).save(picture)
    paths = [clips[0], picture, clips[1], clips[2]]
    seen_bytes: list[int] = []
    results: list[FileResult] = []
    with BatchHasher(paths, HashOptions(), workers=2) as batch:
        for event in batch:
            if isinstance(event, FileResult):
                results.append(event)
            else:
                seen_bytes.append(event.bytes_done)
    assert [r.path for r in results] == paths
    assert all(r.ok for r in results)
    assert seen_bytes == sorted(seen_bytes)
    assert seen_bytes[-1] == sum(p.stat().st_size for p in paths)
