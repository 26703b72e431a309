"""A small HTTP/1.1 client on asyncio.Protocol: keep-alive pool, Content-Length, chunked and
read-until-close bodies, gzip/deflate, streaming, optional TLS.

Why our own: the executor talks to one kind of server (Ollama's Go net/http) with one kind of
request (a JSON POST), and both general-purpose clients cost more than the work. Measured here:
importing aiohttp takes ~110 ms (it builds two SSL contexts at import) and httpx ~40 ms, against
aip's whole 50-request run of ~0.18 s; and per request, aiohttp's and httpx's request models
dominate a profile of a zero-latency run. This module imports nothing beyond the standard library,
writes the request head exactly as given (so `wire: aip-compat` heads are aip's byte for byte) and
parses answers with a few `find`s.

Errors are `Http1Error` subclasses; `errors.map_transport_errors` maps them into the BackendError
tree. The caller bounds each exchange with its own deadline; a cancelled exchange closes its
connection instead of returning it to the pool.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterable
from typing import Any

from aipack_compat.execute.http1_wire import (  # re-exported: the client's public names live here
    MAX_HEAD_BYTES,
    Headers,
    Http1ConnectError,
    Http1ConnectTimeout,
    Http1Error,
    Http1ProtocolError,
    Http1ReadError,
    Origin,
    Response,
    _Connection,
    _StaleConnection,
    parse_origin,
)

_ADDRESS_TTL_SECONDS = 60.0


class Http1Pool:
    """Keep-alive connections per origin, at most `max_connections` exchanges at once."""

    def __init__(self, max_connections: int = 100, connect_timeout: float | None = 10.0,
                 keepalive_seconds: float = 5.0) -> None:
        self.max_connections = max_connections
        self.connect_timeout = connect_timeout
        self.keepalive_seconds = keepalive_seconds
        self._idle: dict[Origin, list[_Connection]] = {}
        self._slots: asyncio.Semaphore | None = None
        self._ssl: Any = None
        self._closed = False
        # origin -> (resolved at, socket addresses): one lookup serves every connection to an origin
        # for a minute, instead of one getaddrinfo thread per connection (32 at --concurrency 32)
        self._addresses: dict[Origin, tuple[float, list[str]]] = {}
        self._resolving: dict[Origin, asyncio.Future[list[str]]] = {}

    async def send(self, origin: Origin, method: str, path: str, headers: Iterable[tuple[str, str]],
                   body: bytes = b"", stream: bool = False) -> Response:
        """One exchange. With `stream=True` the Response holds its connection until `aclose()`."""
        head = [f"{method} {origin.path_prefix}{path} HTTP/1.1\r\n"]
        head.extend(f"{name}: {value}\r\n" for name, value in headers)
        head.append("\r\n")
        data = "".join(head).encode("latin-1") + body
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_connections)
        await self._slots.acquire()
        released = False

        def release(connection: _Connection) -> None:
            nonlocal released
            if not released:
                released = True
                self._put_back(connection)
                assert self._slots is not None
                self._slots.release()

        try:
            for attempt in (1, 2):
                connection, reused = self._take_idle(origin), True
                if connection is None:
                    connection, reused = await self._connect(origin), False
                try:
                    connection.start(data, stream)
                    assert connection.head_ready is not None and connection.finished is not None
                    await (connection.head_ready if stream else connection.finished)
                except _StaleConnection:
                    if reused and attempt == 1:
                        continue
                    raise
                except BaseException:
                    connection.keep_alive = False
                    connection._close()
                    raise
                response = Response(connection, release)
                if not stream:
                    raw = b"".join(connection.chunks)
                    connection.chunks = []
                    response.content = response._decode(raw, final=True)
                    await response.aclose()
                return response
            raise AssertionError("unreachable")  # pragma: no cover
        except BaseException:
            if not released:
                released = True
                self._slots.release()
            raise

    def _take_idle(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if not connection.closed and connection.transport is not None and not connection.transport.is_closing() \
                    and now - connection.idle_since < self.keepalive_seconds:
                return connection
            connection._close()
        return None

    def _put_back(self, connection: _Connection) -> None:
        if self._closed or not connection.reusable():
            connection._close()
            return
        connection.idle_since = time.monotonic()
        self._idle.setdefault(connection.origin, []).append(connection)

    async def _connect(self, origin: Origin) -> _Connection:
        loop = asyncio.get_running_loop()
        ssl_context = None
        if origin.scheme == "https":
            if self._ssl is None:
                import ssl

                self._ssl = ssl.create_default_context()
            ssl_context = self._ssl
        try:
            async with asyncio.timeout(self.connect_timeout):
                protocol = await self._connect_resolved(loop, origin, ssl_context)
        except TimeoutError:
            raise Http1ConnectTimeout(f"connecting to {origin.host}:{origin.port} took longer than "
                                      f"{self.connect_timeout:g} s") from None
        except OSError as exc:
            raise Http1ConnectError(f"cannot connect to {origin.host}:{origin.port}: "
                                    f"{exc.strerror or exc}") from exc
        return protocol

    async def _connect_resolved(self, loop: asyncio.AbstractEventLoop, origin: Origin, ssl_context: Any) -> _Connection:
        """Connect to the first address of the origin that accepts, as asyncio would, remembering it."""
        addresses = await self._resolve(loop, origin)
        last_error: OSError | None = None
        for address in list(addresses):
            try:
                _, protocol = await loop.create_connection(
                    lambda: _Connection(origin), address, origin.port, ssl=ssl_context,
                    server_hostname=origin.host if ssl_context else None)
            except OSError as exc:
                last_error = exc
                continue
            if addresses[0] != address:  # the one that answered goes first for the next connections
                addresses.remove(address)
                addresses.insert(0, address)
            return protocol
        raise last_error or OSError(f"{origin.host} resolves to no address")

    async def _resolve(self, loop: asyncio.AbstractEventLoop, origin: Origin) -> list[str]:
        cached = self._addresses.get(origin)
        if cached is not None and time.monotonic() - cached[0] < _ADDRESS_TTL_SECONDS:
            return cached[1]
        pending = self._resolving.get(origin)
        if pending is None:
            pending = loop.create_future()
            self._resolving[origin] = pending
            try:
                # an ASCII name as bytes: socket.getaddrinfo would otherwise load the idna codec for it
                host: str | bytes = origin.host.encode("ascii") if origin.host.isascii() else origin.host
                infos = await loop.getaddrinfo(host, origin.port, type=socket.SOCK_STREAM)
                addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
                self._addresses[origin] = (time.monotonic(), addresses)
                pending.set_result(addresses)
            except BaseException as exc:
                pending.set_exception(exc)
                pending.exception()  # retrieved here: waiters get it too, no "never retrieved" warning
                raise
            finally:
                del self._resolving[origin]
            return addresses
        return await asyncio.shield(pending)

    async def aclose(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            for connection in idle:
                connection._close()
        self._idle.clear()


__all__ = ["MAX_HEAD_BYTES", "Headers", "Http1ConnectError", "Http1ConnectTimeout", "Http1Error", "Http1Pool",
           "Http1ProtocolError", "Http1ReadError", "Origin", "Response", "parse_origin"]
