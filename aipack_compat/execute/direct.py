"""`DirectHTTPClient`: an httpx.AsyncClient whose chat POSTs skip httpx and go straight to aiohttp.

Why: profiling the executor on a zero-latency backend showed about half of the client's CPU per
request in httpx's request/response model (URL parsing, header merging and re-encoding, the byte
stream wrappers) on top of the aiohttp transport doing the actual I/O. Chat calls are the hot path,
so `OllamaClient` uses `post_payload` / `stream_payload` when its client offers them; everything
else (and every test that injects `httpx.MockTransport`) keeps going through httpx. Both paths
share one aiohttp session, connection pool and the same exact request head (see transport.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport
from yarl import URL

from aipack_compat.execute.wire import WireRequest


@dataclass(slots=True)
class DirectResponse:
    """The parts of an answer `OllamaClient` reads, with httpx.Response's names."""

    status_code: int
    headers: Any
    """aiohttp's case-insensitive CIMultiDictProxy; `.get(name)` like httpx.Headers."""
    content: bytes = b""
    _raw: aiohttp.ClientResponse | None = None

    async def aread(self) -> bytes:
        if self._raw is not None:
            self.content = await self._raw.read()
        return self.content

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        assert self._raw is not None
        async for chunk in self._raw.content.iter_any():
            yield chunk


class DirectHTTPClient(httpx.AsyncClient):
    def __init__(self, transport: AiohttpTransport, timeout: httpx.Timeout) -> None:
        super().__init__(transport=transport, timeout=timeout, trust_env=False)
        self._aiohttp = transport
        self._hosts: dict[str, str] = {}

    def _session(self) -> aiohttp.ClientSession:
        # The same session the httpx transport uses, created lazily inside the running loop.
        if not isinstance(self._aiohttp.client, aiohttp.ClientSession):
            self._aiohttp.client = self._aiohttp.get_client()
        return self._aiohttp.client

    def _head(self, base: str, request: WireRequest) -> list[tuple[str, str]]:
        headers = list(request.headers.items())
        if request.compat_version is not None:
            # reqwest's order: the request's headers, then host, then content-length (transport.py).
            host = self._hosts.get(base)
            if host is None:
                host = self._hosts[base] = URL(base).host_port_subcomponent or ""
            headers += [("host", host), ("content-length", str(len(request.payload)))]
        return headers

    async def post_payload(self, base: str, request: WireRequest) -> DirectResponse:
        async with self._session().post(base + request.path, data=request.payload, headers=self._head(base, request),
                                        allow_redirects=False, compress=False) as response:
            return DirectResponse(response.status, response.headers, await response.read())

    @asynccontextmanager
    async def stream_payload(self, base: str, request: WireRequest) -> AsyncIterator[DirectResponse]:
        async with self._session().post(base + request.path, data=request.payload, headers=self._head(base, request),
                                        allow_redirects=False, compress=False) as response:
            yield DirectResponse(response.status, response.headers, _raw=response)
