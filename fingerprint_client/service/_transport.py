"""The HTTP layer under `ServiceClient`: a hardened `requests.Session`.

- urllib3 `Retry`: backoff with jitter, `Retry-After` honoured (capped), 429/500/502/503/504,
  connection and read errors, POST included (every POST carries an idempotency key, so a retry is
  answered with the first result, never done twice).
- connect and read timeouts, TLS verification on, no redirects (a redirect could carry the case
  PIN to another host), no `.netrc` credentials, `Accept-Encoding: identity`.
- proxies from the environment (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`; `socks5h://` works because
  `requests[socks]` is installed), except for a loopback service (the demo's embedded mock, a
  developer's mock-server), which is always reached directly, whatever `NO_PROXY` says: a proxy,
  Tor above all, cannot reach this computer's 127.0.0.1. See docs/delivery.md.
- bodies streamed and capped (default 1 MiB) with an overall deadline, so an endless or slowly
  dripping answer ends in `HostileResponse` instead of a hang.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any, Self, cast
from urllib.parse import urlsplit

import requests
import requests.adapters
import urllib3.exceptions
from urllib3.connectionpool import ConnectionPool
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from fingerprint_client.service.errors import HostileResponse, InsecureEndpoint, ServiceUnavailable

__all__ = ["ClientSettings", "RawResponse", "Transport", "check_base_url", "is_loopback_host"]

MAX_RESPONSE_BYTES = 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class ClientSettings:
    """Network behaviour of the client. Defaults suit a person on a poor connection.

    `FINGERPRINT_CLIENT_BACKOFF` (seconds, backoff factor) and `FINGERPRINT_CLIENT_RETRIES`
    override the retry pace (tests use a fast backoff); see `from_environ`.
    """

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    #: Longest time to receive one whole answer body (slow-drip guard).
    body_deadline: float = 60.0
    retries: int = 5
    backoff_factor: float = 0.5
    backoff_jitter: float = 0.5
    backoff_max: float = 30.0
    #: A `Retry-After` longer than this is shortened to it.
    retry_after_max: float = 60.0
    max_response_bytes: int = MAX_RESPONSE_BYTES

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> ClientSettings:
        """Defaults, with the retry pace and timeouts overridable from the environment."""
        env = os.environ if environ is None else environ
        settings = cls()

        def number(name: str) -> float | None:
            raw = env.get(name, "").strip()
            try:
                value = float(raw)
            except ValueError:
                return None
            return value if value >= 0 else None

        if (backoff := number("FINGERPRINT_CLIENT_BACKOFF")) is not None:
            settings = replace(
                settings,
                backoff_factor=backoff,
                backoff_jitter=backoff,
                backoff_max=max(backoff * 8, 0.05),
                retry_after_max=max(backoff * 4, 0.05),
            )
        if (retries := number("FINGERPRINT_CLIENT_RETRIES")) is not None:
            settings = replace(settings, retries=int(retries))
        if (read_timeout := number("FINGERPRINT_CLIENT_READ_TIMEOUT")) is not None:
            settings = replace(settings, read_timeout=max(read_timeout, 0.05))
        return settings


def is_loopback_host(host: str) -> bool:
    """True for `localhost`, 127.0.0.0/8 and ::1 (also IPv4-mapped)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped.is_loopback
    return addr.is_loopback


def check_base_url(url: str) -> str:
    """The service base URL without a trailing slash, or `InsecureEndpoint` when it is not
    https (plain http is allowed only on loopback) or carries credentials, a query or fragment."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        _ = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise InsecureEndpoint("The service address is not a valid URL.") from exc
    if parts.scheme not in {"https", "http"} or not host:
        raise InsecureEndpoint("The service address must start with https://.")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise InsecureEndpoint(
            "The service address must use https:// (plain http is only allowed on this "
            "computer's loopback address)."
        )
    if parts.username is not None or parts.password is not None:
        raise InsecureEndpoint(
            "The service address must not contain a user name or password; "
            "use an API key stored in the keyring instead."
        )
    if parts.query or parts.fragment:
        raise InsecureEndpoint("The service address must not contain '?' or '#' parts.")
    return url.strip().rstrip("/")


class _BoundedRetry(Retry):
    """`Retry` that does not drain a retried answer's body (it could be endless): the connection
    is closed instead."""

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        if response is not None:
            response.close()
        return new


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """An auth hook that adds nothing; it stops requests from reading `~/.netrc`."""
    return request


@dataclass(frozen=True)
class RawResponse:
    """A fully read, size-checked answer."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def media_type(self) -> str:
        """The content type without parameters, lower case."""
        return self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


class Transport:
    """One hardened session to one base URL."""

    def __init__(
        self,
        base_url: str,
        settings: ClientSettings,
        user_agent: str,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self.settings = settings
        self.session = session or requests.Session()
        self.session.trust_env = True  # proxies from the environment (documented)
        # a loopback service never goes through a proxy: each proxy key requests reads from the
        # environment is set to None for this request, which requests then leaves out
        loopback = is_loopback_host(urlsplit(self.base_url).hostname or "")
        self._proxies: dict[str, Any] | None = (
            dict.fromkeys(("http", "https", "all")) if loopback else None
        )
        self.session.auth = _no_auth
        self.session.headers.clear()
        self.session.headers.update(
            {"User-Agent": user_agent, "Accept": "application/json", "Accept-Encoding": "identity"}
        )
        retry = _BoundedRetry(
            total=settings.retries,
            connect=settings.retries,
            read=settings.retries,
            status=settings.retries,
            other=0,
            redirect=0,
            allowed_methods=frozenset({"GET", "POST"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=settings.backoff_factor,
            backoff_jitter=settings.backoff_jitter,
            backoff_max=settings.backoff_max,
            # typed int by urllib3, but only compared with the parsed seconds: a float works
            retry_after_max=cast(int, settings.retry_after_max),
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        adapter = requests.adapters.HTTPAdapter(max_retries=retry)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

    def request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes | None = None,
        *,
        on_answer: Callable[[], None] | None = None,
    ) -> RawResponse:
        """Send one request (with retries) and read the whole answer within the limits.
        `on_answer()` runs when the final answer's head has arrived, before its body is read."""
        hooks: dict[str, Any] = {}
        if on_answer is not None:

            def _hook(response: requests.Response, *args: Any, **kwargs: Any) -> None:
                on_answer()

            hooks["response"] = [_hook]
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                headers=dict(headers),
                data=body,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                allow_redirects=False,
                stream=True,
                verify=True,
                hooks=hooks,
                proxies=self._proxies,
            )
        except requests.exceptions.SSLError as exc:
            raise ServiceUnavailable(
                "The service's security certificate could not be verified, so nothing was sent."
            ) from exc
        except requests.exceptions.Timeout as exc:
            raise ServiceUnavailable("The service did not answer in time.") from exc
        except requests.exceptions.RetryError as exc:
            raise ServiceUnavailable("The service kept failing; it will be tried again.") from exc
        except (requests.exceptions.InvalidHeader, urllib3.exceptions.InvalidHeader) as exc:
            raise HostileResponse("The service sent a malformed answer.") from exc
        except (requests.exceptions.RequestException, OSError) as exc:
            raise ServiceUnavailable(
                "The service could not be reached. Check the connection; nothing is lost."
            ) from exc
        try:
            body_bytes = self._read_body(response)
        finally:
            response.close()
        headers_out = requests.structures.CaseInsensitiveDict(response.headers)
        return RawResponse(status=response.status_code, headers=headers_out, body=body_bytes)

    def _read_body(self, response: requests.Response) -> bytes:
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in {"", "identity"}:
            raise HostileResponse("The service sent a compressed answer although asked not to.")
        declared = response.headers.get("Content-Length")
        limit = self.settings.max_response_bytes
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            raise HostileResponse("The service's answer was too large.")
        raw: BaseHTTPResponse = response.raw
        deadline = time.monotonic() + self.settings.body_deadline
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                chunk = raw.read1(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise HostileResponse("The service's answer was too large.")
                if time.monotonic() > deadline:
                    raise HostileResponse("The service's answer arrived too slowly.")
                chunks.append(chunk)
        except (urllib3.exceptions.HTTPError, requests.exceptions.RequestException, OSError) as exc:
            raise ServiceUnavailable("The connection broke while the answer arrived.") from exc
        return b"".join(chunks)
