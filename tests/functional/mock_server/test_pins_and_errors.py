"""PIN rules, the rate limits and every documented error answer."""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.fixtures.mock_service import MockServiceHandle

from .protocol_helpers import (
    MD5,
    OTHER_PIN,
    PDQ,
    PIN,
    create_body,
    create_case,
    get_case,
    pdq_hash,
    post,
    problem,
)


def test_pin_is_required_checked_and_never_returned(mock_service: MockServiceHandle) -> None:
    url = mock_service.url
    problem(post(url, "/v1/cases", create_body(), pin=None), 401, "pin-required")
    problem(post(url, "/v1/cases", create_body(), pin="1234"), 422, "validation-failed")
    case = create_case(url)
    problem(get_case(url, case["case_id"], pin=None), 401, "pin-required")
    problem(get_case(url, case["case_id"], pin=OTHER_PIN), 401, "wrong-pin")
    withdraw = post(url, f"/v1/cases/{case['case_id']}/withdraw", "{}", pin=OTHER_PIN)
    problem(withdraw, 401, "wrong-pin")
    ok = get_case(url, case["case_id"])
    assert ok.status_code == 200 and PIN not in ok.text
    mock_service.stop()
    raw = b"".join(p.read_bytes() for p in mock_service.data_dir.glob("mock-service.sqlite3*"))  # type: ignore[union-attr]
    assert PIN.encode() not in raw


def test_wrong_pins_lock_the_case_with_retry_after(mock_service_factory: Any) -> None:
    service = mock_service_factory(max_wrong_pins=3)
    case = create_case(service.url)
    for _ in range(3):
        problem(get_case(service.url, case["case_id"], pin=OTHER_PIN), 401, "wrong-pin")
    locked = get_case(service.url, case["case_id"], pin=PIN)
    problem(locked, 429, "too-many-wrong-pins")
    assert int(locked.headers["Retry-After"]) >= 1
    other = create_case(service.url)  # the lock is per case
    assert get_case(service.url, other["case_id"]).status_code == 200


def test_too_many_requests_gives_429_with_retry_after(mock_service_factory: Any) -> None:
    service = mock_service_factory(rate_limit_per_minute=3)
    answers = [requests.get(f"{service.url}/v1/capabilities", timeout=10) for _ in range(5)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    limited = problem(answers[4], 429, "rate-limited")
    assert limited and int(answers[4].headers["Retry-After"]) >= 1
    assert requests.get(f"{service.url}/v1/health", timeout=10).status_code == 200


def test_api_key_is_required_when_configured(mock_service_factory: Any) -> None:
    service = mock_service_factory(api_key="s3cret")
    problem(requests.get(f"{service.url}/v1/capabilities", timeout=10), 401, "unauthorized")
    wrong = {"Authorization": "Bearer nope"}
    problem(post(service.url, "/v1/cases", create_body(), headers=wrong), 401, "unauthorized")
    good = {"Authorization": "Bearer s3cret"}
    assert post(service.url, "/v1/cases", create_body(), headers=good).status_code == 201


def test_missing_idempotency_key_is_400_problem(mock_service: MockServiceHandle) -> None:
    problem(post(mock_service.url, "/v1/cases", create_body(), key=None), 400, "idempotency-key")
    case = create_case(mock_service.url)
    path = f"/v1/cases/{case['case_id']}/withdraw"
    problem(post(mock_service.url, path, "{}", key=None), 400, "idempotency-key")


def test_malformed_json_is_400(mock_service: MockServiceHandle) -> None:
    for body in (b"{", b"\xff\xfe", b"", b"[1,", b'{"program":"\\ud800"}', b"[" * 100_000):
        problem(post(mock_service.url, "/v1/cases", body), 400, "malformed-json")


def _hash_body(**patch: Any) -> bytes:
    base = {"algorithm": "pdq", "value": PDQ, "quality": 90, "media": "image"}
    return create_body({**base, **patch})


BAD_BODIES = [
    _hash_body(value="A" * 64),
    _hash_body(value="a" * 63),
    _hash_body(algorithm="md5", value="a" * 64),
    _hash_body(algorithm="sha256", value=MD5),
    _hash_body(algorithm="phash", value="a" * 15),
    _hash_body(algorithm="colorhash", value="a" * 16),
    _hash_body(quality=101),
    _hash_body(quality="90"),
    _hash_body(media="audio"),
    _hash_body(path="/home/me/photo.jpg"),
    _hash_body(algorithm="pdq_frames"),
    _hash_body(frames=[{"t": 0, "pdq": PDQ, "quality": 1}]),
    _hash_body(
        algorithm="pdq_frames",
        value=None,
        frames=[{"t": 0, "pdq": PDQ, "quality": 1}] * 3601,
        media="video",
    ),
    _hash_body(algorithm="pdq_frames", value=None, frames=[], media="video"),
    json.dumps(
        {"program": "teen", "hashes": [pdq_hash()], "client": {"name": "a", "version": "1"}}
    ).encode(),
    json.dumps(
        {"program": "adult", "hashes": [], "client": {"name": "a", "version": "1"}}
    ).encode(),
    json.dumps({"program": "adult", "hashes": [pdq_hash()]}).encode(),
    json.dumps({"program": "adult", "hashes": [pdq_hash()], "client": {}, "x": 1}).encode(),
    b"[]",
    b"null",
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=[f"bad{i}" for i in range(len(BAD_BODIES))])
def test_validation_errors_are_422(mock_service: MockServiceHandle, body: bytes) -> None:
    doc = problem(post(mock_service.url, "/v1/cases", body), 422, "validation-failed")
    assert PDQ not in doc["detail"] and "/home" not in doc["detail"]


def test_withdraw_bodies_must_be_empty_objects(mock_service: MockServiceHandle) -> None:
    case = create_case(mock_service.url)
    path = f"/v1/cases/{case['case_id']}/withdraw"
    problem(post(mock_service.url, path, '{"reason":"x"}'), 422, "validation-failed")


def test_too_many_hashes_per_request_is_422(mock_service_factory: Any) -> None:
    service = mock_service_factory(max_hashes_per_request=2)
    body = create_body(pdq_hash("1" * 64), pdq_hash("2" * 64), pdq_hash("3" * 64))
    problem(post(service.url, "/v1/cases", body), 422, "validation-failed")
    assert post(service.url, "/v1/cases", create_body(pdq_hash())).status_code == 201


def test_unknown_case_and_hash_are_404(mock_service: MockServiceHandle) -> None:
    problem(get_case(mock_service.url, "no-such-case"), 404, "not-found")
    problem(post(mock_service.url, "/v1/cases/no-such-case/withdraw", "{}"), 404, "not-found")
    case = create_case(mock_service.url)
    path = f"/v1/cases/{case['case_id']}/hashes/h_nope/withdraw"
    problem(post(mock_service.url, path, "{}"), 404, "not-found")
    problem(requests.get(f"{mock_service.url}/v2/nothing", timeout=10), 404, "not-found")


def test_bodies_over_one_mib_are_413(mock_service: MockServiceHandle) -> None:
    big = b'{"x":"' + b"a" * (1024 * 1024) + b'"}'
    problem(post(mock_service.url, "/v1/cases", big), 413, "body-too-large")
    # A chunked body declares no length: the streamed size counts.
    chunks = (big[i : i + 65536] for i in range(0, len(big), 65536))
    answer = requests.post(
        f"{mock_service.url}/v1/cases",
        data=chunks,
        headers={"Idempotency-Key": "k", "X-Case-PIN": PIN},
        timeout=10,
    )
    problem(answer, 413, "body-too-large")


def test_the_app_itself_checks_streamed_size(mock_service: MockServiceHandle) -> None:
    """Behind the front (direct to uvicorn), a lying Content-Length is still caught."""
    app = urlsplit(mock_service.running.app_url)
    with socket.create_connection((app.hostname, app.port), timeout=10) as s:
        s.sendall(
            b"POST /v1/cases HTTP/1.1\r\nHost: x\r\nIdempotency-Key: k\r\nX-Case-PIN: "
            + PIN.encode()
            + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"a" * 65536
        try:
            for _ in range(20):
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass
        answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413")


def test_bytes_that_are_not_http_get_a_400_problem(mock_service: MockServiceHandle) -> None:
    with socket.create_connection(("127.0.0.1", mock_service.running.port), timeout=10) as s:
        s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"malformed-request" in answer
    assert requests.get(f"{mock_service.url}/v1/health", timeout=10).status_code == 200
