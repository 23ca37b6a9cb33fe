"""`InputHashing`: what the command line and the app both use to fingerprint chosen inputs."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from fingerprint_client.casework import choose_options
from fingerprint_client.hashing import HashOptions, InputHashing, InputOutcome, Progress
from fingerprint_client.hashing._process import TEST_HOOK_ENV
from tests.fixtures.images import photo_like
from tests.fixtures.unprivileged import run_python_subject_to_permissions

CANCEL_SECONDS = 1.0


def _folder(root: Path, pictures: int) -> Path:
    root.mkdir()
    for i in range(pictures):
        photo_like(64, 48, seed=i).save(root / f"{i}.png")
    (root / "notes.txt").write_text("not a picture")
    return root


def test_the_files_in_order_with_progress(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "pictures", 3)
    run = InputHashing([tmp_path / "gone.png", folder], HashOptions(), workers=2)
    assert run.files == 4 and run.skipped == 1  # a named file is kept, even a missing one
    events = list(run)
    outcomes = [e for e in events if isinstance(e, InputOutcome)]
    assert [o.position for o in outcomes] == [0, 1, 2, 3]
    assert [o.result.path.name for o in outcomes] == ["gone.png", "0.png", "1.png", "2.png"]
    assert [o.result.ok for o in outcomes] == [False, True, True, True]
    done = [e.done for e in events if isinstance(e, Progress)]
    assert done == sorted(done) and done[-1] == 4
    assert not run.cancelled


LIST = """
import sys
from pathlib import Path
from fingerprint_client.hashing import HashOptions, InputHashing, InputOutcome

if __name__ == "__main__":
    for event in InputHashing([Path(p) for p in sys.argv[1:]], HashOptions(), workers=1):
        if isinstance(event, InputOutcome):
            print(event.position, event.result.path.name, event.result.ok)
"""


def test_a_folder_that_cannot_be_read_comes_first(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o000)
    folder = _folder(tmp_path / "pictures", 1)
    lines = run_python_subject_to_permissions(LIST, str(folder), str(locked)).splitlines()
    assert lines == ["0 locked False", "1 0.png True"]


def test_nothing_to_hash_still_reports_progress(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert list(InputHashing([empty], HashOptions())) == [Progress(0, 0, None, 0, 0, 0)]


def test_cancel_ends_it_while_a_file_hangs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path / "pictures", 2)
    monkeypatch.setenv(TEST_HOOK_ENV, "hang:1.png")  # the last file never finishes by itself
    cancel = threading.Event()
    run = InputHashing([folder], HashOptions(), workers=1, cancel=cancel)
    seen: list[str] = []
    started = time.monotonic()
    for event in run:
        if isinstance(event, InputOutcome):
            seen.append(event.result.path.name)
            cancel.set()  # from here only the hanging file is left
            started = time.monotonic()
    assert time.monotonic() - started < CANCEL_SECONDS
    assert seen == ["0.png"] and run.cancelled


def test_cancelling_after_the_end_is_not_a_cancelled_run(tmp_path: Path) -> None:
    cancel = threading.Event()
    run = InputHashing([_folder(tmp_path / "pictures", 1)], HashOptions(), cancel=cancel)
    assert len([e for e in run if isinstance(e, InputOutcome)]) == 1
    cancel.set()
    assert not run.cancelled


def test_choosing_algorithms() -> None:
    assert choose_options(None).algorithms == ("pdq", "md5", "sha256", "phash", "dhash", "whash")
    assert choose_options(["md5"]).algorithms == ("pdq", "md5")
    chosen = choose_options(None, accepted={"pdq", "sha256", "colorhash"}, frames=False)
    assert chosen.algorithms == ("pdq", "sha256") and not chosen.frames
