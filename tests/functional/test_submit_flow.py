"""`submit`, `status`, `cases`, `sync` and `withdraw` against the real mock service."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import keyring.backends.fail
import pytest

from fingerprint_client.config import NO_SERVICE_MESSAGE
from fingerprint_client.keystore import use_backend
from tests.fixtures.cli_runs import (
    CliResult,
    Fc,
    add_profile,
    picture_folder,
    synthetic_hashes_file,
)
from tests.fixtures.mock_service import MockServiceHandle, free_port
from tests.fixtures.videos import VideoSet


def _pictures(folder: Path, n: int = 3) -> Path:
    return picture_folder(folder, n, seed=40, size=(256, 192))


def test_full_flow(fc: Fc, mock_service: MockServiceHandle, tmp_path: Path, data_dir: Path) -> None:
    add_profile(fc, mock_service.url)
    pics = _pictures(tmp_path / "pics")
    res = fc("submit", str(pics), "--program", "adult", "--yes", "--json", "--label", "for Sam")
    assert res.code == 0, res.err
    case = json.loads(res.out)
    assert case["status"] == "received" and case["case_id"]
    assert case["label"] == "for Sam" and case["program"] == "adult"
    assert {h["algorithm"] for h in case["hashes"]} == {"pdq", "md5", "sha256"}
    assert all(h["hash_id"] and h["status"] == "received" for h in case["hashes"])
    remote = mock_service.cases()
    assert [c["case_id"] for c in remote] == [case["case_id"]]
    assert len(remote[0]["hashes"]) == len(case["hashes"]) == 9

    mock_service.advance(case["case_id"], "active")
    status = json.loads(fc("status", case["local_id"], "--json").out)
    assert status["status"] == "active"
    assert [e["status"] for e in status["events"]][:2] == ["queued", "received"]
    assert status["events"][-1]["status"] == "active"
    text = fc("status", case["case_id"]).out
    assert "Timeline:" in text and "active" in text

    listed = json.loads(fc("cases", "--json").out)
    assert [c["local_id"] for c in listed] == [case["local_id"]]
    assert set(listed[0]) == {
        "local_id", "case_id", "status", "profile", "program", "label",
        "created_at", "updated_at", "hashes",
    }  # fmt: skip

    one = status["hashes"][0]["hash_id"]
    res = fc("withdraw", case["local_id"], "--hash", one, "--yes")
    assert res.code == 0, res.err
    after = json.loads(fc("status", case["local_id"], "--json").out)
    gone = next(h for h in after["hashes"] if h["hash_id"] == one)
    assert gone["status"] == "withdrawn" and gone["value"] is None

    res = fc("withdraw", case["local_id"], "--yes", "--forget")
    assert res.code == 0, res.err
    final = json.loads(fc("status", case["local_id"], "--json").out)
    assert final["status"] == "withdrawn"
    assert all(h["value"] is None for h in final["hashes"])
    withdrawn = mock_service.cases()[0]
    assert withdrawn["status"] == "withdrawn"
    assert all("value" not in h for h in withdrawn["hashes"])
    assert json.loads(fc("sync", "--json").out) == {
        "delivered": 0, "queued": 0, "failed": 0, "refreshed": 0,
    }  # fmt: skip

    assert fc("forget", "--all", "--yes").code == 0
    assert sorted(data_dir.rglob("*")) == []  # database, settings, logs, capabilities: all gone


def test_without_profile_points_to_real_services(fc: Fc, tmp_path: Path) -> None:
    res = fc("submit", str(_pictures(tmp_path / "p", 1)), "--program", "adult", "--yes")
    assert res.code == 1
    assert NO_SERVICE_MESSAGE in res.err
    assert "takeitdown.ncmec.org" in res.err and "stopncii.org" in res.err


def test_program_is_never_guessed(fc: Fc, mock_service: MockServiceHandle, tmp_path: Path) -> None:
    add_profile(fc, mock_service.url)
    res = fc("submit", str(_pictures(tmp_path / "p", 1)), "--yes")
    assert res.code == 2 and "--program" in res.err
    assert mock_service.requests_to("/v1/cases") == []


def test_asks_unless_yes(fc: Fc, mock_service: MockServiceHandle, tmp_path: Path) -> None:
    add_profile(fc, mock_service.url)
    res = fc("submit", str(_pictures(tmp_path / "p", 1)), "--program", "adult")
    assert res.code == 2 and "--yes" in res.err
    assert json.loads(fc("cases", "--json").out) == []
    assert mock_service.requests_to("/v1/cases") == []


def test_dry_run_stores_and_sends_nothing(
    fc: Fc, mock_service: MockServiceHandle, tmp_path: Path
) -> None:
    add_profile(fc, mock_service.url)
    res = fc("submit", str(_pictures(tmp_path / "p", 1)), "--program", "under18", "--dry-run")
    assert res.code == 0
    assert "POST /v1/cases" in res.out and '"program":"under18"' in res.out
    assert json.loads(fc("cases", "--json").out) == []
    assert mock_service.requests_to("/v1/cases") == []
    res = fc("submit", str(tmp_path / "p"), "--program", "adult", "--dry-run", "--json")
    shown = json.loads(res.out)
    assert shown["dry_run"] is True
    assert [r["path"] for r in shown["requests"]] == ["/v1/cases"]
    assert json.loads(shown["requests"][0]["body"])["program"] == "adult"


def test_failed_files_are_listed_and_left_out(
    fc: Fc, mock_service: MockServiceHandle, tmp_path: Path
) -> None:
    add_profile(fc, mock_service.url)
    pics = _pictures(tmp_path / "p", 1)
    broken = pics / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    res = fc("submit", str(pics / "p0.png"), str(broken), "--program", "adult", "--yes", "--json")
    assert res.code == 0, res.err
    assert "broken.png" in res.err
    assert len(json.loads(res.out)["hashes"]) == 3
    res = fc("submit", str(broken), "--program", "adult", "--yes")
    assert res.code == 1 and "No fingerprint is left" in res.err
    assert len(mock_service.cases()) == 1


def test_submit_from_hashes_file(fc: Fc, mock_service: MockServiceHandle, tmp_path: Path) -> None:
    add_profile(fc, mock_service.url)
    pics = _pictures(tmp_path / "p", 2)
    made = fc("hash", str(pics), "--recursive", "--json", "--no-paths")
    assert made.code == 0, made.err
    hashes_file = tmp_path / "hashes.jsonl"
    hashes_file.write_text(made.out)
    assert "p0.png" not in made.out
    res = fc("submit", "--from-hashes", str(hashes_file), "--program", "adult", "--yes", "--json")
    assert res.code == 0, res.err
    sent = {(h["algorithm"], h["value"]) for h in json.loads(res.out)["hashes"]}
    expected = {
        (alg, value)
        for line in made.out.splitlines()
        for alg, value in json.loads(line)["hashes"].items()
    }
    assert sent == expected
    res = fc("submit", "--from-hashes", str(tmp_path / "missing.jsonl"), "--program", "adult")
    assert res.code == 2


def test_unreachable_service_queues_then_sync_delivers(
    fc: Fc,
    mock_service_factory: Callable[..., MockServiceHandle],
    tmp_path: Path,
    data_dir: Path,
) -> None:
    service = mock_service_factory()
    url = service.url
    add_profile(fc, url)
    pics = _pictures(tmp_path / "p", 1)
    assert fc("submit", str(pics), "--program", "adult", "--dry-run").code == 0  # caps remembered
    remembered = data_dir / "capabilities.json"
    assert remembered.stat().st_mode & 0o777 == 0o600
    assert url.split("//")[1] not in remembered.read_text()  # the file does not name the service
    service.stop()
    res = fc("submit", str(pics), "--program", "adult", "--yes", "--json")
    assert res.code == 3, res.err
    case = json.loads(res.out)
    assert case["status"] == "queued" and case["case_id"] is None
    assert "sync" in res.err
    port = int(url.rsplit(":", 1)[1])
    revived = mock_service_factory(port=port)
    counts = json.loads(fc("sync", "--json").out)
    assert counts == {"delivered": 1, "queued": 0, "failed": 0, "refreshed": 1}
    assert len(revived.cases()) == 1


def test_missing_api_key_is_explained(
    fc: Fc, mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path
) -> None:
    service = mock_service_factory(api_key="right-key")
    add_profile(fc, service.url)
    res = fc("submit", str(_pictures(tmp_path / "p", 1)), "--program", "adult", "--yes")
    assert res.code == 1 and "API key" in res.err
    assert json.loads(fc("cases", "--json").out) == []


def test_api_key_from_keyring_is_sent(
    fc: Fc, mock_service_factory: Callable[..., MockServiceHandle], tmp_path: Path
) -> None:
    service = mock_service_factory(api_key="right-key")
    res = fc(
        "profiles", "add", "keyed", "--url", service.url, "--api-key-stdin", input="right-key\n"
    )
    assert res.code == 0, res.err
    res = fc("submit", str(_pictures(tmp_path / "p", 1)), "--program", "adult", "--yes")
    assert res.code == 0, res.err
    assert len(service.cases()) == 1
    posts = service.requests_to("/v1/cases")
    assert posts and all(r["headers"].get("authorization") for r in posts)
    assert all("right-key" not in json.dumps(r) for r in service.records())


def test_without_secure_keyring(fc: Fc, mock_service: MockServiceHandle, tmp_path: Path) -> None:
    add_profile(fc, mock_service.url)
    pics = _pictures(tmp_path / "p", 1)
    with use_backend(keyring.backends.fail.Keyring()):  # type: ignore[no-untyped-call]
        res = fc("submit", str(pics), "--program", "adult", "--yes")
        assert res.code == 1 and "--show-pin" in res.err
        assert mock_service.requests_to("/v1/cases") == []
        res = fc("submit", str(pics), "--program", "adult", "--yes", "--show-pin", "--json")
    assert res.code == 0, res.err
    pin_line = next(ln for ln in res.err.splitlines() if ln.startswith("PIN for this case: "))
    pin = pin_line.split(": ", 1)[1]
    assert res.err.index(pin_line) < res.err.index("was delivered")
    case = json.loads(res.out)
    remote = mock_service.cases()
    assert [c["case_id"] for c in remote] == [case["case_id"]]
    res = fc("status", case["local_id"], "--pin-stdin", "--json", input=pin + "\n")
    assert res.code == 0 and "Not checked" not in res.err


def _submit_showing_pin(fc: Fc, hashes: Path) -> CliResult:
    with use_backend(keyring.backends.fail.Keyring()):  # type: ignore[no-untyped-call]
        return fc(
            "submit", "--from-hashes", str(hashes), "--program", "adult", "--yes",
            "--show-pin", "--json",
        )  # fmt: skip


def test_show_pin_keeps_the_case_id_when_delivery_stops_half_way(
    fc: Fc,
    mock_service_factory: Callable[..., MockServiceHandle],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # seed 2 draws: capabilities and create answered, the first added chunk gets a 503
    service = mock_service_factory(max_hashes_per_request=1, faults="503:0.5", seed=2)
    monkeypatch.setenv("FINGERPRINT_CLIENT_RETRIES", "0")
    add_profile(fc, service.url)
    res = _submit_showing_pin(fc, synthetic_hashes_file(tmp_path / "h.jsonl", files=1))
    assert res.code == 1, res.err
    case = json.loads(res.out)
    remote = service.cases()
    assert [c["case_id"] for c in remote] == [case["case_id"]]  # kept on this device
    assert case["status"] == "received"
    assert [h["status"] for h in case["hashes"]] == ["received", "failed", "failed"]
    assert f"its case id is {case['case_id']}" in res.err and "1 of 3" in res.err
    assert res.err.index("PIN for this case: ") < res.err.index("reached the service")
    assert f"status {case['case_id']} --pin-stdin" in res.err
    with use_backend(keyring.backends.fail.Keyring()):  # type: ignore[no-untyped-call]
        assert json.loads(fc("sync", "--json").out)["queued"] == 0  # nothing kept for later


def test_show_pin_marks_an_undelivered_case_failed(fc: Fc, tmp_path: Path) -> None:
    add_profile(fc, f"http://127.0.0.1:{free_port()}")  # nobody listens
    res = _submit_showing_pin(fc, synthetic_hashes_file(tmp_path / "h.jsonl", files=1))
    assert res.code == 1, res.err
    case = json.loads(res.out)
    assert case["status"] == "failed" and case["case_id"] is None
    assert "marked failed" in res.err and "PIN for this case: " in res.err
    with use_backend(keyring.backends.fail.Keyring()):  # type: ignore[no-untyped-call]
        assert json.loads(fc("sync", "--json").out)["queued"] == 0


@pytest.mark.parametrize("ident", ["C-000000", "nope", "-b6uhPUIQxwq"])
@pytest.mark.parametrize("command", ["status", "withdraw"])
def test_unknown_ids_are_usage_errors(fc: Fc, ident: str, command: str) -> None:
    res = fc(command, ident)
    assert res.code == 2 and "no case" in res.err  # an id may start with "-"


def test_video_is_sent_as_frame_fingerprints(
    fc: Fc, mock_service: MockServiceHandle, videos: VideoSet
) -> None:
    add_profile(fc, mock_service.url)
    res = fc("submit", str(videos.original), "--program", "adult", "--yes", "--json")
    assert res.code == 0, res.err
    case = json.loads(res.out)
    frames = [h for h in case["hashes"] if h["algorithm"] == "pdq_frames"]
    assert len(frames) == 1 and frames[0]["media"] == "video" and frames[0]["frames"]
    remote = mock_service.cases()[0]["hashes"]
    assert [h["algorithm"] for h in remote] == [h["algorithm"] for h in case["hashes"]]


def test_without_keyring_nothing_is_queued_when_the_service_is_away(fc: Fc, tmp_path: Path) -> None:
    assert fc("profiles", "add", "away", "--url", f"http://127.0.0.1:{free_port()}").code == 0
    pics = _pictures(tmp_path / "p", 1)
    with use_backend(keyring.backends.fail.Keyring()):  # type: ignore[no-untyped-call]
        res = fc("submit", str(pics), "--program", "adult", "--yes", "--show-pin", "--json")
    assert res.code == 1
    assert json.loads(res.out)["status"] == "failed"
    assert json.loads(fc("sync", "--json").out)["queued"] == 0
