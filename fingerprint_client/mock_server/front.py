"""The asyncio front of the mock service: records requests and injects network faults.

An ASGI app cannot drop its own connection, so `mock-server` listens here and forwards each
request to uvicorn on a private loopback socket. HTTP/1.1 is parsed with h11 on both sides.
For `/v1/*` (except `/v1/health`) a seeded draw picks a fault per request:

- `500`, `503`, `429` (with `Retry-After: 1`) and `reset` (TCP RST, no answer) happen before
  any work: the request never reaches the service;
- `drop-response`: the service does and commits the work, then the socket is closed unanswered;
- `timeout`: the service does the work; the answer is sent after `timeout_delay` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from collections.abc import Iterable

import h11

from fingerprint_client.mock_server.config import FaultKind, FaultSpec
from fingerprint_client.mock_server.problems import problem_body
from fingerprint_client.mock_server.recorder import Recorder
from fingerprint_client.service.protocol_constants import (
    MAX_BODY_BYTES,
    PROBLEM_CONTENT_TYPE,
    ProblemSlug,
)

_HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"transfer-encoding",
        b"te",
        b"upgrade",
        b"expect",
        b"content-length",
        b"x-forwarded-for",
        b"proxy-connection",
    }
)
_READ_SIZE = 65536
Headers = list[tuple[bytes, bytes]]


class _Closed(Exception):
    """The peer went away."""


async def _next_event(conn: h11.Connection, reader: asyncio.StreamReader) -> object:
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await reader.read(_READ_SIZE))
            continue
        return event


def _faultable(path: str) -> bool:
    return path.startswith("/v1/") and path != "/v1/health"


def _abort(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0): the peer sees a connection reset."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class _Upstream:
    """One keep-alive HTTP connection to uvicorn."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.address = address
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._conn = h11.Connection(h11.CLIENT)

    async def exchange(
        self, method: bytes, target: bytes, headers: Headers, body: bytes
    ) -> tuple[int, Headers, bytes]:
        if self._streams is None or self._conn.our_state is not h11.IDLE:
            await self.close()
            self._streams = await asyncio.open_connection(*self.address)
            self._conn = h11.Connection(h11.CLIENT)
        reader, writer = self._streams
        conn = self._conn
        sent = [
            *headers,
            (b"content-length", str(len(body)).encode()),
        ]
        writer.write(conn.send(h11.Request(method=method, target=target, headers=sent)) or b"")
        writer.write(conn.send(h11.Data(body)) or b"")
        writer.write(conn.send(h11.EndOfMessage()) or b"")
        await writer.drain()
        response = await _next_event(conn, reader)
        while isinstance(response, h11.InformationalResponse):
            response = await _next_event(conn, reader)
        if not isinstance(response, h11.Response):
            raise _Closed
        chunks: list[bytes] = []
        while True:
            event = await _next_event(conn, reader)
            if isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                break
            else:
                raise _Closed
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
        return response.status_code, list(response.headers), b"".join(chunks)

    async def close(self) -> None:
        if self._streams is not None:
            writer = self._streams[1]
            self._streams = None
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


class Front:
    """Listens for clients and forwards to uvicorn at `upstream`."""

    def __init__(
        self,
        upstream: tuple[str, int],
        faults: FaultSpec,
        *,
        seed: int | None = None,
        timeout_delay: float = 5.0,
        recorder: Recorder | None = None,
    ) -> None:
        self.upstream = upstream
        self.faults = faults
        self.timeout_delay = timeout_delay
        self.recorder = recorder
        self._rng = random.Random(seed)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, sock: socket.socket) -> None:
        """Serve clients on an already bound, listening socket."""
        self._server = await asyncio.start_server(self._client, sock=sock)

    async def close(self) -> None:
        """Stop listening and end every open connection."""
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _pick(self, path: str) -> FaultKind | None:
        if not self.faults.enabled or not _faultable(path):
            return None
        return self.faults.pick(self._rng.random())

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        upstream = _Upstream(self.upstream)
        peer = writer.get_extra_info("peername")
        peer_host = str(peer[0]) if isinstance(peer, tuple) else "unknown"
        try:
            await self._serve(reader, writer, upstream, peer_host)
        except (_Closed, h11.ProtocolError, OSError, asyncio.CancelledError):
            pass
        except Exception:  # a broken exchange ends this connection only, never the service
            _abort(writer)
        finally:
            self._tasks.discard(task)
            await upstream.close()
            writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _serve(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        upstream: _Upstream,
        peer: str,
    ) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=64 * 1024)
        while True:
            try:
                request = await _next_event(conn, reader)
            except h11.RemoteProtocolError:
                await _bad_request(writer)
                return
            if not isinstance(request, h11.Request):
                return
            if conn.they_are_waiting_for_100_continue:
                writer.write(
                    conn.send(h11.InformationalResponse(status_code=100, headers=[])) or b""
                )
            declared = _declared_length(request.headers)
            if declared is not None and declared > MAX_BODY_BYTES:
                self._record(request, b"", truncated=True, fault=None)
                await self._refuse_large(conn, writer)
                return
            try:
                body, truncated = await self._read_body(conn, reader)
            except h11.RemoteProtocolError:
                await _bad_request(writer)
                return
            target = request.target.decode("latin-1")
            path = target.split("?", 1)[0]
            fault = self._pick(path)
            self._record(request, body, truncated=truncated, fault=fault)
            if fault == "reset":
                _abort(writer)
                return
            if truncated:
                status, headers, payload = _problem(
                    413, "body-too-large", f"At most {MAX_BODY_BYTES} bytes."
                )
            elif fault in ("500", "503", "429"):
                status, headers, payload = _fault_answer(fault)
            else:
                forwarded = [(k, v) for k, v in request.headers if k.lower() not in _HOP_BY_HOP]
                forwarded.append((b"x-forwarded-for", peer.encode()))
                status, headers, payload = await upstream.exchange(
                    request.method, request.target, forwarded, body
                )
                if fault == "drop-response":
                    writer.close()
                    return
                if fault == "timeout":
                    await asyncio.sleep(self.timeout_delay)
            kept = [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]
            kept.append((b"content-length", str(len(payload)).encode()))
            if truncated:
                kept.append((b"connection", b"close"))
            writer.write(conn.send(h11.Response(status_code=status, headers=kept)) or b"")
            writer.write(conn.send(h11.Data(payload)) or b"")
            writer.write(conn.send(h11.EndOfMessage()) or b"")
            await writer.drain()
            if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                return
            conn.start_next_cycle()

    def _record(
        self, request: h11.Request, body: bytes, *, truncated: bool, fault: str | None
    ) -> None:
        if self.recorder is None:
            return
        self.recorder.record(
            request.method.decode("latin-1"),
            request.target.decode("latin-1"),
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers],
            body,
            truncated=truncated,
            fault=fault,
        )

    @staticmethod
    async def _refuse_large(conn: h11.Connection, writer: asyncio.StreamWriter) -> None:
        """413 at once for a declared length over the limit; the connection is then closed."""
        status, headers, payload = _problem(
            413, "body-too-large", f"At most {MAX_BODY_BYTES} bytes."
        )
        headers = [*headers, (b"content-length", str(len(payload)).encode())]
        headers.append((b"connection", b"close"))
        writer.write(conn.send(h11.Response(status_code=status, headers=headers)) or b"")
        writer.write(conn.send(h11.Data(payload)) or b"")
        await writer.drain()

    @staticmethod
    async def _read_body(conn: h11.Connection, reader: asyncio.StreamReader) -> tuple[bytes, bool]:
        """The request body (at most 1 MiB kept; True when more was sent)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            event = await _next_event(conn, reader)
            if isinstance(event, h11.Data):
                size += len(event.data)
                if size <= MAX_BODY_BYTES + 1:
                    chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                body = b"".join(chunks)
                return body[:MAX_BODY_BYTES], size > MAX_BODY_BYTES
            else:
                raise _Closed


async def _bad_request(writer: asyncio.StreamWriter) -> None:
    """A plain 400 problem for bytes that are not HTTP/1.1, then the connection is closed."""
    body = problem_body(400, "malformed-request", "This is not a valid HTTP/1.1 request.")
    head = (
        "HTTP/1.1 400 Bad Request\r\n"
        f"content-type: {PROBLEM_CONTENT_TYPE}\r\ncontent-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    writer.write(head.encode("ascii") + body)
    await writer.drain()


def _declared_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _problem(status: int, slug: ProblemSlug, detail: str = "") -> tuple[int, Headers, bytes]:
    body = problem_body(status, slug, detail)
    return status, [(b"content-type", PROBLEM_CONTENT_TYPE.encode())], body


def _fault_answer(kind: FaultKind) -> tuple[int, Headers, bytes]:
    if kind == "500":
        return _problem(500, "server-error", "Injected fault.")
    if kind == "503":
        return _problem(503, "unavailable", "Injected fault.")
    status, headers, body = _problem(429, "rate-limited", "Injected fault.")
    return status, [*headers, (b"retry-after", b"1")], body
