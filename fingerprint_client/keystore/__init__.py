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

from fingerprint_client.keystore._backends import (
    InMemoryKeyring,
    backend_is_available,
    backend_is_secure,
    backend_name,
    use_backend,
)
from fingerprint_client.keystore._keystore import (
    INIT_RETRY_DELAYS,
    LABEL_KEY_NAME,
    SERVICE_NAME,
    Keystore,
    KeystoreError,
    api_key_name,
    open_keystore,
    pin_name,
)
from fingerprint_client.keystore._pins import CROCKFORD, PIN_BITS, generate_pin, normalize_crockford

__all__ = [
    "CROCKFORD",
    "INIT_RETRY_DELAYS",
    "LABEL_KEY_NAME",
    "PIN_BITS",
    "SERVICE_NAME",
    "InMemoryKeyring",
    "Keystore",
    "KeystoreError",
    "api_key_name",
    "backend_is_available",
    "backend_is_secure",
    "backend_name",
    "generate_pin",
    "normalize_crockford",
    "open_keystore",
    "pin_name",
    "use_backend",
]

for _name in ("InMemoryKeyring", "Keystore", "KeystoreError"):
    globals()[_name].__module__ = __name__  # shown as fingerprint_client.keystore.<name>
