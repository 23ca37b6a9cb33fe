"""Settings of one mock takedown service, and the `--faults` specification."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal, get_args

from fingerprint_client.service.protocol_constants import DEFAULT_MAX_HASHES_PER_REQUEST

FaultKind = Literal["500", "503", "429", "timeout", "reset", "drop-response"]
FAULT_KINDS: Final[tuple[FaultKind, ...]] = get_args(FaultKind)

DB_FILE_NAME: Final = "mock-service.sqlite3"
#: Production-like scrypt cost; tests pass a much lower one.
DEFAULT_SCRYPT_N: Final = 2**14


class FaultSpecError(ValueError):
    """A `--faults` specification that cannot be understood (the message says why)."""


@dataclass(frozen=True)
class FaultSpec:
    """Probabilities of each fault kind, in the order they were given."""

    rates: tuple[tuple[FaultKind, float], ...] = ()

    @property
    def enabled(self) -> bool:
        """True when any fault has a non-zero probability."""
        return any(rate > 0 for _, rate in self.rates)

    def pick(self, draw: float) -> FaultKind | None:
        """The fault for a uniform draw in [0, 1), or None for a normal answer."""
        total = 0.0
        for kind, rate in self.rates:
            total += rate
            if draw < total:
                return kind
        return None


def parse_faults(spec: str | None) -> FaultSpec:
    """Parse `"500:0.1,503:0.05,timeout:0.05"`; raises FaultSpecError on bad input."""
    if spec is None or not spec.strip():
        return FaultSpec()
    rates: list[tuple[FaultKind, float]] = []
    for part in spec.split(","):
        name, sep, value = part.strip().partition(":")
        if not sep:
            raise FaultSpecError(f"'{part.strip()}' needs the form KIND:RATE, e.g. 500:0.1")
        kind = next((k for k in FAULT_KINDS if k == name.strip()), None)
        if kind is None:
            raise FaultSpecError(f"unknown fault '{name.strip()}'; known: {', '.join(FAULT_KINDS)}")
        try:
            rate = float(value)
        except ValueError:
            raise FaultSpecError(f"rate of '{kind}' is not a number") from None
        if not 0.0 <= rate <= 1.0:
            raise FaultSpecError(f"rate of '{kind}' must be between 0 and 1")
        if any(k == kind for k, _ in rates):
            raise FaultSpecError(f"fault '{kind}' is given twice")
        rates.append((kind, rate))
    if sum(r for _, r in rates) > 1.0 + 1e-9:
        raise FaultSpecError("the fault rates add up to more than 1")
    return FaultSpec(tuple(rates))


@dataclass(frozen=True)
class MockConfig:
    """Everything that shapes one mock service run."""

    db_path: Path | None = None  # None: in memory, nothing kept
    max_hashes_per_request: int = DEFAULT_MAX_HASHES_PER_REQUEST
    advance_after: float | None = None
    feedback: float = 0.0
    seed: int | None = None
    api_key: str | None = None
    admin_token: str | None = None
    scrypt_n: int = DEFAULT_SCRYPT_N
    max_wrong_pins: int = 5
    pin_lockout_seconds: int = 300
    rate_limit_per_minute: int = 6000
    faults: FaultSpec = field(default_factory=FaultSpec)
    timeout_delay: float = 5.0
    record: Path | None = None
