"""The casework delivery API as the TUI uses it from a worker thread: progress and cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from fingerprint_client.casework import (
    ClientPool,
    commit_submission,
    deliver,
    plan_submission,
    read_hashes_file,
    resolve_target,
    sync,
)
from fingerprint_client.store import Store
from tests.fixtures.cli_runs import synthetic_hashes_file
from tests.fixtures.mock_service import MockServiceHandle


def _queue_case(store: Store, clients: ClientPool, hashes: Path) -> str:
    plan = plan_submission(
        resolve_target(store, clients, "mock"), read_hashes_file(hashes), "adult"
    )
    return commit_submission(store, plan).local_id


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
