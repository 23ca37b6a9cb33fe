"""Fault injection: which faults happen before any work and which after it."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from fingerprint_client.mock_server.config import FaultSpecError, parse_faults

from .protocol_helpers import create_body, post, problem


@pytest.mark.parametrize(
    ("kind", "status", "slug"),
    [("500", 500, "server-error"), ("503", 503, "unavailable"), ("429", 429, "rate-limited")],
)
def test_error_faults_happen_before_any_work(
    mock_service_factory: Any, kind: str, status: int, slug: str
) -> None:
    service = mock_service_factory(faults=f"{kind}:1", seed=1)
    answer = post(service.url, "/v1/cases", create_body())
    problem(answer, status, slug)
    if kind == "429":
        assert answer.headers["Retry-After"] == "1"
    assert service.cases() == []
    assert requests.get(f"{service.url}/v1/health", timeout=10).status_code == 200
    assert [r["fault"] for r in service.requests_to("/v1/cases")] == [kind]


def test_reset_closes_the_socket_before_any_work(mock_service_factory: Any) -> None:
    service = mock_service_factory(faults="reset:1")
    with pytest.raises(requests.ConnectionError):
        post(service.url, "/v1/cases", create_body())
    assert service.cases() == []


def test_drop_response_commits_the_work_then_hangs_up(
    mock_service_factory: Any, tmp_path: Any
) -> None:
    data_dir = tmp_path / "shared"
    data_dir.mkdir()
    service = mock_service_factory(faults="drop-response:1", data_dir=data_dir)
    body = create_body()
    with pytest.raises(requests.ConnectionError):
        post(service.url, "/v1/cases", body, key="retry-me")
    cases = service.cases()
    assert len(cases) == 1
    service.stop()
    healthy = mock_service_factory(data_dir=data_dir)
    retry = post(healthy.url, "/v1/cases", body, key="retry-me")
    assert retry.status_code == 201
    assert retry.json()["case_id"] == cases[0]["case_id"]
    assert len(healthy.cases()) == 1


def test_timeout_does_the_work_and_answers_late(mock_service_factory: Any) -> None:
    service = mock_service_factory(faults="timeout:1", timeout_delay=1.0)
    with pytest.raises(requests.ReadTimeout):
        post(service.url, "/v1/cases", create_body(), timeout=0.2)
    deadline = time.monotonic() + 10
    while not service.cases():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    late = post(service.url, "/v1/cases", create_body(), timeout=10)
    assert late.status_code == 201


def test_seeded_faults_repeat_exactly(mock_service_factory: Any) -> None:
    def run() -> list[int]:
        service = mock_service_factory(faults="500:0.3,503:0.3", seed=42)
        statuses = [
            requests.get(f"{service.url}/v1/capabilities", timeout=10).status_code
            for _ in range(12)
        ]
        service.stop()
        return statuses

    first = run()
    assert set(first) > {200}
    assert run() == first


def test_admin_endpoints_never_fault(mock_service_factory: Any) -> None:
    service = mock_service_factory(faults="reset:1")
    assert service.cases() == []
    assert service.advance() == []


@pytest.mark.parametrize(
    "spec", ["boom:0.1", "500", "500:x", "500:1.5", "500:0.6,503:0.6", "500:0.1,500:0.1"]
)
def test_bad_fault_specs_are_refused(spec: str) -> None:
    with pytest.raises(FaultSpecError):
        parse_faults(spec)


def test_fault_spec_parses() -> None:
    spec = parse_faults("500:0.1,503:0.05,429:0.05,timeout:0.05,reset:0.05,drop-response:0.05")
    assert spec.enabled
    assert spec.pick(0.05) == "500" and spec.pick(0.12) == "503" and spec.pick(0.99) is None
