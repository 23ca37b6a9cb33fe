"""Fixtures of the TUI tests: the real program (store, in-memory keyring, hashing) talking to a
real mock service on loopback, and generated abstract pictures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fingerprint_client.keystore import Keystore
from fingerprint_client.tui.core_backend import CoreBackend
from fingerprint_client.tui.demo_pictures import generate_pictures
from tests.tui.helpers import make_backend


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unreachable service is given up on quickly (the retry pace, not the behaviour)."""
    monkeypatch.setenv("FINGERPRINT_CLIENT_BACKOFF", "0.01")
    monkeypatch.setenv("FINGERPRINT_CLIENT_RETRIES", "1")


@pytest.fixture
def pictures(tmp_path: Path) -> Path:
    """A folder of generated abstract pictures (and one broken file)."""
    folder = tmp_path / "pictures"
    generate_pictures(folder)
    return folder


@pytest.fixture
def backend_factory(
    tmp_path: Path, memory_keystore: Keystore
) -> Iterator[Callable[..., CoreBackend]]:
    """Backends on data dirs in tmp_path (closed after the test)."""
    made: list[CoreBackend] = []

    def make(name: str = "home", **kwargs: Any) -> CoreBackend:
        backend = make_backend(tmp_path / name, memory_keystore, **kwargs)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.close()


@dataclass
class Live:
    """The program and the mock service it talks to."""

    backend: CoreBackend
    service: Any


@pytest.fixture
def live(backend_factory: Callable[..., CoreBackend], mock_service_factory: Any) -> Live:
    """A backend with one profile `mock` pointing at a mock service whose cases become active
    after half a second and get platform feedback."""
    service = mock_service_factory(advance_after=0.5, feedback=1.0)
    backend = backend_factory()
    backend.add_profile("mock", service.url, None, True)
    return Live(backend, service)


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests run on asyncio (anyio's pytest plugin runs the async tests)."""
    return "asyncio"
