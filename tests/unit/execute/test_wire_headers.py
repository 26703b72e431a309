"""The request head of `wire: aip-compat`, as received by a capturing loopback server.

Expected heads are what the real aip binaries wrote to the same kind of server (0.8.37 native,
0.8.16 /v1; tests/integration/test_executor_wire_vs_aip.py re-checks them against the binaries)."""

from __future__ import annotations

import asyncio

import pytest

from aipack_compat.execute.client import OllamaClient, build_http_client
from aipack_compat.execute.pool import EndpointPool
from aipack_compat.execute.retry import RetryPolicy
from aipack_compat.execute.wire import Extras, build_request
from tests.support.canned_backend import CannedBackend, RecordedRequest

MESSAGES = [{"role": "user", "content": "\nSay hello to Ada.\n"}]
NATIVE_GZIP = [("content-type", "application/json"), ("accept", "*/*"), ("accept-encoding", "gzip")]
EXPECTED = {
    "0.8.37": ("POST /api/chat HTTP/1.1", NATIVE_GZIP),
    "0.8.21": ("POST /api/chat HTTP/1.1", NATIVE_GZIP),
    "0.8.20": ("POST /api/chat HTTP/1.1", [("content-type", "application/json"), ("accept", "*/*")]),
    "0.8.16": ("POST /v1/chat/completions HTTP/1.1",
               [("authorization", "Bearer ollama"), ("content-type", "application/json"), ("accept", "*/*")]),
}


async def _capture(version: str, transport: str, *, mode: str = "aip-compat",
                   extras: Extras = Extras()) -> RecordedRequest:
    backend = await CannedBackend(record=True).start()
    request = build_request(MESSAGES, "smollm2:135m", 0.0, None, mode, version, extras)  # type: ignore[arg-type]
    http = build_http_client(10, 4, transport)
    try:
        result = await OllamaClient(http, EndpointPool([backend.url], 4), RetryPolicy(retries=0), 10).chat(request)
        assert result.reply.content == "Score: 7/10"
    finally:
        await http.aclose()
        await backend.close()
    assert len(backend.requests) == 1
    return backend.requests[0]


def _expected_head(version: str, port_host: str, payload_length: int) -> tuple[str, list[tuple[str, str]]]:
    line, headers = EXPECTED[version]
    return line, [*headers, ("host", port_host), ("content-length", str(payload_length))]


@pytest.mark.parametrize("version", sorted(EXPECTED))
def test_http1_transport_writes_aips_exact_head_in_order(version: str) -> None:
    recorded = asyncio.run(_capture(version, "http1"))
    host = dict(recorded.header_lines)["host"]
    assert host.startswith("127.0.0.1:")
    payload = build_request(MESSAGES, "smollm2:135m", 0.0, None, "aip-compat", version).payload
    line, headers = _expected_head(version, host, len(payload))
    assert recorded.request_line == line
    assert recorded.header_lines == headers  # names, lower case, values and order: nothing else
    assert recorded.body == payload


@pytest.mark.parametrize("version", ["0.8.37", "0.8.16"])
def test_httpx_transport_sends_the_same_header_set(version: str) -> None:
    # h11 always writes Host first, so only the order may differ from reqwest's on this transport.
    recorded = asyncio.run(_capture(version, "httpx"))
    host = dict(recorded.header_lines)["host"]
    payload = build_request(MESSAGES, "smollm2:135m", 0.0, None, "aip-compat", version).payload
    _, headers = _expected_head(version, host, len(payload))
    assert sorted(recorded.header_lines) == sorted(headers)


def test_no_user_agent_or_connection_header_in_compat_mode() -> None:
    names = {name.lower() for name, _ in asyncio.run(_capture("0.8.37", "http1")).header_lines}
    assert not names & {"user-agent", "connection", "transfer-encoding", "expect"}


@pytest.mark.parametrize("stream", [False, True])
def test_default_ollama_mode_still_answers_over_the_direct_path(stream: bool) -> None:
    recorded = asyncio.run(_capture("0.8.37", "http1", mode="ollama", extras=Extras(stream=stream)))
    assert recorded.request_line == "POST /api/chat HTTP/1.1"
    assert (b'"stream":true' in recorded.body) is stream
