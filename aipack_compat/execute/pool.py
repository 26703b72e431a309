"""A pool of Ollama endpoints with per-endpoint in-flight limits, for scale-out across machines.

Each request takes a slot on the least-loaded endpoint that has one free; a retry after a
connection failure prefers another endpoint. Endpoints that refuse connections cool down briefly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

COOL_DOWN_SECONDS = 2.0


@dataclass(slots=True)
class Endpoint:
    url: str
    limit: int
    in_flight: int = 0
    failures: int = 0
    cool_until: float = 0.0
    served: int = 0


class EndpointPool:
    def __init__(self, urls: list[str], per_endpoint_limit: int) -> None:
        if not urls:
            raise ValueError("at least one Ollama URL is needed")
        self.endpoints = [Endpoint(url.rstrip("/"), max(1, per_endpoint_limit)) for url in dict.fromkeys(urls)]
        self._changed = asyncio.Condition()

    def _pick(self, avoid: str | None) -> Endpoint | None:
        now = time.monotonic()
        free = [e for e in self.endpoints if e.in_flight < e.limit]
        if not free:
            return None
        preferred = [e for e in free if e.url != avoid and e.cool_until <= now] or free
        return min(preferred, key=lambda e: (e.cool_until > now, e.in_flight / e.limit, e.failures))

    @asynccontextmanager
    async def slot(self, avoid: str | None = None) -> AsyncIterator[Endpoint]:
        async with self._changed:
            endpoint = self._pick(avoid)
            while endpoint is None:
                await self._changed.wait()
                endpoint = self._pick(avoid)
            endpoint.in_flight += 1
        try:
            yield endpoint
        finally:
            endpoint.in_flight -= 1
            endpoint.served += 1
            async with self._changed:
                self._changed.notify()

    @staticmethod
    def mark_unreachable(endpoint: Endpoint) -> None:
        endpoint.failures += 1
        endpoint.cool_until = time.monotonic() + COOL_DOWN_SECONDS

    @staticmethod
    def mark_ok(endpoint: Endpoint) -> None:
        endpoint.failures = 0
        endpoint.cool_until = 0.0
