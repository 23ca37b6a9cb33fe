"""`submit`, `status` and `sync` against a misbehaving server: clean messages, exit codes, and
a local store that stays consistent and free of terminal control characters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.cli_runs import Fc, synthetic_hashes_file
from tests.fixtures.hostile_server import HostileServer


def _setup(fc: Fc, server: HostileServer, tmp_path: Path) -> tuple[str, ...]:
    assert fc("profiles", "add", "evil", "--url", server.url).code == 0
    hashes = synthetic_hashes_file(tmp_path / "h.jsonl", files=1)
    return ("submit", "--from-hashes", str(hashes), "--program", "adult", "--yes", "--json")


def _no_control(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text


@pytest.mark.parametrize(
    "mode", ["huge", "endless", "wrong-types", "not-json", "bad-id", "close", "in-progress"]
)
def test_untrustworthy_answer_leaves_the_case_queued(
    fc: Fc,
    hostile_server: HostileServer,
    tmp_path: Path,
    mode: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FINGERPRINT_CLIENT_RETRIES", "1")
    submit = _setup(fc, hostile_server, tmp_path)
    hostile_server.mode = mode
    res = fc(*submit)
    assert res.code == 3, res.err
    assert "Traceback" not in res.err
    case = json.loads(res.out)
    assert case["status"] == "queued" and case["case_id"] is None
    listed = json.loads(fc("cases", "--json").out)
    assert [c["local_id"] for c in listed] == [case["local_id"]]
    hostile_server.mode = "good"
    counts = json.loads(fc("sync", "--json").out)
    assert counts["delivered"] == 1 and counts["queued"] == 0
    status = json.loads(fc("status", case["local_id"], "--json").out)
    assert status["case_id"] == "c_4f9a2b"


def test_refusal_with_escape_codes_is_kept_clean(
    fc: Fc, hostile_server: HostileServer, tmp_path: Path
) -> None:
    submit = _setup(fc, hostile_server, tmp_path)
    hostile_server.mode = "problem-ansi"
    res = fc(*submit)
    assert res.code == 1
    _no_control(res.err)
    case = json.loads(res.out)
    assert case["status"] == "failed"
    status = fc("status", case["local_id"], "--json")
    _no_control(status.out)
    assert "Bad blink" in json.loads(status.out)["events"][-1]["detail"]
    _no_control(fc("status", case["local_id"]).out)


def test_escape_codes_in_events_never_reach_the_terminal(
    fc: Fc, hostile_server: HostileServer, tmp_path: Path
) -> None:
    submit = _setup(fc, hostile_server, tmp_path)
    hostile_server.mode = "ansi"
    res = fc(*submit)
    assert res.code == 0, res.err
    local_id = json.loads(res.out)["local_id"]
    for args in (("status", local_id), ("status", local_id, "--json"), ("cases",)):
        out = fc(*args).out
        _no_control(out)
    assert "RED" in fc("status", local_id).out


@pytest.mark.parametrize("mode", ["caps-wrong-types", "caps-huge", "caps-not-json"])
def test_bad_capabilities_stop_before_anything_is_stored(
    fc: Fc, hostile_server: HostileServer, tmp_path: Path, mode: str
) -> None:
    submit = _setup(fc, hostile_server, tmp_path)
    hostile_server.mode = mode
    res = fc(*submit)
    assert res.code == 1 and res.err.strip()
    assert "Traceback" not in res.err
    assert json.loads(fc("cases", "--json").out) == []
