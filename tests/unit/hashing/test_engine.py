"""The batch engine: input order, progress, crashes, hangs, time limits, cancellation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from fingerprint_client.hashing import BatchHasher, FileResult, HashOptions, Progress, hash_one
from fingerprint_client.hashing._process import TEST_HOOK_ENV
from tests.fixtures.images import image_bytes, photo_like


def _corpus(root: Path, count: int) -> list[Path]:
    """Files of very different sizes (so workers finish out of order), plus a bad one."""
    paths = []
    for i in range(count):
        side = 900 if i % 3 == 0 else 60
        path = root / f"img{i:02d}.png"
        path.write_bytes(image_bytes("PNG", photo_like(side, side, seed=i)))
        paths.append(path)
    paths.insert(count // 2, root / "missing.png")
    return paths


def _run(batch: BatchHasher) -> tuple[list[FileResult], list[Progress]]:
    results: list[FileResult] = []
    progress: list[Progress] = []
    with batch:
        for event in batch:
            (progress if isinstance(event, Progress) else results).append(event)  # type: ignore[arg-type]
    return results, progress


def test_results_stream_in_input_order_with_progress(tmp_path: Path) -> None:
    paths = _corpus(tmp_path, 9)
    results, progress = _run(BatchHasher(paths, HashOptions(), workers=2))
    assert [r.index for r in results] == list(range(len(paths)))
    assert [r.path for r in results] == paths
    assert [r.ok for r in results].count(False) == 1
    assert results[len(paths) // 2 - 0].error is not None or results[4].error is not None
    assert progress[0].done == 0 and progress[-1].done == len(paths)
    assert [p.done for p in progress] == list(range(len(paths) + 1))
    assert all(p.total == len(paths) for p in progress)
    assert progress[-1].failed == 1
    assert progress[-1].bytes_done == progress[-1].bytes_total > 0
    for result in results:  # the same answers as in-process hashing
        assert result.to_json() == hash_one(result.path, HashOptions(), result.index).to_json()


def test_a_crashing_worker_fails_only_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _corpus(tmp_path, 5)
    boom = tmp_path / "boom.png"
    boom.write_bytes(image_bytes("PNG"))
    paths.insert(2, boom)
    monkeypatch.setenv(TEST_HOOK_ENV, "crash:boom.png")
    results, _ = _run(BatchHasher(paths, HashOptions(), workers=2))
    codes = {r.path.name: (r.error.code if r.error else None) for r in results}
    assert codes.pop("boom.png") == "decoder-crashed"
    assert codes.pop("missing.png") == "not-found"
    assert set(codes.values()) == {None}
    assert [r.index for r in results] == list(range(len(paths)))


def test_a_hanging_worker_times_out_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _corpus(tmp_path, 4)
    stuck = tmp_path / "stuck.png"
    stuck.write_bytes(image_bytes("PNG"))
    paths.insert(0, stuck)
    monkeypatch.setenv(TEST_HOOK_ENV, "hang:stuck.png")
    options = HashOptions(per_file_timeout=1.5)
    results, _ = _run(BatchHasher(paths, options, workers=2))
    assert results[0].error is not None and results[0].error.code == "timeout"
    assert all(r.ok for r in results[1:] if r.path.name != "missing.png")
    assert len(results) == len(paths)


def test_cancel_ends_iteration_within_a_second_and_kills_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = []
    for i in range(4):
        path = tmp_path / f"stuck{i}.png"
        path.write_bytes(image_bytes("PNG"))
        paths.append(path)
    monkeypatch.setenv(TEST_HOOK_ENV, ",".join(f"hang:stuck{i}.png" for i in range(4)))
    batch = BatchHasher(paths, HashOptions(), workers=2)
    events: list[object] = []
    pids: list[int] = []
    cancelled_at: list[float] = []

    def consume() -> None:
        with batch:
            for event in batch:
                events.append(event)

    thread = threading.Thread(target=consume)
    thread.start()
    deadline = time.monotonic() + 30
    while len(batch.worker_pids()) < 2 and time.monotonic() < deadline:
        thread.join(0.05)
    pids = batch.worker_pids()
    assert len(pids) == 2
    cancelled_at.append(time.monotonic())
    batch.cancel()
    thread.join(5)
    ended = time.monotonic() - cancelled_at[0]
    assert not thread.is_alive()
    assert ended < 1.0
    assert not any(isinstance(e, FileResult) for e in events)
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return "zombie"


def test_workers_run_without_core_dumps_and_with_a_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "stuck.png"
    path.write_bytes(image_bytes("PNG"))
    monkeypatch.setenv(TEST_HOOK_ENV, "hang:stuck.png")
    batch = BatchHasher([path], HashOptions(), workers=1)
    thread = threading.Thread(target=lambda: _run(batch))
    thread.start()
    try:
        limits = ""
        deadline = time.monotonic() + 20
        while not _hardened(limits) and time.monotonic() < deadline:
            thread.join(0.02)
            pids = batch.worker_pids()
            if pids:
                try:
                    limits = Path(f"/proc/{pids[0]}/limits").read_text()
                except OSError:
                    limits = ""
    finally:
        batch.cancel()
        thread.join(5)
    assert _hardened(limits), limits


def _hardened(limits: str) -> bool:
    """Core dumps off (soft and hard) and an address-space limit in /proc/PID/limits."""
    lines = {line[:25].strip(): line[25:].split() for line in limits.splitlines()}
    core = lines.get("Max core file size", [])
    space = lines.get("Max address space", [])
    return core[:2] == ["0", "0"] and bool(space) and space[0] != "unlimited"


def test_empty_batch_and_bad_arguments() -> None:
    with BatchHasher([], HashOptions()) as batch:
        assert list(batch) == [Progress(0, 0, None, 0, 0, 0)]
    with pytest.raises(ValueError):
        BatchHasher([], HashOptions(), workers=0)


def test_a_fifo_in_a_batch_never_blocks_the_parent(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    with BatchHasher([fifo], HashOptions(), workers=1) as batch:
        (result,) = [e for e in batch if isinstance(e, FileResult)]
    assert result.error is not None and result.error.code == "not-a-regular-file"


def test_a_worker_out_of_memory_fails_only_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _corpus(tmp_path, 3)
    greedy = tmp_path / "greedy.png"
    greedy.write_bytes(image_bytes("PNG"))
    paths.insert(1, greedy)
    monkeypatch.setenv(TEST_HOOK_ENV, "oom:greedy.png")
    results, _ = _run(BatchHasher(paths, HashOptions(per_file_timeout=15), workers=2))
    by_name = {r.path.name: r for r in results}
    error = by_name.pop("greedy.png").error
    assert error is not None and error.code == "decoder-crashed"
    assert by_name.pop("missing.png").error is not None
    assert all(r.ok for r in by_name.values())


def test_a_worker_killed_from_outside_mid_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _corpus(tmp_path, 2)
    stuck = tmp_path / "stuck.png"
    stuck.write_bytes(image_bytes("PNG"))
    paths.insert(0, stuck)
    monkeypatch.setenv(TEST_HOOK_ENV, "hang:stuck.png")
    batch = BatchHasher(paths, HashOptions(), workers=1)
    results: list[FileResult] = []

    def consume() -> None:
        with batch:
            results.extend(e for e in batch if isinstance(e, FileResult))

    thread = threading.Thread(target=consume)
    thread.start()
    deadline = time.monotonic() + 20
    while not batch.worker_pids() and time.monotonic() < deadline:
        thread.join(0.02)
    os.kill(batch.worker_pids()[0], signal.SIGKILL)
    thread.join(30)
    assert not thread.is_alive()
    assert results[0].error is not None and results[0].error.code == "decoder-crashed"
    assert [r.index for r in results] == list(range(len(paths)))
    assert all(r.ok for r in results if r.path.name.startswith("img"))


EARLY = """
import os
from multiprocessing import forkserver
from fingerprint_client.hashing import start_workers_early

if __name__ == "__main__":
    start_workers_early()
    first = forkserver._forkserver._forkserver_pid
    start_workers_early()
    again = forkserver._forkserver._forkserver_pid
    os.kill(first, 0)  # alive, or this raises
    print(first == again, os.waitpid(first, os.WNOHANG) == (0, 0))
"""


def test_workers_can_be_started_before_a_batch_once() -> None:
    done = subprocess.run(
        [sys.executable, "-c", EARLY], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["True", "True"]  # one fork server, a child of this program
