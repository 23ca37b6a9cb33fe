"""One `ServiceClient` per service a run talks to, built from the store's profiles and keys."""

from __future__ import annotations

from collections.abc import Callable

from fingerprint_client.casework.errors import CaseworkError
from fingerprint_client.keystore import KeystoreError
from fingerprint_client.service.client import ClientSettings, ServiceClient
from fingerprint_client.store import CaseRecord, Store

__all__ = ["ClientFactory", "ClientPool"]

#: Builds a client for (base URL, API key or None). Tests and the demo may pass their own.
ClientFactory = Callable[[str, str | None], ServiceClient]


class ClientPool:
    """Clients by (profile, URL), created on first use and closed together."""

    def __init__(
        self,
        store: Store,
        factory: ClientFactory | None = None,
        settings: ClientSettings | None = None,
    ) -> None:
        self.store = store
        self._settings = settings or ClientSettings.from_environ()
        self._factory = factory or self._default_factory
        self._clients: dict[tuple[str, str], ServiceClient] = {}

    def _default_factory(self, url: str, api_key: str | None) -> ServiceClient:
        return ServiceClient(url, api_key=api_key, settings=self._settings)

    def for_profile(self, profile: str, url: str | None = None) -> ServiceClient:
        """The client of profile `profile` (at `url`, default the profile's URL)."""
        if url is None:
            record = self.store.get_profile(profile)
            if record is None:
                raise CaseworkError(
                    "unknown-profile", f"There is no profile called {profile!r}.", usage=True
                )
            url = record.url
        key = (profile, url)
        if key not in self._clients:
            try:
                api_key = self.store.keystore.get_api_key(profile)
            except KeystoreError:
                api_key = None
            self._clients[key] = self._factory(url, api_key)
        return self._clients[key]

    def for_case(self, case: CaseRecord) -> ServiceClient:
        """The client of the service that holds `case` (the URL it was created for)."""
        return self.for_profile(case.profile, case.profile_url)

    def close(self) -> None:
        """Close every client."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def __enter__(self) -> ClientPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
