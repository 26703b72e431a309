from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from aipack_compat.model.report import CaseRecording, Exchange, Failure, FileSnapshot, PathRun
from aipack_compat.replay.compare import (
    DEFAULT_COMPARATORS,
    Comparator,
    CompareSettings,
    compare_texts,
    judge,
    json_differences,
    pair_exchanges,
    response_content,
)


def chat(content: str, *, answer: str = "ok", temperature: float | int = 0.0, path: str = "/api/chat",
         headers: list[tuple[str, str]] | None = None, raw: str | None = None, status: int = 200) -> Exchange:
    body = {"model": "smollm2", "stream": False, "options": {"temperature": temperature},
            "messages": [{"role": "user", "content": content}]}
    return Exchange(method="POST", path=path, proxy_form="forward", request_headers=headers or [],
                    request_body=raw if raw is not None else json.dumps(body, separators=(",", ":")), status=status,
                    response_body=json.dumps({"message": {"role": "assistant", "content": answer}, "done": True}))


def run(side: str, *exchanges: Exchange, files: list[FileSnapshot] | None = None, failure: Failure | None = None) -> PathRun:
    return PathRun(side=side, exchanges=list(exchanges), files_written=files or [], failure=failure)  # type: ignore[arg-type]


def case(old: PathRun, new: PathRun) -> CaseRecording:
    return CaseRecording(case_id="c", job="c", old=old, new=new)


def test_json_equal_bodies_pair_but_other_bytes_are_a_wire_difference() -> None:
    # Key order, spacing and 0 vs 0.0 do not change what Ollama sees (§6.2), so the requests pair and
    # no JSON field differs; but aip-compat promises aip's bytes, so the request check names the bytes.
    old = chat("hi", temperature=0.0)
    new = chat("hi", temperature=0, raw='{ "messages":[{"content":"hi","role":"user"}], "options":{"temperature":0}, "stream":false, "model":"smollm2" }')
    result = judge(case(run("old", old), run("new", new)))
    assert result.verdict == "request-differs"
    request = result.comparison.components[0].components[0]  # type: ignore[union-attr]
    assert request.differences == [] and "JSON-equal but not what aip sent on the wire" in request.reason
    assert request.components[0].differences[0].field == "(body bytes: key order)"
    assert result.pairs[0].old == 0 and result.pairs[0].new == 0


def test_each_differing_field_is_listed() -> None:
    old = chat("\nSay hi\n", temperature=0.0)
    new = chat("Say hi", temperature=0.7)
    result = judge(case(run("old", old), run("new", new)))
    assert result.verdict == "request-differs"
    fields = {d.field for d in result.comparison.components[0].components[0].differences}  # type: ignore[union-attr]
    assert fields == {"options.temperature", "messages[0].content"}


def test_endpoint_era_difference_is_a_request_difference() -> None:
    result = judge(case(run("old", chat("x", path="/v1/chat/completions")), run("new", chat("x"))))
    assert result.verdict == "request-differs"
    assert "(path)" in result.reason


def test_requests_pair_as_a_multiset_not_by_arrival_order() -> None:
    old = run("old", chat("a", answer="A"), chat("b", answer="B"))
    new = run("new", chat("b", answer="B"), chat("a", answer="A"))
    result = judge(case(old, new))
    assert result.verdict == "equivalent"
    assert [(p.old, p.new) for p in result.pairs] == [(0, 1), (1, 0)]


def test_missing_request_on_one_side() -> None:
    result = judge(case(run("old", chat("a"), chat("b")), run("new", chat("a"))))
    assert result.verdict == "request-differs"
    assert "sent only by the old path" in result.reason


def test_same_requests_different_answers_is_backend_nondeterminism() -> None:
    result = judge(case(run("old", chat("a", answer="The sky is blue.")), run("new", chat("a", answer="Bananas are yellow and long."))))
    assert result.verdict == "output-differs"
    assert "nondeterminism" in result.reason


def test_header_differences_fail_the_request_check() -> None:
    old = chat("a", headers=[("accept", "*/*"), ("host", "localhost:11434")])
    new = chat("a", headers=[("accept", "*/*"), ("user-agent", "python-httpx"), ("host", "127.0.0.1:1")])
    result = judge(case(run("old", old), run("new", new)))
    assert result.verdict == "request-differs"
    wire = result.comparison.components[0].components[0].components[0]  # type: ignore[union-attr]
    assert [d.field for d in wire.differences] == ["(header).user-agent"]
    assert [c.name for c in wire.components] == ["allowance:host-names-the-dialled-address"]


def test_output_levels_exact_whitespace_similarity() -> None:
    settings = CompareSettings(similarity_threshold=0.8)
    assert compare_texts("o", "a b", "a b", settings).reason == "identical"
    assert compare_texts("o", "a  b\n", "a b", settings).reason == "equal after whitespace normalisation"
    close = compare_texts("o", "The answer is 42.", "The answer is 43.", settings)
    assert close.passed and close.score is not None and 0.8 <= close.score < 1
    far = compare_texts("o", "yes", "completely different text", settings)
    assert not far.passed and "below threshold" in far.reason


def test_files_written_are_compared_and_aip_bookkeeping_ignored() -> None:
    def snap(path: str, text: str) -> FileSnapshot:
        import hashlib

        return FileSnapshot(path=path, sha256=hashlib.sha256(text.encode()).hexdigest(), size=len(text), text=text)

    old = run("old", chat("a"), files=[snap("out/a.md", "same"), snap(".aipack/.session/x", "1")])
    new = run("new", chat("a"), files=[snap("out/a.md", "same")])
    assert judge(case(old, new)).verdict == "equivalent"
    extra = run("new", chat("a"), files=[snap("out/a.md", "same"), snap("out/b.md", "x")])
    result = judge(case(old, extra))
    assert result.verdict == "output-differs" and "files written differ" in result.reason


def test_failures_win_with_the_reason_of_each_side() -> None:
    down = Failure(kind="backend-down", message="Ollama at http://x is unreachable")
    result = judge(case(run("old", failure=Failure(kind="timeout", message="aip did not finish within 5 s")), run("new", failure=down)))
    assert result.verdict == "failed"
    assert "old path: timeout" in result.reason and "new path: backend-down" in result.reason


def test_an_error_status_on_the_wire_is_a_failure_even_when_aip_exits_zero() -> None:
    result = judge(case(run("old", chat("a", status=404)), run("new", chat("a", status=404))))
    assert result.verdict == "failed" and "answered 404" in result.reason


def test_comparators_are_pluggable() -> None:
    def never(old: PathRun, new: PathRun, settings: CompareSettings):  # type: ignore[no-untyped-def]
        from aipack_compat.model.report import Comparison

        return Comparison(name="strict-bytes", passed=False, reason="byte-identical required")

    comparators = [*DEFAULT_COMPARATORS, Comparator("strict-bytes", "request", never)]
    result = judge(case(run("old", chat("a")), run("new", chat("a"))), comparators=comparators)
    assert result.verdict == "request-differs" and "byte-identical required" in result.reason


def test_response_content_for_both_eras() -> None:
    native = chat("a", answer="native")
    assert response_content(native) == "native"
    v1 = native.model_copy(update={"response_body": json.dumps({"choices": [{"message": {"content": "v1"}}]})})
    assert response_content(v1) == "v1"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=10,
)


@given(json_values, json_values)
def test_no_differences_exactly_when_normalised_values_are_equal(a: object, b: object) -> None:
    from aipack_compat.replay.compare import canonical

    assert (json_differences(a, b) == []) == (canonical(a) == canonical(b))


@given(st.lists(st.text(max_size=6), max_size=6), st.randoms())
def test_any_permutation_pairs_every_request_with_its_twin(contents: list[str], rnd) -> None:  # type: ignore[no-untyped-def]
    old = [chat(c) for c in contents]
    new = list(old)
    rnd.shuffle(new)
    for a, b in pair_exchanges(old, new):
        assert a is not None and b is not None and a.request_body == b.request_body
