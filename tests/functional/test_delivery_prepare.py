"""How a case's requests are built: algorithms the service accepts, frame and request limits,
unreliable PDQ left out, duplicates sent once, hashes files read safely."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fingerprint_client.casework import CaseworkError, prepare_case, read_hashes_file
from fingerprint_client.casework.prepare import BODY_BUDGET
from fingerprint_client.service.models import Capabilities, Program

PROGRAMS = [Program(id="adult", description="a"), Program(id="under18", description="u")]


def caps(algorithms: list[str], per_request: int = 100) -> Capabilities:
    return Capabilities.model_validate(
        {"algorithms": algorithms, "programs": PROGRAMS, "max_hashes_per_request": per_request}
    )


def image(n: int, quality: int = 90) -> dict[str, Any]:
    return {
        "item": n,
        "ok": True,
        "media": "image",
        "hashes": {
            "pdq": f"{n:064x}",
            "md5": f"{n:032x}",
            "sha256": f"{n + 1:064x}",
            "phash": f"{n:016x}",
        },
        "pdq_quality": quality,
    }


def video(frames: int) -> dict[str, Any]:
    return {
        "item": 0,
        "ok": True,
        "media": "video",
        "hashes": {"sha256": "ab" * 32},
        "pdq_frames": [{"t": i * 0.5, "pdq": f"{i:064x}", "quality": 80} for i in range(frames)],
    }


def bodies(prepared: Any) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in prepared.requests]


def test_only_accepted_algorithms_are_sent() -> None:
    prepared = prepare_case([image(1)], "adult", caps(["pdq", "sha256"]))
    assert [h.algorithm for h in prepared.hashes] == ["pdq", "sha256"]
    assert {h["algorithm"] for h in bodies(prepared)[0]["hashes"]} == {"pdq", "sha256"}


def test_bodies_are_canonical_json() -> None:
    prepared = prepare_case([image(1)], "under18", caps(["pdq", "md5", "sha256"]))
    body = prepared.requests[0].body
    assert body == json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    assert json.loads(body)["client"]["name"] == "fingerprint-client"


def test_requests_are_chunked_in_order() -> None:
    prepared = prepare_case([image(i) for i in range(1, 5)], "adult", caps(["md5", "sha256"], 3))
    assert [r.kind for r in prepared.requests] == ["create_case"] + ["add_hashes"] * 2
    assert [r.hash_count for r in prepared.requests] == [3, 3, 2]
    assert prepared.requests[1].path_template == "/v1/cases/{case_id}/hashes"
    sent = [h["value"] for b in bodies(prepared) for h in b["hashes"]]
    assert sent == [h.value for h in prepared.hashes]


def test_long_videos_become_several_frame_hashes() -> None:
    prepared = prepare_case([video(12000)], "adult", caps(["pdq_frames", "sha256"]))
    frames = [h for h in prepared.hashes if h.algorithm == "pdq_frames"]
    assert [len(h.frames or []) for h in frames] == [3600, 3600, 3600, 1200]
    assert all(len(r.body) <= BODY_BUDGET for r in prepared.requests)
    assert len(prepared.requests) >= 2  # 12000 frames do not fit one body
    again = [f for b in bodies(prepared) for h in b["hashes"] for f in h.get("frames", [])]
    assert len(again) == 12000


def test_unreliable_pdq_is_left_out_with_a_note() -> None:
    prepared = prepare_case([image(1, quality=30), image(2)], "adult", caps(["pdq", "md5"]))
    assert [h.algorithm for h in prepared.hashes] == ["md5", "pdq", "md5"]
    assert any("below 50" in note for note in prepared.notes)


def test_duplicates_are_sent_once() -> None:
    prepared = prepare_case([image(1), image(1)], "adult", caps(["pdq", "md5"]))
    assert len(prepared.hashes) == 2 and prepared.files_used == 2


def test_failures_are_listed_and_left_out() -> None:
    bad = {"item": 1, "ok": False, "error": {"code": "corrupt", "message": "Damaged."}}
    wrong = {"item": 2, "ok": True, "media": "image", "hashes": {"md5": "not hex"}}
    prepared = prepare_case(
        [image(1), bad, wrong], "adult", caps(["md5"]), labels=["a", "b.png", "c"]
    )
    assert [(f.label, f.code) for f in prepared.failed] == [
        ("b.png", "corrupt"),
        ("c", "invalid-entry"),
    ]
    with pytest.raises(CaseworkError) as info:
        prepare_case([bad], "adult", caps(["md5"]))
    assert info.value.code == "nothing-to-send"


def test_program_must_be_offered() -> None:
    only_adult = Capabilities.model_validate(
        {"algorithms": ["md5"], "programs": PROGRAMS[:1], "max_hashes_per_request": 5}
    )
    with pytest.raises(CaseworkError) as info:
        prepare_case([image(1)], "under18", only_adult)
    assert info.value.usage


def test_hashes_file_lines_or_array_and_paths_dropped(tmp_path: Path) -> None:
    entry = {**image(1), "path": "/home/someone/secret.jpg"}
    lines = tmp_path / "l.jsonl"
    lines.write_text(json.dumps(entry) + "\n\n" + json.dumps(image(2)) + "\n")
    array = tmp_path / "a.json"
    array.write_text(json.dumps([entry, image(2)]))
    for path in (lines, array):
        entries = read_hashes_file(path)
        assert len(entries) == 2 and "path" not in entries[0]


@pytest.mark.parametrize("content", [b"", b"not json", b"\xff\xfe", b"[1, 2]", b"[" * 100000])
def test_bad_hashes_files_are_usage_errors(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad"
    path.write_bytes(content)
    with pytest.raises(CaseworkError) as info:
        read_hashes_file(path)
    assert info.value.usage and str(tmp_path) not in info.value.message


def test_an_addition_is_all_add_hashes_and_leaves_out_what_the_case_holds() -> None:
    from fingerprint_client.casework.prepare import hash_key

    first = prepare_case([image(1), video(3700)], "adult", caps(["md5", "pdq_frames"], 2))
    held = [hash_key(h.algorithm, h.value, h.frames) for h in first.hashes]
    more = prepare_case(
        [image(1), image(2), video(3700), video(7300)],
        "adult",
        caps(["md5", "pdq_frames"], 2),
        existing=held,
    )
    assert {r.kind for r in more.requests} == {"add_hashes"}
    assert all(r.path_template == "/v1/cases/{case_id}/hashes" for r in more.requests)
    # 7,300 frames split at 3,600: the first part is the 3,700-frame video's first hash, held
    # already, as are image 1 and that video's own 100-frame tail
    frames = [len(h.frames or []) for h in more.hashes if h.algorithm == "pdq_frames"]
    assert frames == [3600, 100]
    assert [h.value for h in more.hashes if h.algorithm == "md5"] == [f"{2:032x}"]
    assert any("already holds" in n for n in more.notes)
    with pytest.raises(CaseworkError) as err:
        prepare_case([image(1)], "adult", caps(["md5"]), existing=held)
    assert err.value.code == "nothing-to-send"
