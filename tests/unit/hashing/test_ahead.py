"""Digests computed ahead in the batch's own process while its workers start."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from fingerprint_client.hashing import BatchHasher, FileResult, HashOptions, _ahead
from fingerprint_client.hashing._ahead import DigestsAhead
from fingerprint_client.hashing._digests import KnownDigests, identity_of
from fingerprint_client.hashing._worker import hash_one
from tests.fixtures.images import image_bytes, photo_like
from tests.fixtures.videos import encode, synthetic_frames

TIMEOUT = 30.0
STOPS_WITHIN = 1.5
"""Seconds: one 1 MiB chunk takes milliseconds; digesting 8 GiB takes the thread > 10 s."""


def _digests(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    return {"md5": hashlib.md5(data).hexdigest(), "sha256": hashlib.sha256(data).hexdigest()}


def _pictures(root: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = root / f"p{i}.png"
        path.write_bytes(image_bytes("PNG", photo_like(64, 48, seed=i)))
        paths.append(path)
    return paths


def _finish(ahead: DigestsAhead) -> None:
    ahead._thread.join(TIMEOUT)
    assert not ahead._thread.is_alive()


def _known(path: Path, digests: dict[str, str]) -> KnownDigests:
    with path.open("rb") as f:
        return KnownDigests(identity_of(f.fileno()), digests)


def test_digests_of_the_pictures_in_order_each_handed_out_once(tmp_path: Path) -> None:
    paths = _pictures(tmp_path, 3)
    ahead = DigestsAhead(paths, ("pdq", "md5", "sha256"))
    ahead.start()
    _finish(ahead)
    assert ahead.done == 3
    for index, path in enumerate(paths):
        known = ahead.take(index)
        assert known is not None and known.digests == _digests(path)
        assert ahead.take(index) is None


def test_only_the_asked_digests(tmp_path: Path) -> None:
    (path,) = _pictures(tmp_path, 1)
    ahead = DigestsAhead([path], ("pdq", "sha256"))
    ahead.start()
    _finish(ahead)
    known = ahead.take(0)
    assert known is not None and known.digests == {"sha256": _digests(path)["sha256"]}


def test_nothing_to_do_without_digests(tmp_path: Path) -> None:
    ahead = DigestsAhead(_pictures(tmp_path, 2), ("pdq", "phash"))
    ahead.start()
    assert not ahead._thread.is_alive() and ahead.done == 0


def test_bad_and_foreign_files_are_left_to_the_workers(tmp_path: Path) -> None:
    (picture,) = _pictures(tmp_path, 1)
    text = tmp_path / "notes.txt"
    text.write_text("not a picture\n" * 100)
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)  # opening it for reading would block forever
    folder = tmp_path / "folder.jpg"
    folder.mkdir()
    empty = tmp_path / "empty.jpg"
    empty.touch()
    paths = [text, fifo, folder, empty, tmp_path / "gone.jpg", picture]
    ahead = DigestsAhead(paths, ("md5",))
    ahead.start()
    _finish(ahead)
    assert ahead.done == 1
    known = ahead.take(5)
    assert known is not None and known.digests == {"md5": _digests(picture)["md5"]}


def test_stopping_drops_the_file_being_read(tmp_path: Path) -> None:
    (path,) = _pictures(tmp_path, 1)
    ahead = DigestsAhead([path], ("md5",))
    ahead._stop.set()  # told to stop before it could finish anything
    ahead.start()
    ahead.stop(wait=True)
    assert ahead.done == 0 and ahead.take(0) is None


def test_known_digests_are_used_only_for_the_same_file(tmp_path: Path) -> None:
    (path,) = _pictures(tmp_path, 1)
    planted = {"md5": "0" * 32, "sha256": "1" * 64}  # not the file's: shows they were used
    used = hash_one(path, HashOptions(), known=_known(path, planted))
    assert used.ok and used.hashes["md5"] == planted["md5"]
    assert used.hashes["sha256"] == planted["sha256"]
    known = _known(path, planted)
    path.write_bytes(image_bytes("PNG", photo_like(64, 48, seed=99)))  # changed since
    os.utime(path, ns=(1, 1))
    redone = hash_one(path, HashOptions(), known=known)
    assert redone.ok and {a: redone.hashes[a] for a in ("md5", "sha256")} == _digests(path)


def test_known_digests_of_a_video(tmp_path: Path) -> None:
    video = encode(tmp_path / "clip.mp4", synthetic_frames(64, 48, 5, 1.0), fps=5)
    planted = {"md5": "2" * 32, "sha256": "3" * 64}
    used = hash_one(video, HashOptions(), known=_known(video, planted))
    assert used.ok and used.media == "video"
    assert {a: used.hashes[a] for a in planted} == planted
    stale = KnownDigests((0, 0, 0, 0, 0), planted)
    redone = hash_one(video, HashOptions(), known=stale)
    assert {a: redone.hashes[a] for a in planted} == _digests(video)


def test_a_batch_digests_a_file_changed_after_its_digests_again(tmp_path: Path) -> None:
    paths = _pictures(tmp_path, 3)
    batch = BatchHasher(paths, HashOptions(), workers=1)
    _finish(batch._ahead)  # all three were digested ahead ...
    assert batch._ahead.done == 3
    paths[1].write_bytes(image_bytes("PNG", photo_like(64, 48, seed=42)))  # ... then one changed
    os.utime(paths[1], ns=(2, 2))
    with batch:
        results = [e for e in batch if isinstance(e, FileResult)]
    for path, result in zip(paths, results, strict=True):
        assert result.ok and {a: result.hashes[a] for a in ("md5", "sha256")} == _digests(path)


def _huge_jpeg(path: Path) -> Path:
    """A JPEG signature, then 8 GiB (sparse) that take the thread many seconds to digest."""
    with path.open("wb") as f:
        f.write(b"\xff\xd8\xff\xe0" + bytes(16))
        f.truncate(8 << 30)
    return path


def test_cancelling_a_batch_stops_the_thread_within_a_chunk(tmp_path: Path) -> None:
    batch = BatchHasher([_huge_jpeg(tmp_path / "huge.jpg")], HashOptions(), workers=1)
    assert batch._ahead._thread.is_alive()
    batch.cancel()
    batch._ahead._thread.join(STOPS_WITHIN)
    assert not batch._ahead._thread.is_alive() and batch._ahead.done == 0


def test_the_thread_stops_on_its_own_after_its_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_ahead, "AHEAD_SECONDS", 0.2)
    ahead = DigestsAhead([_huge_jpeg(tmp_path / "huge.jpg")], ("md5",))
    ahead.start()
    ahead._thread.join(0.2 + STOPS_WITHIN)
    assert not ahead._thread.is_alive() and ahead.done == 0


@pytest.mark.parametrize("algorithms", [("pdq", "md5", "sha256"), ("sha256",)])
def test_batch_results_match_in_process_hashing(
    tmp_path: Path, algorithms: tuple[str, ...]
) -> None:
    paths = _pictures(tmp_path, 4)
    options = HashOptions(algorithms=algorithms)
    with BatchHasher(paths, options, workers=2) as batch:
        results = [e for e in batch if isinstance(e, FileResult)]
    for index, result in enumerate(results):
        assert result.to_json() == hash_one(paths[index], options, index).to_json()


def test_a_read_that_never_returns_holds_up_stopping_one_second_at_most(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (path,) = _pictures(tmp_path, 1)
    reading, release = threading.Event(), threading.Event()

    def stuck(*_args: object) -> bool:  # a read from a network share that went away
        reading.set()
        release.wait(TIMEOUT)
        return True

    monkeypatch.setattr(_ahead, "digest_fd", stuck)
    monkeypatch.setattr(_ahead, "STOP_WAIT_SECONDS", 0.2)
    ahead = DigestsAhead([path], ("md5",))
    ahead.start()
    assert reading.wait(TIMEOUT)
    ahead.stop(wait=True)  # returns although the thread is still stuck
    assert ahead._thread.is_alive()
    release.set()
    _finish(ahead)
