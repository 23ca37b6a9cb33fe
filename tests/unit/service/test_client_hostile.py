"""The service client against a real misbehaving server on loopback: every trick ends in a clean
`ServiceError`, quickly, with nothing from the server reaching a terminal unsanitised."""

from __future__ import annotations

import pytest
import requests

from fingerprint_client.service.client import ClientSettings, ServiceClient
from fingerprint_client.service.errors import (
    HostileResponse,
    RateLimited,
    ServiceError,
    ServiceRefused,
    ServiceUnavailable,
)
from fingerprint_client.service.models import Case
from tests.fixtures.hostile_server import HostileServer
from tests.fixtures.mock_service import MockServiceHandle

FAST = ClientSettings(
    connect_timeout=2,
    read_timeout=2,
    body_deadline=1.0,
    retries=2,
    backoff_factor=0.01,
    backoff_jitter=0.01,
    backoff_max=0.05,
    retry_after_max=0.05,
)
BODY = b'{"hashes":[],"program":"adult"}'


def _post(server: HostileServer) -> Case:
    with ServiceClient(server.url, settings=FAST) as client:
        return client.post("/v1/cases", BODY, idempotency_key="k-1", pin="7KQ2-M9XD-4TA0")


def test_good_answer_is_parsed(hostile_server: HostileServer) -> None:
    case = _post(hostile_server)
    assert case.case_id == "c_4f9a2b"
    assert hostile_server.requests[0]["body"] == BODY


def test_unknown_response_fields_are_ignored(hostile_server: HostileServer) -> None:
    hostile_server.mode = "extra-fields"
    assert _post(hostile_server).case_id == "c_4f9a2b"


@pytest.mark.parametrize(
    "mode",
    [
        "huge",
        "huge-undeclared",
        "endless",
        "slow-drip",
        "wrong-types",
        "not-json",
        "bad-id",
        "gzip-bomb",
        "deep-nesting",
        "redirect",
    ],
)
def test_hostile_answers_end_in_hostile_response(hostile_server: HostileServer, mode: str) -> None:
    hostile_server.mode = mode
    with pytest.raises(HostileResponse) as info:
        _post(hostile_server)
    assert info.value.code == "bad-response"
    assert "\x1b" not in str(info.value)


def test_endless_retryable_error_body_is_not_drained(hostile_server: HostileServer) -> None:
    hostile_server.mode = "endless-503"
    with pytest.raises(ServiceError):
        _post(hostile_server)
    assert len(hostile_server.requests) == FAST.retries + 1


def test_connection_closed_without_answer_is_unavailable(hostile_server: HostileServer) -> None:
    hostile_server.mode = "close"
    with pytest.raises(ServiceUnavailable):
        _post(hostile_server)
    assert len(hostile_server.requests) == FAST.retries + 1


def test_huge_retry_after_is_capped(hostile_server: HostileServer) -> None:
    hostile_server.mode = "retry-after-huge"
    with pytest.raises(RateLimited) as info:
        _post(hostile_server)
    assert info.value.retry_after == 999999
    assert len(hostile_server.requests) == FAST.retries + 1


def test_control_characters_are_stripped_from_answers(hostile_server: HostileServer) -> None:
    hostile_server.mode = "ansi"
    case = _post(hostile_server)
    detail = case.events[0].detail
    assert detail is not None
    assert detail.startswith("ok")
    assert "RED" in detail
    for bad in ("\x1b", "\x07", "\x00", "\u202e", "\x9b", "pwned"):
        assert bad not in detail


def test_problem_text_is_sanitised(hostile_server: HostileServer) -> None:
    hostile_server.mode = "problem-ansi"
    with pytest.raises(ServiceRefused) as info:
        _post(hostile_server)
    problem = info.value.problem
    assert problem.status == 422
    assert problem.title == "Bad blink"
    for text in (problem.title, problem.detail, str(info.value)):
        assert "\x1b" not in text and "\x07" not in text


def test_non_json_refusal_still_refuses_cleanly(hostile_server: HostileServer) -> None:
    hostile_server.mode = "html-403"
    with pytest.raises(ServiceRefused) as info:
        _post(hostile_server)
    assert info.value.problem.status == 403
    assert "<html>" not in str(info.value)


def test_redirect_is_not_followed_and_pin_not_forwarded(hostile_server: HostileServer) -> None:
    hostile_server.mode = "redirect"
    with pytest.raises(HostileResponse):
        _post(hostile_server)
    assert len(hostile_server.requests) == 1


def test_proxy_from_environment_is_used(
    hostile_server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", hostile_server.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = ServiceClient("https://takedown.example", settings=FAST)
    with client, pytest.raises(ServiceUnavailable):  # the "proxy" cannot tunnel
        client.post("/v1/cases", BODY, idempotency_key="k-1", pin=None)
    first = hostile_server.requests[0]
    assert (first["method"], first["path"]) == ("CONNECT", "takedown.example:443")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_loopback_service_is_reached_without_the_proxy(
    mock_service: MockServiceHandle, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    from tests.fixtures.mock_service import free_port

    dead = f"127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, f"http://{dead}")
    for name in ("ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, f"socks5h://{dead}")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    url = mock_service.url.replace("127.0.0.1", host)
    with ServiceClient(url, settings=FAST) as client:
        assert "pdq" in client.capabilities().algorithms


def test_socks_proxy_is_supported(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fixtures.mock_service import free_port

    monkeypatch.setenv("ALL_PROXY", f"socks5h://127.0.0.1:{free_port()}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = ServiceClient("https://takedown.example", settings=FAST)
    with client, pytest.raises(ServiceUnavailable) as info:  # the proxy is not running
        client.capabilities()
    # a missing SOCKS library would be InvalidSchema; this is a failed proxy connection
    assert isinstance(info.value.__cause__, requests.exceptions.ConnectionError)
