"""Loopback recording proxy between a client (`aip` or our executor) and Ollama.

One server serves both interposition styles of wire-protocol.md §3.3:
- forward proxy: `HTTP_PROXY=http://127.0.0.1:<port>` for the `aip` child. reqwest then sends an
  absolute-form target (`POST http://localhost:11434/api/chat`, r:src/proxy.rs), which is recognised
  here and sent to the configured Ollama URL instead. Only Ollama's own address is forwarded, so this
  is never an open proxy.
- reverse proxy: clients connect to it as if it were Ollama (port swap on 11434, or our executor
  pointed at `proxy.url`); origin-form targets are forwarded as they are.

Responses are streamed chunk by chunk (NDJSON/SSE would otherwise stall), with no read timeout
(reqwest sets none and generations can be long). Every request/response pair is recorded, with
Authorization and API keys redacted, into whatever `recording(label)` is active at the time.
The server runs its own event loop in a daemon thread so synchronous subprocess code and another
asyncio loop (the executor's) can both use it.
"""

from __future__ import annotations

import asyncio
import errno
import gzip
import ipaddress
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from aipack_compat.errors import EnvironmentFailure
from aipack_compat.model.report import Exchange

if TYPE_CHECKING:
    import aiohttp
    from aiohttp import web

# Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own business, never forwarded.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"}
)
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie"})
SECRET_QUERY_WORDS = ("key", "token", "secret", "password")
REDACTED = "<redacted>"
# genai's default Ollama key in the /v1 era (`authorization: Bearer ollama`, g:src/adapter/support.rs@70f5714,
# wire-protocol.md §4.3): public, meaningless to a local Ollama, and kept so the header compares exactly.
PUBLIC_PLACEHOLDER_CREDENTIALS = frozenset({"ollama"})
# The host:port aip's genai hard-codes for Ollama in every version (wire-protocol.md §3.1).
AIP_OLLAMA_AUTHORITIES = frozenset({"localhost:11434", "127.0.0.1:11434", "[::1]:11434"})


def redact_header(name: str, value: str) -> str:
    """Keep the auth scheme (`Bearer`) so era differences stay visible; drop the credential unless it
    is genai's public placeholder."""
    if name.lower() not in SECRET_HEADERS:
        return value
    scheme, _, credential = value.partition(" ")
    if credential in PUBLIC_PLACEHOLDER_CREDENTIALS and name.lower() == "authorization":
        return value
    return f"{scheme} {REDACTED}" if credential else REDACTED


def redact_query(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    cleaned = [(k, REDACTED if any(w in k.lower() for w in SECRET_QUERY_WORDS) else v) for k, v in pairs]
    return urlencode(cleaned, safe="<>")


def _decoded_body(raw: bytes, encoding: str | None) -> str:
    """The recorded copy is decompressed; the bytes forwarded to the client are not."""
    try:
        if encoding == "gzip":
            raw = gzip.decompress(raw)
        elif encoding == "deflate":
            raw = zlib.decompress(raw)
    except (OSError, zlib.error, EOFError):
        pass
    return raw.decode("utf-8", errors="replace")


def _authority(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


class RecordingProxy:
    """`with RecordingProxy("http://127.0.0.1:11435") as proxy:` then `with proxy.recording("case"): ...`."""

    def __init__(self, upstream_url: str, *, host: str = "127.0.0.1", port: int = 0, also_on: tuple[str, ...] = ()) -> None:
        """`also_on`: more loopback addresses on the same (fixed) port. Port-swap mode listens on `::1`
        too, because aip dials `localhost`, which may resolve to `::1` first (wire-protocol.md §3.3)."""
        for address in (host, *also_on):
            if not ipaddress.ip_address(address).is_loopback:
                raise EnvironmentFailure(f"recording proxy: refusing to listen on non-loopback address {address}")
        if also_on and port == 0:
            raise ValueError("also_on needs a fixed port")
        self.also_on = also_on
        self.listening_on: list[str] = []
        parts = urlsplit(upstream_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EnvironmentFailure(f"recording proxy: bad Ollama URL {upstream_url!r} (expected http://host:port)")
        self.upstream_url = f"{parts.scheme}://{parts.netloc}{parts.path}"
        self._upstream_authority = parts.netloc
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._lock = threading.Condition()
        self._in_flight = 0
        self._label: str | None = None
        self._origin = time.monotonic()
        self._sinks: dict[str, list[Exchange]] = {}
        self.unlabelled: list[Exchange] = []

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "RecordingProxy":
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="recording-proxy", daemon=True)
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=30)
        except OSError as exc:
            self.stop()
            addresses = " and ".join(_authority(address, self.port) for address in (self.host, *self.also_on))
            raise EnvironmentFailure(
                f"recording proxy: cannot listen on {addresses}: {exc.strerror or exc}"
                + (" (port in use)" if getattr(exc, "errno", None) == errno.EADDRINUSE else "")
            ) from exc
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> "RecordingProxy":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @contextmanager
    def recording(self, label: str) -> Iterator[list[Exchange]]:
        """Collect the exchanges that happen while the block runs (cases run one at a time)."""
        sink: list[Exchange] = []
        with self._lock:
            if self._label is not None:
                raise RuntimeError(f"recording {self._label!r} is still active")
            self._label, self._origin = label, time.monotonic()
            self._sinks[label] = sink
        completed = False
        try:
            yield sink
            completed = True
        finally:
            with self._lock:
                # A client may finish reading before the proxy has filed the exchange: wait for it.
                # Not when the block failed or Ctrl-C stopped it: nobody reads the sink then, and an
                # exchange still waiting on a slow Ollama would hold the interrupt up for 30 s.
                if completed:
                    self._lock.wait_for(lambda: self._in_flight == 0, timeout=30)
                self._label = None
                self._sinks.pop(label, None)

    # -- server ------------------------------------------------------------------------------

    async def _serve(self) -> None:
        import aiohttp
        from aiohttp import web

        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=False)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        addresses = runner.addresses  # what the started site bound: with port 0, the port the OS chose
        if addresses:
            self.port = addresses[0][1]
        self.listening_on = [_authority(self.host, self.port)]
        for address in self.also_on:
            try:
                await web.TCPSite(runner, address, self.port, reuse_address=False).start()
            except OSError as exc:
                if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
                    continue  # no such address family here: nothing else can answer on it either
                await runner.cleanup()
                self._runner = None
                raise
            self.listening_on.append(_authority(address, self.port))
        # No total/read timeout: reqwest sets none and a long generation must not be cut (wire-protocol.md §3.3).
        self._session = aiohttp.ClientSession(
            auto_decompress=False, timeout=aiohttp.ClientTimeout(total=None, sock_connect=10)
        )

    async def _shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None

    def _begin(self) -> list[Exchange]:
        """The sink of the recording active when the request arrived (it owns the exchange)."""
        with self._lock:
            self._in_flight += 1
            sink = self._sinks.get(self._label) if self._label is not None else None
            return sink if sink is not None else self.unlabelled

    def _file(self, sink: list[Exchange], exchange: Exchange | None) -> None:
        with self._lock:
            if exchange is not None:
                sink.append(exchange)
            self._in_flight -= 1
            self._lock.notify_all()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        sink = self._begin()
        filed: list[Exchange] = []
        try:
            return await self._forward(request, filed)
        finally:
            self._file(sink, filed[0] if filed else None)

    async def _forward(self, request: web.Request, filed: list[Exchange]) -> web.StreamResponse:
        from aiohttp import ClientError, web

        assert self._session is not None, "the proxy serves only between start() and stop()"
        started = time.monotonic()
        target = request.raw_path
        proxy_form = "forward" if target.startswith(("http://", "https://")) else "reverse"
        parts = urlsplit(target)
        path, query = (parts.path or "/"), parts.query
        headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in request.raw_headers]
        body = await request.read()
        fields: dict[str, Any] = dict(
            method=request.method,
            path=path,
            query=redact_query(query),
            proxy_form=proxy_form,
            request_headers=[(k, redact_header(k, v)) for k, v in headers],
            request_body=body.decode("utf-8", errors="replace"),
            started_seconds=round(started - self._origin, 6),
        )
        if proxy_form == "forward" and parts.netloc.lower() not in AIP_OLLAMA_AUTHORITIES | {self._upstream_authority}:
            message = f"recording proxy forwards only Ollama traffic, not {parts.netloc}"
            filed.append(Exchange(**fields, status=502, error=message))
            return web.json_response({"error": message}, status=502)

        forwarded = [(k, v) for k, v in headers if k not in HOP_BY_HOP and k not in ("host", "content-length")]
        forwarded.append(("host", self._upstream_authority))
        present = {k for k, _ in headers}
        skip = {name for name in ("User-Agent", "Accept", "Accept-Encoding", "Content-Type") if name.lower() not in present}
        upstream = self.upstream_url + path + (f"?{query}" if query else "")
        captured: list[bytes] = []
        try:
            async with self._session.request(
                request.method, upstream, data=body or None, headers=forwarded, skip_auto_headers=skip
            ) as answer:
                response = web.StreamResponse(status=answer.status, reason=answer.reason)
                for name, value in answer.headers.items():
                    if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                        response.headers.add(name, value)
                if answer.content_length is not None:
                    response.content_length = answer.content_length
                await response.prepare(request)
                async for chunk in answer.content.iter_any():
                    captured.append(chunk)
                    await response.write(chunk)
                await response.write_eof()
                raw = b"".join(captured)
                filed.append(
                    Exchange(
                        **fields,
                        status=answer.status,
                        response_headers=[(k.lower(), v) for k, v in answer.headers.items()],
                        response_body=_decoded_body(raw, answer.headers.get("content-encoding")),
                        duration_ms=round((time.monotonic() - started) * 1000, 3),
                    )
                )
                return response
        except (ClientError, OSError, asyncio.TimeoutError) as exc:
            message = f"upstream {self.upstream_url} unreachable: {type(exc).__name__}: {exc}".rstrip(": ")
            filed.append(Exchange(**fields, error=message, duration_ms=round((time.monotonic() - started) * 1000, 3)))
            if captured:  # the response had started: nothing sensible can be sent any more
                raise
            return web.json_response({"error": f"recording proxy: {message}"}, status=502)
