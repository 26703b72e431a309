"""The HTTP client the executor sends through, and the exact request head of `wire: aip-compat`.

httpx stays the seam (tests inject `httpx.MockTransport`); production traffic goes over aiohttp
(`httpx-aiohttp`), which measured ~3x the requests/s of httpx's own pool here.

What aip puts on the wire, captured from the real binaries on a loopback server (aip 0.8.37;
0.8.16 for the /v1 era) and matching wire-protocol.md §4.3 / §6.1 items 3-8:

    POST /api/chat HTTP/1.1                POST /v1/chat/completions HTTP/1.1
    content-type: application/json         authorization: Bearer ollama
    accept: */*                            content-type: application/json
    accept-encoding: gzip                  accept: */*
    host: localhost:11434                  host: localhost:11434
    content-length: 132                    content-length: 120

reqwest writes no user-agent and no `connection` header (HTTP/1.1 keep-alive is implicit). httpx's
client defaults (`user-agent: python-httpx/…`, `connection: keep-alive`, `accept-encoding: gzip,
deflate`) and aiohttp's auto headers (`User-Agent: Python/… aiohttp/…`, `Accept-Encoding`) are
therefore removed for aip-compat requests, and the head is written in reqwest's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from aipack_compat.execute.wire import WireRequest

# aiohttp adds these when a request lacks them; the caller's headers (httpx's defaults in the
# default wire modes, aip's exact set in aip-compat mode) decide instead.
AIOHTTP_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding")


def build_http_client(timeout_seconds: float, max_connections: int, transport: str = "aiohttp") -> "httpx.AsyncClient":
    """The production client: explicit timeouts and limits, aiohttp transport unless asked otherwise."""
    import httpx

    timeout = httpx.Timeout(timeout_seconds, connect=min(10.0, timeout_seconds))
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    if transport == "aiohttp":
        from httpx_aiohttp import AiohttpTransport

        from aipack_compat.execute.direct import DirectHTTPClient

        # A factory: the aiohttp session must be created inside the running event loop.
        session = _session_factory(max_connections, limits.keepalive_expiry, timeout.connect)
        return DirectHTTPClient(AiohttpTransport(limits=limits, client=session), timeout)
    return httpx.AsyncClient(timeout=timeout, limits=limits, trust_env=False)


def _session_factory(max_connections: int, keepalive_seconds: float | None, connect_seconds: float | None) -> Any:
    import aiohttp
    from multidict import CIMultiDict

    class CallerOrderRequest(aiohttp.ClientRequest):
        """Keeps the caller's header order when the caller supplies `host`; aiohttp otherwise always
        writes Host first, while reqwest writes it after the request's own headers."""

        def update_headers(self, headers: Any) -> None:
            super().update_headers(headers)
            if headers and "host" in headers:
                self.headers = CIMultiDict(headers)

    def make_session() -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(limit=max_connections, keepalive_timeout=keepalive_seconds or 5.0)
        # No total timeout here: OllamaClient bounds each attempt itself (asyncio.timeout).
        return aiohttp.ClientSession(connector=connector, skip_auto_headers=AIOHTTP_AUTO_HEADERS,
                                     request_class=CallerOrderRequest,
                                     timeout=aiohttp.ClientTimeout(total=None, sock_connect=connect_seconds))

    return make_session


def build_wire_request(http: "httpx.AsyncClient", base: str, request: "WireRequest") -> "httpx.Request":
    """The httpx request to send. In aip-compat mode (`compat_version` set) its head is exactly aip's:
    the wire headers in reqwest's order, then host and content-length, and nothing of httpx's defaults."""
    import httpx

    built = http.build_request("POST", base + request.path, content=request.payload, headers=request.headers)
    if request.compat_version is not None:
        built.headers = httpx.Headers([*request.headers.items(), ("host", built.headers["host"]),
                                       ("content-length", str(len(request.payload)))])
    return built
