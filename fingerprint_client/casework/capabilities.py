"""What a service accepts (`GET /v1/capabilities`), fetched and remembered per service URL.

A person may prepare a case with no network. The last capabilities seen for a service are kept
in `<data dir>/capabilities.json` (0600; keyed by a hash of the service URL, so the file does
not even name the service; algorithm names and limits only), so a case can still be prepared
and queued offline. With neither network nor a remembered answer,
a conservative guess is used: PDQ, MD5 and SHA-256 (what both real services document) and one
hash per request, which is always within any service's limit.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import pydantic

from fingerprint_client.service.client import ServiceClient
from fingerprint_client.service.errors import ServiceError, ServiceUnavailable
from fingerprint_client.service.models import Capabilities, Program

__all__ = ["CAPABILITIES_FILE", "FALLBACK_CAPABILITIES", "CapabilitiesCache"]

CAPABILITIES_FILE = "capabilities.json"
TEMP_PREFIX = ".caps-"  # atomic saves write a temporary file with this prefix first
FALLBACK_CAPABILITIES = Capabilities(
    protocol="1",
    algorithms=["pdq", "md5", "sha256"],
    programs=[
        Program(id="adult", description="Images of a person aged 18 or over."),
        Program(id="under18", description="Images taken when the person was under 18."),
    ],
    max_hashes_per_request=1,
)


class CapabilitiesCache:
    """Capabilities by service URL, kept in one small JSON file of the data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / CAPABILITIES_FILE

    def _read(self) -> dict[str, object]:
        try:
            value = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    @staticmethod
    def _key(url: str) -> str:
        return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]

    def get(self, url: str) -> Capabilities | None:
        """The remembered capabilities of `url`, or None."""
        data = self._read().get(self._key(url))
        try:
            return Capabilities.model_validate(data) if data is not None else None
        except pydantic.ValidationError:
            return None

    def put(self, url: str, caps: Capabilities) -> None:
        """Remember `caps` for `url` (atomic replace, 0600)."""
        data = self._read()
        data[self._key(url)] = caps.model_dump(mode="json")
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, sort_keys=True)
            Path(tmp).chmod(0o600)
            Path(tmp).replace(self.path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)

    def fetch(self, client: ServiceClient) -> tuple[Capabilities, str]:
        """Fresh capabilities if the service answers, else the remembered ones, else the
        conservative guess. The second value says which: `service`, `remembered`, `guess`."""
        try:
            caps = client.capabilities()
        except ServiceUnavailable:
            remembered = self.get(client.base_url)
            if remembered is not None:
                return remembered, "remembered"
            return FALLBACK_CAPABILITIES, "guess"
        except ServiceError:
            raise
        self.put(client.base_url, caps)
        return caps, "service"
