"""The casework delivery API as the TUI uses it from a worker thread: progress and cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from fingerprint_client.casework import (
    ClientPool,
    commit_submission,
    deliver,
    hash_files_for,
    plan_submission,
    read_hashes_file,
    refresh,
    resolve_target,
    sync,
)
from fingerprint_client.casework.capabilities import FALLBACK_CAPABILITIES
from fingerprint_client.store import Store
from tests.fixtures.cli_runs import synthetic_hashes_file
from tests.fixtures.images import photo_like
from tests.fixtures.mock_service import MockServiceHandle


def _queue_case(store: Store, clients: ClientPool, hashes: Path) -> str:
    plan = plan_submission(
        resolve_target(store, clients, "mock"), read_hashes_file(hashes), "adult"
    )
    return commit_submission(store, plan).local_id


def _delivered_case(
    store: Store, clients: ClientPool, service: MockServiceHandle, tmp_path: Path
) -> tuple[str, str]:
    """(local id, case id) of a one-file case queued and delivered to `service`."""
    store.add_profile("mock", service.url)
    local_id = _queue_case(store, clients, synthetic_hashes_file(tmp_path / "h.jsonl", files=1))
    deliver(store, clients)
    case_id = store.require_case(local_id).case_id
    assert case_id is not None
    return local_id, case_id


def test_progress_and_cancel(
    store: Store, mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path
) -> None:
    service = mock_service_factory(max_hashes_per_request=2)
    store.add_profile("mock", service.url)
    hashes = synthetic_hashes_file(tmp_path / "h.jsonl", files=2)
    with ClientPool(store) as clients:
        first = _queue_case(store, clients, hashes)
        second = _queue_case(store, clients, hashes)

        cancel = threading.Event()
        seen: list[tuple[int, int, str]] = []

        def progress(done: int, total: int, what: str) -> None:
            seen.append((done, total, what))
            if done == 1:
                cancel.set()  # as if the person pressed Cancel after the first request

        report = deliver(store, clients, progress=progress, cancel=cancel)
        assert report.cancelled
        assert seen[0] == (0, 6, "Sending the case")
        assert first in report.queued and second in report.queued
        assert len(store.pending_outbox()) == 5  # stopped before the second request
        assert len(service.cases()) == 1

        counts = sync(store, clients).counts()
        assert counts == {"delivered": 2, "queued": 0, "failed": 0, "refreshed": 2}
    assert len(service.cases()) == 2
    assert store.require_case(first).case_id and store.require_case(second).case_id


def test_refresh_stores_each_change_as_an_event(
    store: Store, mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path
) -> None:
    service = mock_service_factory(feedback=1.0, seed=4)
    with ClientPool(store) as clients:
        local_id, case_id = _delivered_case(store, clients, service, tmp_path)
        service.advance(case_id, "active")
        service.advance(case_id)
        first = refresh(store, clients)
        again = refresh(store, clients)
    assert first.refreshed == again.refreshed == [local_id]
    events = store.events(local_id)
    assert [e.status for e in events][:2] == ["queued", "received"]
    assert "active" in [e.status for e in events]
    remote = {(e["status"], e["detail"], e.get("platform")) for e in service.cases()[0]["events"]}
    local = [(e.status, e.detail, e.platform) for e in events if e.source == "service"]
    assert set(local) == remote
    assert any(e.platform and e.action for e in events)  # platform feedback kept with its action


def test_identical_events_in_one_second_are_all_kept(
    store: Store, mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path
) -> None:
    service = mock_service_factory(feedback=1.0, seed=4)
    with ClientPool(store) as clients:
        local_id, case_id = _delivered_case(store, clients, service, tmp_path)
        for _ in range(4):
            service.advance(case_id, "active")
        refresh(store, clients)
    remote_events = service.cases()[0]["events"]
    local = [e for e in store.events(local_id) if e.source == "service"]
    assert len(local) == len(remote_events)


def test_sync_skips_a_case_whose_pin_is_gone(
    store: Store, mock_service: MockServiceHandle, tmp_path: Path
) -> None:
    store.add_profile("mock", mock_service.url)
    hashes = synthetic_hashes_file(tmp_path / "h.jsonl", files=1)
    with ClientPool(store) as clients:
        local_id = _queue_case(store, clients, hashes)
        store.keystore.delete_pin(local_id)
        report = sync(store, clients)
    assert report.counts()["queued"] == 1
    assert "PIN" in report.delivery.errors[local_id]
    assert mock_service.requests_to("/v1/cases") == []


def test_hashing_for_a_case_can_be_cancelled(tmp_path: Path) -> None:
    for i in range(3):
        photo_like(64, 48, seed=i).save(tmp_path / f"{i}.png")
    done = hash_files_for([tmp_path], FALLBACK_CAPABILITIES, workers=1)
    assert [e["ok"] for e in done.entries] == [True, True, True]
    assert set(done.entries[0]["hashes"]) == {"pdq", "md5", "sha256"}
    cancel = threading.Event()
    cancel.set()
    stopped = hash_files_for([tmp_path], FALLBACK_CAPABILITIES, workers=1, cancel=cancel)
    assert stopped.cancelled and len(stopped.entries) < 3
