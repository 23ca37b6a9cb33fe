"""`check` through the real CLI: the real hashing engine against a real store in tmp."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fingerprint_client.cli import cli
from fingerprint_client.hashing import BatchHasher, FileResult, HashOptions
from fingerprint_client.paths import AppDirs
from fingerprint_client.store import NewCase, NewHash, Store
from tests.fixtures.images import photo_like


def _pdq(path: Path) -> str:
    with BatchHasher([path], HashOptions(algorithms=("pdq",))) as batch:
        results = [e for e in batch if isinstance(e, FileResult)]
    return results[0].hashes["pdq"]


@pytest.mark.timeout(120)
def test_check_finds_exact_and_similar_files(
    store: Store, store_dirs: AppDirs, tmp_path: Path
) -> None:
    folder = tmp_path / "pictures"
    (folder / "sub").mkdir(parents=True)
    exact = folder / "exact.png"
    photo_like(320, 240, seed=1).save(exact)
    similar = folder / "sub" / "similar.jpg"  # the same picture re-encoded: other bytes
    photo_like(320, 240, seed=1).save(similar, quality=70)
    other = folder / "other.png"
    photo_like(320, 240, seed=99).save(other)
    cancelled_only = folder / "cancelled.png"
    photo_like(320, 240, seed=5).save(cancelled_only)
    broken = folder / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)

    sha = hashlib.sha256(exact.read_bytes()).hexdigest()
    kept = store.create_case_with_outbox(
        NewCase("mock", "adult"),
        [NewHash("pdq", _pdq(exact), quality=90), NewHash("sha256", sha)],
        [],
    )
    gone = store.create_case_with_outbox(
        NewCase("mock", "adult"),
        [NewHash("sha256", hashlib.sha256(cancelled_only.read_bytes()).hexdigest())],
        [],
    )
    store.set_case_status(gone.local_id, "cancelled", "test")

    result = CliRunner().invoke(
        cli, ["--data-dir", str(store_dirs.data), "check", str(folder), "--json"]
    )
    assert result.exit_code == 1, result.output  # the broken file could not be checked
    rows = {Path(r["path"]).name: r for r in map(json.loads, result.stdout.splitlines())}
    assert set(rows) == {"exact.png", "similar.jpg", "other.png", "cancelled.png", "broken.png"}

    ref = [{"local_id": kept.local_id, "case_id": None, "status": "queued"}]
    assert rows["exact.png"] == {
        "path": str(exact),
        "submitted": True,
        "match": "sha256",
        "cases": ref,
    }
    assert rows["similar.jpg"]["match"] == "pdq" and rows["similar.jpg"]["cases"] == ref
    assert rows["similar.jpg"]["submitted"] is True
    assert rows["other.png"] == {
        "path": str(other),
        "submitted": False,
        "match": None,
        "cases": [],
    }
    assert rows["cancelled.png"]["match"] == "sha256"
    assert rows["cancelled.png"]["submitted"] is False
    assert rows["broken.png"]["error"]["code"] in {"truncated", "corrupt"}

    table = CliRunner().invoke(cli, ["--data-dir", str(store_dirs.data), "check", str(exact)])
    assert table.exit_code == 0, table.output
    assert "identical file" in table.stdout and kept.local_id in table.stdout


def test_check_needs_a_path(store_dirs: AppDirs) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(store_dirs.data), "check"])
    assert result.exit_code == 2


def test_check_table_never_prints_escape_sequences(store_dirs: AppDirs, tmp_path: Path) -> None:
    evil = tmp_path / "evil\x1b]0;pwned\x07\x1b[31m.png"
    photo_like(64, 64, seed=3).save(evil, format="PNG")
    result = CliRunner().invoke(cli, ["--data-dir", str(store_dirs.data), "check", str(evil)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "not in any case" in result.stdout


def test_pdq_index_threshold_is_31_bits() -> None:
    from fingerprint_client.cli.local_check import PdqIndex
    from fingerprint_client.store import CaseRef

    base = int("f0" * 32, 16)
    at31 = f"{base ^ ((1 << 31) - 1):064x}"
    at32 = f"{base ^ ((1 << 32) - 1):064x}"
    a, b = CaseRef("C-AAAAAA", None, "queued"), CaseRef("C-BBBBBB", "x", "active")
    index = PdqIndex([(at31, a), (at32, b), ("not-hex", b), ("ab", b)])
    assert index.near("f0" * 32) == [a]
    assert index.near("zz") == []
    assert PdqIndex([]).near("f0" * 32) == []
