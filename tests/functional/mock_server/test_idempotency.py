"""Idempotency: replay byte for byte, 409 for another body, 409 in-progress, what is stored."""

from __future__ import annotations

import socket
import time
from typing import Any
from urllib.parse import urlsplit

from tests.fixtures.mock_service import MockServiceHandle

from .protocol_helpers import (
    OTHER_PIN,
    PDQ,
    PIN,
    SHA256,
    create_body,
    create_case,
    pdq_hash,
    post,
    problem,
)


def test_replay_returns_the_first_answer_byte_for_byte(mock_service: MockServiceHandle) -> None:
    body = create_body()
    first = post(mock_service.url, "/v1/cases", body, key="key-1")
    again = post(mock_service.url, "/v1/cases", body, key="key-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert len(mock_service.cases()) == 1


def test_same_key_on_another_path_is_another_request(mock_service: MockServiceHandle) -> None:
    case = create_case(mock_service.url)
    path = f"/v1/cases/{case['case_id']}/hashes"
    one = post(mock_service.url, path, '{"hashes":[' + _md5("11") + "]}", key="shared")
    # The same key on the create path is a different scope: a new case is made.
    other = post(mock_service.url, "/v1/cases", create_body(), key="shared")
    assert one.status_code == 201 and other.status_code == 201
    assert other.json()["case_id"] != case["case_id"]


def test_same_key_with_another_body_is_a_conflict(mock_service: MockServiceHandle) -> None:
    post(mock_service.url, "/v1/cases", create_body(), key="key-2")
    changed = post(mock_service.url, "/v1/cases", create_body(pdq_hash("7" * 64)), key="key-2")
    problem(changed, 409, "idempotency-conflict")
    assert len(mock_service.cases()) == 1


def test_validation_failures_are_stored_and_replayed(mock_service: MockServiceHandle) -> None:
    bad = b'{"program":"adult"}'
    first = post(mock_service.url, "/v1/cases", bad, key="key-3")
    problem(first, 422, "validation-failed")
    assert post(mock_service.url, "/v1/cases", bad, key="key-3").content == first.content
    malformed = post(mock_service.url, "/v1/cases", b"{", key="key-4")
    problem(malformed, 400, "malformed-json")
    assert post(mock_service.url, "/v1/cases", b"{", key="key-4").content == malformed.content


def test_401_is_not_stored(mock_service: MockServiceHandle) -> None:
    body = create_body()
    problem(post(mock_service.url, "/v1/cases", body, key="key-5", pin=None), 401, "pin-required")
    assert post(mock_service.url, "/v1/cases", body, key="key-5").status_code == 201


def test_replay_of_a_create_needs_the_case_pin(mock_service: MockServiceHandle) -> None:
    body = create_body()
    post(mock_service.url, "/v1/cases", body, key="key-6")
    problem(post(mock_service.url, "/v1/cases", body, key="key-6", pin=OTHER_PIN), 401, "wrong-pin")


def test_replay_after_withdrawal_has_the_values_removed(mock_service: MockServiceHandle) -> None:
    body = create_body(pdq_hash(), {"algorithm": "sha256", "value": SHA256, "media": "image"})
    first = post(mock_service.url, "/v1/cases", body, key="key-7")
    case = first.json()
    hash_id = case["hashes"][0]["hash_id"]
    post(mock_service.url, f"/v1/cases/{case['case_id']}/hashes/{hash_id}/withdraw", "{}")
    replay = post(mock_service.url, "/v1/cases", body, key="key-7").json()
    assert "value" not in replay["hashes"][0] and PDQ not in str(replay)
    assert replay["hashes"][1]["value"] == SHA256
    post(mock_service.url, f"/v1/cases/{case['case_id']}/withdraw", "{}")
    replay = post(mock_service.url, "/v1/cases", body, key="key-7").json()
    assert all("value" not in h for h in replay["hashes"])
    assert replay["case_id"] == case["case_id"]


def test_concurrent_duplicate_is_409_in_progress(mock_service: MockServiceHandle) -> None:
    """The first request's body arrives slowly (straight to the app, behind the front)."""
    case = create_case(mock_service.url)
    path = f"/v1/cases/{case['case_id']}/hashes"
    body = ('{"hashes":[' + _md5("22") + "]}").encode()
    app = urlsplit(mock_service.running.app_url)
    with socket.create_connection((app.hostname, app.port), timeout=10) as slow:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Idempotency-Key: key-8\r\nX-Case-PIN: {PIN}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        slow.sendall(head + body[:5])
        _wait_until(lambda: mock_service.in_flight() == 1)
        problem(post(mock_service.url, path, body, key="key-8"), 409, "in-progress")
        slow.sendall(body[5:])
        answer = _read_http(slow)
    assert answer.startswith(b"HTTP/1.1 201")
    replay = post(mock_service.url, path, body, key="key-8")
    assert replay.status_code == 201
    assert replay.content == answer.split(b"\r\n\r\n", 1)[1]


def _md5(prefix: str) -> str:
    return '{"algorithm":"md5","media":"image","value":"' + (prefix * 16)[:32] + '"}'


def _wait_until(condition: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def _read_http(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, rest = data.split(b"\r\n\r\n", 1)
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    while len(rest) < length:
        rest += sock.recv(65536)
    return head + b"\r\n\r\n" + rest
