from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from aipack_compat.execute.client import CallFailed, OllamaClient
from aipack_compat.execute.errors import (BackendError, BackendHTTPError, BackendTimeout, BackendUnreachable,
                                          ModelError, ModelNotFound, StreamProtocolError)
from aipack_compat.execute.pool import EndpointPool
from aipack_compat.execute.retry import RetryPolicy, parse_retry_after
from aipack_compat.execute.wire import Extras, build_request

REQUEST = build_request([{"role": "user", "content": "hi"}], "m", None, None, "ollama", "0.8.37")
STREAMED = build_request([{"role": "user", "content": "hi"}], "m", None, None, "ollama", "0.8.37", Extras(stream=True))


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


CASES = [
    (lambda r: httpx.Response(500, json={"error": "boom"}), BackendHTTPError, True),
    (lambda r: httpx.Response(429, json={"error": "slow down"}, headers={"Retry-After": "0"}), BackendHTTPError, True),
    (lambda r: httpx.Response(400, json={"error": "bad"}), BackendHTTPError, False),
    (lambda r: httpx.Response(404, json={"error": "model 'm' not found"}), ModelNotFound, False),
    (refuse, BackendUnreachable, True),
    (read_timeout, BackendTimeout, True),
    (lambda r: httpx.Response(200, text="<html>", headers={"content-type": "text/html"}), StreamProtocolError, True),
    (lambda r: httpx.Response(200, json={"error": "runner crashed"}), ModelError, True),
]


@pytest.mark.parametrize("handler,expected,retryable", CASES)
def test_fault_maps_to_class_and_retry_decision(handler, expected, retryable) -> None:  # type: ignore[no-untyped-def]
    async def main() -> CallFailed:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = OllamaClient(http, EndpointPool(["http://a"], 4), RetryPolicy(retries=0), 5)
            with pytest.raises(CallFailed) as caught:
                await client.chat(REQUEST)
            return caught.value

    failed = asyncio.run(main())
    assert type(failed.error) is expected
    assert failed.error.retryable is retryable
    assert RetryPolicy(retries=1).should_retry(failed.error, 1) is retryable


def test_truncated_stream_is_a_protocol_error() -> None:
    def cut(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"message":{"content":"He"},"done":false}\n',
                              headers={"content-type": "application/x-ndjson"})

    async def main() -> CallFailed:
        async with httpx.AsyncClient(transport=httpx.MockTransport(cut)) as http:
            client = OllamaClient(http, EndpointPool(["http://a"], 4), RetryPolicy(retries=0), 5)
            with pytest.raises(CallFailed) as caught:
                await client.chat(STREAMED)
            return caught.value

    assert isinstance(asyncio.run(main()).error, StreamProtocolError)


def test_a_retry_after_unreachable_moves_to_another_endpoint() -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        if request.url.host == "down":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"message": {"content": "ok"}, "done": True})

    async def main() -> str:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = OllamaClient(http, EndpointPool(["http://down", "http://up"], 4), RetryPolicy(retries=2, base_seconds=0), 5)
            return (await client.chat(REQUEST)).endpoint

    assert asyncio.run(main()) == "http://up"


def test_backoff_grows_is_jittered_and_honours_retry_after() -> None:
    policy = RetryPolicy(retries=5, base_seconds=1.0, cap_seconds=8.0)
    error = BackendUnreachable("x")
    rng = random.Random(1)
    delays = [policy.delay(error, attempt, rng) for attempt in (1, 2, 3, 4, 5, 6)]
    assert all(0 <= d <= c for d, c in zip(delays, (1, 2, 4, 8, 8, 8)))
    assert policy.delay(BackendError("x", retry_after=2.5), 1) == 2.5
    assert parse_retry_after("3") == 3.0 and parse_retry_after(None) is None
    assert not policy.should_retry(error, 6)
