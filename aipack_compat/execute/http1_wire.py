"""The HTTP/1.1 wire side of http1.py: origins, the errors, header access, and `_Connection`, the
asyncio.Protocol that writes one request head as given and parses the answer (Content-Length,
chunked or read-until-close bodies, gzip/deflate), streaming or whole; `Response` hands the body
to the caller and the connection back to the pool.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_HEAD_BYTES = 256 * 1024


class Http1Error(Exception):
    """Base of the transport errors below."""


class Http1ConnectError(Http1Error):
    """The connection could not be opened (refused, unresolvable, unreachable)."""


class Http1ConnectTimeout(Http1Error):
    """Opening the connection took longer than the connect timeout."""


class Http1ReadError(Http1Error):
    """The connection closed or failed before the answer was complete."""


class Http1ProtocolError(Http1Error):
    """The server's bytes are not HTTP/1.x."""


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str
    host: str
    port: int
    host_header: str
    """What reqwest writes as `host`: the port only when it is not the scheme's default."""
    path_prefix: str


def parse_origin(base: str) -> Origin:
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Http1ConnectError(f"not an http(s) URL: {base!r}")
    default_port = 443 if parts.scheme == "https" else 80
    try:
        port = parts.port or default_port
    except ValueError as exc:
        raise Http1ConnectError(f"bad port in {base!r}") from exc
    host = parts.hostname
    shown = f"[{host}]" if ":" in host else host
    header = shown if port == default_port else f"{shown}:{port}"
    return Origin(parts.scheme, host, port, header, parts.path.rstrip("/"))


class Headers:
    """Response headers: wire order kept, case-insensitive `get` (httpx.Headers' reading API)."""

    __slots__ = ("raw", "_index")

    def __init__(self, raw: list[tuple[str, str]]) -> None:
        self.raw = raw
        self._index: dict[str, str] = {}
        for name, value in raw:
            key = name.lower()
            self._index[key] = f"{self._index[key]}, {value}" if key in self._index else value

    def get(self, name: str, default: Any = None) -> Any:
        return self._index.get(name.lower(), default)

    def __getitem__(self, name: str) -> str:
        return self._index[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index

    def items(self) -> list[tuple[str, str]]:
        return list(self.raw)


_HEAD, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILERS, _UNTIL_CLOSE, _DONE = range(8)


class _Connection(asyncio.Protocol):
    """One TCP connection; parses the answer to the exchange in flight as bytes arrive."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self.buffer = bytearray()
        self.state = _DONE
        self.remaining = 0
        self.keep_alive = True
        self.streaming = False
        self.received_any = False
        self.status = 0
        self.headers: Headers | None = None
        self.chunks: list[bytes] = []
        self.error: Exception | None = None
        self.head_ready: asyncio.Future[None] | None = None
        self.finished: asyncio.Future[None] | None = None
        self.waiter: asyncio.Future[None] | None = None

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.state == _DONE:  # bytes nobody asked for: the connection can't be trusted again
            self.keep_alive = False
            self._close()
            return
        self.received_any = True
        self.buffer += data
        try:
            self._parse()
        except Http1ProtocolError as exc:
            self._fail(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.state == _UNTIL_CLOSE:
            self._finish()
        elif self.state != _DONE:
            reason = f": {exc}" if exc else ""
            if self.received_any:
                self._fail(Http1ReadError(f"connection closed before the answer was complete{reason}"))
            else:
                self._fail(_StaleConnection(f"server closed the connection without answering{reason}"))

    # -- one exchange
    def start(self, data: bytes, streaming: bool) -> None:
        loop = asyncio.get_running_loop()
        self.state, self.streaming, self.received_any = _HEAD, streaming, False
        self.chunks, self.error, self.headers, self.keep_alive = [], None, None, True
        self.head_ready = loop.create_future()
        self.finished = loop.create_future()
        assert self.transport is not None
        self.transport.write(data)

    def reusable(self) -> bool:
        return self.state == _DONE and self.keep_alive and not self.closed and self.error is None

    def _close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _wake(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _fail(self, exc: Exception) -> None:
        self.error = exc
        self.state = _DONE
        self.keep_alive = False
        for future in (self.head_ready, self.finished):
            if future is not None and not future.done():
                future.set_exception(exc)
                future.exception()  # retrieved: a caller that already left must not log it
        self._wake()
        self._close()

    def _finish(self) -> None:
        self.state = _DONE
        if self.buffer:  # more bytes than the answer: not safe to reuse
            self.keep_alive = False
        if self.head_ready is not None and not self.head_ready.done():
            self.head_ready.set_result(None)
        if self.finished is not None and not self.finished.done():
            self.finished.set_result(None)
        self._wake()

    def _emit(self, chunk: bytes) -> None:
        self.chunks.append(chunk)
        if self.streaming:
            self._wake()

    def _parse(self) -> None:
        buffer = self.buffer
        while True:
            state = self.state
            if state == _HEAD:
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(buffer) > MAX_HEAD_BYTES:
                        raise Http1ProtocolError(f"response head larger than {MAX_HEAD_BYTES} bytes")
                    return
                head = bytes(buffer[:end])
                del buffer[:end + 4]
                self._read_head(head)
            elif state == _LENGTH:
                take = min(self.remaining, len(buffer))
                if take:
                    self._emit(bytes(buffer[:take]))
                    del buffer[:take]
                    self.remaining -= take
                if self.remaining == 0:
                    self._finish()
                return
            elif state == _CHUNK_SIZE:
                end = buffer.find(b"\r\n")
                if end < 0:
                    if len(buffer) > 1024:
                        raise Http1ProtocolError("chunk size line too long")
                    return
                line = bytes(buffer[:end]).split(b";", 1)[0].strip()
                del buffer[:end + 2]
                try:
                    size = int(line, 16)
                except ValueError:
                    raise Http1ProtocolError(f"bad chunk size {line[:40]!r}") from None
                if size < 0:
                    raise Http1ProtocolError(f"bad chunk size {line[:40]!r}")
                self.state, self.remaining = (_TRAILERS, 0) if size == 0 else (_CHUNK_DATA, size)
            elif state == _CHUNK_DATA:
                take = min(self.remaining, len(buffer))
                if take:
                    self._emit(bytes(buffer[:take]))
                    del buffer[:take]
                    self.remaining -= take
                if self.remaining:
                    return
                self.state = _CHUNK_END
            elif state == _CHUNK_END:
                if len(buffer) < 2:
                    return
                if buffer[:2] != b"\r\n":
                    raise Http1ProtocolError("chunk not followed by CRLF")
                del buffer[:2]
                self.state = _CHUNK_SIZE
            elif state == _TRAILERS:
                end = buffer.find(b"\r\n")
                if end < 0:
                    return
                line_empty = end == 0
                del buffer[:end + 2]
                if line_empty:
                    self._finish()
                    return
            elif state == _UNTIL_CLOSE:
                if buffer:
                    self._emit(bytes(buffer))
                    buffer.clear()
                return
            else:
                return

    def _read_head(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        status_line = lines[0].split(b" ", 2)
        if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/1."):
            raise Http1ProtocolError(f"not an HTTP/1.x status line: {lines[0][:60]!r}")
        try:
            status = int(status_line[1])
        except ValueError:
            raise Http1ProtocolError(f"bad status code {status_line[1][:10]!r}") from None
        if 100 <= status < 200:  # interim answer (100 Continue): the real one follows
            return
        raw: list[tuple[str, str]] = []
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon or not name or name != name.strip():
                raise Http1ProtocolError(f"bad header line {line[:60]!r}")
            raw.append((name.decode("latin-1"), value.strip().decode("latin-1")))
        headers = Headers(raw)
        self.status, self.headers = status, headers
        connection = (headers.get("connection") or "").lower()
        self.keep_alive = "close" not in connection and (status_line[0] != b"HTTP/1.0" or "keep-alive" in connection)
        length = headers.get("content-length")
        if status in (204, 304):
            self._finish()
        elif "chunked" in (headers.get("transfer-encoding") or "").lower():
            self.state = _CHUNK_SIZE
        elif length is not None:
            try:
                self.remaining = int(length.split(",")[0])
            except ValueError:
                raise Http1ProtocolError(f"bad content-length {length[:20]!r}") from None
            self.state = _LENGTH
            if self.remaining == 0:
                self._finish()
        else:
            self.state, self.keep_alive = _UNTIL_CLOSE, False
        if self.head_ready is not None and not self.head_ready.done():
            self.head_ready.set_result(None)


class _StaleConnection(Http1ReadError):
    """A reused keep-alive connection was closed by the server before any answer byte: the request
    was not processed, so it is sent once more on a fresh connection (what httpcore and aiohttp do)."""


class Response:
    """The answer; `content` is filled for plain sends, `aiter_bytes` streams (httpx.Response's names)."""

    __slots__ = ("status_code", "headers", "content", "_connection", "_release", "_decoder")

    def __init__(self, connection: _Connection, release: Any) -> None:
        assert connection.headers is not None
        self.status_code = connection.status
        self.headers = connection.headers
        self.content = b""
        self._connection: _Connection | None = connection
        self._release = release
        encoding = (self.headers.get("content-encoding") or "").lower()
        self._decoder = (zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding in ("gzip", "x-gzip")
                         else zlib.decompressobj() if encoding == "deflate" else None)

    def _decode(self, data: bytes, final: bool = False) -> bytes:
        if self._decoder is None:
            return data
        try:
            out = self._decoder.decompress(data)
            return out + self._decoder.flush() if final else out
        except zlib.error as exc:
            raise Http1ProtocolError(f"cannot decode {self.headers.get('content-encoding')} body: {exc}") from None

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            if self.content:
                yield self.content
            return
        while True:
            if connection.chunks:
                data = b"".join(connection.chunks)
                connection.chunks.clear()
                decoded = self._decode(data)
                if decoded:
                    yield decoded
                continue
            if connection.error is not None:
                raise connection.error
            if connection.state == _DONE:
                tail = self._decode(b"", final=True)
                if tail:
                    yield tail
                return
            connection.waiter = asyncio.get_running_loop().create_future()
            await connection.waiter

    async def aread(self) -> bytes:
        if self._connection is not None:
            self.content = b"".join([chunk async for chunk in self.aiter_bytes()])
            await self.aclose()
        return self.content

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._release(connection)
