#!/usr/bin/env python3
"""A fault-injecting Ollama-API backend for executor tests (no model; canned text).

The requested model name selects the fault, e.g. `fault-500x2` (the first two attempts of each
distinct request fail with 500, then it succeeds). Faults:

    ok            answer at once
    500xN / 503xN answer N times with that status, then succeed
    429xN         answer N times 429 with `Retry-After: 0`, then succeed
    timeoutxN     sleep 30 s N times (longer than any test's client timeout), then succeed
    resetxN       send part of an NDJSON stream, then cut the connection, N times
    badjsonxN     send a malformed NDJSON line N times
    errorlinexN   send a `{"error": ...}` line inside a 200 stream, N times
    drip          stream the answer one character per 20 ms (completes)
    400 / 404     always that status

Run it as `python tests/support/fault_backend.py --port N`, or in-process via `build_app()`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
from collections import Counter
from typing import Any

from aiohttp import web

ANSWER = "Paris is the capital. Score: 8/10"
_FAULT = re.compile(r"^fault-(?P<kind>[a-z]+|\d{3})(?:x(?P<times>\d+))?$")


class FaultBackend:
    def __init__(self) -> None:
        self.attempts: Counter[str] = Counter()
        self.requests = 0

    async def chat(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        raw = await request.read()
        try:
            body = json.loads(raw)
            model = body["model"]
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": "model is required"}, status=400)
        match = _FAULT.match(model)
        if match is None and model != "ok":
            return web.json_response({"error": f"model '{model}' not found"}, status=404)
        kind = match.group("kind") if match else "ok"
        times = int(match.group("times") or 0) if match else 0
        key = hashlib.sha256(raw).hexdigest()
        self.attempts[key] += 1
        failing = self.attempts[key] <= times
        stream = body.get("stream", True) is not False
        if kind in ("400", "404"):
            return web.json_response({"error": f"model '{model}' not found" if kind == "404" else "bad request"},
                                     status=int(kind))
        if failing:
            return await self._fail(request, kind, model)
        if kind == "drip":
            return await self._stream(request, model, ANSWER, delay=0.02)
        return await self._answer(request, model, stream)

    async def _fail(self, request: web.Request, kind: str, model: str) -> web.StreamResponse:
        if kind.isdigit():
            headers = {"Retry-After": "0"} if kind == "429" else None
            return web.json_response({"error": "server busy, please try again."}, status=int(kind), headers=headers)
        if kind == "timeout":
            await asyncio.sleep(30)
            return web.json_response({"error": "too late"}, status=500)
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        if kind == "reset":
            await response.write(_line(model, "Par", done=False))
            await asyncio.sleep(0.01)
            assert request.transport is not None
            request.transport.abort()  # connection reset mid-stream
            return response
        if kind == "badjson":
            await response.write(b'{"model": "' + model.encode() + b'", "message": {"content": "Pa\n')
        elif kind == "errorline":
            await response.write(_line(model, "Par", done=False))
            await response.write(b'{"error":"an error was encountered while running the model"}\n')
        await response.write_eof()
        return response

    async def _answer(self, request: web.Request, model: str, stream: bool) -> web.StreamResponse:
        if not stream:
            return web.json_response(_frame(model, ANSWER, done=True))
        return await self._stream(request, model, ANSWER, delay=0.0)

    async def _stream(self, request: web.Request, model: str, text: str, delay: float) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        for character in text:
            await response.write(_line(model, character, done=False))
            if delay:
                await asyncio.sleep(delay)
        await response.write(_line(model, "", done=True))
        await response.write_eof()
        return response

    async def version(self, request: web.Request) -> web.Response:
        return web.json_response({"version": "0.0.0-faults"})


def _frame(model: str, content: str, done: bool) -> dict[str, Any]:
    frame: dict[str, Any] = {"model": model, "created_at": "2026-01-01T00:00:00Z",
                             "message": {"role": "assistant", "content": content}, "done": done}
    if done:
        frame.update(done_reason="stop", total_duration=2_000_000, prompt_eval_count=12, eval_count=9,
                     eval_duration=1_000_000)
    return frame


def _line(model: str, content: str, done: bool) -> bytes:
    return json.dumps(_frame(model, content, done)).encode() + b"\n"


def build_app(backend: FaultBackend | None = None) -> web.Application:
    backend = backend or FaultBackend()
    app = web.Application()
    app["backend"] = backend
    app.router.add_post("/api/chat", backend.chat)
    app.router.add_get("/api/version", backend.version)
    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(build_app(), host=args.host, port=args.port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
