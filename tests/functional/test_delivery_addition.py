"""Adding fingerprints to an existing case: one transaction, then exactly-once delivery to the
same case at the real mock service (delivered case, still-queued case, dropped answers)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fingerprint_client.casework import (
    CaseworkError,
    ClientPool,
    commit_addition,
    commit_submission,
    deliver,
    plan_addition,
    plan_submission,
    read_hashes_file,
    resolve_target,
)
from fingerprint_client.store import NewHash, NewOutboxItem, Store, StoreError
from tests.fixtures.cli_runs import synthetic_hashes_file
from tests.fixtures.mock_service import MockServiceHandle


def _entries(tmp_path: Path, name: str, files: int, seed: int) -> list[dict[str, Any]]:
    return [dict(e) for e in read_hashes_file(synthetic_hashes_file(tmp_path / name, files, seed))]


def _queue(store: Store, clients: ClientPool, entries: list[dict[str, Any]]) -> str:
    plan = plan_submission(resolve_target(store, clients, "mock"), entries, "adult")
    return commit_submission(store, plan).local_id


def _deliver_all(store: Store, clients: ClientPool, rounds: int = 40) -> None:
    for _ in range(rounds):
        deliver(store, clients)
        if not store.pending_outbox():
            return
    pytest.fail("the outbox never emptied")


def _values(case: dict[str, Any]) -> list[str]:
    return [h["value"] for h in case["hashes"]]


def test_add_to_a_delivered_case(
    store: Store, mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path
) -> None:
    service = mock_service_factory(max_hashes_per_request=2)
    store.add_profile("mock", service.url)
    first = _entries(tmp_path, "a.jsonl", 1, seed=1)
    more = _entries(tmp_path, "b.jsonl", 2, seed=2)
    with ClientPool(store) as clients:
        local_id = _queue(store, clients, first)
        deliver(store, clients)
        case_id = store.require_case(local_id).case_id
        assert case_id is not None
        # the first file again: its three hashes are already in the case and are left out
        plan = plan_addition(store, clients, local_id, [*first, *more])
        assert len(plan.prepared.hashes) == 6
        assert any("already holds" in n for n in plan.prepared.notes)
        assert any(f"join case {case_id}" in line for line in plan.reveal_lines())
        shown = plan.shown_requests()
        assert [s.path for s in shown] == [f"/v1/cases/{case_id}/hashes"] * 3
        case = commit_addition(store, plan)
        assert case.local_id == local_id and len(case.hashes) == 9
        report = deliver(store, clients, local_id=local_id)
    assert report.delivered == [local_id]
    posts = service.requests_to(f"/v1/cases/{case_id}/hashes")[-3:]  # after the first case
    assert [r["body"].encode() for r in posts] == [s.body for s in shown]  # consented bytes
    (remote,) = service.cases()
    assert remote["case_id"] == case_id
    assert sorted(_values(remote)) == sorted(h.value or "" for h in case.hashes)
    local = store.require_case(local_id)
    assert all(h.hash_id for h in local.hashes)
    assert store.pending_outbox() == []


def test_add_to_a_case_whose_create_is_still_queued(
    store: Store, mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path
) -> None:
    service = mock_service_factory(max_hashes_per_request=4)
    store.add_profile("mock", service.url)
    with ClientPool(store) as clients:
        local_id = _queue(store, clients, _entries(tmp_path, "a.jsonl", 1, seed=3))
        plan = plan_addition(store, clients, local_id, _entries(tmp_path, "b.jsonl", 2, seed=4))
        assert plan.shown_requests()[0].path == "/v1/cases/{case_id}/hashes"
        commit_addition(store, plan)
        kinds = [i.kind for i in store.outbox(local_id)]
        assert kinds == ["create_case", "add_hashes", "add_hashes"]
        assert [r for r in service.records() if r["method"] == "POST"] == []  # none sent yet
        deliver(store, clients)
    (remote,) = service.cases()
    assert len(_values(remote)) == len(set(_values(remote))) == 9
    paths = [r["path"] for r in service.records() if r["method"] == "POST"]
    assert paths == ["/v1/cases"] + [f"/v1/cases/{remote['case_id']}/hashes"] * 2
    assert store.require_case(local_id).case_id == remote["case_id"]


@pytest.mark.parametrize("delivered_first", [True, False])
def test_addition_through_dropped_answers_lands_once(
    delivered_first: bool,
    store: Store,
    mock_service_factory: Callable[..., MockServiceHandle],
    tmp_path: Path,
) -> None:
    service = mock_service_factory(faults="drop-response:0.5", seed=5, max_hashes_per_request=2)
    store.add_profile("mock", service.url)
    with ClientPool(store) as clients:
        local_id = _queue(store, clients, _entries(tmp_path, "a.jsonl", 2, seed=6))
        if delivered_first:
            _deliver_all(store, clients)
        plan = plan_addition(store, clients, local_id, _entries(tmp_path, "b.jsonl", 3, seed=7))
        commit_addition(store, plan)
        _deliver_all(store, clients)
    (remote,) = service.cases()
    assert len(_values(remote)) == len(set(_values(remote))) == 15
    local = store.require_case(local_id)
    assert local.case_id == remote["case_id"]
    assert all(h.hash_id for h in local.hashes)
    assert [r for r in service.records() if r.get("fault") == "drop-response"], "no fault"


def test_final_cases_take_nothing_more(
    store: Store, mock_service: MockServiceHandle, tmp_path: Path
) -> None:
    store.add_profile("mock", mock_service.url)
    with ClientPool(store) as clients:
        local_id = _queue(store, clients, _entries(tmp_path, "a.jsonl", 1, seed=8))
        assert store.cancel_case_locally(local_id)
        with pytest.raises(CaseworkError) as err:
            plan_addition(store, clients, local_id, _entries(tmp_path, "b.jsonl", 1, seed=9))
    assert err.value.code == "case-closed"
    with pytest.raises(StoreError) as store_err:
        store.add_hashes_with_outbox(
            local_id, [NewHash("md5", "0" * 32)], [NewOutboxItem("add_hashes", b"{}")]
        )
    assert store_err.value.code == "case-closed"
    assert len(store.require_case(local_id).hashes) == 3


def test_addition_is_one_transaction(
    store: Store, mock_service: MockServiceHandle, tmp_path: Path
) -> None:
    store.add_profile("mock", mock_service.url)
    with ClientPool(store) as clients:
        local_id = _queue(store, clients, _entries(tmp_path, "a.jsonl", 1, seed=10))
    before = store.require_case(local_id)
    items_before = store.outbox(local_id)
    events_before = store.events(local_id)
    with pytest.raises(IndexError):  # the second item fails after the hashes were written
        store.add_hashes_with_outbox(
            local_id,
            [NewHash("md5", "1" * 32), NewHash("sha256", "2" * 64)],
            [
                NewOutboxItem("add_hashes", b'{"hashes":[]}'),
                NewOutboxItem("add_hashes", b'{"hashes":[]}', hash_position=99),
            ],
        )
    assert store.require_case(local_id).hashes == before.hashes
    assert store.outbox(local_id) == items_before
    assert store.events(local_id) == events_before
    held = before.hashes[0]
    with pytest.raises(StoreError) as err:  # a hash the case holds: refused, nothing written
        store.add_hashes_with_outbox(
            local_id,
            [NewHash("md5", "3" * 32), NewHash(held.algorithm, held.value)],
            [NewOutboxItem("add_hashes", b"{}")],
        )
    assert err.value.code == "already-in-case"
    assert store.require_case(local_id).hashes == before.hashes
    assert json.loads(items_before[0].body)["program"] == "adult"


def test_a_video_added_to_a_case_goes_in_frame_parts(
    store: Store, mock_service: MockServiceHandle, tmp_path: Path
) -> None:
    store.add_profile("mock", mock_service.url)
    video = {
        "item": 0,
        "ok": True,
        "media": "video",
        "hashes": {"sha256": "cd" * 32},
        "pdq_frames": [{"t": i * 0.5, "pdq": f"{i:064x}", "quality": 80} for i in range(4000)],
    }
    with ClientPool(store) as clients:
        local_id = _queue(store, clients, _entries(tmp_path, "a.jsonl", 1, seed=11))
        deliver(store, clients)
        commit_addition(store, plan_addition(store, clients, local_id, [video]))
        deliver(store, clients)
    (remote,) = mock_service.cases()
    parts = [len(h["frames"]) for h in remote["hashes"] if h["algorithm"] == "pdq_frames"]
    assert parts == [3600, 400]
    assert all(h.hash_id for h in store.require_case(local_id).hashes)


def test_a_refused_addition_marks_its_fingerprints_failed(
    store: Store, mock_service: MockServiceHandle, tmp_path: Path
) -> None:
    store.add_profile("mock", mock_service.url)
    with ClientPool(store) as clients:
        local_id = _queue(store, clients, _entries(tmp_path, "a.jsonl", 1, seed=12))
        deliver(store, clients)
        plan = plan_addition(store, clients, local_id, _entries(tmp_path, "b.jsonl", 1, seed=13))
        commit_addition(store, plan)
        case_id = store.require_case(local_id).case_id
        mock_service.advance(case_id, status="rejected")  # closed at the service meanwhile
        report = deliver(store, clients)
    assert report.failed == [local_id]
    statuses = [h.status for h in store.require_case(local_id).hashes]
    assert statuses[3:] == ["failed"] * 3 and "failed" not in statuses[:3]
    assert any("Adding was refused" in e.detail for e in store.events(local_id))
    assert store.pending_outbox() == []
