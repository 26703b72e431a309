"""Request bodies per wire mode and aip era, and response parsing (JSON, NDJSON, SSE).

Three wire modes (`ExecutionSettings.wire`):
- `aip-compat`: exactly the fields, key order and values `aip` sends (wire-protocol.md §6.1):
  native `/api/chat` from aip 0.8.17, `/v1/chat/completions` up to 0.8.16, `stream: false`,
  only `temperature`/`top_p`, no seed/num_predict/think.
- `ollama`: native `/api/chat`, may stream and add `seed`/`num_predict` when configured.
- `openai`: `/v1/chat/completions` with the same optional extras.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from aipack_compat.model.eras import LUA_DEVAI, MODEL_NAMESPACES, NATIVE_WIRE
from aipack_compat.model.versions import at_least

WireMode = Literal["ollama", "openai", "aip-compat"]
NATIVE_PATH = "/api/chat"
OPENAI_PATH = "/v1/chat/completions"
_THINK_BLOCK = re.compile(r"^\s*<think>(.*?)</think>", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Extras:
    """What the default modes may add on top of aip's fields (never sent in `aip-compat`)."""

    stream: bool = False
    seed: int | None = None
    num_predict: int | None = None


@dataclass(frozen=True, slots=True)
class WireRequest:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    stream: bool
    openai: bool
    compat_version: str | None = None
    """The aip version whose response handling to mirror (aip-compat only)."""
    payload: bytes = field(default=b"", compare=False)

    @property
    def digest(self) -> str:
        """Content address of the request: path plus canonical JSON (key order and spacing ignored)."""
        canonical = json.dumps(self.body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(f"{self.path}\n{canonical}".encode()).hexdigest()


@dataclass(slots=True)
class Reply:
    """The facts aip reads from a chat response (wire-protocol.md §6.1 items 24-26)."""

    content: str | None = None
    reasoning: str | None = None
    model: str | None = None
    done_reason: str | None = None
    prompt_eval_count: int | None = None
    eval_count: int | None = None
    eval_duration_ns: int | None = None
    total_duration_ns: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Reply":
        return cls(**{key: data.get(key) for key in cls.__slots__})


def dumps(body: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, non-ASCII unescaped, like serde_json (wire-protocol.md §6.1 item 4)."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def wire_model(model: str, aip_version: str) -> str:
    """The model string on the wire: genai >= 0.4.0-alpha.1 (aip 0.7.15) strips `ns::`."""
    if at_least(aip_version, MODEL_NAMESPACES) and "::" in model:
        return model.split("::", 1)[1]
    return model


def adapt_messages(messages: list[dict[str, str]], aip_version: str) -> list[dict[str, str]]:
    """Era quirks of the message list (wire-protocol.md §1.2, §6.1 items 19-20)."""
    if not at_least(aip_version, LUA_DEVAI):
        # devai 0.0.9-0.1.0: the rendered instruction alone, sent as one system message
        # (ChatRequest::from_system, A:src/ai/runner.rs@5b0f7d5a).
        user_texts = [m["content"] for m in messages if m["role"] == "user"]
        return [{"role": "system", "content": "".join(user_texts)}] if user_texts else []
    if not at_least(aip_version, "0.5.1"):
        # genai 0.1.9-0.1.12 (devai 0.5.0): system messages merged, joined by "\n", put first
        # (g:src/adapter/adapters/openai/adapter_impl.rs@70f5714).
        systems = [m["content"] for m in messages if m["role"] == "system"]
        others = [m for m in messages if m["role"] != "system"]
        return ([{"role": "system", "content": "\n".join(systems)}] if systems else []) + others
    return messages


def _float(value: float | int) -> float:
    # TOML integers become f64 in aip (`temperature = 1` is sent as 1.0), item 14.
    return float(value)


def build_request(
    messages: list[dict[str, str]],
    model: str,
    temperature: float | None,
    top_p: float | None,
    mode: WireMode,
    aip_version: str,
    extras: Extras = Extras(),
) -> WireRequest:
    if mode == "aip-compat":
        return _aip_request(messages, model, temperature, top_p, aip_version)
    sampling = {k: _float(v) for k, v in (("temperature", temperature), ("top_p", top_p)) if v is not None}
    name = wire_model(model, "99.0.0")
    if mode == "openai":
        body: dict[str, Any] = {"model": name, "messages": messages, "stream": extras.stream, **sampling}
        if extras.seed is not None:
            body["seed"] = extras.seed
        if extras.num_predict is not None:
            body["max_tokens"] = extras.num_predict
        if extras.stream:
            body["stream_options"] = {"include_usage": True}
        return _finish(OPENAI_PATH, body, {"content-type": "application/json"}, extras.stream, openai=True)
    options: dict[str, Any] = dict(sampling)
    if extras.num_predict is not None:
        options["num_predict"] = extras.num_predict
    if extras.seed is not None:
        options["seed"] = extras.seed
    body = {"model": name, "stream": extras.stream}
    if options:
        body["options"] = options
    body["messages"] = messages
    return _finish(NATIVE_PATH, body, {"content-type": "application/json"}, extras.stream, openai=False)


def _aip_request(messages: list[dict[str, str]], model: str, temperature: float | None,
                 top_p: float | None, aip_version: str) -> WireRequest:
    name = wire_model(model, aip_version)
    messages = adapt_messages(messages, aip_version)
    # top_p exists from aip 0.7.11 (a:6e341b7c); temperature/top_p are always f64 (item 14).
    sampling: dict[str, float] = {}
    if temperature is not None:
        sampling["temperature"] = _float(temperature)
    if top_p is not None and at_least(aip_version, "0.7.11"):
        sampling["top_p"] = _float(top_p)
    # The exact head reqwest writes, in its order (captured from aip 0.8.37 and 0.8.16 on a loopback
    # server): [authorization,] content-type, accept, [accept-encoding,] then host and content-length,
    # which the client adds per endpoint. No user-agent, no connection header (§6.1 items 5-8).
    headers = {"content-type": "application/json", "accept": "*/*"}
    if at_least(aip_version, "0.8.21"):
        headers["accept-encoding"] = "gzip"  # genai 0.6.0-beta.11 turned gzip on (g:bb9812e)
    # Before aip 0.8.31 serde_json emitted alphabetical keys; from 0.8.31 genai enables
    # preserve_order and writes model, stream, options, messages (g:150ccb6; §6.1 item 22).
    alphabetical = not at_least(aip_version, "0.8.31")
    if not at_least(aip_version, NATIVE_WIRE):
        # genai <= 0.6.0-alpha.x: OpenAI-compatible layer with the default "ollama" key (§1.2).
        headers = {"authorization": "Bearer ollama", **headers}
        body: dict[str, Any] = {"model": name, "messages": messages, "stream": False, **sampling}
        if alphabetical:
            body = _sorted_deep(body)
        return _finish(OPENAI_PATH, body, headers, False, openai=True, compat=aip_version)
    body = {"model": name, "stream": False}
    if sampling:
        body["options"] = sampling
    body["messages"] = messages
    if alphabetical:
        body = _sorted_deep(body)
    return _finish(NATIVE_PATH, body, headers, False, openai=False, compat=aip_version)


def _sorted_deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted_deep(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_deep(item) for item in value]
    return value


def _finish(path: str, body: dict[str, Any], headers: dict[str, str], stream: bool, *,
            openai: bool, compat: str | None = None) -> WireRequest:
    return WireRequest(path, body, headers, stream, openai, compat, dumps(body))


# ---------------------------------------------------------------------------------------------
# responses


class MalformedResponse(ValueError):
    """A body that is not the JSON shape the endpoint promises."""


def parse_native(data: dict[str, Any]) -> Reply:
    """Native `/api/chat` final object: content is neither trimmed nor split (§6.1 item 25)."""
    if not isinstance(data, dict) or not isinstance(data.get("message"), dict):
        raise MalformedResponse("response has no `message` object")
    message = data["message"]
    return Reply(
        content=message.get("content"),
        reasoning=message.get("thinking") or message.get("reasoning_content"),
        model=data.get("model"),
        done_reason=data.get("done_reason"),
        prompt_eval_count=data.get("prompt_eval_count"),
        eval_count=data.get("eval_count"),
        eval_duration_ns=data.get("eval_duration"),
        total_duration_ns=data.get("total_duration"),
    )


class NativeStream:
    """Accumulates `/api/chat` NDJSON chunks into one Reply (Ollama's `writeChatResponse`)."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.thinking: list[str] = []
        self.final: dict[str, Any] | None = None

    def feed_line(self, line: bytes) -> bool:
        """Feed one NDJSON line; True when it carried content. Raises MalformedResponse / ModelError text."""
        if not line.strip():
            return False
        try:
            chunk = json.loads(line)
        except ValueError as exc:
            raise MalformedResponse(f"malformed NDJSON line: {line[:80]!r}") from exc
        if not isinstance(chunk, dict):
            raise MalformedResponse(f"NDJSON line is not an object: {line[:80]!r}")
        if "error" in chunk:
            raise _StreamedError(str(chunk["error"]))
        message = chunk.get("message") or {}
        piece = message.get("content") or ""
        if message.get("thinking"):
            self.thinking.append(message["thinking"])
        if piece:
            self.pieces.append(piece)
        if chunk.get("done"):
            self.final = chunk
        return bool(piece)

    def reply(self) -> Reply:
        if self.final is None:
            raise MalformedResponse("stream ended without a final `done: true` line")
        final = dict(self.final)
        final["message"] = {"content": "".join(self.pieces), "thinking": "".join(self.thinking) or None}
        return parse_native(final)


class _StreamedError(Exception):
    """An `{"error": ...}` line inside a 200 stream (o:server/routes.go streamResponse)."""


def parse_openai(data: dict[str, Any], compat_version: str | None) -> Reply:
    """`/v1/chat/completions`: genai trims content (>= 0.4.0-alpha.4, aip 0.7.15) and splits a
    leading `<think>` block when no reasoning field is present (aip >= 0.5.10)."""
    try:
        choice = data["choices"][0]
        message = choice["message"]
    except (KeyError, IndexError, TypeError) as exc:
        raise MalformedResponse("response has no `choices[0].message`") from exc
    content = message.get("content")
    reasoning = message.get("reasoning") or message.get("reasoning_content")
    if compat_version is not None and isinstance(content, str):
        if reasoning is None and at_least(compat_version, "0.5.10"):
            think = _THINK_BLOCK.match(content)
            if think:
                reasoning, content = think.group(1), content[think.end():]
        if at_least(compat_version, "0.7.15"):
            content = content.strip()
    usage = data.get("usage") or {}
    return Reply(content=content, reasoning=reasoning, model=data.get("model"),
                 done_reason=choice.get("finish_reason"), prompt_eval_count=usage.get("prompt_tokens"),
                 eval_count=usage.get("completion_tokens"))


class OpenAIStream:
    """Accumulates `/v1` SSE events (`data: {...}` ... `data: [DONE]`)."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.usage: dict[str, Any] = {}
        self.finish_reason: str | None = None
        self.model: str | None = None
        self.done = False

    def feed_line(self, line: bytes) -> bool:
        line = line.strip()
        if not line.startswith(b"data:"):
            return False
        payload = line[5:].strip()
        if payload == b"[DONE]":
            self.done = True
            return False
        try:
            chunk = json.loads(payload)
        except ValueError as exc:
            raise MalformedResponse(f"malformed SSE event: {payload[:80]!r}") from exc
        if "error" in chunk:
            raise _StreamedError(str(chunk["error"]))
        self.model = chunk.get("model", self.model)
        self.usage = chunk.get("usage") or self.usage
        piece = ""
        for choice in chunk.get("choices") or []:
            piece += (choice.get("delta") or {}).get("content") or ""
            self.finish_reason = choice.get("finish_reason") or self.finish_reason
        if piece:
            self.pieces.append(piece)
        return bool(piece)

    def reply(self) -> Reply:
        if not self.done:
            raise MalformedResponse("event stream ended without `data: [DONE]`")
        return Reply(content="".join(self.pieces), model=self.model, done_reason=self.finish_reason,
                     prompt_eval_count=self.usage.get("prompt_tokens"),
                     eval_count=self.usage.get("completion_tokens"))


def error_text(body: bytes) -> str:
    """The message of an Ollama (`{"error": "..."}`) or OpenAI (`{"error": {"message"}}`) error body."""
    try:
        data = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace").strip()[:300] or "(empty body)"
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", error))
    return str(error) if error is not None else body.decode("utf-8", "replace")[:300]
