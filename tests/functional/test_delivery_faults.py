"""Exactly-once delivery against the real mock service while it injects every kind of fault."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.cli_runs import Fc, add_profile, picture_folder, synthetic_hashes_file
from tests.fixtures.mock_service import MockServiceHandle


def _sync_until_done(fc: Fc, rounds: int = 40) -> None:
    for _ in range(rounds):
        res = fc("sync", "--json")
        assert res.code == 0, res.err
        if json.loads(res.out)["queued"] == 0:
            return
    pytest.fail("the outbox never emptied")


def _check_exactly_once(fc: Fc, service: MockServiceHandle, expected_hashes: int) -> None:
    local = json.loads(fc("cases", "--json").out)
    remote = service.cases()
    assert sorted(c["case_id"] for c in local) == sorted(c["case_id"] for c in remote)
    for case in remote:
        values = [h["value"] for h in case["hashes"]]
        assert len(values) == len(set(values)) == expected_hashes
    for case in local:
        assert case["status"] not in {"queued", "failed"}
        assert all(h["hash_id"] for h in case["hashes"])


@pytest.mark.parametrize("kind", ["500", "503", "429", "timeout", "reset", "drop-response"])
def test_every_fault_kind_ends_delivered_exactly_once(
    kind: str,
    fc: Fc,
    mock_service_factory: Callable[..., MockServiceHandle],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    options: dict[str, Any] = {"faults": f"{kind}:0.5", "seed": 7, "max_hashes_per_request": 2}
    if kind == "timeout":
        options["timeout_delay"] = 0.6
        monkeypatch.setenv("FINGERPRINT_CLIENT_READ_TIMEOUT", "0.3")
    service = mock_service_factory(**options)
    add_profile(fc, service.url)
    hashes = synthetic_hashes_file(tmp_path / "h.jsonl", files=3, seed=1)
    submit = ("submit", "--from-hashes", str(hashes), "--program", "adult", "--yes")
    results = [fc(*submit).code for _ in range(2)]
    assert set(results) <= {0, 3}
    _sync_until_done(fc)
    _check_exactly_once(fc, service, expected_hashes=9)
    assert len(service.cases()) == 2
    faulted = [r for r in service.records() if r.get("fault") == kind]
    assert faulted, "the fault never happened: the test proves nothing"


def test_chunked_delivery_in_order(
    fc: Fc, mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path
) -> None:
    service = mock_service_factory(max_hashes_per_request=4)
    add_profile(fc, service.url)
    hashes = synthetic_hashes_file(tmp_path / "h.jsonl", files=5, seed=2)
    res = fc("submit", "--from-hashes", str(hashes), "--program", "adult", "--yes", "--json")
    assert res.code == 0, res.err
    case = json.loads(res.out)
    posts = [r for r in service.records() if r["method"] == "POST"]
    paths = [r["path"] for r in posts]
    assert paths == ["/v1/cases"] + [f"/v1/cases/{case['case_id']}/hashes"] * 3
    sizes = [len(json.loads(r["body"])["hashes"]) for r in posts]
    assert sizes == [4, 4, 4, 3]
    sent = [h["value"] for r in posts for h in json.loads(r["body"])["hashes"]]
    assert sent == [h["value"] for h in case["hashes"]]
    assert [h["value"] for h in service.cases()[0]["hashes"]] == sent
    keys = [r["headers"]["idempotency-key"] for r in posts]
    assert len(set(keys)) == 4


def test_outage_mid_case_resumes_without_duplicates(
    fc: Fc, mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path
) -> None:
    service = mock_service_factory(max_hashes_per_request=3, faults="reset:0.6", seed=3)
    add_profile(fc, service.url)
    hashes = synthetic_hashes_file(tmp_path / "h.jsonl", files=4, seed=3)
    fc("submit", "--from-hashes", str(hashes), "--program", "under18", "--yes")
    _sync_until_done(fc)
    _check_exactly_once(fc, service, expected_hashes=12)


def test_folder_submit_under_mixed_faults(
    fc: Fc,
    mock_service_factory: Callable[..., MockServiceHandle],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The issue's "done when": a folder submitted while the service injects every fault."""
    monkeypatch.setenv("FINGERPRINT_CLIENT_READ_TIMEOUT", "0.3")
    service = mock_service_factory(
        faults="500:0.1,503:0.05,429:0.05,timeout:0.05,reset:0.05,drop-response:0.05",
        seed=11,
        timeout_delay=0.6,
        max_hashes_per_request=3,
    )
    add_profile(fc, service.url)
    picture_folder(tmp_path / "pics" / "nested", 4, seed=200)
    for _ in range(2):
        assert fc("submit", str(tmp_path / "pics"), "--program", "adult", "--yes").code in (0, 3)
    _sync_until_done(fc)
    _check_exactly_once(fc, service, expected_hashes=12)
    assert len(service.cases()) == 2
