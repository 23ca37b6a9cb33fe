"""Case PINs: 60 random bits as 12 Crockford base32 characters, and reading what people type."""

from __future__ import annotations

import secrets

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PIN_BITS = 60
_LOOKALIKES = str.maketrans("OIL", "011")


def generate_pin() -> str:
    """A new case PIN: 60 random bits as 12 Crockford base32 characters in groups of four,
    e.g. `7KQ2-M9XD-4TA0`."""
    n = secrets.randbits(PIN_BITS)
    chars = "".join(CROCKFORD[(n >> (5 * i)) & 31] for i in reversed(range(12)))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def normalize_crockford(text: str) -> str:
    """Upper-case a human-typed Crockford string and map the look-alikes (O→0, I/L→1, U kept)."""
    return text.strip().upper().translate(_LOOKALIKES)
