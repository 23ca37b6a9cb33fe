"""Edge cases of the service client that need exact control of one answer (`responses` stubs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
import responses

from fingerprint_client import __version__
from fingerprint_client.service.client import ClientSettings, ServiceClient, case_path, mask_headers
from fingerprint_client.service.errors import (
    CaseNotFound,
    IdempotencyConflict,
    InsecureEndpoint,
    PinRejected,
    RateLimited,
    RequestInProgress,
    ServiceRefused,
    ServiceUnavailable,
    Unauthorized,
)
from fingerprint_client.service.sanitize import clean_text
from tests.fixtures.hostile_server import GOOD_CASE

BASE = "https://takedown.example"
NO_RETRY = ClientSettings(retries=0, backoff_factor=0, backoff_jitter=0)
PIN = "7KQ2-M9XD-4TA0"


def _problem(status: int, slug: str) -> dict[str, object]:
    return {"type": f"https://x.invalid/problems/{slug}", "title": slug, "status": status}


@pytest.mark.parametrize(
    "url",
    [
        "http://takedown.example",
        "http://10.0.0.1:8000",
        "ftp://127.0.0.1",
        "https://user:pw@takedown.example",
        "https://takedown.example/?x=1",
        "not a url",
        "https://takedown.example:99999",
    ],
)
def test_insecure_or_odd_endpoints_are_refused(url: str) -> None:
    with pytest.raises(InsecureEndpoint):
        ServiceClient(url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://127.8.9.10", "http://[::1]:80", "http://localhost:1"]
)
def test_plain_http_is_allowed_on_loopback(url: str) -> None:
    assert ServiceClient(url).base_url == url


@responses.activate
def test_post_sends_exact_bytes_and_protocol_headers() -> None:
    responses.post(f"{BASE}/v1/cases", json=GOOD_CASE, status=201)
    body = b'{"b":1,"a":[2]}'
    with ServiceClient(BASE, api_key="secret-key", settings=NO_RETRY) as client:
        case = client.post("/v1/cases", body, idempotency_key="key-1", pin=PIN)
    assert case.case_id == "c_4f9a2b"
    sent = responses.calls[0].request
    assert sent.body == body
    assert sent.headers["Idempotency-Key"] == "key-1"
    assert sent.headers["X-Case-PIN"] == PIN
    assert sent.headers["Authorization"] == "Bearer secret-key"
    assert sent.headers["User-Agent"] == f"fingerprint-client/{__version__}"
    assert sent.headers["Content-Type"] == "application/json"
    assert "Cookie" not in sent.headers


@responses.activate
def test_netrc_credentials_are_never_sent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine takedown.example login me password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    responses.get(f"{BASE}/v1/cases/c1", json=GOOD_CASE)
    with ServiceClient(BASE, settings=NO_RETRY) as client:
        client.get_case("c1", PIN)
    assert "Authorization" not in responses.calls[0].request.headers


@pytest.mark.parametrize(
    ("status", "slug", "error"),
    [
        (401, "wrong-pin", PinRejected),
        (401, "unauthorized", Unauthorized),
        (404, "not-found", CaseNotFound),
        (409, "in-progress", RequestInProgress),
        (409, "idempotency-conflict", IdempotencyConflict),
        (409, "case-closed", ServiceRefused),
        (422, "validation-failed", ServiceRefused),
        (413, "body-too-large", ServiceRefused),
        (429, "rate-limited", RateLimited),
        (500, "server-error", ServiceUnavailable),
        (503, "unavailable", ServiceUnavailable),
    ],
)
@responses.activate
def test_status_codes_map_to_the_hierarchy(status: int, slug: str, error: type[Exception]) -> None:
    responses.post(
        f"{BASE}/v1/cases",
        body=json.dumps(_problem(status, slug)),
        status=status,
        content_type="application/problem+json",
        headers={"Retry-After": "7"} if status == 429 else {},
    )
    with ServiceClient(BASE, settings=NO_RETRY) as client, pytest.raises(error) as info:
        client.post("/v1/cases", b"{}", idempotency_key="k", pin=None)
    if isinstance(info.value, ServiceRefused):
        assert info.value.problem.status == status
    if isinstance(info.value, RateLimited):
        assert info.value.retry_after == 7


def test_refused_is_final_and_unavailable_retryable() -> None:
    assert not ServiceRefused.retryable and not PinRejected.retryable
    assert ServiceUnavailable.retryable and RateLimited.retryable and RequestInProgress.retryable


@responses.activate
def test_retries_then_succeeds_with_same_key_and_bytes() -> None:
    url = f"{BASE}/v1/cases"
    responses.post(url, status=503)
    responses.post(url, status=500)
    responses.post(url, json=GOOD_CASE, status=201)
    settings = ClientSettings(retries=3, backoff_factor=0.001, backoff_jitter=0.001)
    with ServiceClient(BASE, settings=settings) as client:
        client.post("/v1/cases", b'{"x":1}', idempotency_key="same", pin=PIN)
    assert len(responses.calls) == 3
    assert {c.request.headers["Idempotency-Key"] for c in responses.calls} == {"same"}
    assert {c.request.body for c in responses.calls} == {b'{"x":1}'}


@responses.activate
def test_connection_error_is_unavailable() -> None:
    responses.get(f"{BASE}/v1/capabilities", body=requests.ConnectionError("down"))
    with ServiceClient(BASE, settings=NO_RETRY) as client, pytest.raises(ServiceUnavailable):
        client.capabilities()


def test_case_path_encodes_ids_as_one_segment() -> None:
    assert case_path("/v1/cases/{case_id}/hashes", "a/../b") == "/v1/cases/a%2F..%2Fb/hashes"
    assert (
        case_path("/v1/cases/{case_id}/hashes/{hash_id}/withdraw", "c", "h 1")
        == "/v1/cases/c/hashes/h%201/withdraw"
    )


def test_mask_headers_hides_pin_and_key() -> None:
    shown = mask_headers({"X-Case-PIN": PIN, "Authorization": "Bearer k", "Idempotency-Key": "i"})
    assert PIN not in json.dumps(shown) and "Bearer k" not in json.dumps(shown)
    assert shown["Idempotency-Key"] == "i"


def test_settings_from_environ() -> None:
    s = ClientSettings.from_environ(
        {"FINGERPRINT_CLIENT_BACKOFF": "0.01", "FINGERPRINT_CLIENT_RETRIES": "9"}
    )
    assert s.backoff_factor == 0.01 and s.retries == 9
    assert (
        ClientSettings.from_environ({"FINGERPRINT_CLIENT_BACKOFF": "nonsense"}) == ClientSettings()
    )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain text", "plain text"),
        ("a\x1b[31mred\x1b[0m b", "ared b"),
        ("title\x1b]0;owned\x07 end", "title end"),
        ("link \x1b]8;;http://x\x1b\\here\x1b]8;;\x1b\\", "link here"),
        ("c1 \x9b2J csi", "c1  csi"),
        ("bidi \u202egnp.exe", "bidi gnp.exe"),
        ("nul\x00 bell\x07 del\x7f", "nul bell del"),
        ("line\nbreak\ttab", "line break tab"),
        ("über ✓", "über ✓"),
    ],
)
def test_clean_text_removes_terminal_controls(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_clean_text_bounds_length() -> None:
    assert len(clean_text("x" * 10_000, 100)) == 100


@responses.activate
def test_unknown_algorithms_and_programs_are_ignored() -> None:
    responses.get(
        f"{BASE}/v1/capabilities",
        json={
            "protocol": "1",
            "algorithms": ["pdq", "tmk", "sha256"],
            "programs": [{"id": "adult", "description": "a"}, {"id": "elders", "description": "e"}],
            "max_hashes_per_request": 10,
            "new_field": True,
        },
    )
    with ServiceClient(BASE, settings=NO_RETRY) as client:
        caps = client.capabilities()
    assert caps.algorithms == ["pdq", "sha256"]
    assert [p.id for p in caps.programs] == ["adult"]
