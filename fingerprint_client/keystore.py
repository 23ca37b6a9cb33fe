"""Secrets in the OS keyring: case PINs, profile API keys and the label key.

Every secret lives under the keyring service name `fingerprint-client`. Entry names ("usernames")
are scoped by a random *namespace* (the store's install id), so two data dirs never share or
delete each other's secrets:

    <namespace>:pin:<local id>       the PIN of one case (e.g. `C-7KQ2M9`)
    <namespace>:api-key:<profile>    the API key of one endpoint profile
    <namespace>:label-key            the Fernet key that encrypts case labels in the database
    <namespace>:index                JSON list of this namespace's entries (for `forget --all`)

`Keystore` wraps a `keyring` backend. `is_secure` is false for the backends that do not protect
a secret (fail, null, plaintext files, a chainer with nothing to chain); DESIGN.md says what each
command then does. Every keyring failure becomes a `KeystoreError` with a stable `code` and a kind
message, never a traceback. `InMemoryKeyring` keeps secrets in memory only (the demo and tests).

Thread-safety: a `Keystore` serialises its own calls with a lock; it may be shared by threads.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import NoReturn, TypeVar

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null
from keyring.compat import properties

log = logging.getLogger(__name__)

SERVICE_NAME = "fingerprint-client"
LABEL_KEY_NAME = "label-key"


def pin_name(local_id: str) -> str:
    """The entry name (within a namespace) of the PIN of case `local_id`."""
    return f"pin:{local_id}"


def api_key_name(profile: str) -> str:
    """The entry name (within a namespace) of the API key of endpoint profile `profile`."""
    return f"api-key:{profile}"


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PIN_BITS = 60
INIT_RETRY_DELAYS = (0.2, 0.5)
_T = TypeVar("_T")
_LOOKALIKES = str.maketrans("OIL", "011")

_INSECURE_CLASS_NAMES = {
    "keyrings.alt.file.PlaintextKeyring",
    "keyrings.alt.file.EncryptedKeyring",
    "keyrings.alt.file.Keyring",
}


class KeystoreError(Exception):
    """A keyring operation failed. `code` is stable; `message` is safe to show a person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def generate_pin() -> str:
    """A new case PIN: 60 random bits as 12 Crockford base32 characters in groups of four,
    e.g. `7KQ2-M9XD-4TA0`."""
    n = secrets.randbits(PIN_BITS)
    chars = "".join(CROCKFORD[(n >> (5 * i)) & 31] for i in reversed(range(12)))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def normalize_crockford(text: str) -> str:
    """Upper-case a human-typed Crockford string and map the look-alikes (O→0, I/L→1, U kept)."""
    return text.strip().upper().translate(_LOOKALIKES)


class InMemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps secrets in this process only (demo mode and tests).

    It is never chosen automatically: its `priority` raises, so keyring's detection skips it.
    """

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._data: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    viable = False  # keyring's detection never picks it

    @properties.classproperty
    def priority(cls) -> float:
        """Low priority; irrelevant because the backend is not `viable` for detection."""
        return 0.1

    def __str__(self) -> str:
        return "fingerprint_client.keystore.InMemoryKeyring (in memory)"

    def get_password(self, service: str, username: str) -> str | None:
        """The stored secret or None."""
        with self._lock:
            return self._data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a secret in memory."""
        with self._lock:
            self._data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Remove a secret; a missing one raises PasswordDeleteError like real backends."""
        with self._lock:
            if self._data.pop((service, username), None) is None:
                raise keyring.errors.PasswordDeleteError("not found")

    def entries(self) -> list[tuple[str, str]]:
        """(service, username) of every stored secret (tests use this to prove deletion)."""
        with self._lock:
            return sorted(self._data)


def backend_is_secure(backend: keyring.backend.KeyringBackend) -> bool:
    """False for backends that do not protect a secret: fail, null, plaintext files, and a chainer
    whose chain holds no secure backend."""
    if backend_name(backend) in _INSECURE_CLASS_NAMES:
        return False
    if isinstance(backend, InMemoryKeyring):
        return True
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        try:
            chained = list(backend.backends)
        except Exception:
            return False
        return any(backend_is_secure(b) for b in chained)
    return True


def backend_is_available(backend: keyring.backend.KeyringBackend) -> bool:
    """False for backends that store nothing: fail, null, and a chainer with nothing to chain."""
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        try:
            return any(backend_is_available(b) for b in backend.backends)
        except Exception:
            return False
    return True


def backend_name(backend: keyring.backend.KeyringBackend) -> str:
    """The qualified class name of a backend, e.g. `keyring.backends.SecretService.Keyring`."""
    cls = type(backend)
    return f"{cls.__module__}.{cls.__name__}"


_UNAVAILABLE = (
    "The system keyring is not available, so secrets (PINs, API keys) cannot be kept safely "
    "on this device."
)


class Keystore:
    """This application's secrets in one keyring backend, scoped by `namespace`.

    Use `scoped(namespace)` to get the view for one data dir (the store does this with its
    install id). All methods raise `KeystoreError` on failure; getters return None when absent.
    """

    def __init__(self, backend: keyring.backend.KeyringBackend, namespace: str = "") -> None:
        self.backend = backend
        self.namespace = namespace
        self._lock = threading.RLock()

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

    def scoped(self, namespace: str) -> Keystore:
        """The same backend seen through another namespace (one data dir)."""
        ks = Keystore(self.backend, namespace)
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
    def _guard(self, what: str) -> Iterator[None]:
        try:
            with self._lock:
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
        with self._guard("store a secret"):
            self._retry(self.backend.set_password, SERVICE_NAME, self._key(name), secret)
            names = self._read_index()
            if name not in names:
                names.append(name)
                self._write_index(names)

    def delete(self, name: str) -> bool:
        """Delete `name`; True if it existed."""
        with self._guard("delete a secret"):
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
        with self._guard("delete secrets"):
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


_override_lock = threading.Lock()
_override: keyring.backend.KeyringBackend | None = None


@contextmanager
def use_backend(backend: keyring.backend.KeyringBackend) -> Iterator[None]:
    """Make `open_keystore()` use `backend` inside the block (tests; the real keyring is never
    touched)."""
    global _override
    with _override_lock:
        previous, _override = _override, backend
    try:
        yield
    finally:
        with _override_lock:
            _override = previous


def open_keystore(demo: bool = False) -> Keystore:
    """The keystore for this run: in demo mode a fresh in-memory keyring; otherwise the backend
    set by `use_backend`, else keyring's choice (the environment, keyringrc, or the best viable
    backend — the Secret Service on a Linux desktop). Never raises: a detection failure gives
    the fail backend, which `is_secure` reports as insecure."""
    if demo:
        return Keystore(InMemoryKeyring())
    if _override is not None:
        return Keystore(_override)
    try:
        backend = keyring.get_keyring()
    except Exception:
        backend = fail.Keyring()  # type: ignore[no-untyped-call]
    return Keystore(backend)
