"""Compare the old and new runs of one case and give a verdict with nested reasons.

Requests are equivalent when method, path and the JSON body are equal after parsing (wire-protocol.md
§6.2: key order, whitespace, `\\uXXXX` vs raw UTF-8 and `0` vs `0.0` do not change what Ollama sees)
*and* the new path put the same thing on the wire as the aip under test: the same body bytes and the
same headers (wire_fidelity.py; the new path runs in `wire: aip-compat` mode, whose promise that is).
Differences that are real but unavoidable (`host`, framing) are named allowances with a reason.
Requests are matched as a multiset, not by arrival order, because `input_concurrency` > 1 lets them
overlap (§6.1 item 27).

Comparators are pluggable: each is a callable `(old, new, settings) -> Comparison` with a `kind`
(`request`, `output` or `files`) that decides which verdict a failure leads to.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aipack_compat.model.report import (
    CaseRecording,
    CaseResult,
    Comparison,
    Exchange,
    ExchangePair,
    FieldDifference,
    FileSnapshot,
    PathRun,
    Verdict,
)
from aipack_compat.replay.wire_fidelity import compare_wire

# Paths under these prefixes are aip's own bookkeeping (init_wks writes .aipack/config.toml and a
# session dir on every run, A:src/exec/init/init_wks.rs@952ad06e), not what the agent wrote.
IGNORED_FILE_PREFIXES = (".aipack/", ".aipack-replay/")
MAX_LISTED_DIFFERENCES = 50


@dataclass(frozen=True, slots=True)
class CompareSettings:
    similarity_threshold: float = 0.9
    """Outputs at least this similar (difflib ratio) count as equivalent."""


ComparatorKind = Literal["request", "output", "files"]


@dataclass(frozen=True, slots=True)
class Comparator:
    name: str
    kind: ComparatorKind
    run: Callable[[PathRun, PathRun, CompareSettings], Comparison]


# -- JSON normalisation and field diffs --------------------------------------------------------


def parse_body(text: str) -> object:
    """The JSON value of a body, or the text itself when it is not JSON."""
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        return text


def _normalise(value: object) -> object:
    # Ollama decodes options into float64, so 0 and 0.0 are the same request (§6.2); bools stay bools.
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    return value


def canonical(value: object) -> str:
    return json.dumps(_normalise(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _shown(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_differences(old: object, new: object, at: str = "") -> list[FieldDifference]:
    """Every differing leaf, as a dotted/indexed path (`messages[1].content`)."""
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[FieldDifference] = []
        for key in list(old) + [k for k in new if k not in old]:
            where = f"{at}.{key}" if at else str(key)
            if key not in new:
                found.append(FieldDifference(field=where, old=_shown(old[key]), new=None))
            elif key not in old:
                found.append(FieldDifference(field=where, old=None, new=_shown(new[key])))
            else:
                found.extend(json_differences(old[key], new[key], where))
        return found
    if isinstance(old, list) and isinstance(new, list):
        found = []
        for index in range(max(len(old), len(new))):
            where = f"{at}[{index}]"
            if index >= len(new):
                found.append(FieldDifference(field=where, old=_shown(old[index]), new=None))
            elif index >= len(old):
                found.append(FieldDifference(field=where, old=None, new=_shown(new[index])))
            else:
                found.extend(json_differences(old[index], new[index], where))
        return found
    if canonical(old) == canonical(new):  # not `==`: Python has True == 1, JSON has true != 1
        return []
    return [FieldDifference(field=at or "(body)", old=_shown(old), new=_shown(new))]


# -- pairing requests ----------------------------------------------------------------------------


def request_key(exchange: Exchange) -> str:
    return f"{exchange.method} {exchange.path} {canonical(parse_body(exchange.request_body))}"


def pair_exchanges(old: Sequence[Exchange], new: Sequence[Exchange]) -> list[tuple[Exchange | None, Exchange | None]]:
    """Equal requests pair first (multiset); the rest pair in order; leftovers pair with None."""
    remaining_new = list(new)
    pairs: list[tuple[Exchange | None, Exchange | None]] = []
    unmatched_old: list[Exchange] = []
    for exchange in old:
        key = request_key(exchange)
        match = next((i for i, other in enumerate(remaining_new) if request_key(other) == key), None)
        if match is None:
            unmatched_old.append(exchange)
        else:
            pairs.append((exchange, remaining_new.pop(match)))
    for index in range(max(len(unmatched_old), len(remaining_new))):
        pairs.append(
            (
                unmatched_old[index] if index < len(unmatched_old) else None,
                remaining_new[index] if index < len(remaining_new) else None,
            )
        )
    return pairs


def compare_one_request(index: int, old: Exchange | None, new: Exchange | None) -> Comparison:
    name = f"request[{index}]"
    if old is None or new is None:
        present = old or new
        assert present is not None
        side = "old" if new is None else "new"
        return Comparison(
            name=name,
            passed=False,
            reason=f"{present.method} {present.path} sent only by the {side} path",
            differences=[FieldDifference(field="(request)", old=request_key(old) if old else None, new=request_key(new) if new else None)],
        )
    differences: list[FieldDifference] = []
    if old.method != new.method:
        differences.append(FieldDifference(field="(method)", old=old.method, new=new.method))
    if old.path != new.path:
        differences.append(FieldDifference(field="(path)", old=old.path, new=new.path))
    differences += json_differences(parse_body(old.request_body), parse_body(new.request_body))
    wire = compare_wire(old, new, bodies_json_equal=not differences)
    if differences:
        fields = ", ".join(d.field for d in differences[:8]) + (" …" if len(differences) > 8 else "")
        return Comparison(
            name=name, passed=False, reason=f"differs in {fields}", differences=differences[:MAX_LISTED_DIFFERENCES], components=[wire]
        )
    if not wire.passed:
        return Comparison(name=name, passed=False, reason=f"{old.method} {old.path}: {wire.reason}", components=[wire])
    return Comparison(name=name, passed=True, reason=f"{old.method} {old.path}: JSON-equal, {wire.reason}", components=[wire])


def compare_requests(old: PathRun, new: PathRun, settings: CompareSettings) -> Comparison:
    parts = [compare_one_request(i, a, b) for i, (a, b) in enumerate(pair_exchanges(old.exchanges, new.exchanges))]
    failed = [part for part in parts if not part.passed]
    if failed:
        reason = f"{len(failed)} of {len(parts)} request(s) differ: " + "; ".join(f"{p.name} {p.reason}" for p in failed[:3])
    else:
        reason = f"all {len(parts)} request(s) JSON-equal and wire-identical (old {len(old.exchanges)}, new {len(new.exchanges)})"
    return Comparison(name="requests", passed=not failed, reason=reason, components=parts)


# -- outputs -------------------------------------------------------------------------------------


def response_content(exchange: Exchange) -> str:
    """What the model said: native `message.content`, or `/v1` `choices[0].message.content`."""
    body = parse_body(exchange.response_body)
    if isinstance(body, dict):
        message = body.get("message")
        if isinstance(message, dict) and isinstance(message.get("content"), str):
            return message["content"]
        choices = body.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            content = (choices[0].get("message") or {}).get("content")
            if isinstance(content, str):
                return content
    return exchange.response_body


def compare_texts(name: str, old: str, new: str, settings: CompareSettings) -> Comparison:
    """Exact, then whitespace-normalised, then a similarity score against the threshold."""
    if old == new:
        return Comparison(name=name, passed=True, reason="identical", score=1.0)
    if " ".join(old.split()) == " ".join(new.split()):
        return Comparison(name=name, passed=True, reason="equal after whitespace normalisation", score=1.0)
    score = round(difflib.SequenceMatcher(None, old, new, autojunk=False).ratio(), 4)
    passed = score >= settings.similarity_threshold
    verdict = "at or above" if passed else "below"
    return Comparison(
        name=name,
        passed=passed,
        reason=f"similarity {score:.3f} {verdict} threshold {settings.similarity_threshold}",
        score=score,
        differences=[FieldDifference(field="(text)", old=_shown(old), new=_shown(new))],
    )


def compare_outputs(old: PathRun, new: PathRun, settings: CompareSettings) -> Comparison:
    parts = []
    for index, (a, b) in enumerate(pair_exchanges(old.exchanges, new.exchanges)):
        if a is None or b is None:
            continue  # already a request difference
        parts.append(compare_texts(f"output[{index}]", response_content(a), response_content(b), settings))
    failed = [part for part in parts if not part.passed]
    reason = (
        f"{len(failed)} of {len(parts)} response(s) differ: " + "; ".join(p.reason for p in failed[:3])
        if failed
        else f"all {len(parts)} response(s) equivalent"
    )
    scores = [p.score for p in parts if p.score is not None]
    return Comparison(name="outputs", passed=not failed, reason=reason, score=min(scores) if scores else None, components=parts)


def compare_files(old: PathRun, new: PathRun, settings: CompareSettings) -> Comparison:
    def written(run: PathRun) -> dict[str, FileSnapshot]:
        return {f.path: f for f in run.files_written if not f.path.startswith(IGNORED_FILE_PREFIXES)}

    old_files, new_files = written(old), written(new)
    parts = []
    for path in sorted(set(old_files) | set(new_files)):
        a, b = old_files.get(path), new_files.get(path)
        if a is None or b is None:
            side = "old" if b is None else "new"
            parts.append(Comparison(name=path, passed=False, reason=f"written only by the {side} path"))
        elif a.sha256 == b.sha256:
            parts.append(Comparison(name=path, passed=True, reason="identical", score=1.0))
        elif a.text is not None and b.text is not None:
            parts.append(compare_texts(path, a.text, b.text, settings))
        else:
            parts.append(Comparison(name=path, passed=False, reason="binary content differs"))
    failed = [part for part in parts if not part.passed]
    reason = f"{len(failed)} of {len(parts)} file(s) differ" if failed else f"{len(parts)} file(s) written, all equivalent"
    return Comparison(name="files", passed=not failed, reason=reason, components=parts)


DEFAULT_COMPARATORS: tuple[Comparator, ...] = (
    Comparator("requests", "request", compare_requests),
    Comparator("outputs", "output", compare_outputs),
    Comparator("files", "files", compare_files),
)


# -- verdict -------------------------------------------------------------------------------------


def run_problem(run: PathRun) -> str | None:
    """Why a run cannot be judged: its own failure, or a broken exchange (aip exits 0 on agent errors, spec §4.5)."""
    if run.failure is not None:
        return f"{run.side} path: {run.failure.kind}: {run.failure.message}"
    for exchange in run.exchanges:
        if exchange.error is not None:
            return f"{run.side} path: {exchange.method} {exchange.path}: {exchange.error}"
        if exchange.status is not None and not 200 <= exchange.status < 300:
            return f"{run.side} path: {exchange.method} {exchange.path} answered {exchange.status}: {exchange.response_body[:200]}"
    return None


def judge(
    recording: CaseRecording,
    settings: CompareSettings = CompareSettings(),
    comparators: Sequence[Comparator] = DEFAULT_COMPARATORS,
) -> CaseResult:
    base: dict[str, Any] = dict(case_id=recording.case_id, job=recording.job, cell=recording.cell, old=recording.old,
                                new=recording.new)
    problems = [p for p in (run_problem(recording.old), run_problem(recording.new)) if p]
    if problems:
        pairs = exchange_pairs(recording.old, recording.new)
        return CaseResult(**base, verdict="failed", reason="; ".join(problems), pairs=pairs)
    results = [(c.kind, c.run(recording.old, recording.new, settings)) for c in comparators]
    failed_kinds = {kind for kind, result in results if not result.passed}
    reasons = "; ".join(f"{result.name}: {result.reason}" for _, result in results if not result.passed)
    verdict: Verdict
    if "request" in failed_kinds:
        verdict, reason = "request-differs", reasons
    elif "output" in failed_kinds:
        verdict, reason = "output-differs", "requests equivalent, backend answers differ (nondeterminism): " + reasons
    elif failed_kinds:
        verdict, reason = "output-differs", "requests and answers equivalent, but the files written differ: " + reasons
    else:
        verdict, reason = "equivalent", "; ".join(f"{result.name}: {result.reason}" for _, result in results)
    top = Comparison(name="case", passed=verdict == "equivalent", reason=reason, components=[r for _, r in results])
    return CaseResult(**base, verdict=verdict, reason=reason, comparison=top, pairs=exchange_pairs(recording.old, recording.new))


def exchange_pairs(old: PathRun, new: PathRun) -> list[ExchangePair]:
    """`pair_exchanges` as indexes, for the report's side-by-side views."""
    old_index = {id(exchange): i for i, exchange in enumerate(old.exchanges)}
    new_index = {id(exchange): i for i, exchange in enumerate(new.exchanges)}
    return [
        ExchangePair(old=old_index[id(a)] if a is not None else None, new=new_index[id(b)] if b is not None else None)
        for a, b in pair_exchanges(old.exchanges, new.exchanges)
    ]
