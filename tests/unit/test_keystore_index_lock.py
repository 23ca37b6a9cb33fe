"""Two programs changing one namespace's keyring index at once lose neither change."""

from __future__ import annotations

import fcntl
import os
import stat
import threading
from contextlib import suppress
from pathlib import Path

import pytest

from fingerprint_client.keystore import InMemoryKeyring, Keystore, _index_lock
from fingerprint_client.store import Store

LOCKED_OUT_SECONDS = 0.5
"""How long a reader of the index waits for a second reader who, locked out, never comes."""
BOTH_COME_SECONDS = 30.0
"""Without the lock both readers come; a long wait keeps a loaded machine from missing it."""


class BothReadTheIndex(InMemoryKeyring):
    """Holds each reader of an index until a second one has read it too (or it times out).

    Two unguarded read-modify-write cycles then interleave for certain: both read the same
    index, both write back their own edit, and the first edit is lost.
    """

    def __init__(self, wait: float) -> None:
        super().__init__()
        self.rendezvous = threading.Barrier(2, timeout=wait)

    def get_password(self, service: str, username: str) -> str | None:
        value = super().get_password(service, username)
        if username.endswith(":index") and not self.rendezvous.broken:
            with suppress(threading.BrokenBarrierError):
                if self.rendezvous.wait() == 0:
                    self.rendezvous.abort()  # one rendezvous is all it takes
        return value


def _two_programs_store_a_secret_each(lock: Path | None) -> list[str]:
    backend = BothReadTheIndex(LOCKED_OUT_SECONDS if lock else BOTH_COME_SECONDS)
    # two Keystores that share nothing but the backend and the lock file: two programs
    programs = [Keystore(backend, "ns", lock), Keystore(backend, "ns", lock)]
    threads = [
        threading.Thread(target=ks.set_pin, args=(f"C-{n}", "PIN")) for n, ks in enumerate(programs)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(2 * BOTH_COME_SECONDS)
    return programs[0].entry_names()


def test_without_the_lock_one_change_would_be_lost() -> None:
    assert len(_two_programs_store_a_secret_each(None)) == 1  # what the lock prevents


def test_with_the_lock_both_changes_are_kept(tmp_path: Path) -> None:
    names = _two_programs_store_a_secret_each(tmp_path / "store.db-keyring-lock")
    assert names == ["pin:C-0", "pin:C-1"]


def test_the_store_keeps_its_lock_beside_the_database_and_wipes_it(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "store.db", Keystore(InMemoryKeyring()))
    store.keystore.set_pin("C-1", "PIN")
    lock = tmp_path / "store.db-keyring-lock"
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600 and lock.stat().st_size == 0
    assert lock in store.wipe()
    assert not lock.exists()


def test_a_lock_that_cannot_be_made_leaves_the_change_unguarded(tmp_path: Path) -> None:
    ks = Keystore(InMemoryKeyring(), "ns", tmp_path / "missing-folder" / "lock")
    ks.set_pin("C-1", "PIN")
    assert ks.entry_names() == ["pin:C-1"]


def test_a_lock_held_too_long_elsewhere_does_not_hang_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = tmp_path / "store.db-keyring-lock"
    monkeypatch.setattr(_index_lock, "LOCK_WAIT_SECONDS", 0.2)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another program, stuck while holding it
        ks = Keystore(InMemoryKeyring(), "ns", lock)
        ks.set_pin("C-1", "PIN")  # waits 0.2 s, then goes ahead
        assert ks.entry_names() == ["pin:C-1"]
    finally:
        os.close(fd)
