"""`fingerprint-client demo`: a throw-away world in which every flow can be tried safely.

A temporary data folder (removed at the end), an in-memory keyring, the embedded mock service on
a free loopback port in a background thread (statuses move on after a few seconds, platform
feedback on), and a handful of generated abstract pictures offered in the file picker.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fingerprint_client.keystore import Keystore, open_keystore
from fingerprint_client.paths import resolve_dirs
from fingerprint_client.tui.core_backend import CoreBackend
from fingerprint_client.tui.demo_pictures import generate_pictures

if TYPE_CHECKING:
    from fingerprint_client.mock_server.embedded import RunningMockService

DEMO_PROFILE = "demo"
ADVANCE_AFTER = 4.0
FEEDBACK = 0.6
GOODBYE = (
    "The demo has ended. Nothing was sent to a real service, and the demo's data, pictures "
    "and PINs have been deleted."
)


@dataclass
class DemoSession:
    """Everything the demo created; `close()` (or `cleanup()` on a quick exit) removes it."""

    root: Path
    pictures: Path
    keystore: Keystore
    service: RunningMockService
    backend: CoreBackend
    _cleaned: bool = field(default=False, repr=False)

    @classmethod
    def start(
        cls,
        *,
        advance_after: float = ADVANCE_AFTER,
        feedback: float = FEEDBACK,
        pin_factory: Callable[[], str] | None = None,
        workers: int | None = None,
    ) -> DemoSession:
        """Create the temporary world and start the mock service."""
        from fingerprint_client.mock_server.embedded import start_mock_service

        root = Path(tempfile.mkdtemp(prefix="fingerprint-client-demo-"))
        try:
            pictures = root / "demo-pictures"
            generate_pictures(pictures)
            dirs = resolve_dirs(root / "data").ensure()
            service = start_mock_service(
                data_dir=None, memory=True, advance_after=advance_after, feedback=feedback
            )
            keystore = open_keystore(demo=True)
            backend = CoreBackend(dirs, keystore, pin_factory=pin_factory, workers=workers)
            backend.add_profile(DEMO_PROFILE, service.url, None, True)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return cls(root, pictures, keystore, service, backend)

    def cleanup(self) -> None:
        """Remove the temporary folder at once (safe on a quick exit: waits for nothing)."""
        if not self._cleaned:
            self._cleaned = True
            shutil.rmtree(self.root, ignore_errors=True)

    def close(self) -> None:
        """Normal end: close the database, stop the mock service, remove everything."""
        try:
            self.backend.close()
        finally:
            try:
                self.service.stop()
            finally:
                self.cleanup()
