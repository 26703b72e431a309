"""`FastHTTPClient`: the production HTTP client, chat POSTs straight onto `http1.Http1Pool`.

`OllamaClient` takes either this client (it has `post_payload` / `stream_payload`) or any
`httpx.AsyncClient` — the seam tests use with `httpx.MockTransport`. Requests here skip httpx's
request model entirely: profiling a zero-latency run showed about half of the client's CPU per
request in httpx's URL parsing, header merging and stream wrappers, and importing httpx and aiohttp
cost more than aip's whole 50-request run (see http1.py). The request head is written as given:
the wire headers, then `host` and `content-length`, which is reqwest's order (transport.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aipack_compat.execute.http1 import Http1Pool, Origin, Response, parse_origin
from aipack_compat.execute.wire import WireRequest


class FastHTTPClient:
    def __init__(self, max_connections: int, connect_timeout: float | None) -> None:
        self.pool = Http1Pool(max_connections=max_connections, connect_timeout=connect_timeout)
        self._origins: dict[str, Origin] = {}

    def _origin(self, base: str) -> Origin:
        origin = self._origins.get(base)
        if origin is None:
            origin = self._origins[base] = parse_origin(base)
        return origin

    @staticmethod
    def _head(origin: Origin, request: WireRequest) -> list[tuple[str, str]]:
        return [*request.headers.items(), ("host", origin.host_header), ("content-length", str(len(request.payload)))]

    async def post_payload(self, base: str, request: WireRequest) -> Response:
        origin = self._origin(base)
        return await self.pool.send(origin, "POST", request.path, self._head(origin, request), request.payload)

    @asynccontextmanager
    async def stream_payload(self, base: str, request: WireRequest) -> AsyncIterator[Response]:
        origin = self._origin(base)
        response = await self.pool.send(origin, "POST", request.path, self._head(origin, request), request.payload,
                                        stream=True)
        try:
            yield response
        finally:
            await response.aclose()

    async def get(self, url: str) -> Response:
        """A plain GET of an absolute URL (the preflight probe)."""
        parts = url.split("/", 3)
        base, path = "/".join(parts[:3]), "/" + (parts[3] if len(parts) > 3 else "")
        origin = self._origin(base)
        return await self.pool.send(origin, "GET", path, [("accept", "*/*"), ("host", origin.host_header)])

    async def aclose(self) -> None:
        await self.pool.aclose()

    async def __aenter__(self) -> "FastHTTPClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
