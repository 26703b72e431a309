#!/usr/bin/env python3
"""A simulated Ollama server: the real one's API and scheduler (sim_ollama_sched.py), no model.

    python tests/support/sim_ollama.py --port 11500 --max-loaded-models 1 --num-parallel 2 --time-scale 50 \
        --model llama3.2:1b=load:3,prefill:400,decode:40 --model qwen2.5:0.5b

Deterministic and loopback only. Routes as Ollama 0.17.4 serves them: GET / , /api/version, /api/tags,
/api/ps, POST /api/show, /api/chat and /api/generate (NDJSON stream or one JSON object), /v1/chat/completions
(JSON or SSE), GET /v1/models. Replies carry `load_duration`, `prompt_eval_count`/`prompt_eval_duration`,
`eval_count`/`eval_duration` and `total_duration` as Ollama fills them (load_duration = the wait for a
runner, total_duration = the whole request; nanoseconds of simulated time). The reply text is a function
of the model, the messages and the seed only. Several instances are several endpoints (`SimOllama` runs
one in a background thread; `SimOllama.counters` counts loads/evictions/expirations per model).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import sys
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sim_ollama_sched import (FOREVER, Counters, Runner, Scheduler, ServerBusy, SimClock, SimModel,  # noqa: E402
                              SimSettings, parse_env_keep_alive, parse_keep_alive)

VERSION = "0.17.4"
_WORDS = ("the", "model", "answers", "with", "a", "short", "and", "plain", "sentence", "about", "it", "here",
          "is", "one", "more", "word", "for", "you", "to", "read", "today", "fine", "yes", "ok")


def prompt_tokens(messages: list[dict[str, Any]]) -> int:
    """A stable stand-in for the chat template plus tokenizer: ~4 bytes a token, 4 per message."""
    return sum(4 + math.ceil(len(str(m.get("content") or "").encode()) / 4) for m in messages) or 1


def reply_words(model: str, messages: list[dict[str, Any]], seed: Any, count: int) -> list[str]:
    digest = hashlib.sha256(json.dumps([model, messages, seed], sort_keys=True).encode()).digest()
    words = [_WORDS[(digest[i % len(digest)] + i) % len(_WORDS)] for i in range(count)]
    return [word if i == 0 else " " + word for i, word in enumerate(words)]


class SimServer:
    """The HTTP side: parses requests as Ollama does, asks the scheduler for a runner, "generates"."""

    def __init__(self, models: list[SimModel], settings: SimSettings) -> None:
        self.models = {model.name: model for model in models}
        self.settings = settings
        self.scheduler = Scheduler(settings, SimClock(settings.time_scale))

    @property
    def counters(self) -> Counters:
        return self.scheduler.counters

    def lookup(self, name: str) -> SimModel | None:
        if not name:
            return None
        return self.models.get(name if ":" in name.rsplit("/", 1)[-1] else name + ":latest")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", _running)
        app.router.add_get("/api/version", _version)
        app.router.add_get("/api/tags", self.tags)
        app.router.add_get("/api/ps", self.ps)
        app.router.add_post("/api/show", self.show)
        app.router.add_post("/api/chat", self.chat)
        app.router.add_post("/api/generate", self.generate)
        app.router.add_post("/v1/chat/completions", self.openai_chat)
        app.router.add_get("/v1/models", self.openai_models)
        app.on_shutdown.append(self._shutdown)
        return app

    async def _shutdown(self, _: web.Application) -> None:
        await self.scheduler.stop()

    # -- listings ---------------------------------------------------------------------------------
    def _details(self, model: SimModel) -> dict[str, Any]:
        return {"parent_model": "", "format": "gguf", "family": model.family, "families": [model.family],
                "parameter_size": model.parameter_size, "quantization_level": model.quantization_level}

    async def tags(self, _: web.Request) -> web.Response:
        modified = self.scheduler.clock.wall(0).isoformat()
        return web.json_response({"models": [
            {"name": m.name, "model": m.name, "modified_at": modified, "size": m.size_bytes, "digest": m.digest,
             "details": self._details(m)} for m in self.models.values()]})

    async def ps(self, _: web.Request) -> web.Response:
        rows = []
        for runner in self.scheduler.loaded.values():
            model = runner.model
            rows.append({"name": model.name, "model": model.name, "size": model.size_bytes, "digest": model.digest,
                         "details": self._details(model), "expires_at": self.scheduler.expires_at(runner),
                         "size_vram": 0, "context_length": runner.options["num_ctx"]})
        rows.sort(key=lambda row: -row["expires_at"].timestamp())  # longest remaining first, stable
        for row in rows:
            row["expires_at"] = row["expires_at"].isoformat().replace("+00:00", "Z")
        return web.json_response({"models": rows})

    async def show(self, request: web.Request) -> web.Response:
        body = await _json_body(request)
        if isinstance(body, web.Response):
            return body
        model = self.lookup(str(body.get("model") or body.get("name") or ""))
        if model is None:
            return _error(404, f"model '{body.get('model')}' not found")
        return web.json_response({"modelfile": f"FROM {model.model_path}\n", "parameters": "", "template": "",
                                  "details": self._details(model), "model_info": {}, "capabilities": ["completion"]})

    async def openai_models(self, _: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [
            {"id": name, "object": "model", "created": 0, "owned_by": "library"} for name in self.models]})

    # -- generation -------------------------------------------------------------------------------
    async def chat(self, request: web.Request) -> web.StreamResponse:
        return await self._native(request, chat=True)

    async def generate(self, request: web.Request) -> web.StreamResponse:
        return await self._native(request, chat=False)

    async def _native(self, request: web.Request, chat: bool) -> web.StreamResponse:
        body = await _json_body(request)
        if isinstance(body, web.Response):
            return body
        try:
            keep_alive = parse_keep_alive(body.get("keep_alive"))
        except ValueError as error:
            return _error(400, str(error))
        name = str(body.get("model") or "")
        if not name:
            return _error(400, "model is required")
        model = self.lookup(name)
        if model is None:
            return _error(404, f"model '{name}' not found")
        messages = body.get("messages") if chat else None
        if chat and not isinstance(messages or [], list):
            return _error(400, "json: cannot unmarshal messages")
        if not chat:
            prompt = str(body.get("prompt") or "")
            messages = [{"role": "user", "content": prompt}] if prompt else []
        head = {"model": name, "created_at": ""}
        empty = {"message": {"role": "assistant", "content": ""}} if chat else {"response": ""}
        if not messages and keep_alive == 0:
            self.scheduler.expire_now(model)
            return web.json_response({**head, "created_at": self._now(), **empty, "done": True,
                                      "done_reason": "unload"})
        stream = body.get("stream", True) is not False
        options = body.get("options") or {}
        started = self.scheduler.clock.now()
        try:
            runner = await self.scheduler.acquire(model, options, keep_alive)
        except ServerBusy as busy:
            return _error(503, str(busy))
        try:
            loaded = self.scheduler.clock.now()
            if not messages:
                return web.json_response({**head, "created_at": self._now(), **empty, "done": True,
                                          "done_reason": "load"})
            async with contextlib.aclosing(self._generate(runner, model, messages, options)) as generation:
                return await self._reply_native(request, generation, head, empty, chat, stream, started, loaded)
        finally:
            self.scheduler.release(runner)

    async def _reply_native(self, request: web.Request, generation: AsyncIterator[str | dict[str, Any]],
                            head: dict[str, Any], empty: dict[str, Any], chat: bool, stream: bool, started: float,
                            loaded: float) -> web.StreamResponse:
        if not stream:
            pieces = [piece async for piece in generation]
            text = "".join(piece for piece in pieces if isinstance(piece, str))
            final = self._final(pieces[-1], started, loaded)  # type: ignore[arg-type]
            content = {"message": {"role": "assistant", "content": text}} if chat else {"response": text}
            return web.json_response({**head, "created_at": self._now(), **content, **final})
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        async for piece in generation:
            if isinstance(piece, str):
                content = {"message": {"role": "assistant", "content": piece}} if chat else {"response": piece}
                line = {**head, "created_at": self._now(), **content, "done": False}
            else:
                line = {**head, "created_at": self._now(), **empty, **self._final(piece, started, loaded)}
            await response.write(json.dumps(line).encode() + b"\n")
        await response.write_eof()
        return response

    async def openai_chat(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        if isinstance(body, web.Response):
            return body
        name = str(body.get("model") or "")
        model = self.lookup(name)
        if model is None:
            return _openai_error(404, f"model '{name}' not found", "api_error")
        messages = body.get("messages") or []
        if not isinstance(messages, list) or not messages:
            return _openai_error(400, "invalid message content type: <nil>", "invalid_request_error")
        options: dict[str, Any] = {key: body[key] for key in ("seed", "temperature", "top_p") if key in body}
        if body.get("max_tokens") is not None:
            options["num_predict"] = body["max_tokens"]
        try:
            runner = await self.scheduler.acquire(model, options, None)
        except ServerBusy as busy:
            return _openai_error(503, str(busy), "api_error")
        try:
            ident, created = f"chatcmpl-{int(time.time() * 1000) % 1000}", int(time.time())
            head = {"id": ident, "created": created, "model": name, "system_fingerprint": "fp_ollama"}
            async with contextlib.aclosing(self._generate(runner, model, messages, options)) as pieces:
                return await self._reply_openai(request, pieces, head, bool(body.get("stream")),
                                                bool((body.get("stream_options") or {}).get("include_usage")))
        finally:
            self.scheduler.release(runner)

    async def _reply_openai(self, request: web.Request, pieces: AsyncIterator[str | dict[str, Any]],
                            head: dict[str, Any], stream: bool, include_usage: bool) -> web.StreamResponse:
        if not stream:
            collected = [piece async for piece in pieces]
            final: dict[str, Any] = collected[-1]  # type: ignore[assignment]
            text = "".join(piece for piece in collected if isinstance(piece, str))
            return web.json_response({**head, "object": "chat.completion", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text},
                 "finish_reason": final["done_reason"]}], "usage": _usage(final)})
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        chunk = {**head, "object": "chat.completion.chunk"}
        async for piece in pieces:
            if isinstance(piece, str):
                choice = {"index": 0, "delta": {"role": "assistant", "content": piece}, "finish_reason": None}
            else:
                choice = {"index": 0, "delta": {"role": "assistant", "content": ""},
                          "finish_reason": piece["done_reason"]}
            await response.write(b"data: " + json.dumps({**chunk, "choices": [choice]}).encode() + b"\n\n")
            if not isinstance(piece, str) and include_usage:
                usage = {**chunk, "choices": [], "usage": _usage(piece)}
                await response.write(b"data: " + json.dumps(usage).encode() + b"\n\n")
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _generate(self, runner: Runner, model: SimModel, messages: list[dict[str, Any]],
                        options: dict[str, Any]) -> AsyncGenerator[str | dict[str, Any], None]:
        """The runner's side: wait for the weights and a parallel slot, prefill, then decode in chunks."""
        clock = self.scheduler.clock
        await runner.ready.wait()
        async with runner.slots:
            runner.active += 1
            counters = self.scheduler.counters
            counters.peak_parallel[runner.key] = max(counters.peak_parallel[runner.key], runner.active)
            try:
                limit = options.get("num_predict")
                count = model.reply_tokens if limit is None or int(limit) < 0 else min(int(limit), model.reply_tokens)
                truncated = limit is not None and 0 <= int(limit) < model.reply_tokens
                words = reply_words(model.name, messages, options.get("seed"), count)
                n_prompt = prompt_tokens(messages)
                prefill = n_prompt / model.prefill_tokens_per_second
                await clock.sleep(prefill)
                slowdown = 1.0 + self.settings.parallel_slowdown * (runner.active - 1)
                per_token = slowdown / model.decode_tokens_per_second
                chunk = max(1, math.ceil(len(words) / 8))  # a few sleeps per reply, however fast the scale
                for start in range(0, len(words), chunk):
                    part = words[start:start + chunk]
                    await clock.sleep(per_token * len(part))
                    yield "".join(part)
                yield {"done_reason": "length" if truncated else "stop", "prompt_eval_count": n_prompt,
                       "prompt_eval_duration": int(prefill * 1e9), "eval_count": len(words),
                       "eval_duration": int(per_token * len(words) * 1e9)}
            finally:
                runner.active -= 1

    def _final(self, metrics: dict[str, Any], started: float, loaded: float) -> dict[str, Any]:
        now = self.scheduler.clock.now()
        return {"done": True, "done_reason": metrics["done_reason"], "total_duration": int((now - started) * 1e9),
                "load_duration": int((loaded - started) * 1e9), "prompt_eval_count": metrics["prompt_eval_count"],
                "prompt_eval_duration": metrics["prompt_eval_duration"], "eval_count": metrics["eval_count"],
                "eval_duration": metrics["eval_duration"]}

    def _now(self) -> str:
        return self.scheduler.clock.wall().isoformat().replace("+00:00", "Z")


async def _running(_: web.Request) -> web.Response:
    return web.Response(text="Ollama is running")


async def _version(_: web.Request) -> web.Response:
    return web.json_response({"version": VERSION})


def _usage(final: dict[str, Any]) -> dict[str, int]:
    prompt, completion = final["prompt_eval_count"], final["eval_count"]
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


async def _json_body(request: web.Request) -> dict[str, Any] | web.Response:
    raw = await request.read()
    if not raw:
        return _error(400, "missing request body")
    try:
        body = json.loads(raw)
    except ValueError as error:
        return _error(400, f"invalid character in JSON: {error}")
    return body if isinstance(body, dict) else _error(400, "json: cannot unmarshal into Go value")


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _openai_error(status: int, message: str, kind: str) -> web.Response:
    return web.json_response({"error": {"message": message, "type": kind, "param": None, "code": None}},
                             status=status)


class SimOllama:
    """One simulated server on a free loopback port, served from a background thread (its own loop)."""

    def __init__(self, models: list[SimModel], settings: SimSettings | None = None, port: int = 0) -> None:
        self.server = SimServer(models, settings or SimSettings())
        self._port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="sim-ollama")
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def counters(self) -> Counters:
        return self.server.counters

    @property
    def scheduler(self) -> Scheduler:
        return self.server.scheduler

    def call(self, function: Any) -> Any:
        """Run a plain function on the server's loop (the scheduler is not thread-safe) and return its value."""
        async def run() -> Any:
            return function()
        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    def start(self) -> "SimOllama":
        self._thread.start()
        self.url = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> str:
        self._runner = web.AppRunner(self.server.app(), shutdown_timeout=0.1, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def __enter__(self) -> "SimOllama":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def parse_model(spec: str) -> SimModel:
    """`name[=load:S,prefill:TPS,decode:TPS,tokens:N,blob:B]` -> SimModel."""
    name, _, rest = spec.partition("=")
    fields = {"load": "load_seconds", "prefill": "prefill_tokens_per_second", "decode": "decode_tokens_per_second",
              "tokens": "reply_tokens", "blob": "blob"}
    values: dict[str, Any] = {}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition(":")
        if key not in fields:
            raise argparse.ArgumentTypeError(f"unknown model field {key!r} (known: {', '.join(fields)})")
        values[fields[key]] = value if key == "blob" else (int(value) if key == "tokens" else float(value))
    return SimModel(name=name, **values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--port", type=int, default=11500)
    parser.add_argument("--model", type=parse_model, action="append", default=[])
    parser.add_argument("--max-loaded-models", type=int, default=0)
    parser.add_argument("--num-parallel", type=int, default=1)
    parser.add_argument("--keep-alive", default="5m", help="as OLLAMA_KEEP_ALIVE")
    parser.add_argument("--max-queue", type=int, default=512)
    parser.add_argument("--runner-start", type=float, default=0.5, help="simulated seconds")
    parser.add_argument("--time-scale", type=float, default=1.0)
    args = parser.parse_args()
    keep_alive = parse_env_keep_alive(args.keep_alive)
    settings = SimSettings(max_loaded_models=args.max_loaded_models, num_parallel=args.num_parallel,
                           keep_alive=keep_alive, max_queue=args.max_queue, runner_start_seconds=args.runner_start,
                           time_scale=args.time_scale)
    models = args.model or [SimModel("smollm2:135m")]
    forever = " (forever)" if keep_alive == FOREVER else ""
    print(f"sim-ollama on 127.0.0.1:{args.port}: {', '.join(m.name for m in models)}{forever}", flush=True)
    web.run_app(SimServer(models, settings).app(), host="127.0.0.1", port=args.port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
