"""The local store on a real SQLite file: schema, permissions, atomicity, encryption at rest."""

from __future__ import annotations

import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from fingerprint_client.keystore import InMemoryKeyring, Keystore, KeystoreError
from fingerprint_client.paths import AppDirs
from fingerprint_client.store import (
    LABEL_UNAVAILABLE,
    NewCase,
    NewHash,
    NewOutboxItem,
    Store,
    StoreError,
)
from fingerprint_client.store_schema import DB_NAME, SCHEMA_VERSION, user_version

PDQ = "f" * 16 + "0" * 48
SHA = "ab12" * 16


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _raw_bytes(store: Store) -> bytes:
    out = b""
    for suffix in ("", "-wal", "-shm"):
        p = store.path.with_name(store.path.name + suffix)
        if p.exists():
            out += p.read_bytes()
    return out


def make_case(store: Store, label: str | None = None, pin: str | None = None) -> str:
    case = store.create_case_with_outbox(
        NewCase(profile="mock", program="adult", label=label),
        [NewHash("pdq", PDQ, quality=90), NewHash("sha256", SHA)],
        [NewOutboxItem("create_case", b'{"hashes":"..."}')],
        pin=pin,
    )
    return case.local_id


def test_new_database_is_migrated_and_private(store: Store, store_dirs: AppDirs) -> None:
    db = store_dirs.data / DB_NAME
    assert db.exists()
    assert _mode(store_dirs.data) == 0o700
    make_case(store)
    for suffix in ("", "-wal", "-shm"):
        p = db.with_name(db.name + suffix)
        if p.exists():
            assert _mode(p) == 0o600, suffix
    conn = sqlite3.connect(db)
    assert user_version(conn) == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_upgrade_from_v0_file_and_reopen_is_noop(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    sqlite3.connect(db).close()  # an existing, empty v0 database
    ks = Keystore(InMemoryKeyring())
    with Store.open(db, ks) as s:
        install_id = s.install_id
        s.add_profile("p", "https://example.org")
    with Store.open(db, ks) as s:
        assert s.install_id == install_id
        assert [p.name for p in s.list_profiles()] == ["p"]
    conn = sqlite3.connect(db)
    assert user_version(conn) == SCHEMA_VERSION
    conn.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError) as err:
        Store.open(db, Keystore(InMemoryKeyring()))
    assert err.value.code == "newer-schema"
    assert str(tmp_path) not in err.value.message


def test_garbage_file_gives_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "bad.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as err:
        Store.open(db, Keystore(InMemoryKeyring()))
    assert err.value.code == "store-corrupt"


def test_create_case_round_trip_and_lookup(store: Store) -> None:
    store.add_profile("mock", "http://127.0.0.1:9")
    local_id = make_case(store, label="Anna's phone", pin="7KQ2-M9XD-4TA0")
    assert local_id.startswith("C-") and len(local_id) == 8
    case = store.get_case(local_id.lower().replace("0", "o"))
    assert case is not None and case.local_id == local_id
    assert case.status == "queued" and case.case_id is None
    assert case.profile_url == "http://127.0.0.1:9"
    assert case.label == "Anna's phone"
    assert [h.algorithm for h in case.hashes] == ["pdq", "sha256"]
    assert [h.status for h in case.hashes] == ["queued", "queued"]
    assert store.keystore.get_pin(local_id) == "7KQ2-M9XD-4TA0"
    (item,) = store.pending_outbox()
    assert item.kind == "create_case" and item.seq == 1 and item.body == b'{"hashes":"..."}'
    assert len(item.idempotency_key) == 36
    assert [e.status for e in store.events(local_id)] == ["queued"]
    assert store.get_case("no-such-case") is None
    with pytest.raises(StoreError):
        store.require_case("C-ZZZZZZ")


def test_create_is_atomic_when_an_item_is_invalid(store: Store) -> None:
    with pytest.raises(StoreError) as err:
        store.create_case_with_outbox(
            NewCase(profile="mock", program="adult"),
            [NewHash("sha256", SHA)],
            [
                NewOutboxItem("create_case", b"{}"),
                NewOutboxItem("bogus", b"{}"),  # type: ignore[arg-type]
            ],
            pin="AAAA-BBBB-CCCC",
        )
    assert err.value.code == "store-error"
    assert isinstance(err.value.__cause__, sqlite3.IntegrityError)
    assert store.list_cases() == []
    assert store.pending_outbox() == []
    assert store.find_by_sha256(SHA) == []


def test_create_is_atomic_when_the_keyring_fails(store_dirs: AppDirs) -> None:
    class Broken(InMemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            if ":pin:" in username:
                raise RuntimeError("D-Bus went away")
            super().set_password(service, username, password)

    with Store.open(store_dirs, Keystore(Broken())) as s:
        with pytest.raises(Exception, match="could not store"):
            make_case(s, pin="AAAA-BBBB-CCCC")
        assert s.list_cases() == [] and s.pending_outbox() == []


def test_label_is_encrypted_at_rest(store: Store) -> None:
    marker = "Jane-Doe-Secret-Label-4711"
    make_case(store, label=marker)
    store.checkpoint()
    assert marker.encode() not in _raw_bytes(store)
    assert store.list_cases()[0].label == marker


def test_missing_label_key_shows_unavailable(
    store_dirs: AppDirs, memory_keystore: Keystore
) -> None:
    with Store.open(store_dirs, memory_keystore) as s:
        local_id = make_case(s, label="secret")
        s.keystore.delete("label-key")
    with Store.open(store_dirs, memory_keystore) as s:
        case = s.require_case(local_id)
        assert case.label is None and case.label_unavailable
        assert case.display_label == LABEL_UNAVAILABLE
        assert case.to_json()["label"] == LABEL_UNAVAILABLE


def test_wrong_label_key_shows_unavailable(store_dirs: AppDirs, memory_keystore: Keystore) -> None:
    from cryptography.fernet import Fernet

    with Store.open(store_dirs, memory_keystore) as s:
        local_id = make_case(s, label="secret")
        s.keystore.set("label-key", Fernet.generate_key().decode())
    with Store.open(store_dirs, memory_keystore) as s:
        assert s.require_case(local_id).display_label == LABEL_UNAVAILABLE
        s.keystore.set("label-key", "not a fernet key")
    with Store.open(store_dirs, memory_keystore) as s:
        assert s.require_case(local_id).label_unavailable
        with pytest.raises(KeystoreError) as err:
            make_case(s, label="new")
        assert err.value.code == "label-key-damaged"


def test_label_needs_a_secure_keyring(store_dirs: AppDirs) -> None:
    from keyring.backends import null

    with Store.open(store_dirs, Keystore(null.Keyring())) as s:  # type: ignore[no-untyped-call]
        with pytest.raises(Exception) as err:
            make_case(s, label="x")
        assert getattr(err.value, "code", None) == "no-secure-keyring"
        make_case(s)  # without a label it works
        assert len(s.list_cases()) == 1


def test_paths_only_with_remember_paths(store: Store) -> None:
    hashes = [NewHash("sha256", SHA, path="/home/x/secret-name.jpg")]
    a = store.create_case_with_outbox(NewCase("mock", "adult"), hashes, [])
    b = store.create_case_with_outbox(NewCase("mock", "adult"), hashes, [], remember_paths=True)
    assert a.hashes[0].path is None
    assert b.hashes[0].path == "/home/x/secret-name.jpg"
    assert "path" not in b.hashes[0].to_json()


def test_forgotten_values_leave_the_files(store: Store) -> None:
    value = "5e1f" * 16
    case = store.create_case_with_outbox(
        NewCase("mock", "adult"),
        [NewHash("sha256", value)],
        [NewOutboxItem("create_case", ('{"v":"' + value + '"}').encode())],
    )
    item = store.pending_outbox()[0]
    store.begin_attempt(item.id)
    store.mark_delivered(item.id, 201, {"case_id": "S1", "status": "received", "hashes": []})
    store.checkpoint()
    assert value.encode() in _raw_bytes(store)
    store.forget_case_hashes(case.local_id)
    assert value.encode() not in _raw_bytes(store)
    assert store.require_case(case.local_id).hashes[0].value is None
    assert store.outbox(case.local_id)[0].body == b""
    assert store.find_by_sha256(value) == []


def test_find_and_pdq_index(store: Store) -> None:
    local_id = make_case(store)
    frames = [{"t": 0.0, "pdq": "1" * 64, "quality": 80}]
    video = [NewHash("pdq_frames", frames=frames, media="video")]
    store.create_case_with_outbox(NewCase("mock", "adult"), video, [])
    (ref,) = store.find_by_sha256(SHA.upper())
    assert ref.local_id == local_id and ref.status == "queued"
    values = [v for v, _ in store.all_pdq_values()]
    assert values == [PDQ, "1" * 64]


def test_threads_share_one_store(store: Store) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                make_case(store)
                store.list_cases()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.list_cases()) == 20


def test_busy_database_gives_store_busy(store: Store) -> None:
    other = sqlite3.connect(store.path, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        store._conn.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(StoreError) as err:
            make_case(store)
        assert err.value.code == "store-busy"
    finally:
        other.execute("ROLLBACK")
        other.close()
    make_case(store)


def test_two_connections_see_each_other(store_dirs: AppDirs, memory_keystore: Keystore) -> None:
    with Store.open(store_dirs, memory_keystore) as a, Store.open(store_dirs, memory_keystore) as b:
        local_id = make_case(a)
        assert b.require_case(local_id).status == "queued"


def test_wipe_removes_the_files(store: Store) -> None:
    make_case(store)
    removed = store.wipe()
    assert store.path in removed
    assert not store.path.exists()
    assert not store.path.with_name(store.path.name + "-wal").exists()


def test_profiles_crud(store: Store) -> None:
    store.add_profile("b", "https://b.example")
    store.add_profile("a", "https://a.example")
    with pytest.raises(StoreError) as err:
        store.add_profile("a", "https://other.example")
    assert err.value.code == "profile-exists"
    assert [p.name for p in store.list_profiles()] == ["a", "b"]
    assert store.get_profile("a") is not None
    assert store.remove_profile("a") and not store.remove_profile("a")
    assert store.get_profile("a") is None


def test_later_migrations_run_once_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fingerprint_client import store_schema

    db = tmp_path / "m.sqlite3"
    ks = Keystore(InMemoryKeyring())
    with Store.open(db, ks) as s:
        s.add_profile("p", "https://example.org")
    ran: list[int] = []

    def v2(conn: sqlite3.Connection) -> None:
        ran.append(2)
        conn.execute("ALTER TABLE profiles ADD COLUMN note TEXT")

    monkeypatch.setattr(store_schema, "MIGRATIONS", [*store_schema.MIGRATIONS, v2])
    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    for _ in range(2):
        conn = store_schema.connect(db)
        assert user_version(conn) == SCHEMA_VERSION + 1
        conn.close()
    assert ran == [2]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT name, note FROM profiles").fetchall() == [("p", None)]
    conn.close()


def test_failed_migration_leaves_the_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fingerprint_client import store_schema

    db = tmp_path / "f.sqlite3"
    Store.open(db, Keystore(InMemoryKeyring())).close()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("power cut")

    monkeypatch.setattr(store_schema, "MIGRATIONS", [*store_schema.MIGRATIONS, broken])
    monkeypatch.setattr(store_schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError) as err:
        store_schema.connect(db)
    assert err.value.code == "migration-failed"
    conn = sqlite3.connect(db)
    assert user_version(conn) == SCHEMA_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "half_done" not in tables
    conn.close()
