"""`fingerprint-client hash --json` on videos, through the real batch engine (worker processes)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from tests.fixtures.videos import VideoSet

REPO = Path(__file__).resolve().parents[3]


def test_hash_json_for_videos(videos: VideoSet, tmp_path: Path) -> None:
    partial = tmp_path / "partial.mp4"
    partial.write_bytes(videos.original.read_bytes()[:5000])
    files = [videos.original, videos.audio_only, partial, videos.webm]
    proc = subprocess.run(
        [sys.executable, "-m", "fingerprint_client", "hash", "--json", "--no-paths",
         *map(str, files)],
        capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["item"] for line in lines] == [1, 2, 3, 4]
    video = lines[0]
    assert set(video) == {
        "item", "ok", "media", "format", "width", "height", "hashes", "pdq_frames", "warnings"
    }  # fmt: skip
    assert video["media"] == "video" and video["format"] == "MP4"
    assert (video["width"], video["height"]) == (320, 240)
    assert list(video["hashes"]) == ["md5", "sha256"]
    assert video["hashes"]["sha256"] == hashlib.sha256(videos.original.read_bytes()).hexdigest()
    assert all(set(f) == {"t", "pdq", "quality"} for f in video["pdq_frames"])
    assert lines[1]["error"]["code"] == "no-video-stream"
    assert lines[2]["error"]["code"] == "truncated"
    assert lines[3]["ok"] and lines[3]["format"] == "WebM"
    assert str(tmp_path) not in proc.stdout  # --no-paths: no path anywhere
