"""Run results: one `RunRecord` per (job, cell, input), written to the results journal (JSONL).

Records are three-state (promptfoo's failure reasons): `success` (the task ran and, if it made an
AI call, the backend answered), `failure` (the task ran but its output is unusable: a Lua stage or
template failed), `error` (the backend could not be reached or answered with an error). Tables and
summaries are derived from records, never stored.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

RUN_SCHEMA_VERSION: Final = 1

RunStatus = Literal["success", "failure", "error", "skipped"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunError(_Record):
    """Why an item did not succeed."""

    type: str
    """Error class, e.g. `BackendUnreachable`, `BackendHTTPError`, `RenderFailure`, `NeedsLuaStages`."""
    message: str
    status_code: int | None = None
    """HTTP status when the backend answered with one."""
    attempts: int = 1
    """How many HTTP attempts were made (retries included)."""


class BackendFacts(_Record):
    """What the backend reported about the generation (Ollama native metrics, or OpenAI usage)."""

    model: str | None = None
    done_reason: str | None = None
    prompt_eval_count: int | None = None
    eval_count: int | None = None
    eval_duration_ns: int | None = None
    total_duration_ns: int | None = None


class RunRecord(_Record):
    """One (job, cell, input) result: the journal's line."""

    schema_version: Literal[1] = RUN_SCHEMA_VERSION
    key: str
    """Stable identity of the item: `job/cell/input_index:input_digest`; `--resume` skips completed keys."""
    job: str
    cell: str
    """Matrix cell label (the model tag for model loops); `default` when the job has no matrix."""
    model: str | None = None
    """The model string sent on the wire (alias resolved, namespace stripped)."""
    input_index: int
    input: Any = None
    """The task input exactly as the agent saw it (a string, a file record, or null)."""
    status: RunStatus
    request_digest: str | None = None
    """sha256 of the normalised request (endpoint path + canonical JSON body); also the cache key."""
    request: dict[str, Any] | None = None
    """The request body sent (None when no AI call was made)."""
    endpoint: str | None = None
    response_text: str | None = None
    output: Any = None
    """The task output (the AI text when the agent has no Output stage)."""
    error: RunError | None = None
    skip_reason: str | None = None
    cached: bool = False
    started_at: float = 0.0
    """Unix time the item started."""
    latency_seconds: float | None = None
    """Wall time of the AI call (last attempt), or of the whole item when no call was made."""
    ttft_seconds: float | None = None
    """Time to first token (streaming requests), or to the response headers otherwise."""
    eval_count: int | None = None
    tokens_per_second: float | None = None
    backend: BackendFacts | None = None
    score: float | None = None
    """The score extracted with the job's `score_pattern`, when it matched."""

    @model_validator(mode="before")
    @classmethod
    def _upgrade(cls, data: Any) -> Any:
        # Future schema versions upgrade older records here; v1 is the first.
        return data

    @property
    def completed(self) -> bool:
        """A completed item is not retried by `--resume` (errors are)."""
        return self.status in ("success", "failure", "skipped")


class CellSummary(_Record):
    """Aggregate of one (job, cell): the summary table's row."""

    job: str
    cell: str
    model: str | None = None
    total: int = 0
    succeeded: int = 0
    failed: int = 0
    errored: int = 0
    skipped: int = 0
    cached: int = 0
    duration_seconds: float = 0.0
    """Sum of item latencies (not wall time: items overlap)."""
    eval_count: int = 0
    mean_score: float | None = None
    scores: list[float] = Field(default_factory=list)


class RunSummary(_Record):
    """The whole run: per-cell rows and totals."""

    schema_version: Literal[1] = RUN_SCHEMA_VERSION
    config_path: str
    results_path: str
    wall_seconds: float
    cells: list[CellSummary] = Field(default_factory=list)
    resumed: int = 0
    """Items skipped because the journal already held a completed record for their key."""

    @property
    def items_failed(self) -> int:
        return sum(cell.failed + cell.errored for cell in self.cells)
