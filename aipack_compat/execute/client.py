"""OllamaClient: one chat call over an injected `httpx.AsyncClient`, with retries over the pool.

The HTTP client is built by `transport.build_http_client` (re-exported here; our own HTTP/1.1
pool for start-up time and throughput, http1.py) and tests inject `httpx.AsyncClient(transport=httpx.MockTransport(handler))`. Requests
are built by `transport.build_wire_request`, which gives aip-compat requests aip's exact head.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aipack_compat.execute.errors import (
    BackendError,
    BackendHTTPError,
    BackendTimeout,
    ModelError,
    ModelNotFound,
    StreamProtocolError,
    map_transport_errors,
)
from aipack_compat.execute.pool import EndpointPool
from aipack_compat.execute.retry import RetryPolicy, parse_retry_after
from aipack_compat.execute.transport import build_http_client, build_wire_request
from aipack_compat.execute.wire import (
    MalformedResponse,
    NativeStream,
    OpenAIStream,
    Reply,
    WireRequest,
    _StreamedError,
    error_text,
    parse_native,
    parse_openai,
)

if TYPE_CHECKING:
    import httpx

__all__ = ["CallFailed", "CallResult", "OllamaClient", "build_http_client"]


@dataclass(slots=True)
class CallResult:
    reply: Reply
    endpoint: str
    attempts: int
    latency_seconds: float
    ttft_seconds: float | None


class CallFailed(Exception):
    """All attempts failed; carries the last BackendError and the attempt count."""

    def __init__(self, error: BackendError, attempts: int) -> None:
        super().__init__(str(error))
        self.error = error
        self.attempts = attempts


class OllamaClient:
    def __init__(self, http: "httpx.AsyncClient", pool: EndpointPool, policy: RetryPolicy,
                 timeout_seconds: float) -> None:
        self.http = http
        self.pool = pool
        self.policy = policy
        self.timeout_seconds = timeout_seconds
        # FastHTTPClient (built by build_http_client) posts chat payloads without httpx's request
        # model; any httpx client (tests' MockTransport) goes through httpx (direct.py).
        self._post_direct = getattr(http, "post_payload", None)
        self._stream_direct = getattr(http, "stream_payload", None)

    async def chat(self, request: WireRequest) -> CallResult:
        """Send with retries; raises CallFailed when the policy gives up."""
        attempt = 0
        avoid: str | None = None
        while True:
            attempt += 1
            async with self.pool.slot(avoid) as endpoint:
                started = time.perf_counter()
                try:
                    reply, ttft = await self._attempt(endpoint.url, request, started)
                except BackendError as error:
                    failure = error  # `error` is unbound after the except clause
                    if error.status_code is None:
                        self.pool.mark_unreachable(endpoint)
                        avoid = endpoint.url
                    if not self.policy.should_retry(error, attempt):
                        raise CallFailed(error, attempt) from error
                else:
                    self.pool.mark_ok(endpoint)
                    return CallResult(reply, endpoint.url, attempt, time.perf_counter() - started, ttft)
            await asyncio.sleep(self.policy.delay(failure, attempt))

    async def _attempt(self, base: str, request: WireRequest, started: float) -> tuple[Reply, float | None]:
        try:
            async with asyncio.timeout(self.timeout_seconds):
                with map_transport_errors(base):
                    if request.stream:
                        return await self._streamed(base, request, started)
                    return await self._single(base, request, started)
        except TimeoutError as exc:
            raise BackendTimeout(f"no complete answer from {base} within {self.timeout_seconds:g} s",
                                 endpoint=base) from exc

    async def _single(self, base: str, request: WireRequest, started: float) -> tuple[Reply, float]:
        if self._post_direct is not None:
            response = await self._post_direct(base, request)
        else:
            response = await self.http.send(build_wire_request(self.http, base, request))
        ttft = time.perf_counter() - started
        _raise_for_status(base, response.status_code, response.headers, response.content)
        # genai rejects a 2xx answer that is not application/json (wire-protocol.md §6.1 item 23).
        if not response.headers.get("content-type", "").startswith("application/json"):
            raise StreamProtocolError(f"{base} answered with content-type "
                                      f"{response.headers.get('content-type')!r}", endpoint=base)
        try:
            data = json.loads(response.content)
            if isinstance(data, dict) and "error" in data and "message" not in data and "choices" not in data:
                raise ModelError(error_text(response.content), endpoint=base)
            reply = parse_openai(data, request.compat_version) if request.openai else parse_native(data)
        except (ValueError, MalformedResponse) as exc:
            raise StreamProtocolError(f"malformed response from {base}: {exc}", endpoint=base) from exc
        return reply, ttft

    async def _streamed(self, base: str, request: WireRequest, started: float) -> tuple[Reply, float | None]:
        if self._stream_direct is not None:
            async with self._stream_direct(base, request) as response:
                return await self._read_stream(base, request, response, started)
        response = await self.http.send(build_wire_request(self.http, base, request), stream=True)
        try:
            return await self._read_stream(base, request, response, started)
        finally:
            await response.aclose()

    @staticmethod
    async def _read_stream(base: str, request: WireRequest, response: Any, started: float) -> tuple[Reply, float | None]:
        """Accumulate NDJSON or SSE lines from an httpx.Response or an http1.Response."""
        accumulator: NativeStream | OpenAIStream = OpenAIStream() if request.openai else NativeStream()
        ttft: float | None = None
        if response.status_code >= 300:
            _raise_for_status(base, response.status_code, response.headers, await response.aread())
        try:
            async for line in _lines(response):
                if accumulator.feed_line(line) and ttft is None:
                    ttft = time.perf_counter() - started
            reply = accumulator.reply()
        except MalformedResponse as exc:
            raise StreamProtocolError(f"{base}: {exc}", endpoint=base) from exc
        except _StreamedError as exc:
            raise ModelError(f"{base} reported mid-stream: {exc}", endpoint=base) from exc
        return reply, ttft


async def _lines(response: Any) -> Any:
    """Split the body into lines ourselves: httpx's aiter_lines decodes text and is slower."""
    buffer = b""
    async for chunk in response.aiter_bytes():
        buffer += chunk
        while True:
            newline = buffer.find(b"\n")
            if newline < 0:
                break
            yield buffer[:newline]
            buffer = buffer[newline + 1:]
    if buffer.strip():
        yield buffer


def _raise_for_status(base: str, status: int, headers: Any, body: bytes) -> None:
    if 200 <= status < 300:
        return
    message = error_text(body)
    retry_after = parse_retry_after(headers.get("retry-after")) if status in (429, 503) else None
    kind = ModelNotFound if status == 404 and "not found" in message else BackendHTTPError
    raise kind(message, endpoint=base, status_code=status, retry_after=retry_after)
