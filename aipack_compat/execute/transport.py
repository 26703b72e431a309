"""The HTTP client the executor sends through, and the exact request head of `wire: aip-compat`.

httpx stays the seam (tests inject `httpx.MockTransport`; `transport="httpx"` builds a plain
httpx.AsyncClient; `http1_httpx.Http1Transport` puts httpx's API over our pool); production traffic
goes over our own HTTP/1.1 pool (http1.py, direct.py), which imports in ~2 ms instead of ~150 ms
for httpx + aiohttp and sends more requests per second.

What aip puts on the wire, captured from the real binaries on a loopback server (aip 0.8.37;
0.8.16 for the /v1 era) and matching wire-protocol.md §4.3 / §6.1 items 3-8:

    POST /api/chat HTTP/1.1                POST /v1/chat/completions HTTP/1.1
    content-type: application/json         authorization: Bearer ollama
    accept: */*                            content-type: application/json
    accept-encoding: gzip                  accept: */*
    host: localhost:11434                  host: localhost:11434
    content-length: 132                    content-length: 120

reqwest writes no user-agent and no `connection` header (HTTP/1.1 keep-alive is implicit). The
http1 path writes exactly the wire headers, then host and content-length; on an httpx client,
httpx's defaults (`user-agent: python-httpx/…`, `connection: keep-alive`, `accept-encoding: gzip,
deflate`) are removed for aip-compat requests and the head is rebuilt in reqwest's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from aipack_compat.execute.wire import WireRequest

HTTPClient = Any
"""`direct.FastHTTPClient` or any `httpx.AsyncClient`: what OllamaClient and the runner accept."""


def build_http_client(timeout_seconds: float, max_connections: int, transport: str = "http1") -> Any:
    """The production client: our HTTP/1.1 pool unless asked for httpx's own."""
    connect = min(10.0, timeout_seconds)
    if transport == "http1":
        from aipack_compat.execute.direct import FastHTTPClient

        return FastHTTPClient(max_connections, connect)
    if transport != "httpx":
        raise ValueError(f"unknown HTTP transport {transport!r} (http1 or httpx)")
    import httpx

    return httpx.AsyncClient(timeout=httpx.Timeout(timeout_seconds, connect=connect), trust_env=False,
                             limits=httpx.Limits(max_connections=max_connections,
                                                 max_keepalive_connections=max_connections))


def build_wire_request(http: "httpx.AsyncClient", base: str, request: "WireRequest") -> "httpx.Request":
    """The httpx request to send. In aip-compat mode (`compat_version` set) its head is exactly aip's:
    the wire headers in reqwest's order, then host and content-length, and nothing of httpx's defaults."""
    import httpx

    built = http.build_request("POST", base + request.path, content=request.payload, headers=request.headers)
    if request.compat_version is not None:
        built.headers = httpx.Headers([*request.headers.items(), ("host", built.headers["host"]),
                                       ("content-length", str(len(request.payload)))])
    return built
