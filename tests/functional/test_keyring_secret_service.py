"""The keystore against the real Secret Service (gnome-keyring in a private D-Bus session).

Run with `tests/with-secret-service .venv/bin/pytest FILE` (`./dev test` does this for the
suite): the wrapper sets FINGERPRINT_TEST_SECRET_SERVICE=1 and keeps the
keyring's files in a temporary XDG_DATA_HOME. Without it the test skips locally and fails in CI.
"""

from __future__ import annotations

import os
import uuid

import keyring
import keyring.core
import pytest

from fingerprint_client.keystore import SERVICE_NAME, generate_pin, open_keystore
from tests.fixtures.environment import require_component

pytestmark = pytest.mark.keyring


def test_secret_service_round_trip() -> None:
    require_component(
        os.environ.get("FINGERPRINT_TEST_SECRET_SERVICE") == "1",
        "the Secret Service (gnome-keyring + dbus)",
    )
    keyring.core.init_backend()  # detect afresh inside this D-Bus session
    ks = open_keystore()
    assert ks.backend_name == "keyring.backends.SecretService.Keyring"
    assert ks.is_secure and ks.is_available

    scoped = ks.scoped(uuid.uuid4().hex)
    pin = generate_pin()
    scoped.set_pin("C-TEST01", pin)
    scoped.set_api_key("mock", "api-key-for-test")
    label_key = scoped.get_or_create_label_key()

    assert scoped.get_pin("C-TEST01") == pin
    assert scoped.get_api_key("mock") == "api-key-for-test"
    assert scoped.get_label_key() == label_key
    assert keyring.get_password(SERVICE_NAME, f"{scoped.namespace}:pin:C-TEST01") == pin
    assert scoped.entry_names() == ["api-key:mock", "label-key", "pin:C-TEST01"]

    assert scoped.delete_all() == 3
    assert scoped.get_pin("C-TEST01") is None
    assert scoped.get_api_key("mock") is None
    assert scoped.get_label_key() is None
    assert keyring.get_password(SERVICE_NAME, f"{scoped.namespace}:index") is None
