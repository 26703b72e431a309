from __future__ import annotations

import json
import socket

import httpx
import pytest

from aipack_compat.errors import EnvironmentFailure
from aipack_compat.replay.recorder import RecordingProxy, redact_header, redact_query

from replay_helpers import FakeOllama


def test_reverse_mode_forwards_and_records_the_pair(fake_ollama: str) -> None:
    with RecordingProxy(fake_ollama) as proxy, proxy.recording("case-1") as exchanges:
        answer = httpx.post(proxy.url + "/api/chat", content=b'{"model":"m","stream":false,"messages":[{"role":"user","content":"hi"}]}',
                            headers={"content-type": "application/json"})
    assert answer.status_code == 200
    assert answer.json()["message"]["content"] == "Echo: hi"
    assert answer.headers["content-type"].startswith("application/json")
    (exchange,) = exchanges
    assert (exchange.method, exchange.path, exchange.proxy_form, exchange.status) == ("POST", "/api/chat", "reverse", 200)
    assert json.loads(exchange.request_body)["messages"][0]["content"] == "hi"
    assert json.loads(exchange.response_body)["message"]["content"] == "Echo: hi"
    assert exchange.duration_ms > 0


def test_forward_mode_takes_absolute_targets_for_aips_hardcoded_ollama(fake_ollama: str) -> None:
    with RecordingProxy(fake_ollama) as proxy, proxy.recording("c") as exchanges:
        with httpx.Client(proxy=proxy.url) as client:
            answer = client.post("http://localhost:11434/api/chat", json={"model": "m", "messages": [{"role": "user", "content": "x"}]})
    assert answer.status_code == 200
    assert exchanges[0].proxy_form == "forward"
    assert ("host", "localhost:11434") in exchanges[0].request_headers


def test_forward_mode_refuses_other_hosts_so_it_is_not_an_open_proxy(fake_ollama: str) -> None:
    with RecordingProxy(fake_ollama) as proxy, proxy.recording("c") as exchanges:
        with httpx.Client(proxy=proxy.url) as client:
            answer = client.get("http://example.invalid/")
    assert answer.status_code == 502
    assert "forwards only Ollama traffic" in (exchanges[0].error or "")


def test_secrets_are_redacted_in_the_recording_but_forwarded_upstream(fake_ollama: str) -> None:
    with RecordingProxy(fake_ollama) as proxy, proxy.recording("c") as exchanges:
        httpx.post(proxy.url + "/api/chat?api_key=s3cret&x=1", json={"model": "m", "messages": [{"role": "user", "content": "x"}]},
                   headers={"authorization": "Bearer sk-live-123", "x-api-key": "k"})
    recorded = dict(exchanges[0].request_headers)
    assert recorded["authorization"] == "Bearer <redacted>"
    assert recorded["x-api-key"] == "<redacted>"
    assert "s3cret" not in exchanges[0].query and "x=1" in exchanges[0].query
    assert "sk-live" not in json.dumps([e.model_dump() for e in exchanges])


def test_redaction_helpers() -> None:
    assert redact_header("Authorization", "Bearer sk-live-1") == "Bearer <redacted>"
    assert redact_header("Authorization", "Bearer ollama") == "Bearer ollama"  # genai's public /v1-era placeholder
    assert redact_header("x-api-key", "ollama") == "<redacted>"
    assert redact_header("content-type", "application/json") == "application/json"
    assert redact_query("token=a&b=2") == "token=<redacted>&b=2"


def test_streamed_ndjson_passes_through_chunk_by_chunk(fake_ollama: str) -> None:
    with RecordingProxy(fake_ollama) as proxy, proxy.recording("c") as exchanges:
        with httpx.stream("POST", proxy.url + "/api/chat", json={"model": "m", "stream": True,
                                                                 "messages": [{"role": "user", "content": "streamed"}]}) as answer:
            lines = [json.loads(line) for line in answer.iter_lines() if line]
    assert "".join(line["message"]["content"] for line in lines) == "Echo: streamed"
    assert lines[-1]["done"] is True
    assert exchanges[0].response_body.count("\n") == 3


def test_gzip_answers_are_forwarded_compressed_and_recorded_decompressed(fake_ollama: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FakeOllama, "gzip_answers", True)
    with RecordingProxy(fake_ollama) as proxy, proxy.recording("c") as exchanges:
        answer = httpx.post(proxy.url + "/api/chat", json={"model": "m", "messages": [{"role": "user", "content": "z"}]},
                            headers={"accept-encoding": "gzip"})
    assert answer.json()["message"]["content"] == "Echo: z"  # httpx decodes the gzip the proxy passed through
    assert json.loads(exchanges[0].response_body)["message"]["content"] == "Echo: z"


def test_upstream_down_gives_502_and_a_recorded_reason() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    with RecordingProxy(f"http://127.0.0.1:{dead_port}") as proxy, proxy.recording("c") as exchanges:
        answer = httpx.post(proxy.url + "/api/chat", json={})
    assert answer.status_code == 502
    assert "unreachable" in (exchanges[0].error or "")


def test_port_in_use_is_a_clear_environment_failure(fake_ollama: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(EnvironmentFailure, match="cannot listen on 127.0.0.1"):
            RecordingProxy(fake_ollama, port=taken.getsockname()[1]).start()


def test_only_loopback_listening_is_allowed(fake_ollama: str) -> None:
    with pytest.raises(EnvironmentFailure, match="non-loopback"):
        RecordingProxy(fake_ollama, host="0.0.0.0")


def test_exchanges_outside_a_recording_are_kept_apart(fake_ollama: str) -> None:
    with RecordingProxy(fake_ollama) as proxy:
        httpx.post(proxy.url + "/api/chat", json={"model": "m", "messages": [{"role": "user", "content": "x"}]})
        with proxy.recording("c") as exchanges:
            pass
    assert exchanges == [] and len(proxy.unlabelled) == 1


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


def _free_port_on_both_stacks() -> int:
    for _ in range(20):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        try:
            with socket.socket(socket.AF_INET6) as probe6:
                probe6.bind(("::1", port))
            return port
        except OSError:
            continue
    pytest.skip("no port free on both 127.0.0.1 and ::1")


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_port_swap_listens_on_both_loopbacks_and_records_both(fake_ollama: str) -> None:
    port = _free_port_on_both_stacks()
    body = b'{"model":"m","stream":false,"messages":[{"role":"user","content":"hi"}]}'
    with RecordingProxy(fake_ollama, port=port, also_on=("::1",)) as proxy, proxy.recording("c") as exchanges:
        assert proxy.listening_on == [f"127.0.0.1:{port}", f"[::1]:{port}"]
        for base in (f"http://127.0.0.1:{port}", f"http://[::1]:{port}"):
            assert httpx.post(base + "/api/chat", content=body).json()["message"]["content"] == "Echo: hi"
    assert [e.proxy_form for e in exchanges] == ["reverse", "reverse"]


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_port_swap_refuses_when_the_other_loopback_is_taken(fake_ollama: str) -> None:
    # Something else on [::1]:PORT would get aip's requests whenever `localhost` resolves to ::1 first.
    port = _free_port_on_both_stacks()
    with socket.socket(socket.AF_INET6) as taken:
        taken.bind(("::1", port))
        taken.listen()
        with pytest.raises(EnvironmentFailure, match=rf"127.0.0.1:{port} and \[::1\]:{port}.*port in use"):
            RecordingProxy(fake_ollama, port=port, also_on=("::1",)).start()
    with socket.socket() as probe:  # the IPv4 listener was released again
        probe.bind(("127.0.0.1", port))


def test_extra_addresses_need_loopback_and_a_fixed_port(fake_ollama: str) -> None:
    with pytest.raises(EnvironmentFailure, match="non-loopback"):
        RecordingProxy(fake_ollama, port=11434, also_on=("10.0.0.1",))
    with pytest.raises(ValueError, match="fixed port"):
        RecordingProxy(fake_ollama, also_on=("::1",))
