from __future__ import annotations

import json

import pytest

from aipack_compat.execute.wire import (Extras, MalformedResponse, NativeStream, OpenAIStream, adapt_messages,
                                        build_request, parse_openai, wire_model)

MESSAGES = [{"role": "system", "content": "\nBe terse.\n\n"}, {"role": "user", "content": "\nSay hi to Bob.\n"}]


def test_native_aip_0_8_31_matches_the_worked_example_byte_for_byte() -> None:
    # wire-protocol.md §4.5
    request = build_request(MESSAGES, "ollama::llama3.2:3b", 0, None, "aip-compat", "0.8.37")
    assert request.path == "/api/chat"
    assert request.payload == (
        b'{"model":"llama3.2:3b","stream":false,"options":{"temperature":0.0},"messages":'
        b'[{"role":"system","content":"\\nBe terse.\\n\\n"},{"role":"user","content":"\\nSay hi to Bob.\\n"}]}')
    assert "authorization" not in request.headers and request.headers["accept-encoding"] == "gzip"


def test_openai_era_is_alphabetical_with_bearer_and_top_level_sampling() -> None:
    request = build_request(MESSAGES, "llama3.2:3b", 0.0, None, "aip-compat", "0.8.16")
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer ollama"
    assert request.payload == (
        b'{"messages":[{"content":"\\nBe terse.\\n\\n","role":"system"},{"content":"\\nSay hi to Bob.\\n","role":"user"}],'
        b'"model":"llama3.2:3b","stream":false,"temperature":0.0}')


def test_native_before_0_8_31_is_alphabetical_and_options_only_when_set() -> None:
    body = build_request(MESSAGES, "m", None, None, "aip-compat", "0.8.20").body
    assert list(body) == ["messages", "model", "stream"]
    assert list(body["messages"][0]) == ["content", "role"]


def test_top_p_only_from_0_7_11_and_integers_become_floats() -> None:
    assert build_request(MESSAGES, "m", 1, 1, "aip-compat", "0.7.10").body["temperature"] == 1.0
    assert "top_p" not in build_request(MESSAGES, "m", 1, 1, "aip-compat", "0.7.10").body
    assert json.loads(build_request(MESSAGES, "m", None, 1, "aip-compat", "0.8.37").payload)["options"] == {"top_p": 1.0}


def test_non_ascii_is_not_escaped() -> None:
    payload = build_request([{"role": "user", "content": "héllo ✓"}], "m", None, None, "aip-compat", "0.8.37").payload
    assert "héllo ✓".encode() in payload


def test_namespace_stripped_only_from_0_7_15() -> None:
    assert wire_model("ollama::qwen3:8b", "0.7.15") == "qwen3:8b"
    assert wire_model("ollama::qwen3:8b", "0.7.14") == "ollama::qwen3:8b"
    assert wire_model("a::b::c", "0.8.37") == "b::c"


def test_era_message_quirks() -> None:
    merged = adapt_messages([{"role": "user", "content": "u"}, {"role": "system", "content": "a"},
                             {"role": "system", "content": "b"}], "0.5.0")
    assert merged == [{"role": "system", "content": "a\nb"}, {"role": "user", "content": "u"}]
    assert adapt_messages(MESSAGES, "0.1.0") == [{"role": "system", "content": "\nSay hi to Bob.\n"}]
    assert adapt_messages(MESSAGES, "0.6.0") == MESSAGES


def test_default_modes_add_extras() -> None:
    native = build_request(MESSAGES, "ollama::m", 0.5, None, "ollama", "0.8.37", Extras(stream=True, seed=7, num_predict=9))
    assert native.body["options"] == {"temperature": 0.5, "num_predict": 9, "seed": 7}
    assert native.body["stream"] is True and native.body["model"] == "m"
    openai = build_request(MESSAGES, "m", None, None, "openai", "0.8.37", Extras(seed=1, num_predict=2))
    assert openai.body["seed"] == 1 and openai.body["max_tokens"] == 2 and openai.path == "/v1/chat/completions"


def test_digest_ignores_key_order_but_not_content() -> None:
    a = build_request(MESSAGES, "m", 0.0, None, "aip-compat", "0.8.20")
    b = build_request(MESSAGES, "m", 0.0, None, "aip-compat", "0.8.37")
    c = build_request(MESSAGES[:1], "m", 0.0, None, "aip-compat", "0.8.37")
    assert a.payload != b.payload and a.digest == b.digest and b.digest != c.digest


def test_native_stream_accumulates_and_rejects_bad_lines() -> None:
    stream = NativeStream()
    for line in (b'{"message":{"content":"He"},"done":false}', b'{"message":{"content":"llo"},"done":false}',
                 b'{"message":{"content":""},"done":true,"done_reason":"stop","eval_count":2}'):
        stream.feed_line(line)
    reply = stream.reply()
    assert (reply.content, reply.eval_count, reply.done_reason) == ("Hello", 2, "stop")
    with pytest.raises(MalformedResponse):
        NativeStream().feed_line(b'{"message": {"content": "x"')
    with pytest.raises(MalformedResponse):
        NativeStream().reply()


def test_openai_compat_trims_and_splits_think_like_genai() -> None:
    data = {"choices": [{"message": {"content": "<think>hmm</think>\n Answer \n"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2}}
    reply = parse_openai(data, "0.8.16")
    assert (reply.content, reply.reasoning, reply.eval_count) == ("Answer", "hmm", 2)
    assert parse_openai(data, None).content == "<think>hmm</think>\n Answer \n"


def test_openai_sse_stream() -> None:
    stream = OpenAIStream()
    for line in (b'data: {"choices":[{"delta":{"content":"Hi"}}]}', b"",
                 b'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}', b"data: [DONE]"):
        stream.feed_line(line)
    assert stream.reply().content == "Hi"
