"""The wire-fidelity check: exact body bytes and header sets per aip era, with named allowances."""

from __future__ import annotations

import json

import pytest

from aipack_compat.execute.wire import build_request
from aipack_compat.model.report import CaseRecording, Exchange, PathRun
from aipack_compat.replay.compare import judge
from aipack_compat.replay.wire_fidelity import HEADER_ALLOWANCES, body_byte_difference, compare_wire

MESSAGES = [{"role": "system", "content": "\nBe brief.\n"}, {"role": "user", "content": "\nSay hi to Ünïcode\n"}]

# What aip sends per era, captured through the recording proxy (wire-protocol.md §4.3, §6.1 items 5-8):
# reqwest's own headers in hyper's order, `host`/`content-length` filled in per request.
AIP_HEADERS = {
    "0.8.16": [("authorization", "Bearer ollama"), ("content-type", "application/json"), ("accept", "*/*")],
    "0.8.37": [("content-type", "application/json"), ("accept", "*/*"), ("accept-encoding", "gzip")],
}


def exchange(version: str, headers: list[tuple[str, str]] | None = None, body: str | None = None, host: str = "localhost:11434") -> Exchange:
    request = build_request(MESSAGES, "smollm2", 0.0, None, "aip-compat", version)
    payload = body if body is not None else request.payload.decode()
    sent = headers if headers is not None else AIP_HEADERS[version]
    return Exchange(method="POST", path=request.path, proxy_form="forward", request_body=payload, status=200,
                    request_headers=[("host", host), *sent, ("content-length", str(len(payload.encode())))],
                    response_body=json.dumps({"message": {"role": "assistant", "content": "hi"}, "done": True}))


def verdict(old: Exchange, new: Exchange) -> str:
    recording = CaseRecording(case_id="c", job="c", old=PathRun(side="old", exchanges=[old]), new=PathRun(side="new", exchanges=[new]))
    return judge(recording).verdict


@pytest.mark.parametrize("version", ["0.8.16", "0.8.37"])
def test_aip_exact_headers_and_bytes_are_equivalent_through_any_host(version: str) -> None:
    old = exchange(version)
    new = exchange(version, [(name, value) for name, value in reversed(AIP_HEADERS[version])], host="127.0.0.1:40123")
    result = compare_wire(old, new)
    assert result.passed, result.reason
    assert verdict(old, new) == "equivalent"


@pytest.mark.parametrize(
    ("version", "new_headers", "field"),
    [
        # the /v1 era's Bearer header missing: the executor is not mimicking 0.8.16
        ("0.8.16", [("content-type", "application/json"), ("accept", "*/*")], "(header).authorization"),
        # gzip turned on before genai 0.6.0-beta.11 (aip 0.8.21)
        ("0.8.16", AIP_HEADERS["0.8.16"] + [("accept-encoding", "gzip")], "(header).accept-encoding"),
        # a Bearer header in the native era
        ("0.8.37", AIP_HEADERS["0.8.37"] + [("authorization", "Bearer ollama")], "(header).authorization"),
        # any user-agent: reqwest sends none (§6.1 item 8)
        ("0.8.37", AIP_HEADERS["0.8.37"] + [("user-agent", "python-httpx/0.28.1")], "(header).user-agent"),
        # reqwest writes no `connection` header; httpx's default keep-alive would be a leftover
        ("0.8.37", AIP_HEADERS["0.8.37"] + [("connection", "keep-alive")], "(header).connection"),
        ("0.8.37", [("content-type", "application/json; charset=utf-8"), ("accept", "*/*"), ("accept-encoding", "gzip")], "(header).content-type"),
    ],
)
def test_a_real_header_difference_fails_the_case(version: str, new_headers: list[tuple[str, str]], field: str) -> None:
    result = compare_wire(exchange(version), exchange(version, new_headers))
    assert not result.passed
    assert [d.field for d in result.differences] == [field]
    assert verdict(exchange(version), exchange(version, new_headers)) == "request-differs"


def test_allowances_are_named_listed_and_narrow() -> None:
    old = exchange("0.8.37")
    result = compare_wire(old, exchange("0.8.37", host="127.0.0.1:1"))
    assert result.passed
    assert [c.name for c in result.components] == ["allowance:host-names-the-dialled-address"]
    assert all(c.reason for c in result.components)
    names = [a.name for a in HEADER_ALLOWANCES]
    assert len(names) == len(set(names)) and all(a.reason for a in HEADER_ALLOWANCES)
    # a missing host or content-length (e.g. a chunked upload) is not covered
    chunked = exchange("0.8.37")
    chunked = chunked.model_copy(update={"request_headers": [h for h in chunked.request_headers if h[0] != "content-length"]
                                         + [("transfer-encoding", "chunked")]})
    assert {d.field for d in compare_wire(old, chunked).differences} == {"(header).content-length", "(header).transfer-encoding"}


def test_v1_era_key_order_is_alphabetical_and_a_native_order_would_be_caught() -> None:
    # aip 0.8.16 (serde_json without preserve_order) writes keys alphabetically; 0.8.31+ model, stream, options, messages.
    old = exchange("0.8.16")
    assert old.request_body.startswith('{"messages":[{"content":')
    reordered = json.dumps(json.loads(old.request_body) | {}, separators=(",", ":"), ensure_ascii=False)
    native_order = json.dumps({k: json.loads(old.request_body)[k] for k in ("model", "stream", "temperature", "messages")},
                              separators=(",", ":"), ensure_ascii=False)
    assert body_byte_difference(old.request_body, reordered) is None
    difference = body_byte_difference(old.request_body, native_order)
    assert difference is not None and difference.field == "(body bytes: key order)"
    assert difference.old is not None and difference.old.startswith("messages, model, stream, temperature")
    assert verdict(old, exchange("0.8.16", body=native_order)) == "request-differs"


def test_encoding_differences_are_located() -> None:
    body = exchange("0.8.37").request_body
    escaped = json.dumps(json.loads(body), separators=(",", ":"))  # \\u00dc instead of raw UTF-8
    difference = body_byte_difference(body, escaped)
    assert difference is not None and difference.field.startswith("(body bytes: encoding at offset ")
    offset = int(difference.field.rsplit(" ", 1)[1].rstrip(")"))
    assert body[:offset] == escaped[:offset] and body[offset] != escaped[offset]


def test_json_differences_still_show_the_headers() -> None:
    old, new = exchange("0.8.16"), exchange("0.8.37")
    recording = CaseRecording(case_id="c", job="c", old=PathRun(side="old", exchanges=[old]), new=PathRun(side="new", exchanges=[new]))
    requests = judge(recording).comparison.components[0]  # type: ignore[union-attr]
    fields = {d.field for part in requests.components for d in part.differences}
    wire_fields = {d.field for part in requests.components for c in part.components for d in c.differences}
    assert "(path)" in fields
    assert {"(header).authorization", "(header).accept-encoding"} <= wire_fields


def test_reports_show_a_flagged_header_in_the_side_by_side_views() -> None:
    from aipack_compat.model.report import ReplayReport, ReplaySettings, ReplaySummary
    from aipack_compat.report.replay_html import render_html
    from aipack_compat.report.replay_markdown import render_markdown

    old = exchange("0.8.37")
    new = exchange("0.8.37", AIP_HEADERS["0.8.37"] + [("user-agent", "python-httpx/0.28.1")], host="127.0.0.1:9")
    recording = CaseRecording(case_id="c", job="c", old=PathRun(side="old", exchanges=[old]), new=PathRun(side="new", exchanges=[new]))
    result = judge(recording)
    report = ReplayReport(tool_version="t", created_at="now", settings=ReplaySettings(source="s", ollama_url="u"),
                          summary=ReplaySummary.of([result]), cases=[result])
    markdown, page = render_markdown(report), render_html(report)
    assert "+user-agent: python-httpx/0.28.1" in markdown and "(header).user-agent" in markdown
    assert "user-agent:&nbsp;python-httpx/0.28.1" in page  # difflib.HtmlDiff writes spaces as &nbsp;
    assert "host: " not in markdown.split("```diff", 1)[1]
