"""The sampling plan: once a second, restarted at every scene cut; near-repeats dropped."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from fingerprint_client.hashing._video_sampling import FrameCollector, SamplePlanner
from fingerprint_client.hashing.pdq import PdqHash


def thumb(value: float, noise: int = 0) -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(noise)
    return np.full((32, 32), value, np.float32) + rng.uniform(-1, 1, (32, 32)).astype(np.float32)


def plan(times: list[float], scenes: list[int]) -> list[float]:
    planner = SamplePlanner()
    return [
        t
        for i, (t, scene) in enumerate(zip(times, scenes, strict=True))
        if planner.offer(t, thumb(40.0 + 60.0 * (scene % 3), noise=i))
    ]


def test_one_frame_a_second_without_cuts() -> None:
    times = [i / 25 for i in range(25 * 4)]
    assert plan(times, [0] * len(times)) == [0.0, 1.0, 2.0, 3.0]


def test_first_frame_at_or_after_each_second() -> None:
    times = [i * 0.3 for i in range(12)]  # 0, 0.3, ... 3.3
    sampled = plan(times, [0] * len(times))
    assert [round(t, 1) for t in sampled] == [0.0, 1.2, 2.1, 3.0]


def test_a_cut_is_sampled_and_restarts_the_grid() -> None:
    times = [i / 10 for i in range(40)]
    scenes = [0 if t < 1.55 else 1 for t in times]
    assert [round(t, 1) for t in plan(times, scenes)] == [0.0, 1.0, 1.6, 2.6, 3.6]


def test_trimmed_copy_lines_up_after_its_first_cut() -> None:
    times = [i / 10 for i in range(60)]
    scenes = [0 if t < 2.25 else 1 for t in times]
    original = plan(times, scenes)
    start = 13  # the copy starts 1.3 s in
    copy = plan([t - times[start] for t in times[start:]], scenes[start:])
    after_cut = [round(t + times[start], 1) for t in copy if t + times[start] >= 2.25]
    assert after_cut == [round(t, 1) for t in original if t >= 2.25]


def test_slightly_early_timestamps_still_count() -> None:
    planner = SamplePlanner()
    assert planner.offer(0.0, None)
    assert planner.offer(0.9995, None)  # a copy's time base rounds 1.0 down
    assert not planner.offer(1.5, None)


def test_steady_fast_motion_is_not_a_cut() -> None:
    planner = SamplePlanner()
    times = [i / 10 for i in range(30)]
    rng = np.random.default_rng(7)
    base = rng.uniform(0, 255, (32, 32)).astype(np.float32)
    sampled = [t for i, t in enumerate(times) if planner.offer(t, np.roll(base, 3 * i, axis=1))]
    assert sampled == [0.0, 1.0, 2.0]


def test_flashes_closer_than_half_a_second_are_not_cuts() -> None:
    times = [i / 10 for i in range(20)]
    scenes = [i % 2 for i in range(20)]  # a strobe: every frame differs
    sampled = plan(times, scenes)
    assert len(sampled) <= 2 + 4  # the grid plus at most one cut per half second


def test_near_identical_frames_are_dropped() -> None:
    base = "0" * 64
    close = "0" * 62 + "ff"  # 8 bits away
    far = "f" * 32 + "0" * 32  # 128 bits away
    collector = FrameCollector()
    collector.add(0.0, PdqHash(base, 90))
    collector.add(1.0, PdqHash(close, 90))
    collector.add(2.0004, PdqHash(far, 80))
    assert collector.frames == [
        {"t": 0.0, "pdq": base, "quality": 90},
        {"t": 2.0, "pdq": far, "quality": 80},
    ]
    assert collector.dropped == 1
