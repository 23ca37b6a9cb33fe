"""The `Keystore`: this application's secrets in one keyring backend, scoped per data dir."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NoReturn, TypeVar

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import fail

from fingerprint_client.keystore._backends import (
    InMemoryKeyring,
    backend_is_available,
    backend_is_secure,
    backend_name,
    overriding_backend,
)
from fingerprint_client.keystore._index_lock import index_lock

log = logging.getLogger("fingerprint_client.keystore")

SERVICE_NAME = "fingerprint-client"
LABEL_KEY_NAME = "label-key"
INIT_RETRY_DELAYS = (0.2, 0.5)
_T = TypeVar("_T")
_UNAVAILABLE = (
    "The system keyring is not available, so secrets (PINs, API keys) cannot be kept safely "
    "on this device."
)


def pin_name(local_id: str) -> str:
    """The entry name (within a namespace) of the PIN of case `local_id`."""
    return f"pin:{local_id}"


def api_key_name(profile: str) -> str:
    """The entry name (within a namespace) of the API key of endpoint profile `profile`."""
    return f"api-key:{profile}"


class KeystoreError(Exception):
    """A keyring operation failed. `code` is stable; `message` is safe to show a person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Keystore:
    """This application's secrets in one keyring backend, scoped by `namespace`.

    Use `scoped(namespace)` to get the view for one data dir (the store does this with its
    install id). All methods raise `KeystoreError` on failure; getters return None when absent.
    """

    def __init__(
        self,
        backend: keyring.backend.KeyringBackend,
        namespace: str = "",
        index_lock_path: Path | None = None,
    ) -> None:
        self.backend = backend
        self.namespace = namespace
        self._lock = threading.RLock()
        self._index_lock_path = index_lock_path

    @property
    def is_secure(self) -> bool:
        """True when secrets are protected (not the fail/null/plaintext backends)."""
        return backend_is_secure(self.backend)

    @property
    def is_available(self) -> bool:
        """False when the backend cannot hold anything at all (fail, null, an empty chainer):
        then there is nothing to read or delete either."""
        return backend_is_available(self.backend)

    @property
    def backend_name(self) -> str:
        """Class name of the backend in use."""
        return backend_name(self.backend)

    def scoped(self, namespace: str, index_lock_path: Path | None = None) -> Keystore:
        """The same backend seen through another namespace (one data dir); changes to its
        index hold the file lock at `index_lock_path` (see `_index_lock.py`)."""
        ks = Keystore(self.backend, namespace, index_lock_path)
        ks._lock = self._lock
        return ks

    # -- raw entries ---------------------------------------------------------------------------

    def _key(self, name: str) -> str:
        return f"{self.namespace}:{name}" if self.namespace else name

    @staticmethod
    def _retry(op: Callable[..., _T], *args: str) -> _T:
        """Run one backend call; a transient `InitError` (the Secret Service collection not
        ready yet, seen right after the daemon starts) is retried twice."""
        for delay in INIT_RETRY_DELAYS:
            try:
                return op(*args)
            except keyring.errors.InitError:
                time.sleep(delay)
        return op(*args)

    @contextmanager
    def _guard(self, what: str, changes_index: bool = False) -> Iterator[None]:
        try:
            with self._lock, index_lock(self._index_lock_path if changes_index else None):
                yield
        except KeystoreError:
            raise
        except Exception as exc:
            log.warning("keyring: could not %s (%s)", what, type(exc).__name__)
            self._translate(exc, what)

    @staticmethod
    def _translate(exc: Exception, what: str) -> NoReturn:
        if isinstance(exc, keyring.errors.KeyringLocked):
            raise KeystoreError(
                "keyring-locked", f"The system keyring is locked; unlock it to {what}."
            ) from exc
        if isinstance(exc, keyring.errors.NoKeyringError):
            raise KeystoreError("no-keyring", _UNAVAILABLE) from exc
        # any other backend failure: D-Bus, secretstorage, OS errors
        raise KeystoreError(
            "keyring-error", f"The system keyring could not {what} ({type(exc).__name__})."
        ) from exc

    def get(self, name: str) -> str | None:
        """The secret stored as `name` in this namespace, or None."""
        with self._guard("read a secret"):
            return self._retry(self.backend.get_password, SERVICE_NAME, self._key(name))

    def set(self, name: str, secret: str) -> None:
        """Store `secret` as `name` and record the name in this namespace's index."""
        with self._guard("store a secret", changes_index=True):
            self._retry(self.backend.set_password, SERVICE_NAME, self._key(name), secret)
            names = self._read_index()
            if name not in names:
                names.append(name)
                self._write_index(names)

    def delete(self, name: str) -> bool:
        """Delete `name`; True if it existed."""
        with self._guard("delete a secret", changes_index=True):
            existed = (
                self._retry(self.backend.get_password, SERVICE_NAME, self._key(name)) is not None
            )
            if existed:
                try:
                    self._retry(self.backend.delete_password, SERVICE_NAME, self._key(name))
                except keyring.errors.PasswordDeleteError:
                    existed = False
            names = self._read_index()
            if name in names:
                names.remove(name)
                self._write_index(names)
            return existed

    def _read_index(self) -> list[str]:
        raw = self._retry(self.backend.get_password, SERVICE_NAME, self._key("index"))
        if not raw:
            return []
        try:
            value = json.loads(raw)
        except ValueError:
            return []
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    def _write_index(self, names: list[str]) -> None:
        if names:
            self._retry(
                self.backend.set_password,
                SERVICE_NAME,
                self._key("index"),
                json.dumps(sorted(names)),
            )
        else:
            with suppress(keyring.errors.PasswordDeleteError):
                self._retry(self.backend.delete_password, SERVICE_NAME, self._key("index"))

    def entry_names(self) -> list[str]:
        """Names of every entry this namespace stored (from the index)."""
        with self._guard("read the list of secrets"):
            return sorted(self._read_index())

    def delete_all(self, extra_names: list[str] | None = None) -> int:
        """Delete every entry of this namespace (index plus `extra_names`) and the index itself.
        Returns how many secrets were deleted."""
        count = 0
        with self._guard("delete secrets", changes_index=True):
            names = set(self._read_index()) | set(extra_names or [])
            for name in sorted(names):
                key = self._key(name)
                if self._retry(self.backend.get_password, SERVICE_NAME, key) is None:
                    continue
                with suppress(keyring.errors.PasswordDeleteError):
                    self._retry(self.backend.delete_password, SERVICE_NAME, key)
                    count += 1
            self._write_index([])
        return count

    # -- typed helpers -------------------------------------------------------------------------

    def get_pin(self, local_id: str) -> str | None:
        """The PIN of case `local_id`, or None."""
        return self.get(pin_name(local_id))

    def set_pin(self, local_id: str, pin: str) -> None:
        """Store the PIN of case `local_id`."""
        self.set(pin_name(local_id), pin)

    def delete_pin(self, local_id: str) -> bool:
        """Delete the PIN of case `local_id`."""
        return self.delete(pin_name(local_id))

    def get_api_key(self, profile: str) -> str | None:
        """The API key of endpoint profile `profile`, or None."""
        return self.get(api_key_name(profile))

    def set_api_key(self, profile: str, key: str) -> None:
        """Store the API key of endpoint profile `profile`."""
        self.set(api_key_name(profile), key)

    def delete_api_key(self, profile: str) -> bool:
        """Delete the API key of endpoint profile `profile`."""
        return self.delete(api_key_name(profile))

    def get_label_key(self) -> str | None:
        """The Fernet key that encrypts labels, or None if none was created yet."""
        return self.get(LABEL_KEY_NAME)

    def get_or_create_label_key(self) -> str:
        """The label key, created on first use. Refuses (KeystoreError `no-secure-keyring`) on an
        insecure backend: the key would sit beside the data it protects."""
        key = self.get_label_key()
        if key:
            return key
        if not self.is_secure:
            raise KeystoreError(
                "no-secure-keyring",
                "Labels are kept encrypted with a key in the system keyring, and no safe "
                "keyring is available. Leave the label out, or set up a keyring.",
            )
        from cryptography.fernet import Fernet

        key = Fernet.generate_key().decode("ascii")
        self.set(LABEL_KEY_NAME, key)
        return key


def open_keystore(demo: bool = False) -> Keystore:
    """The keystore for this run: in demo mode a fresh in-memory keyring; otherwise the backend
    set by `use_backend`, else keyring's choice (the environment, keyringrc, or the best viable
    backend — the Secret Service on a Linux desktop). Never raises: a detection failure gives
    the fail backend, which `is_secure` reports as insecure."""
    if demo:
        return Keystore(InMemoryKeyring())
    override = overriding_backend()
    if override is not None:
        return Keystore(override)
    try:
        backend = keyring.get_keyring()
    except Exception:
        backend = fail.Keyring()  # type: ignore[no-untyped-call]
    return Keystore(backend)
