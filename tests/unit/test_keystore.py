"""The keystore: PIN format and entropy, backend security, the in-memory keyring, errors."""

from __future__ import annotations

import re

import keyring.backend
import pytest
from keyring.backends import chainer, fail, null

from fingerprint_client.keystore import (
    CROCKFORD,
    SERVICE_NAME,
    InMemoryKeyring,
    Keystore,
    KeystoreError,
    backend_is_secure,
    generate_pin,
    normalize_crockford,
    open_keystore,
    use_backend,
)

PIN_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_pin_format() -> None:
    for _ in range(200):
        assert PIN_RE.match(generate_pin())


def test_pin_uses_all_60_bits() -> None:
    pins = [generate_pin().replace("-", "") for _ in range(2000)]
    assert len(set(pins)) == len(pins)
    # every position takes many values (no constant or truncated character)
    for pos in range(12):
        assert len({p[pos] for p in pins}) >= 28, pos
    # the value decodes to < 2**60 and the top bits are used
    values = [sum(CROCKFORD.index(c) << (5 * (11 - i)) for i, c in enumerate(p)) for p in pins]
    assert max(values) < 2**60 and max(values) > 2**59


def test_normalize_crockford() -> None:
    assert normalize_crockford(" c-o1il ") == "C-0111"


def test_memory_backend_round_trip_and_index() -> None:
    backend = InMemoryKeyring()
    ks = Keystore(backend).scoped("ns1")
    other = Keystore(backend).scoped("ns2")
    ks.set_pin("C-AAAAAA", "PIN1-PIN1-PIN1")
    ks.set_api_key("mock", "secret-key")
    other.set_pin("C-AAAAAA", "OTHER")
    assert ks.get_pin("C-AAAAAA") == "PIN1-PIN1-PIN1"
    assert other.get_pin("C-AAAAAA") == "OTHER"
    assert ks.entry_names() == ["api-key:mock", "pin:C-AAAAAA"]
    assert ks.get_or_create_label_key() == ks.get_or_create_label_key()
    assert ks.delete_all() == 3
    assert ks.get_pin("C-AAAAAA") is None
    assert other.get_pin("C-AAAAAA") == "OTHER"
    assert all(user.startswith("ns2:") for _, user in backend.entries())
    assert all(service == SERVICE_NAME for service, _ in backend.entries())
    assert not ks.delete_pin("C-AAAAAA")


def test_memory_backend_is_never_auto_selected() -> None:
    names = [type(b).__name__ for b in keyring.backend.get_all_keyring()]
    assert "InMemoryKeyring" not in names


@pytest.mark.parametrize(
    ("backend", "secure"),
    [
        (fail.Keyring(), False),  # type: ignore[no-untyped-call]
        (null.Keyring(), False),  # type: ignore[no-untyped-call]
        (InMemoryKeyring(), True),
    ],
)
def test_is_secure(backend: keyring.backend.KeyringBackend, secure: bool) -> None:
    assert Keystore(backend).is_secure is secure


def test_plaintext_and_empty_chainer_are_insecure(monkeypatch: pytest.MonkeyPatch) -> None:
    class PlaintextKeyring(InMemoryKeyring):
        pass

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    assert not backend_is_secure(PlaintextKeyring())
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [], raising=False)
    assert not backend_is_secure(chainer.ChainerBackend())  # type: ignore[no-untyped-call]
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [InMemoryKeyring()], raising=False)
    assert backend_is_secure(chainer.ChainerBackend())  # type: ignore[no-untyped-call]


def test_label_key_refused_on_insecure_backend() -> None:
    with pytest.raises(KeystoreError) as err:
        Keystore(null.Keyring()).get_or_create_label_key()  # type: ignore[no-untyped-call]
    assert err.value.code == "no-secure-keyring"


def test_errors_become_keystore_errors() -> None:
    ks = Keystore(fail.Keyring())  # type: ignore[no-untyped-call]
    with pytest.raises(KeystoreError) as err:
        ks.set_pin("C-1", "x")
    assert err.value.code == "no-keyring"

    class Exploding(InMemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise OSError("dbus socket /run/user/1000/bus gone")

    with pytest.raises(KeystoreError) as err2:
        Keystore(Exploding()).get_pin("C-1")
    assert err2.value.code == "keyring-error"
    assert "/run" not in err2.value.message


def test_open_keystore_demo_and_override() -> None:
    demo = open_keystore(demo=True)
    assert isinstance(demo.backend, InMemoryKeyring) and demo.is_secure
    backend = InMemoryKeyring()
    with use_backend(backend):
        assert open_keystore().backend is backend
    assert open_keystore().backend is not backend
