"""Withdrawing: a case never sent is cancelled here; otherwise the withdrawal is queued and
delivered exactly once, even while the service is away."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from fingerprint_client.casework import (
    ClientPool,
    commit_submission,
    plan_submission,
    read_hashes_file,
    resolve_target,
)
from fingerprint_client.keystore import open_keystore
from fingerprint_client.paths import resolve_dirs
from fingerprint_client.store import Store
from tests.fixtures.cli_runs import Fc, add_profile, synthetic_hashes_file
from tests.fixtures.mock_service import MockServiceHandle, free_port


def test_attempted_case_gets_a_queued_withdrawal(fc: Fc, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    assert fc("profiles", "add", "away", "--url", f"http://127.0.0.1:{port}").code == 0
    hashes = synthetic_hashes_file(tmp_path / "h.jsonl", files=2)
    res = fc("submit", "--from-hashes", str(hashes), "--program", "adult", "--yes", "--json")
    assert res.code == 3, res.err
    local_id = json.loads(res.out)["local_id"]
    # the failed attempt may have reached a service: only a case never attempted is cancelled
    res = fc("withdraw", local_id, "--yes")
    assert res.code == 3
    assert json.loads(fc("status", local_id, "--json").out)["status"] == "withdraw-queued"


def test_queued_case_without_attempt_is_cancelled(
    fc: Fc, mock_service: MockServiceHandle, tmp_path: Path
) -> None:
    add_profile(fc, mock_service.url)
    hashes = synthetic_hashes_file(tmp_path / "h.jsonl", files=2)
    # committed but never attempted (as after a crash right after the commit)
    with Store.open(resolve_dirs(None), open_keystore()) as store, ClientPool(store) as clients:
        plan = plan_submission(
            resolve_target(store, clients, "mock"), read_hashes_file(hashes), "adult"
        )
        local_id = commit_submission(store, plan).local_id
    res = fc("withdraw", local_id, "--yes")
    assert res.code == 0 and "cancelled" in res.out
    status = json.loads(fc("status", local_id, "--json").out)
    assert status["status"] == "cancelled"
    assert all(h["value"] is None for h in status["hashes"])
    assert json.loads(fc("sync", "--json").out)["queued"] == 0
    assert mock_service.requests_to("/v1/cases") == []
    assert fc("pin", local_id).code == 1  # the PIN protects nothing now and is gone


def test_withdraw_while_away_is_delivered_by_sync(
    fc: Fc, mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path
) -> None:
    port = free_port()
    service = mock_service_factory(port=port)
    add_profile(fc, service.url)
    hashes = synthetic_hashes_file(tmp_path / "h.jsonl", files=2)
    res = fc("submit", "--from-hashes", str(hashes), "--program", "adult", "--yes", "--json")
    assert res.code == 0, res.err
    case = json.loads(res.out)
    service.stop()
    res = fc("withdraw", case["local_id"], "--yes")
    assert res.code == 3 and "sync" in res.err
    assert json.loads(fc("status", case["local_id"], "--json").out)["status"] == "withdraw-queued"
    again = mock_service_factory(port=port, data_dir=service.data_dir)
    assert json.loads(fc("sync", "--json").out)["delivered"] == 1
    status = json.loads(fc("status", case["local_id"], "--json").out)
    assert status["status"] == "withdrawn"
    assert again.cases()[0]["status"] == "withdrawn"
    withdraws = [r for r in again.records() if r["path"].endswith("/withdraw")]
    assert len(withdraws) == 1
    res = fc("withdraw", case["local_id"], "--yes")
    assert res.code == 0 and "already" in res.out
