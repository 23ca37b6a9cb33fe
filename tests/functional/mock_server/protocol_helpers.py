"""Small helpers to speak protocol v1 in tests (plain requests, no client code under test)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import requests

PIN = "M4QX-7HVB-2TN9"
OTHER_PIN = "M4QX-7HVB-2TN8"
PDQ = "5" * 64
SHA256 = "ab" * 32
MD5 = "cd" * 16


def pdq_hash(value: str = PDQ, quality: int = 90) -> dict[str, Any]:
    """A PDQ hash entry."""
    return {"algorithm": "pdq", "value": value, "quality": quality, "media": "image"}


def create_body(*hashes: dict[str, Any], program: str = "adult") -> bytes:
    """Canonical-ish bytes of a create request."""
    data = {
        "program": program,
        "hashes": list(hashes)
        or [pdq_hash(), {"algorithm": "sha256", "value": SHA256, "media": "image"}],
        "client": {"name": "tests", "version": "1"},
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def post(
    url: str,
    path: str,
    body: bytes | str,
    *,
    key: str | None = "auto",
    pin: str | None = PIN,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> requests.Response:
    """POST raw bytes with the protocol headers (key="auto": a fresh UUID; None: no key)."""
    sent = {"Content-Type": "application/json", **(headers or {})}
    if key is not None:
        sent["Idempotency-Key"] = str(uuid.uuid4()) if key == "auto" else key
    if pin is not None:
        sent["X-Case-PIN"] = pin
    return requests.post(f"{url}{path}", data=body, headers=sent, timeout=timeout)


def create_case(url: str, *hashes: dict[str, Any], pin: str = PIN) -> dict[str, Any]:
    """Create a case and return it (asserts 201)."""
    answer = post(url, "/v1/cases", create_body(*hashes), pin=pin)
    assert answer.status_code == 201, answer.text
    data: dict[str, Any] = answer.json()
    return data


def get_case(url: str, case_id: str, pin: str | None = PIN) -> requests.Response:
    """GET a case."""
    headers = {"X-Case-PIN": pin} if pin is not None else {}
    return requests.get(f"{url}/v1/cases/{case_id}", headers=headers, timeout=10)


def problem(answer: requests.Response, status: int, slug: str) -> dict[str, Any]:
    """Assert a problem+json answer of this status whose type ends with `slug`."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    doc: dict[str, Any] = answer.json()
    assert doc["status"] == status
    assert doc["type"].endswith(slug), doc
    assert doc["title"]
    return doc
