"""The whole case flow against a real mock service on loopback."""

from __future__ import annotations

import re
import time
from typing import Any

import requests

from fingerprint_client.mock_server.cases import new_case_id
from fingerprint_client.service.models import Capabilities, Case
from tests.fixtures.mock_service import MockServiceHandle

from .protocol_helpers import (
    MD5,
    PDQ,
    PIN,
    SHA256,
    create_body,
    create_case,
    get_case,
    pdq_hash,
    post,
    problem,
)

FRAMES = {
    "algorithm": "pdq_frames",
    "frames": [{"t": 0, "pdq": PDQ, "quality": 80}, {"t": 2.5, "pdq": "6" * 64, "quality": 75}],
    "media": "video",
}


def test_capabilities_list_the_protocol(mock_service: MockServiceHandle) -> None:
    answer = requests.get(f"{mock_service.url}/v1/capabilities", timeout=10)
    assert answer.status_code == 200
    caps = Capabilities.model_validate_json(answer.content)
    assert caps.protocol == "1"
    assert set(caps.algorithms) == {"pdq", "md5", "sha256", "phash", "dhash", "whash", "pdq_frames"}
    assert {p.id for p in caps.programs} == {"adult", "under18"}
    assert caps.max_hashes_per_request == 100


def test_whole_case_flow(mock_service: MockServiceHandle) -> None:
    url = mock_service.url
    created = post(url, "/v1/cases", create_body(pdq_hash(), FRAMES, program="under18"))
    assert created.status_code == 201
    assert created.headers["content-type"] == "application/json"
    case = Case.model_validate_json(created.content)
    assert case.status == "received" and case.program == "under18"
    assert [h.algorithm for h in case.hashes] == ["pdq", "pdq_frames"]
    assert case.hashes[1].frames is not None and len(case.hashes[1].frames) == 2
    assert PIN not in created.text

    fetched = get_case(url, case.case_id)
    assert fetched.status_code == 200
    assert Case.model_validate_json(fetched.content).hashes == case.hashes

    more = [{"algorithm": "md5", "value": MD5, "media": "image"}]
    added = post(url, f"/v1/cases/{case.case_id}/hashes", f'{{"hashes":{_j(more)}}}')
    assert added.status_code == 201
    after_add = Case.model_validate_json(added.content)
    assert [h.algorithm for h in after_add.hashes] == ["pdq", "pdq_frames", "md5"]

    mock_service.advance()
    active = Case.model_validate_json(get_case(url, case.case_id).content)
    assert active.status == "active"
    assert {h.status for h in active.hashes} == {"active"}

    first = active.hashes[0].hash_id
    withdrawn = post(url, f"/v1/cases/{case.case_id}/hashes/{first}/withdraw", "{}")
    assert withdrawn.status_code == 200
    after = Case.model_validate_json(withdrawn.content)
    assert after.hashes[0].status == "withdrawn" and after.hashes[0].value is None
    assert after.hashes[1].frames is not None and after.status == "active"

    closed = post(url, f"/v1/cases/{case.case_id}/withdraw", "{}")
    assert closed.status_code == 200
    final = Case.model_validate_json(closed.content)
    assert final.status == "withdrawn"
    assert all(h.value is None and h.frames is None for h in final.hashes)
    assert all(h.status == "withdrawn" for h in final.hashes)
    assert [e.status for e in final.events][-1] == "withdrawn"
    problem(
        post(url, f"/v1/cases/{case.case_id}/hashes", f'{{"hashes":{_j(more)}}}'),
        409,
        "case-closed",
    )


def test_case_ids_are_random_not_sequential(mock_service: MockServiceHandle) -> None:
    ids = [create_case(mock_service.url)["case_id"] for _ in range(3)]
    assert len(set(ids)) == 3
    assert all(len(i) >= 16 and len(i) <= 64 for i in ids)
    assert not any(i.isdigit() for i in ids)


def test_case_ids_never_begin_with_a_dash() -> None:
    ids = {new_case_id() for _ in range(3000)}  # one in 64 would begin with "-" by chance
    assert len(ids) == 3000
    assert not any(i.startswith("-") for i in ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{23}", i) for i in ids)


def test_low_quality_pdq_rejects_the_case_with_a_reason(mock_service: MockServiceHandle) -> None:
    case = create_case(mock_service.url, pdq_hash(quality=30))
    assert case["status"] == "rejected"
    assert any(e["status"] == "rejected" and "quality" in e["detail"] for e in case["events"])


def test_advance_after_moves_cases_on_with_seeded_feedback(
    mock_service_factory: Any,
) -> None:
    service = mock_service_factory(advance_after=0.2, feedback=1.0, seed=7)
    case = create_case(
        service.url, pdq_hash(), {"algorithm": "sha256", "value": SHA256, "media": "image"}
    )
    deadline = time.monotonic() + 10
    status = case["status"]
    while status != "active" and time.monotonic() < deadline:
        data = get_case(service.url, case["case_id"]).json()
        status = data["status"]
        time.sleep(0.05)  # polling with a deadline
    assert status == "active"
    feedback = [e for e in data["events"] if e.get("platform")]
    assert feedback, data["events"]
    assert {e["action"] for e in feedback} <= {"blocked", "under_review", "not_blocked"}
    assert all(e["status"] == "active" for e in feedback)


def test_mock_admin_lists_and_deletes(mock_service: MockServiceHandle) -> None:
    case = create_case(mock_service.url)
    assert [c["case_id"] for c in mock_service.cases()] == [case["case_id"]]
    deleted = mock_service.advance(case["case_id"], "deleted")[0]
    assert deleted["status"] == "deleted"
    assert all("value" not in h for h in deleted["hashes"])
    unknown = requests.post(
        f"{mock_service.url}/_mock/advance", json={"case_id": "nope"}, timeout=10
    )
    problem(unknown, 404, "not-found")


def _j(data: Any) -> str:
    import json

    return json.dumps(data)
