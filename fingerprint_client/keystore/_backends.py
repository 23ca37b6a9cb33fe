"""keyring backends: which ones protect a secret, the in-memory one, and the test override."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null
from keyring.compat import properties

_INSECURE_CLASS_NAMES = {
    "keyrings.alt.file.PlaintextKeyring",
    "keyrings.alt.file.EncryptedKeyring",
    "keyrings.alt.file.Keyring",
}


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


def overriding_backend() -> keyring.backend.KeyringBackend | None:
    """The backend set by `use_backend`, if any."""
    return _override
