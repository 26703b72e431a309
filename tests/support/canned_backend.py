#!/usr/bin/env python3
"""A minimal, fast Ollama-API server with canned answers, on a raw asyncio.Protocol.

    python tests/support/canned_backend.py --port 11434 [--host 127.0.0.1] [--processes 2]

Two uses:
- benchmarks: a backend must be faster than the client it measures. The aiohttp-based
  `ollama_backend.py --instant` spends ~0.3 ms of CPU per request in aiohttp's web stack, as much
  as the clients under test; this one parses the request line, `content-length` and the JSON body
  and writes one pre-framed answer (~30 µs), with TCP_NODELAY and HTTP/1.1 keep-alive, optionally
  in several processes sharing the port (SO_REUSEPORT);
- wire tests: `CannedBackend(record=True)` keeps every raw request head and body, byte for byte,
  so tests can assert exactly what a client (ours, or the real `aip`) put on the wire.

Routes: POST /api/chat and /api/generate (JSON when `"stream": false`, NDJSON otherwise),
POST /v1/chat/completions (JSON, or SSE when `"stream": true`), GET /api/version, /api/tags,
/v1/models and /. Bodies must carry `content-length` (chunked uploads get 411): every client
measured here (reqwest, aiohttp, httpx, undici) sends it for a JSON body.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
from dataclasses import dataclass
from typing import Any

ANSWER = "Score: 7/10"
MODEL = "smollm2:135m"
CREATED_AT = "2025-01-01T00:00:00.000000Z"
METRICS = {"total_duration": 1000, "load_duration": 1, "prompt_eval_count": 10, "prompt_eval_duration": 500,
           "eval_count": 4, "eval_duration": 500}
MAX_HEAD = 64 * 1024


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    head: bytes
    """Request line and header lines exactly as received, without the blank line."""
    body: bytes

    @property
    def request_line(self) -> str:
        return self.head.split(b"\r\n", 1)[0].decode("latin-1")

    @property
    def header_lines(self) -> list[tuple[str, str]]:
        """(name, value) in wire order and case."""
        pairs = []
        for line in self.head.split(b"\r\n")[1:]:
            name, _, value = line.decode("latin-1").partition(":")
            pairs.append((name, value.strip()))
        return pairs


def _frame(status: str, content_type: bytes, body: bytes, close: bool = False) -> bytes:
    connection = b"connection: close\r\n" if close else b""
    return (b"HTTP/1.1 " + status.encode() + b"\r\ncontent-type: " + content_type + b"\r\ncontent-length: "
            + str(len(body)).encode() + b"\r\n" + connection + b"\r\n" + body)


def _json(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def chat_answer(model: str, stream: bool) -> tuple[bytes, bytes]:
    final = {"model": model, "created_at": CREATED_AT, "message": {"role": "assistant", "content": ANSWER},
             "done": True, "done_reason": "stop", **METRICS}
    if not stream:
        return b"application/json; charset=utf-8", _json(final)
    piece = {"model": model, "created_at": CREATED_AT, "message": {"role": "assistant", "content": ANSWER},
             "done": False}
    last = {**final, "message": {"role": "assistant", "content": ""}}
    return b"application/x-ndjson", _json(piece) + b"\n" + _json(last) + b"\n"


def generate_answer(model: str, stream: bool) -> tuple[bytes, bytes]:
    final = {"model": model, "created_at": CREATED_AT, "response": ANSWER, "done": True, "done_reason": "stop",
             **METRICS}
    if not stream:
        return b"application/json; charset=utf-8", _json(final)
    piece = {"model": model, "created_at": CREATED_AT, "response": ANSWER, "done": False}
    return b"application/x-ndjson", _json(piece) + b"\n" + _json({**final, "response": ""}) + b"\n"


def openai_answer(model: str, stream: bool) -> tuple[bytes, bytes]:
    usage = {"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14}
    base = {"id": "chatcmpl-1", "created": 1735689600, "model": model, "system_fingerprint": "fp_ollama"}
    if not stream:
        return b"application/json", _json({**base, "object": "chat.completion", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": ANSWER}, "finish_reason": "stop"}], "usage": usage})
    chunk = {**base, "object": "chat.completion.chunk"}
    events = [{**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ANSWER}, "finish_reason": None}]},
              {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
              {**chunk, "choices": [], "usage": usage}]
    return b"text/event-stream", b"".join(b"data: " + _json(e) + b"\n\n" for e in events) + b"data: [DONE]\n\n"


STATIC = {
    b"/api/version": _frame("200 OK", b"application/json; charset=utf-8", b'{"version":"0.12.10-canned"}'),
    b"/api/tags": _frame("200 OK", b"application/json; charset=utf-8", _json({"models": [
        {"name": MODEL, "model": MODEL, "size": 98_362_432, "digest": "canned",
         "details": {"format": "gguf", "family": "llama", "parameter_size": "135M", "quantization_level": "Q4_1"}}]})),
    b"/v1/models": _frame("200 OK", b"application/json", _json({"object": "list", "data": [
        {"id": MODEL, "object": "model", "created": 1735689600, "owned_by": "library"}]})),
    b"/": _frame("200 OK", b"text/plain; charset=utf-8", b"Ollama is running"),
}
POST_ROUTES = {b"/api/chat": (chat_answer, False), b"/api/generate": (generate_answer, False),
               b"/v1/chat/completions": (openai_answer, True)}


def answer(method: bytes, path: bytes, body: bytes) -> bytes:
    """The full response bytes for one request."""
    path = path.split(b"?", 1)[0]
    if method in (b"GET", b"HEAD") and path in STATIC:
        return STATIC[path]
    route = POST_ROUTES.get(path)
    if method != b"POST" or route is None:
        return _frame("404 Not Found", b"text/plain", b"404 page not found")
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("model"), str):
        return _frame("400 Bad Request", b"application/json; charset=utf-8", b'{"error":"model is required"}')
    build, openai = route
    # Ollama streams unless told not to; its /v1 layer streams only when asked (wire-protocol.md §5).
    stream = data.get("stream") is True if openai else data.get("stream", True) is not False
    content_type, payload = build(data["model"], stream)
    return _frame("200 OK", content_type, payload)


class CannedProtocol(asyncio.Protocol):
    def __init__(self, recorded: list[RecordedRequest] | None) -> None:
        self.recorded = recorded
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEAD:
                    self._reply_and_close(_frame("431 Request Header Fields Too Large", b"text/plain", b"", close=True))
                return
            head = self.buffer[:end]
            length, chunked, close = _framing(head)
            if chunked:
                self._reply_and_close(_frame("411 Length Required", b"text/plain", b"send content-length", close=True))
                return
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4:end + 4 + length]
            self.buffer = self.buffer[end + 4 + length:]
            if self.recorded is not None:
                self.recorded.append(RecordedRequest(head, body))
            method, _, rest = head.partition(b" ")
            path = rest.split(b" ", 1)[0]
            if close:
                self._reply_and_close(answer(method, path, body))
                return
            self.transport.write(answer(method, path, body))

    def _reply_and_close(self, response: bytes) -> None:
        assert self.transport is not None
        self.transport.write(response)
        self.transport.close()
        self.transport = None

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


def _framing(head: bytes) -> tuple[int, bool, bool]:
    length, chunked = 0, False
    lines = head.split(b"\r\n")
    close = lines[0].endswith(b"HTTP/1.0")
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip() or b"0")
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = value.strip().lower() == b"close"
    return length, chunked, close


class CannedBackend:
    """In-process server for tests: `await start()` then `.url`; `.requests` when `record=True`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, record: bool = False) -> None:
        self.host, self.port = host, port
        self.requests: list[RecordedRequest] = []
        self._record = record
        self._server: asyncio.AbstractServer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self, reuse_port: bool = False) -> "CannedBackend":
        loop = asyncio.get_running_loop()
        recorded = self.requests if self._record else None
        self._server = await loop.create_server(lambda: CannedProtocol(recorded), self.host, self.port,
                                                reuse_port=reuse_port or None, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


async def _serve(host: str, port: int, reuse_port: bool) -> None:
    await CannedBackend(host, port).start(reuse_port)
    await asyncio.Event().wait()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("--processes", type=int, default=1, help="server processes sharing the port (SO_REUSEPORT)")
    args = parser.parse_args()
    children: list[int] = []
    # Terminating the parent must not orphan the forked servers: SIGTERM unwinds to `finally`.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    for _ in range(max(1, args.processes) - 1):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            asyncio.run(_serve(args.host, args.port, True))
            os._exit(0)
        children.append(pid)
    try:
        asyncio.run(_serve(args.host, args.port, args.processes > 1))
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        for pid in children:
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
