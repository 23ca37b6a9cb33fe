"""Withdrawn values disappear from every table and from the database files themselves."""

from __future__ import annotations

from tests.fixtures.mock_service import MockServiceHandle

from .protocol_helpers import create_body, get_case, post

PDQ_VALUE = "0123456789abcdef" * 4
SHA_VALUE = "fedcba9876543210" * 4
FRAME_VALUE = "00ff11ee22dd33cc" * 4
KEEP_VALUE = "a1b2c3d4e5f60718" * 4


def _raw(service: MockServiceHandle) -> bytes:
    files = sorted(service.db_path.parent.glob(service.db_path.name + "*"))
    assert files
    return b"".join(p.read_bytes() for p in files)


def _create(service: MockServiceHandle) -> dict[str, object]:
    body = create_body(
        {"algorithm": "pdq", "value": PDQ_VALUE, "quality": 90, "media": "image"},
        {"algorithm": "sha256", "value": SHA_VALUE, "media": "image"},
        {
            "algorithm": "pdq_frames",
            "frames": [{"t": 0, "pdq": FRAME_VALUE, "quality": 90}],
            "media": "video",
        },
        {"algorithm": "pdq", "value": KEEP_VALUE, "quality": 90, "media": "image"},
    )
    answer = post(service.url, "/v1/cases", body, key="create-1")
    assert answer.status_code == 201
    data: dict[str, object] = answer.json()
    return data


def test_withdrawn_hash_values_are_gone_from_the_files(mock_service: MockServiceHandle) -> None:
    case = _create(mock_service)
    case_id = case["case_id"]
    hashes = case["hashes"]
    assert isinstance(hashes, list)
    raw = _raw(mock_service)
    assert PDQ_VALUE.encode() in raw and FRAME_VALUE.encode() in raw
    for h in hashes[:3]:
        path = f"/v1/cases/{case_id}/hashes/{h['hash_id']}/withdraw"
        assert post(mock_service.url, path, "{}").status_code == 200
    raw = _raw(mock_service)
    for value in (PDQ_VALUE, SHA_VALUE, FRAME_VALUE):
        assert value.encode() not in raw, value
    assert KEEP_VALUE.encode() in raw  # not withdrawn, still kept
    assert KEEP_VALUE in get_case(mock_service.url, str(case_id)).text


def test_withdrawn_case_values_are_gone_from_the_files(mock_service: MockServiceHandle) -> None:
    case = _create(mock_service)
    assert post(mock_service.url, f"/v1/cases/{case['case_id']}/withdraw", "{}").status_code == 200
    values = (PDQ_VALUE, SHA_VALUE, FRAME_VALUE, KEEP_VALUE)
    running = _raw(mock_service)
    assert all(v.encode() not in running for v in values)
    mock_service.stop()
    stopped = _raw(mock_service)
    assert all(v.encode() not in stopped for v in values)
