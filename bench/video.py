"""Benchmark: seconds of 1080p H.264 video fingerprinted per second of wall time.

Ours (`hash_video`: the frames others refer to decoded, a 32x32 grey thumbnail of each, grey
and PDQ only for the sampled frames, reduced to 512 px; pictures in several slices decoded by
slice threads, one-slice videos in two halves at once) against the naive peer that vPDQ's
approach amounts to: decode every frame, convert each to full-size RGB and PDQ-hash it, with
the same PDQ code and the same FFmpeg threads (slice threading when the pictures have several
slices, as ours chooses: ~10 % faster for the peer too), so only the pipeline differs. Both
run as whole processes, alternating, in the same run, on two clips: one as PyAV's libx264
makes it by default (2 slices a picture) and one with a slice a picture (as many phones
write). Medians and the ratios are printed.

    ./dev bench video [--seconds 20] [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from av.video.stream import VideoStream

WIDTH, HEIGHT, FPS = 1920, 1080, 30
SCENE_SECONDS = (3.1, 2.3, 4.7, 1.9, 3.6, 2.8)  # scene lengths, cycled

OURS = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from fingerprint_client.hashing import HashOptions
    from fingerprint_client.hashing.video import hash_video

    result = hash_video(Path(sys.argv[1]), HashOptions())
    assert result.ok, result.error
    print(len(result.pdq_frames or []))
    """
)

NAIVE = textwrap.dedent(
    """
    import hashlib, sys
    import av
    from fingerprint_client.hashing._video_threads import thread_type_for
    from fingerprint_client.hashing.pdq import pdq_from_rgb

    path = sys.argv[1]
    digests = [hashlib.md5(), hashlib.sha256()]
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            for d in digests:
                d.update(chunk)
    frames = []
    with av.open(path) as container:
        stream = container.streams.video[0]
        first = next(container.demux(stream))  # the same thread choice as ours (see above)
        context = stream.codec_context
        stream.thread_type = thread_type_for(context.name, context.extradata, bytes(first))
        container.seek(0)
        for frame in container.decode(stream):
            frames.append((frame.time, pdq_from_rgb(frame.to_ndarray(format="rgb24")).hex))
    print(len(frames))
    """
)


def scene_background(scene: int) -> npt.NDArray[np.uint8]:
    """A wide gradient with waves for one scene (the camera pans across it)."""
    rng = np.random.default_rng(scene)
    width = WIDTH + 800
    y, x = np.mgrid[0:HEIGHT, 0:width].astype(np.float32)
    x /= WIDTH
    y /= HEIGHT
    angle = rng.uniform(0, 2 * np.pi)
    fx, fy = rng.uniform(1.5, 6.0, 2)
    ramp = (np.cos(angle) * x + np.sin(angle) * y + 1.5) / 3.0
    waves = 0.2 * np.sin(2 * np.pi * (fx * x + fy * y)) * np.cos(2 * np.pi * fy * x)
    low, high = rng.uniform(0, 110, 3), rng.uniform(140, 255, 3)
    img = low + (high - low) * np.clip(ramp + waves, 0, 1)[..., None]
    noise = rng.normal(0, 6, (HEIGHT, width, 1))
    background: npt.NDArray[np.uint8] = np.clip(img + noise, 0, 255).astype(np.uint8)
    return background


def clip_frames(seconds: float) -> Iterator[npt.NDArray[np.uint8]]:
    """1080p pictures: panning backgrounds, moving boxes, a cut every few seconds."""
    scene, scene_start, t = 0, 0.0, 0.0
    background = scene_background(0)
    for i in range(round(seconds * FPS)):
        t = i / FPS
        if t - scene_start >= SCENE_SECONDS[scene % len(SCENE_SECONDS)]:
            scene, scene_start = scene + 1, t
            background = scene_background(scene)
        local = t - scene_start
        pan = int(local * 120) % 800
        frame = np.ascontiguousarray(background[:, pan : pan + WIDTH])
        rng = np.random.default_rng(1000 + scene)
        for _ in range(5):
            x0, y0 = rng.uniform(0, 0.8) * WIDTH, rng.uniform(0, 0.8) * HEIGHT
            vx, vy = rng.uniform(-150, 150, 2)
            w, h = int(rng.uniform(80, 360)), int(rng.uniform(80, 300))
            x = int(np.clip(x0 + vx * local, 0, WIDTH - w))
            yy = int(np.clip(y0 + vy * local, 0, HEIGHT - h))
            frame[yy : yy + h, x : x + w] = rng.integers(0, 255, 3, dtype=np.uint8)
        yield frame


CLIPS: dict[str, dict[str, str]] = {
    # libx264 as PyAV sets it up by default: sliced threads, 2 slices per picture
    "default (2 slices a picture)": {"crf": "20"},
    # one slice a picture, as many phone encoders write them
    "one slice a picture": {"crf": "20", "x264-params": "sliced-threads=0"},
}


def make_clip(path: Path, seconds: float, options: dict[str, str]) -> Path:
    """Encode the synthetic clip as 1080p H.264 (libx264, default preset) in MP4."""
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=FPS, options=options)
        assert isinstance(stream, VideoStream)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for rgb in clip_frames(seconds):
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def children_cpu() -> float:
    """CPU seconds (user + system, all threads) used by finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(script: str, path: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds of one whole process running `script` on `path`, and the number
    of frames it hashed."""
    cpu, start = children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    return wall, children_cpu() - cpu, int(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Make the clips, time both pipelines alternately on each, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="clip length")
    parser.add_argument("--runs", type=int, default=3, help="runs of each pipeline")
    parser.add_argument("--keep", type=Path, help="keep/reuse the clips in this directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for number, (label, options) in enumerate(CLIPS.items()):
            clip = folder / f"bench-1080p-{args.seconds:g}s-{number}.mp4"
            if not clip.exists():
                print(
                    f"making a {args.seconds:g} s 1080p H.264 clip ({label}) ...", file=sys.stderr
                )
                make_clip(clip, args.seconds, options)
            measure(clip, label, args.seconds, args.runs)


def measure(clip: Path, label: str, seconds: float, runs: int) -> None:
    """Time both pipelines alternately on `clip` and print the table."""
    walls: dict[str, list[float]] = {"ours": [], "naive": []}
    cpus: dict[str, list[float]] = {"ours": [], "naive": []}
    counts: dict[str, int] = {}
    for i in range(runs):
        for name, script in (("ours", OURS), ("naive", NAIVE)):
            took, used, counts[name] = run(script, clip)
            walls[name].append(took)
            cpus[name].append(used)
            print(f"run {i + 1} {name}: {took:.2f} s wall, {used:.2f} s CPU", file=sys.stderr)
    wall = {k: statistics.median(v) for k, v in walls.items()}
    cpu = {k: statistics.median(v) for k, v in cpus.items()}
    print()
    print(f"clip: {seconds:g} s of {WIDTH}x{HEIGHT} H.264 at {FPS} fps, {label}; runs: {runs}")
    print("| pipeline | frames hashed | median wall s | video s per wall s | median CPU s |")
    print("|---|---|---|---|---|")
    for key, name in (("ours", "ours (sampled)"), ("naive", "naive peer (every frame)")):
        print(
            f"| {name} | {counts[key]} | {wall[key]:.2f} | {seconds / wall[key]:.2f} "
            f"| {cpu[key]:.2f} |"
        )
    print(f"ratio (wall): {wall['naive'] / wall['ours']:.1f}x")
    print(f"ratio (CPU): {cpu['naive'] / cpu['ours']:.1f}x")


if __name__ == "__main__":
    main()
