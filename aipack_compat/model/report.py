"""Replay contracts: recorded exchanges, one side's run of a case, nested equivalence results, the report.

A *case* is one legacy `aip run` invocation as migrated: one JobSpec, or one matrix cell of it.
Each case runs twice, on the *old* path (the real `aip`) and the *new* path (our executor), both
through the recording proxy. The report stores one `CaseResult` per case with both runs' raw facts
and a nested `Comparison` tree (promptfoo's `componentResults` shape: a reason at every level).
Counts in `ReplaySummary` are derived from the cases and checked on load, never trusted blindly.
"""

from __future__ import annotations

from collections import Counter
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

REPORT_SCHEMA_VERSION: Final = 1
CASSETTE_SCHEMA_VERSION: Final = 1

Verdict = Literal["equivalent", "request-differs", "output-differs", "failed"]
"""`output-differs` = the requests are equivalent and only the backend's answers differ (nondeterminism)."""
VERDICTS: tuple[Verdict, ...] = ("equivalent", "request-differs", "output-differs", "failed")

Side = Literal["old", "new"]
WireEra = Literal["openai-v1", "ollama-native", "unknown"]
"""`openai-v1` = POST /v1/chat/completions (aip <= 0.8.16 as released); `ollama-native` = POST /api/chat."""


class _Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Exchange(_Contract):
    """One request/response pair seen by the recording proxy (secrets redacted)."""

    method: str
    path: str
    """Origin-form path as sent (`/api/chat`), whatever the request-target form was."""
    query: str = ""
    proxy_form: Literal["forward", "reverse"]
    """`forward` = absolute-form target (HTTP_PROXY); `reverse` = origin-form (port swap, direct)."""
    request_headers: list[tuple[str, str]] = Field(default_factory=list)
    """Header names lower-cased, in the order sent; Authorization and API keys redacted."""
    request_body: str = ""
    """The body as UTF-8 text (invalid bytes replaced)."""
    status: int | None = None
    """Upstream status, None when no response arrived (see `error`)."""
    response_headers: list[tuple[str, str]] = Field(default_factory=list)
    response_body: str = ""
    """The body as received (decompressed when the upstream gzip-encoded it)."""
    started_seconds: float = 0.0
    """Monotonic offset from the start of the recording of this case."""
    duration_ms: float = 0.0
    error: str | None = None
    """Why the exchange failed at the proxy (upstream down, connection reset)."""


class FileSnapshot(_Contract):
    """A file the run created or changed in its isolated workspace copy."""

    path: str
    """Relative to the workspace copy, with `/`."""
    sha256: str
    size: int
    text: str | None = None
    """Content when it is UTF-8 text of at most 64 KiB (for diffs), else None."""


class Failure(_Contract):
    """Why one side of a case did not produce a usable run (stored as data, never raised)."""

    kind: Literal["binary-missing", "wrong-version", "timeout", "exit-status", "backend-down", "proxy", "executor", "setup"]
    message: str


class PathRun(_Contract):
    """What one side did for one case: process facts, files written, recorded exchanges."""

    side: Side
    command: list[str] = Field(default_factory=list)
    """argv of the `aip` child (old path) or a description of the executor call (new path)."""
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    files_written: list[FileSnapshot] = Field(default_factory=list)
    exchanges: list[Exchange] = Field(default_factory=list)
    duration_seconds: float = 0.0
    failure: Failure | None = None


class FieldDifference(_Contract):
    """One differing JSON field (`messages[1].content`) or header, with both values as compact JSON."""

    field: str
    old: str | None
    """None when the field is absent on the old side."""
    new: str | None


class Comparison(_Contract):
    """A nested equivalence result: a check, its outcome, a reason, and the checks it is made of."""

    name: str
    passed: bool
    reason: str
    score: float | None = None
    """Similarity in [0, 1] where the comparator computes one."""
    differences: list[FieldDifference] = Field(default_factory=list)
    components: list["Comparison"] = Field(default_factory=list)


class AipInfo(_Contract):
    """The old-path binary as detected."""

    path: str | None = None
    version: str | None = None
    """From `aip --version`, e.g. `0.8.37`."""
    declared_era: WireEra = "unknown"
    """The era the version implies (README-built binaries; source builds of 0.8.15/16 are native)."""
    observed_era: WireEra = "unknown"
    """The era seen on the wire (first recorded chat request), which is what really counts."""


class ExchangePair(_Contract):
    """Which old and new exchanges the comparison matched (indexes into each side's `exchanges`)."""

    old: int | None
    new: int | None


class CaseResult(_Contract):
    """One case: both runs and the verdict with its reasons."""

    case_id: str
    """`<job>` or `<job>[<cell>]`; what `--only` matches."""
    job: str
    cell: str | None = None
    verdict: Verdict
    reason: str
    old: PathRun
    new: PathRun
    comparison: Comparison | None = None
    """None when the case failed before anything could be compared."""
    pairs: list[ExchangePair] = Field(default_factory=list)
    """Request pairing used by the comparison (equal requests first, then arrival order)."""


class ReplaySummary(_Contract):
    total: int
    equivalent: int
    request_differs: int
    output_differs: int
    failed: int

    @classmethod
    def of(cls, cases: list[CaseResult]) -> "ReplaySummary":
        counts = Counter(case.verdict for case in cases)
        return cls(
            total=len(cases),
            equivalent=counts["equivalent"],
            request_differs=counts["request-differs"],
            output_differs=counts["output-differs"],
            failed=counts["failed"],
        )


class ReplaySettings(_Contract):
    """How the replay was run (so a reader can reproduce it)."""

    source: str
    """The replayed setup (directory or aipack-compat.json)."""
    ollama_url: str
    offline: bool = False
    proxy_mode: Literal["forward", "reverse"] = "forward"
    timeout_seconds: float | None = None
    similarity_threshold: float = 0.9
    only: list[str] = Field(default_factory=list)


class ReplayReport(_Contract):
    """`report.json`: every case with raw facts and nested comparisons; the summary is derived."""

    schema_version: Literal[1] = REPORT_SCHEMA_VERSION
    tool_version: str
    created_at: str
    """ISO 8601 UTC."""
    settings: ReplaySettings
    aip: AipInfo = Field(default_factory=AipInfo)
    summary: ReplaySummary
    cases: list[CaseResult] = Field(default_factory=list)

    @model_validator(mode="after")
    def _summary_matches_cases(self) -> "ReplayReport":
        if self.summary != ReplaySummary.of(self.cases):
            raise ValueError("summary counts do not match the cases")
        return self

    @property
    def all_equivalent(self) -> bool:
        return all(case.verdict == "equivalent" for case in self.cases)


class CaseRecording(_Contract):
    """What both paths did for one case, before comparison."""

    case_id: str
    job: str
    cell: str | None = None
    old: PathRun
    new: PathRun


class Cassette(_Contract):
    """`DIR/cassettes/<case>.json`: the raw recordings `--offline` compares again without aip or Ollama."""

    schema_version: Literal[1] = CASSETTE_SCHEMA_VERSION
    recorded_at: str
    tool_version: str
    aip: AipInfo = Field(default_factory=AipInfo)
    ollama_url: str
    recording: CaseRecording
