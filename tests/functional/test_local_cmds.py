"""`pin`, `export`, `forget` and `profiles` through the real CLI against a real store in tmp.

The in-memory keyring (fixture `memory_keystore`) stands in for the OS keyring, so no test here
touches the real one.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fingerprint_client.casework.capabilities import (
    FALLBACK_CAPABILITIES,
    TEMP_PREFIX,
    CapabilitiesCache,
)
from fingerprint_client.cli import cli
from fingerprint_client.config import load_settings
from fingerprint_client.keystore import InMemoryKeyring, Keystore
from fingerprint_client.paths import AppDirs
from fingerprint_client.store import NewCase, NewHash, NewOutboxItem, Store
from fingerprint_client.store_schema import DB_NAME

PDQ = "a5" * 32
SHA = "3c" * 32
PIN = "7KQ2-M9XD-4TA0"
LABEL = "Label-Of-Jane-Roe"


def run(dirs: AppDirs, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--data-dir", str(dirs.data), *args], input=input)


def delivered_case(store: Store, case_id: str = "srv-case-77") -> str:
    store.add_profile("mock", "http://127.0.0.1:8123")
    case = store.create_case_with_outbox(
        NewCase("mock", "under18", label=LABEL),
        [
            NewHash("pdq", PDQ, quality=91, path="/home/jane/secret/IMG_1.jpg"),
            NewHash("sha256", SHA),
        ],
        [NewOutboxItem("create_case", b"{}")],
        pin=PIN,
        remember_paths=True,
    )
    (item,) = store.pending_outbox()
    store.mark_delivered(
        item.id,
        201,
        {
            "case_id": case_id,
            "status": "active",
            "hashes": [
                {"hash_id": "h1", "algorithm": "pdq", "value": PDQ, "status": "active"},
                {"hash_id": "h2", "algorithm": "sha256", "value": SHA, "status": "active"},
            ],
            "events": [
                {"at": "2026-01-01T00:00:00Z", "status": "received", "detail": "Received."},
                {
                    "at": "2026-01-02T00:00:00Z",
                    "status": "active",
                    "detail": "Upload blocked.",
                    "platform": "ExampleGram",
                    "action": "blocked",
                },
            ],
        },
    )
    return case.local_id


def test_pin_by_local_or_case_id(store: Store, store_dirs: AppDirs) -> None:
    local_id = delivered_case(store)
    for ident in (local_id, local_id.lower(), "srv-case-77"):
        result = run(store_dirs, "pin", ident, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {"pin": PIN}
    text = run(store_dirs, "pin", local_id)
    assert PIN in text.stdout
    unknown = run(store_dirs, "pin", "C-NOPE00")
    assert unknown.exit_code == 1 and "no case" in unknown.stderr
    store.keystore.delete_pin(local_id)
    gone = run(store_dirs, "pin", local_id)
    assert gone.exit_code == 1 and "not in the keyring" in gone.stderr


@pytest.mark.parametrize("case_id", ["-b6uhPUIQxwq", "--x", "-h"])
def test_case_ids_may_begin_with_a_dash(
    store: Store, store_dirs: AppDirs, case_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINGERPRINT_CLIENT_BACKOFF", "0.01")
    local_id = delivered_case(store, case_id)
    pin = run(store_dirs, "pin", case_id, "--json")
    assert pin.exit_code == 0, pin.output
    assert json.loads(pin.stdout) == {"pin": PIN}
    receipt = run(store_dirs, "export", case_id, "--json")
    assert receipt.exit_code == 0, receipt.output
    assert json.loads(receipt.stdout)["local_id"] == local_id
    status = run(store_dirs, "status", case_id, "--json")  # the service is away: local view
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["case_id"] == case_id
    withdraw = run(store_dirs, "withdraw", case_id, "--yes")
    assert withdraw.exit_code == 3, withdraw.output  # queued: the service is away
    assert run(store_dirs, "pin", "--", case_id).exit_code == 0
    for command in ("pin", "export", "status", "withdraw"):
        unknown = run(store_dirs, command, "-" + case_id + "zz")
        assert unknown.exit_code in (1, 2) and "no case" in unknown.stderr


def test_export_receipt(store: Store, store_dirs: AppDirs, tmp_path: Path) -> None:
    local_id = delivered_case(store)
    text = run(store_dirs, "export", "srv-case-77")
    assert text.exit_code == 0, text.output
    for needle in ("srv-case-77", local_id, PDQ, SHA, "http://127.0.0.1:8123", "ExampleGram"):
        assert needle in text.stdout
    as_json = json.loads(run(store_dirs, "export", local_id, "--json").stdout)
    assert as_json["case_id"] == "srv-case-77"
    assert as_json["service"] == {"profile": "mock", "url": "http://127.0.0.1:8123"}
    assert [h["hash_id"] for h in as_json["hashes"]] == ["h1", "h2"]
    assert [e["status"] for e in as_json["events"]][-2:] == ["received", "active"]

    out = run(store_dirs, "export", local_id, "--output", str(tmp_path / "receipt.json"))
    assert out.exit_code == 0, out.output
    files = [tmp_path / "receipt.txt", tmp_path / "receipt.json"]
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert json.loads(files[1].read_text())["local_id"] == local_id
    assert files[0].read_text().startswith("TAKEDOWN REQUEST RECEIPT")
    assert "srv-case-77" in files[0].read_text()
    everything = text.stdout + files[0].read_text() + files[1].read_text()
    for secret in (PIN, LABEL, "/home/jane", "IMG_1"):
        assert secret not in everything


def test_profiles_lifecycle(store_dirs: AppDirs, memory_keystore: Keystore, tmp_path: Path) -> None:
    assert "No profiles" in run(store_dirs, "profiles", "list").stdout
    bad = run(store_dirs, "profiles", "add", "x", "--url", "http://example.com")
    assert bad.exit_code == 2 and "https" in bad.stderr
    bad_name = run(store_dirs, "profiles", "add", "no spaces", "--url", "https://a.example")
    assert bad_name.exit_code == 2

    added = run(
        store_dirs,
        "profiles",
        "add",
        "svc",
        "--url",
        "https://takedown.example/",
        "--api-key-stdin",
        input="sk-very-secret-key\n",
    )
    assert added.exit_code == 0, added.output
    assert "default" in added.stdout
    assert "sk-very-secret-key" not in added.output
    assert run(store_dirs, "profiles", "add", "mock", "--url", "http://127.0.0.1:1").exit_code == 0
    again = run(store_dirs, "profiles", "add", "mock", "--url", "http://127.0.0.1:1")
    assert again.exit_code == 1

    listed = json.loads(run(store_dirs, "profiles", "list", "--json").stdout)
    assert listed == [
        {"name": "mock", "url": "http://127.0.0.1:1", "default": False, "api_key": False},
        {"name": "svc", "url": "https://takedown.example", "default": True, "api_key": True},
    ]
    table = run(store_dirs, "profiles", "list")
    assert "stored" in table.stdout and "sk-very-secret-key" not in table.stdout

    with Store.open(store_dirs, memory_keystore) as s:
        assert s.keystore.get_api_key("svc") == "sk-very-secret-key"
    raw = b"".join(p.read_bytes() for p in store_dirs.data.rglob("*") if p.is_file())
    assert b"sk-very-secret-key" not in raw

    assert run(store_dirs, "profiles", "default", "mock").exit_code == 0
    assert run(store_dirs, "profiles", "default").stdout.strip() == "mock"
    assert run(store_dirs, "profiles", "default", "ghost").exit_code == 1
    assert run(store_dirs, "profiles", "remove", "svc").exit_code == 0
    assert run(store_dirs, "profiles", "remove", "svc").exit_code == 1
    with Store.open(store_dirs, memory_keystore) as s:
        assert s.keystore.get_api_key("svc") is None
    assert run(store_dirs, "profiles", "remove", "mock").exit_code == 0
    assert load_settings(store_dirs).settings.default_profile is None


def test_forget_all(store: Store, store_dirs: AppDirs, memory_keystore: Keystore) -> None:
    local_id = delivered_case(store)
    store.close()
    CapabilitiesCache(store_dirs.data).put("http://127.0.0.1:8123", FALLBACK_CAPABILITIES)
    (store_dirs.data / f"{TEMP_PREFIX}left-by-a-crash").write_bytes(b"{}")
    assert run(store_dirs, "profiles", "default", "mock").exit_code == 0
    assert isinstance(memory_keystore.backend, InMemoryKeyring)
    # another data folder's secret in the same keyring must survive
    memory_keystore.scoped("someone-else").set_pin("C-OTHER1", "KEEP-KEEP-KEEP")

    usage = run(store_dirs, "forget")
    assert usage.exit_code == 2
    declined = run(store_dirs, "forget", "--all", input="n\n")
    assert declined.exit_code == 1 and "Nothing was deleted" in declined.stderr
    assert (store_dirs.data / DB_NAME).exists()

    done = run(store_dirs, "forget", "--all", input="y\n")
    assert done.exit_code == 0, done.output
    assert "1 case(s)" in done.stdout and "settings" in done.stdout
    assert not (store_dirs.data / DB_NAME).exists()
    assert not (store_dirs.config / "config.toml").exists()
    assert not list(store_dirs.logs.glob("*.log*"))
    assert "capabilities" in done.stdout
    assert sorted(store_dirs.data.rglob("*")) == []  # nothing of the app is left
    remaining = memory_keystore.backend.entries()
    assert remaining and all(user.startswith("someone-else:") for _, user in remaining)
    assert local_id  # the case is gone with the database

    again = run(store_dirs, "forget", "--all", "--yes")
    assert again.exit_code == 0 and "nothing to delete" in again.stdout


def test_forget_all_without_a_keyring(store_dirs: AppDirs) -> None:
    import keyring.backends.fail

    from fingerprint_client.keystore import use_backend

    with use_backend(keyring.backends.fail.Keyring()):  # type: ignore[no-untyped-call]
        assert run(store_dirs, "profiles", "add", "m", "--url", "http://127.0.0.1:1").exit_code == 0
        pin = run(store_dirs, "profiles", "list", "--json")
        assert json.loads(pin.stdout)[0]["api_key"] is None
        done = run(store_dirs, "forget", "--all", "--yes")
    assert done.exit_code == 0, done.output
    assert "the local database" in done.stdout
    assert not (store_dirs.data / DB_NAME).exists()
