"""Case PINs are kept only as salted scrypt hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

_R = 8
_P = 1
_DKLEN = 32


@dataclass(frozen=True)
class PinHash:
    """What the service stores for a PIN: salt, scrypt cost and derived key."""

    salt: bytes
    n: int
    digest: bytes


def _derive(pin: str, salt: bytes, n: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=_R, p=_P, dklen=_DKLEN, maxmem=256 * 1024 * 1024
    )


def hash_pin(pin: str, n: int) -> PinHash:
    """Hash a PIN with a fresh random salt and scrypt cost `n` (a power of two >= 2)."""
    salt = secrets.token_bytes(16)
    return PinHash(salt=salt, n=n, digest=_derive(pin, salt, n))


def verify_pin(pin: str | None, stored: PinHash) -> bool:
    """True when `pin` matches; constant-time comparison."""
    if pin is None or len(pin) > 64:
        return False
    return hmac.compare_digest(_derive(pin, stored.salt, stored.n), stored.digest)
