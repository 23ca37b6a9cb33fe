"""Run the mock service: in a background thread (demo, tests) or in the foreground (CLI).

Layout of one running service: the asyncio `Front` listens on the public address and forwards
to uvicorn, which serves the FastAPI app on a private loopback socket. Both run on one event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Required, TypedDict, Unpack

import uvicorn

from fingerprint_client.mock_server.app import create_app
from fingerprint_client.mock_server.config import (
    DB_FILE_NAME,
    DEFAULT_SCRYPT_N,
    MockConfig,
    parse_faults,
)
from fingerprint_client.mock_server.front import Front
from fingerprint_client.mock_server.handlers import MockService
from fingerprint_client.mock_server.recorder import Recorder
from fingerprint_client.service.protocol_constants import DEFAULT_MAX_HASHES_PER_REQUEST

LOOPBACK = "127.0.0.1"
# Loopback is never reached through a proxy from the environment (e.g. Tor for the client).
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class RemoteBindRefused(ValueError):
    """A non-loopback address was asked for without --allow-remote and --admin-token."""


def is_loopback(host: str) -> bool:
    """True for loopback addresses and `localhost`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, allow_remote: bool, admin_token: str | None) -> None:
    """Refuse a non-loopback bind unless both --allow-remote and --admin-token are given."""
    if is_loopback(host):
        return
    if not allow_remote or not admin_token:
        raise RemoteBindRefused(
            f"The mock service listens on loopback only. To listen on {host}, pass both "
            "--allow-remote and --admin-token TOKEN (the token protects /_mock/*)."
        )


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class MockRunner:
    """Builds the service, app, uvicorn server and front for one run."""

    def __init__(self, config: MockConfig, host: str, port: int, *, quiet: bool = False) -> None:
        self.config = config
        self.service = MockService(config)
        self.recorder = Recorder(config.record) if config.record is not None else None
        self.public = _listening_socket(host, port)
        self.private = _listening_socket(LOOPBACK, 0)
        self.port: int = self.public.getsockname()[1]
        self.host = host
        if quiet:  # embedded (demo, tests): never write to the terminal
            logging.getLogger("uvicorn").addHandler(logging.NullHandler())
        uv_config = uvicorn.Config(
            create_app(self.service),
            log_config=None if quiet else uvicorn.config.LOGGING_CONFIG,
            log_level="warning",
            access_log=False,
            lifespan="off",
            proxy_headers=True,
            forwarded_allow_ips=LOOPBACK,
            server_header=False,
        )
        self.server = uvicorn.Server(uv_config)
        self.front = Front(
            self.private.getsockname()[:2],
            config.faults,
            seed=config.seed,
            timeout_delay=config.timeout_delay,
            recorder=self.recorder,
        )
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        """Base URL of the service (no trailing slash)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def app_url(self) -> str:
        """URL of uvicorn itself, behind the front (no faults, no recording; for tests)."""
        host, port = self.private.getsockname()[:2]
        return f"http://{host}:{port}"

    async def serve(self) -> None:
        """Run until `request_stop()` (or until uvicorn stops on a signal)."""
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await self.front.start(self.public)
        serving = asyncio.create_task(self.server.serve(sockets=[self.private]))
        stopping = asyncio.create_task(self._stop.wait())
        try:
            await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            await self.front.close()
            self.server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError, KeyboardInterrupt):
                await serving
            stopping.cancel()
            self.service.close()
            if self.recorder is not None:
                self.recorder.close()
            self.public.close()
            self.private.close()

    def request_stop(self) -> None:
        """Ask a running `serve()` to finish (thread-safe)."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stop.set)


def build_config(
    *,
    data_dir: Path | None,
    memory: bool,
    faults: str | None = None,
    seed: int | None = None,
    advance_after: float | None = None,
    feedback: float = 0.0,
    timeout_delay: float = 5.0,
    api_key: str | None = None,
    admin_token: str | None = None,
    record: Path | None = None,
    scrypt_n: int | None = None,
    max_hashes_per_request: int = DEFAULT_MAX_HASHES_PER_REQUEST,
    max_wrong_pins: int = 5,
    pin_lockout_seconds: int = 300,
    rate_limit_per_minute: int = 6000,
) -> MockConfig:
    """A `MockConfig` from the command-line style options (raises FaultSpecError)."""
    if not memory and data_dir is None:
        raise ValueError("a data dir is needed unless memory=True")
    db_path = None if memory or data_dir is None else data_dir / DB_FILE_NAME
    return MockConfig(
        db_path=db_path,
        advance_after=advance_after,
        feedback=feedback,
        seed=seed,
        api_key=api_key,
        admin_token=admin_token,
        scrypt_n=scrypt_n or DEFAULT_SCRYPT_N,
        faults=parse_faults(faults),
        timeout_delay=timeout_delay,
        record=record,
        max_hashes_per_request=max_hashes_per_request,
        max_wrong_pins=max_wrong_pins,
        pin_lockout_seconds=pin_lockout_seconds,
        rate_limit_per_minute=rate_limit_per_minute,
    )


class RunningMockService:
    """A mock service running in a background thread; stop it with `.stop()` or `with`."""

    def __init__(self, runner: MockRunner) -> None:
        self.runner = runner
        self.url = runner.url
        self.app_url = runner.app_url
        self.port = runner.port
        self.config = runner.config
        self._thread = threading.Thread(
            target=self._run, name=f"mock-service:{runner.port}", daemon=True
        )
        self._error: BaseException | None = None
        self._thread.start()

    def _run(self) -> None:
        try:
            asyncio.run(self.runner.serve())
        except BaseException as exc:  # reported by wait_ready / stop
            self._error = exc

    def wait_ready(self, timeout: float = 15.0) -> None:
        """Block until `/v1/health` answers (raises RuntimeError on failure or timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError("the mock service stopped while starting") from self._error
            try:
                with _NO_PROXY.open(f"{self.url}/v1/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.02)  # polling a condition with a deadline, not synchronisation
        raise RuntimeError("the mock service did not become ready in time")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and close the database (idempotent)."""
        self.runner.request_stop()
        self._thread.join(timeout)

    def __enter__(self) -> RunningMockService:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class MockOptions(TypedDict, total=False):
    """The keyword options of `build_config`, for `start_mock_service`."""

    data_dir: Required[Path | None]
    memory: Required[bool]
    faults: str | None
    seed: int | None
    advance_after: float | None
    feedback: float
    timeout_delay: float
    api_key: str | None
    admin_token: str | None
    record: Path | None
    scrypt_n: int | None
    max_hashes_per_request: int
    max_wrong_pins: int
    pin_lockout_seconds: int
    rate_limit_per_minute: int


def start_mock_service(*, port: int = 0, **options: Unpack[MockOptions]) -> RunningMockService:
    """Start a mock service on 127.0.0.1 in a background thread and wait until it answers.

    The options are `build_config`'s, mirroring `mock-server`'s; `scrypt_n` lowers the PIN
    hashing cost (tests), and the last four set limits (hashes per request, wrong PINs before a
    lockout of so many seconds, requests per minute per client)."""
    config = build_config(**options)
    running = RunningMockService(MockRunner(config, LOOPBACK, port, quiet=True))
    try:
        running.wait_ready()
    except BaseException:
        running.stop()
        raise
    return running


def serve_in_foreground(runner: MockRunner, on_ready: Callable[[str], None]) -> None:
    """Run until interrupted (Ctrl-C); `on_ready(url)` is called once listening."""

    async def main() -> None:
        asyncio.get_running_loop().call_soon(on_ready, runner.url)
        await runner.serve()

    def terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # uvicorn re-raises SIGTERM after a clean shutdown

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(main())
    finally:
        signal.signal(signal.SIGTERM, previous)
