"""Named files and folders become the file list: folders walked, non-images counted as skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fingerprint_client.hashing import collect_inputs
from tests.fixtures.images import image_bytes
from tests.fixtures.unprivileged import run_python_subject_to_permissions


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "Pictures"
    (root / "holiday" / "deeper").mkdir(parents=True)
    (root / "b.jpg").write_bytes(image_bytes("JPEG"))
    (root / "a.png").write_bytes(image_bytes("PNG"))
    (root / "no-extension").write_bytes(image_bytes("WEBP"))
    (root / "notes.txt").write_text("not a picture")
    (root / "empty.jpg").write_bytes(b"")
    os.mkfifo(root / "pipe.jpg")
    (root / "dangling.jpg").symlink_to(root / "gone.jpg")
    (root / "holiday" / "c.gif").write_bytes(image_bytes("GIF"))
    (root / "holiday" / "deeper" / "d.tiff").write_bytes(image_bytes("TIFF"))
    return root


def test_folder_lists_images_and_counts_the_rest(tree: Path) -> None:
    found = collect_inputs([tree], recursive=False)
    assert found.files == [tree / "a.png", tree / "b.jpg", tree / "no-extension"]
    assert found.skipped == 4  # notes.txt, empty.jpg, pipe.jpg, dangling.jpg
    assert found.subfolders_not_entered == 1
    assert found.problems == []


def test_recursive_walks_sub_folders_in_name_order(tree: Path) -> None:
    found = collect_inputs([tree], recursive=True)
    assert found.files == [
        tree / "a.png",
        tree / "b.jpg",
        tree / "no-extension",
        tree / "holiday" / "c.gif",
        tree / "holiday" / "deeper" / "d.tiff",
    ]
    assert found.skipped == 4
    assert found.subfolders_not_entered == 0


def test_named_files_are_always_kept_in_order(tree: Path) -> None:
    named = [tree / "notes.txt", tree / "missing.jpg", tree / "b.jpg", tree / "pipe.jpg"]
    found = collect_inputs(named, recursive=False)
    assert found.files == named
    assert found.skipped == 0


def test_unreadable_folder_is_a_problem(tree: Path) -> None:
    locked = tree / "holiday"
    locked.chmod(0)
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from fingerprint_client.hashing import collect_inputs\n"
        "found = collect_inputs([Path(sys.argv[1])], recursive=True)\n"
        "print(json.dumps([[str(p.path), p.error.code if p.error else None]"
        " for p in found.problems]))\n"
    )
    try:
        problems = json.loads(run_python_subject_to_permissions(code, str(tree)))
    finally:
        locked.chmod(0o755)
    assert problems == [[str(locked), "permission-denied"]]
