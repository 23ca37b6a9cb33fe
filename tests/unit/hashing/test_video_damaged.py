"""Damaged and hostile video files end with a stable error code, never an exception or crash."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import av
import pytest

from fingerprint_client.hashing import ERROR_CODES, HashOptions
from fingerprint_client.hashing.video import hash_video
from tests.fixtures.videos import VideoSet, encode, synthetic_frames

REPO = Path(__file__).resolve().parents[3]


def test_metadata_in_a_broken_text_encoding(tmp_path: Path) -> None:
    path = tmp_path / "tagged.mp4"
    encode(path, synthetic_frames(160, 120, 10, 1.0), fps=10)
    with av.open(str(path)) as src, av.open(str(tmp_path / "titled.mp4"), "w") as out:
        out.metadata["title"] = "TITLE-PLACEHOLDER"
        stream = out.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    data = (tmp_path / "titled.mp4").read_bytes()
    assert data.count(b"TITLE-PLACEHOLDER") == 1
    broken = tmp_path / "broken-title.mp4"
    broken.write_bytes(data.replace(b"TITLE-PLACEHOLDER", b"\x97\xea\xee\x97" + b"x" * 13))
    result = hash_video(broken, HashOptions())
    assert result.ok, result.error
    assert result.pdq_frames


FUZZ = textwrap.dedent(
    """
    import json, random, sys
    from pathlib import Path
    from fingerprint_client.hashing import HashOptions
    from fingerprint_client.hashing.video import hash_video

    out_dir, sources = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
    rng = random.Random(20261123)
    outcomes = []
    for i in range(60):
        source = sources[i % len(sources)]
        data = bytearray(source.read_bytes())
        for _ in range(rng.randint(1, 20)):
            at = rng.randrange(len(data))
            n = 1 if rng.random() < 0.7 else rng.randint(2, 200)
            data[at : at + n] = bytes(rng.randrange(256) for _ in range(n))
        if rng.random() < 0.2:
            data = data[: rng.randrange(len(data))]
        path = out_dir / f"mutant-{i}{source.suffix}"
        path.write_bytes(bytes(data))
        result = hash_video(path, HashOptions())
        outcomes.append("ok" if result.ok else result.error.code)
    print(json.dumps(outcomes))
    """
)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_mutated_files_never_raise_or_crash(videos: VideoSet, tmp_path: Path) -> None:
    sources = [videos.original, videos.av1, videos.avi, videos.mkv]
    done = subprocess.run(
        [sys.executable, "-c", FUZZ, str(tmp_path), *map(str, sources)],
        capture_output=True, text=True, cwd=REPO, timeout=170, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]  # no exception, no decoder crash
    outcomes = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(outcomes) == 60
    assert set(outcomes) <= {"ok", *ERROR_CODES}
    assert len(set(outcomes)) >= 3  # the mutations really did damage files
