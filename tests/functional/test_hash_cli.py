"""`fingerprint-client hash` end to end: the JSON contract, order, exit codes, the table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fingerprint_client.cli import cli
from tests.fixtures.images import image_bytes, photo_like, with_orientation

REPO = Path(__file__).resolve().parents[2]
REFERENCE_IMAGES = REPO / "tests" / "data" / "pdq" / "images"
OK_KEYS = {"path", "ok", "media", "format", "width", "height", "hashes", "pdq_quality", "warnings"}


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    a = tmp_path / "a.jpg"
    a.write_bytes(image_bytes("JPEG", photo_like(400, 300, seed=1)))
    bad = tmp_path / "b.txt"
    bad.write_text("not a picture")
    c = tmp_path / "[bold]c[red].png"
    c.write_bytes(image_bytes("PNG", photo_like(300, 400, seed=2)))
    turned = tmp_path / "turned.jpg"
    turned.write_bytes(with_orientation(photo_like(300, 200, seed=3), 6))
    return [a, bad, c, turned, tmp_path / "missing.png"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fingerprint_client", "hash", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
        check=False,
    )


def test_json_lines_in_input_order(files: list[Path]) -> None:
    proc = _run("--json", *map(str, files))
    assert proc.returncode == 1
    assert proc.stderr == ""  # not a terminal: no progress, no summary
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["path"] for line in lines] == [str(p) for p in files]
    assert [line["ok"] for line in lines] == [True, False, True, True, False]
    assert set(lines[0]) == OK_KEYS
    assert lines[0]["media"] == "image" and lines[0]["format"] == "JPEG"
    assert (lines[0]["width"], lines[0]["height"]) == (400, 300)
    assert list(lines[0]["hashes"]) == ["pdq", "md5", "sha256"]
    assert lines[1] == {
        "path": str(files[1]),
        "ok": False,
        "error": {"code": "unsupported-format", "message": lines[1]["error"]["message"]},
    }
    assert lines[4]["error"]["code"] == "not-found"
    assert set(lines[3]) == OK_KEYS | {"pdq_stored_orientation"}
    assert (lines[3]["width"], lines[3]["height"]) == (200, 300)


def test_no_paths_variants_and_algorithms(files: list[Path]) -> None:
    proc = _run("--json", "--no-paths", "--variants", "--algorithms", "pdq,phash", str(files[0]))
    assert proc.returncode == 0
    (line,) = [json.loads(x) for x in proc.stdout.splitlines()]
    assert line["item"] == 1 and "path" not in line
    assert str(files[0].parent) not in proc.stdout
    assert list(line["hashes"]) == ["pdq", "phash"]
    assert set(line["pdq_variants"]) == {
        "rotate90", "rotate180", "rotate270", "flipx", "flipy", "flip_plus1", "flip_minus1",
    }  # fmt: skip


def test_usage_errors_exit_2(files: list[Path]) -> None:
    assert _run("--algorithms", "colorhash", str(files[0])).returncode == 2
    assert _run().returncode == 2
    assert _run("--workers", "0", str(files[0])).returncode == 2


def test_reference_folder_hashes_cleanly() -> None:
    proc = _run("--json", "--workers", "2", str(REFERENCE_IMAGES))
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(lines) == len(list(REFERENCE_IMAGES.iterdir()))
    assert [x["path"] for x in lines] == sorted(x["path"] for x in lines)


def test_table_shows_names_as_plain_text(files: list[Path]) -> None:
    result = CliRunner(env={"COLUMNS": "300"}).invoke(cli, ["hash", str(files[2]), str(files[1])])
    assert result.exit_code == 1
    assert "[bold]c[red].png" in result.output
    assert "unsupported-format" in result.output
    assert "1 of 2 file(s) fingerprinted" in result.output


def test_cli_runner_json_matches_the_library(files: list[Path]) -> None:
    from fingerprint_client.hashing import HashOptions, hash_one

    result = CliRunner().invoke(cli, ["hash", "--json", str(files[0]), str(files[2])])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.output.splitlines()]
    assert lines == [hash_one(p, HashOptions()).to_json() for p in (files[0], files[2])]


def test_folder_summary_mentions_skipped_files(tmp_path: Path) -> None:
    (tmp_path / "x.png").write_bytes(image_bytes("PNG", photo_like(100, 100)))
    (tmp_path / "readme.txt").write_text("hello")
    (tmp_path / "sub").mkdir()
    result = CliRunner(env={"COLUMNS": "300"}).invoke(cli, ["hash", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 file(s) in folders skipped" in result.output
    assert "1 sub-folder(s) not entered" in result.output
