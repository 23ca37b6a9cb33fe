"""Protocol models: strict requests, lenient responses, canonical bytes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from fingerprint_client.service.models import (
    AddHashesRequest,
    Case,
    ClientInfo,
    CreateCaseRequest,
    EmptyRequest,
    Frame,
    HashIn,
    canonical_json,
)
from fingerprint_client.service.protocol_constants import (
    CASE_STATUSES,
    MAX_FRAMES_PER_HASH,
    is_valid_pin,
    normalize_pin,
    problem_slug,
    problem_type,
)

PDQ = "f" * 64
GOOD: dict[str, dict[str, Any]] = {
    "pdq": {"algorithm": "pdq", "value": PDQ, "quality": 90, "media": "image"},
    "md5": {"algorithm": "md5", "value": "0" * 32, "media": "image"},
    "sha256": {"algorithm": "sha256", "value": "a" * 64, "media": "video"},
    "phash": {"algorithm": "phash", "value": "c3c3e3c3c1c1c1c1", "media": "image"},
    "dhash": {"algorithm": "dhash", "value": "0f0f0f0f0f0f0f0f", "media": "image"},
    "whash": {"algorithm": "whash", "value": "ffff000000000000", "media": "image"},
    "pdq_frames": {
        "algorithm": "pdq_frames",
        "frames": [{"t": 0, "pdq": PDQ, "quality": 80}, {"t": 1.5, "pdq": PDQ, "quality": 70}],
        "media": "video",
    },
}


@pytest.mark.parametrize("algorithm", sorted(GOOD))
def test_each_algorithm_accepts_its_format(algorithm: str) -> None:
    h = HashIn.model_validate(GOOD[algorithm])
    assert h.algorithm == algorithm


@pytest.mark.parametrize(
    ("patch", "why"),
    [
        ({"algorithm": "pdq", "value": "F" * 64}, "uppercase hex"),
        ({"algorithm": "pdq", "value": "f" * 63}, "short pdq"),
        ({"algorithm": "sha256", "value": "0" * 32}, "md5 length for sha256"),
        ({"algorithm": "md5", "value": "0" * 64}, "sha256 length for md5"),
        ({"algorithm": "phash", "value": "0" * 15}, "short phash"),
        ({"algorithm": "colorhash", "value": "0" * 14}, "unknown algorithm"),
        ({"quality": 101}, "quality above 100"),
        ({"quality": -1}, "quality below 0"),
        ({"quality": "90"}, "quality as text"),
        ({"quality": True}, "quality as bool"),
        ({"media": "audio"}, "unknown media"),
        ({"path": "/home/x.jpg"}, "unknown field"),
        ({"frames": [{"t": 0, "pdq": PDQ, "quality": 1}]}, "frames on a pdq hash"),
        ({"value": None}, "missing value"),
    ],
)
def test_bad_single_value_hashes_are_refused(patch: dict[str, Any], why: str) -> None:
    data = {**GOOD["pdq"], **patch}
    with pytest.raises(ValidationError):
        HashIn.model_validate(data)


@pytest.mark.parametrize(
    "patch",
    [
        {"value": PDQ},
        {"frames": []},
        {"frames": None},
        {"frames": [{"t": -1, "pdq": PDQ, "quality": 1}]},
        {"frames": [{"t": 0, "pdq": PDQ, "quality": 1, "x": 1}]},
        {"frames": [{"t": 0, "pdq": PDQ, "quality": 1}] * (MAX_FRAMES_PER_HASH + 1)},
    ],
)
def test_bad_frame_hashes_are_refused(patch: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        HashIn.model_validate({**GOOD["pdq_frames"], **patch})


def test_the_maximum_number_of_frames_is_accepted() -> None:
    frames = [{"t": i, "pdq": PDQ, "quality": 90} for i in range(MAX_FRAMES_PER_HASH)]
    assert HashIn.model_validate({**GOOD["pdq_frames"], "frames": frames}).frames


@pytest.mark.parametrize("t", ["1e400", "NaN", "Infinity", "-0.5"])
def test_non_finite_or_negative_time_is_refused_from_json(t: str) -> None:
    with pytest.raises(ValidationError):
        Frame.model_validate_json(f'{{"t": {t}, "pdq": "{PDQ}", "quality": 1}}')


def test_requests_refuse_unknown_fields_and_empty_lists() -> None:
    with pytest.raises(ValidationError):
        EmptyRequest.model_validate({"x": 1})
    with pytest.raises(ValidationError):
        AddHashesRequest.model_validate({"hashes": []})
    with pytest.raises(ValidationError):
        CreateCaseRequest.model_validate(
            {"program": "teen", "hashes": [GOOD["md5"]], "client": {"name": "a", "version": "1"}}
        )


def test_canonical_json_is_compact_sorted_and_round_trips() -> None:
    req = CreateCaseRequest(
        program="under18",
        hashes=[HashIn.model_validate(GOOD["md5"]), HashIn.model_validate(GOOD["pdq_frames"])],
        client=ClientInfo(name="fingerprint-client", version="0.1.0 é"),
    )
    raw = canonical_json(req)
    assert raw.startswith(b'{"client":{"name":"fingerprint-client","version":"0.1.0 \xc3\xa9"}')
    assert b" " not in raw.replace(b"0.1.0 ", b"")
    assert b"null" not in raw and b"quality" in raw
    assert CreateCaseRequest.model_validate_json(raw) == req
    assert canonical_json(EmptyRequest()) == b"{}"


def test_responses_ignore_unknown_fields_and_allow_withdrawn_hashes() -> None:
    case = Case.model_validate(
        {
            "case_id": "abc",
            "status": "withdrawn",
            "program": "adult",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "hashes": [
                {"hash_id": "h1", "algorithm": "pdq", "media": "image", "status": "withdrawn"}
            ],
            "events": [{"at": "2026-01-01T00:00:00Z", "status": "withdrawn", "detail": "x"}],
            "new_field": {"anything": 1},
        }
    )
    assert case.hashes[0].value is None


def _case_doc(status: object = "escalated", action: object = "reviewed_twice") -> dict[str, Any]:
    return {
        "case_id": "abc",
        "status": status,
        "program": "adult",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "hashes": [{"hash_id": "h1", "algorithm": "pdq", "media": "image", "status": "paused"}],
        "events": [{"at": "t", "status": status, "detail": "x", "platform": "P", "action": action}],
    }


def test_responses_tolerate_unknown_status_and_action_values() -> None:
    case = Case.model_validate(_case_doc("escalated\x1b[31m\u202e" + "x" * 100))
    assert case.status.startswith("escalated") and "\x1b" not in case.status
    assert "\u202e" not in case.status and len(case.status) <= 40
    assert case.hashes[0].status == "paused"
    assert case.events[0].action == "reviewed_twice"
    for bad in (None, 3, ""):
        with pytest.raises(ValidationError):
            Case.model_validate(_case_doc(status=bad))
    with pytest.raises(ValidationError):
        Case.model_validate(_case_doc(action=["blocked"]))
    # the schema still documents the known values
    schema = Case.model_json_schema(mode="serialization")
    assert schema["properties"]["status"]["enum"] == list(CASE_STATUSES)


def test_requests_stay_strict_about_values() -> None:
    with pytest.raises(ValidationError):
        HashIn.model_validate({"algorithm": "pdq2", "value": "0" * 64, "media": "image"})
    with pytest.raises(ValidationError):
        CreateCaseRequest.model_validate(
            {
                "program": "senior",
                "hashes": [{"algorithm": "md5", "value": "0" * 32, "media": "image"}],
                "client": {"name": "c", "version": "1"},
            }
        )


def test_pins() -> None:
    assert is_valid_pin("7KQ2-M9XD-4TA0")
    assert not is_valid_pin("7KQ2-M9XD-4TAO")  # letter O is not Crockford
    assert not is_valid_pin("7kq2-m9xd-4ta0")
    assert normalize_pin(" 7kq2 m9xd 4tao ") == "7KQ2-M9XD-4TA0"
    assert normalize_pin("7KQ2-M9XD-4TA") is None
    assert normalize_pin("7KQ2-M9XD-4TAU") is None


def test_problem_types_end_with_their_slug() -> None:
    assert problem_type("in-progress").endswith("in-progress")
    assert problem_slug(problem_type("wrong-pin")) == "wrong-pin"
    assert problem_slug("urn:x:in-progress") == "in-progress"
