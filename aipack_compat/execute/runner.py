"""Run a JobConfig: jobs x matrix cells x inputs, bounded concurrency, journal, cache, summary.

Cells run one after the other (one model at a time, so a single Ollama does not swap models);
inside a cell `concurrency` workers pull inputs, and the endpoint pool caps in-flight requests per
endpoint. Every item ends as exactly one RunRecord in the journal, whatever happens to it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from aipack_compat.execute.cache import ResponseCache
from aipack_compat.execute.client import CallFailed, OllamaClient
from aipack_compat.execute.context import RunContext, RunSettings
from aipack_compat.execute.flow import (AgentFlow, BeforeAll, FlowContext, NeedsLuaStages, PreparedTask,
                                        TaskFailed, ai_response_object)
from aipack_compat.execute.inputs import resolve_inputs
from aipack_compat.execute.journal import Journal, completed_keys
from aipack_compat.execute.outputs import write_cell_outputs, write_input_outputs
from aipack_compat.execute.pool import EndpointPool
from aipack_compat.execute.progress import Progress
from aipack_compat.execute.retry import RetryPolicy
from aipack_compat.execute.scoring import ScoreExtractor
from aipack_compat.execute.subagent import SubAgentService, caller_workspace_options
from aipack_compat.execute.wire import build_request
from aipack_compat.model.job import JobConfig, JobSpec, MatrixCell
from aipack_compat.model.options import AgentOptions
from aipack_compat.model.run import BackendFacts, CellSummary, RunError, RunRecord, RunStatus, RunSummary

if TYPE_CHECKING:
    import httpx


@dataclass(slots=True)
class _Tally:
    row: dict[str, Any]
    scores: list[float] = field(default_factory=list)

    def add(self, record: RunRecord) -> None:
        self.row["total"] += 1
        name = {"success": "succeeded", "failure": "failed", "error": "errored", "skipped": "skipped"}[record.status]
        self.row[name] += 1
        self.row["cached"] += int(record.cached)
        self.row["duration_seconds"] += record.latency_seconds or 0.0
        self.row["eval_count"] += record.eval_count or 0
        if record.score is not None:
            self.scores.append(record.score)

    def summary(self) -> CellSummary:
        mean = sum(self.scores) / len(self.scores) if self.scores else None
        return CellSummary(**self.row, mean_score=mean, scores=self.scores)


def item_key(job: str, cell: str, index: int, task_input: Any) -> str:
    digest = hashlib.sha256(json.dumps(task_input, sort_keys=True, ensure_ascii=False, default=str)
                            .encode()).hexdigest()[:12]
    return f"{job}/{cell}/{index}:{digest}"


def cells_of(job: JobSpec) -> list[MatrixCell]:
    return job.matrix or [MatrixCell(label="default")]


class Runner:
    def __init__(self, config: JobConfig, settings: RunSettings, http: "httpx.AsyncClient",
                 progress: Progress | None = None, out: TextIO | None = None) -> None:
        self.config = config
        execution = config.execution
        urls = list(settings.ollama_urls) or [execution.ollama_url]
        limit = settings.per_endpoint_limit or max(settings.concurrency or 0, 8)
        client = OllamaClient(
            http, EndpointPool(urls, limit),
            RetryPolicy(retries=execution.retries if settings.retries is None else settings.retries,
                        base_seconds=settings.retry_base_seconds),
            settings.timeout_seconds or execution.request_timeout_seconds)
        self.context = RunContext(
            settings=settings, root=(settings.config_path.parent / config.root).resolve(),
            aip_version=settings.aip_version or execution.aip_version, wire=settings.wire or execution.wire,
            session_uid=str(uuid.uuid4()), client=client,
            cache=ResponseCache(settings.cache_dir) if settings.cache_dir else None,
            progress=progress or Progress(), out=out or sys.stdout)
        self.completed: set[str] = set()
        self.resumed = 0
        self.sub_agents = SubAgentService(self.context)
        """Serves `aip.agent.run` from Lua stages; its `stats` count the sub-agents' work."""

    async def run(self) -> RunSummary:
        started = time.perf_counter()
        settings, progress = self.context.settings, self.context.progress
        if settings.resume:
            self.completed = completed_keys(settings.results_path)
        rows: list[CellSummary] = []
        self.sub_agents.bind(asyncio.get_running_loop())
        try:
            async with Journal(settings.results_path) as journal:
                for job in self.config.jobs:
                    if settings.job_names and job.name not in settings.job_names:
                        continue
                    seen: dict[str, int] = {}  # a cell's options -> how many earlier cells had the same
                    for cell in cells_of(job):
                        key = cell.options.model_dump_json()
                        repetition = seen.get(key, 0)
                        seen[key] = repetition + 1
                        rows.append(await _CellRun(self, journal, job, cell, repetition).run())
            if self.sub_agents.stats.runs:
                progress.note(self.sub_agents.stats.describe())
        finally:
            self.sub_agents.close()
            progress.close()
        return RunSummary(config_path=str(settings.config_path), results_path=str(settings.results_path),
                          wall_seconds=time.perf_counter() - started, cells=rows, resumed=self.resumed)


class _CellRun:
    """One (job, cell): before-all, the inputs through `concurrency` workers, after-all, outputs."""

    def __init__(self, runner: Runner, journal: Journal, job: JobSpec, cell: MatrixCell, repetition: int = 0) -> None:
        self.runner = runner
        self.context = runner.context
        # cells with the same options repeat the job (`for i in {1..5}`): the script sampled each one,
        # so each repetition has its own cache entries instead of replaying the first one's answers
        self.repetition = repetition
        self.journal = journal
        self.job = job
        self.cell = cell
        self.options = cell.options.merged_over(job.options)
        self.agent = runner.config.agents.get(job.agent)
        self.scorer = ScoreExtractor(job.score_pattern)
        self.models: dict[str, str | RunError] = {}
        self.tally = _Tally({"job": job.name, "cell": cell.label, "model": self.options.model, "total": 0,
                             "succeeded": 0, "failed": 0, "errored": 0, "skipped": 0, "cached": 0,
                             "duration_seconds": 0.0, "eval_count": 0})
        self.outputs: dict[int, Any] = {}
        self.all_ok = True

    async def run(self) -> CellSummary:
        workdir = (self.context.root / self.job.workdir).resolve()
        inputs = resolve_inputs(self.job.inputs, workdir, self.context.root, self.context.aip_version)
        try:
            flow = self._flow(workdir)
            before_all = await self._stage(flow, flow.before_all, inputs)
        except (NeedsLuaStages, TaskFailed) as exc:
            await self._fail_all(inputs, exc)
            return self.tally.summary()
        if before_all.skip:
            self.context.progress.note(f"{self.job.name} [{self.cell.label}]: skipped by # Before All"
                                      f" ({before_all.skip_reason or 'no reason given'})")
            return self.tally.summary()
        tasks = flow.tasks(before_all.inputs)
        self.context.progress.start_cell(self.job.name, self.cell.label, len(tasks))
        await self._work(flow, before_all, tasks)
        if flow.stages & {"after_all"} and (self.all_ok or self.options.allow_run_on_task_fail):
            try:
                await self._stage(flow, flow.after_all, tasks, [self.outputs.get(i) for i in range(len(tasks))],
                                  before_all.value)
            except TaskFailed as exc:
                self.context.progress.note(f"{self.job.name} [{self.cell.label}]: # After All failed: {exc}")
        self._write_outputs(tasks)
        row = self.tally.summary()
        self.context.progress.end_cell(row)
        return row

    def _flow(self, workdir: Path) -> AgentFlow:
        if self.agent is None:
            raise TaskFailed("UnknownAgent", f"job {self.job.name!r} names agent {self.job.agent!r}, "
                                             "which the config does not define")
        context = FlowContext(workspace_dir=str(self.context.root), aip_version=self.context.aip_version,
                              agent_file_path=str(self.context.root / self.agent.source.path),
                              session_uid=self.context.session_uid, run_uid=str(uuid.uuid4()),
                              dry=self.context.settings.dry or self.job.flags.dry)
        workspace = caller_workspace_options(self.runner.config.workspace_options, self.agent.options, self.options)
        return AgentFlow(self.agent, self.options, context, run_agent=self.runner.sub_agents.callback(0, workspace))

    async def _stage(self, flow: AgentFlow, function: Any, *args: Any) -> Any:
        """Lua stages run in a worker thread, so one blocked in `aip.agent.run` never stalls the loop."""
        return await self.runner.sub_agents.stage(flow, 0, function, *args)

    async def _fail_all(self, inputs: list[Any] | None, exc: Exception) -> None:
        kind = "NeedsLuaStages" if isinstance(exc, NeedsLuaStages) else getattr(exc, "kind", type(exc).__name__)
        self.context.progress.note(f"{self.job.name} [{self.cell.label}]: {exc}")
        for index, task_input in enumerate(inputs if inputs else [None]):
            # status `error`, so `--resume` runs these again once the cause is fixed
            await self._record(index, task_input, status="error", error=RunError(type=kind, message=str(exc)))

    async def _work(self, flow: AgentFlow, before_all: BeforeAll, tasks: list[Any]) -> None:
        limit = self.context.settings.concurrency or (before_all.options or self.options).input_concurrency or 1
        indexes = iter(range(len(tasks)))

        async def worker() -> None:
            for index in indexes:
                await self._item(flow, before_all, index, tasks[index])

        await asyncio.gather(*(worker() for _ in range(max(1, min(limit, len(tasks) or 1)))))

    async def _item(self, flow: AgentFlow, before_all: BeforeAll, index: int, task_input: Any) -> None:
        key = item_key(self.job.name, self.cell.label, index, task_input)
        if key in self.runner.completed:
            self.runner.resumed += 1
            return
        started = time.time()
        clock = time.perf_counter()
        try:
            task = await self._stage(flow, flow.prepare_task, index, task_input, before_all.value, before_all.options)
        except TaskFailed as exc:
            self.all_ok = False
            await self._record(index, task_input, key=key, status="failure", started_at=started,
                               error=RunError(type=exc.kind, message=str(exc)))
            return
        if task.skip:
            await self._record(index, task.input, key=key, status="skipped", skip_reason=task.skip_reason,
                               started_at=started)
            return
        if not flow.wants_ai_call(task):
            await self._finish(flow, before_all, task, key, None, started_at=started,
                               latency_seconds=time.perf_counter() - clock)
            return
        await self._call_and_finish(flow, before_all, task, key, started)

    async def _call_and_finish(self, flow: AgentFlow, before_all: BeforeAll, task: PreparedTask,
                               key: str, started: float) -> None:
        options = task.options or before_all.options or self.options
        model = self._model(options)
        if isinstance(model, RunError):
            self.all_ok = False
            await self._record(task.index, task.input, key=key, status="error", error=model, started_at=started)
            return
        request = build_request(task.messages, model, options.temperature, options.top_p, self.context.wire,
                                self.context.aip_version, self.context.settings.extras)
        digest = request.digest
        common: dict[str, Any] = dict(key=key, request_digest=digest, request=request.body, model=model, started_at=started)
        cache = self.context.cache
        cache_key = digest if self.repetition == 0 else f"{digest}~{self.repetition}"
        reply = cache.get(cache_key) if cache else None
        facts: dict[str, Any] = {"cached": reply is not None}
        if reply is None:
            try:
                result = await self.context.client.chat(request)
            except CallFailed as failed:
                self.all_ok = False
                error = RunError(type=type(failed.error).__name__, message=str(failed.error),
                                 status_code=failed.error.status_code, attempts=failed.attempts)
                await self._record(task.index, task.input, status="error", error=error,
                                   endpoint=failed.error.endpoint or None, **common)
                return
            reply = result.reply
            facts.update(endpoint=result.endpoint, latency_seconds=result.latency_seconds,
                         ttft_seconds=result.ttft_seconds)
            if cache:
                await asyncio.to_thread(cache.put, cache_key, reply)
        ai_response = ai_response_object(reply.content, reply.reasoning, reply.model or model,
                                         reply.prompt_eval_count, reply.eval_count, facts.get("latency_seconds") or 0.0)
        # BackendFacts is the record's copy of the wire Reply's metrics (same field names)
        backend = BackendFacts(**{name: getattr(reply, name) for name in BackendFacts.model_fields})
        rate = (reply.eval_count / (reply.eval_duration_ns / 1e9)
                if reply.eval_count and reply.eval_duration_ns else None)
        await self._finish(flow, before_all, task, key, ai_response, response_text=reply.content,
                           backend=backend, eval_count=reply.eval_count, tokens_per_second=rate,
                           **{k: v for k, v in common.items() if k != "key"}, **facts)

    async def _finish(self, flow: AgentFlow, before_all: BeforeAll, task: PreparedTask, key: str,
                      ai_response: dict[str, Any] | None, **fields: Any) -> None:
        try:
            output = await self._stage(flow, flow.finish_task, task, ai_response, before_all.value)
        except TaskFailed as exc:
            self.all_ok = False
            await self._record(task.index, task.input, key=key, status="failure",
                               error=RunError(type=exc.kind, message=str(exc)), **fields)
            return
        self.outputs[task.index] = output
        score_source = output if isinstance(output, str) else fields.get("response_text")
        await self._record(task.index, task.input, key=key, status="success", output=output,
                           score=self.scorer.extract(score_source), **fields)

    def _model(self, options: AgentOptions) -> str | RunError:
        requested = options.model
        if not requested:
            return RunError(type="NoModel", message="no model is configured for this job (set `model`)")
        if requested not in self.models:
            self.models[requested] = _resolve(requested, options.model_aliases, self.context.aip_version)
        return self.models[requested]

    async def _record(self, index: int, task_input: Any, *, status: RunStatus, key: str | None = None,
                      **fields: Any) -> None:
        record = RunRecord(key=key or item_key(self.job.name, self.cell.label, index, task_input),
                           job=self.job.name, cell=self.cell.label, input_index=index, input=task_input,
                           status=status, **fields)
        await self.journal.append(record)
        self.tally.add(record)
        self.context.progress.advance(record)

    def _write_outputs(self, tasks: list[Any]) -> None:
        if self.job.output.per_input:
            # the inputs as the tasks started (before any # Data rewrite): what the shell's `$f` named
            write_input_outputs(self.context, self.job, self.cell, tasks, self.outputs)
        else:
            write_cell_outputs(self.context, self.job, self.cell, [self.outputs.get(i) for i in range(len(tasks))])


def _resolve(model: str, aliases: dict[str, str], aip_version: str) -> str | RunError:
    """Alias lookup and provider choice as aip does it; non-Ollama models are an item error."""
    from aipack_compat.model.model_resolution import resolve_model

    resolved = resolve_model(model, aliases, aip_version)
    if not resolved.is_ollama:
        return RunError(type="NotOllama", message=f"model {model!r} resolves to {resolved.resolved!r} on provider "
                                                  f"{resolved.provider!r}; aip would not send it to Ollama "
                                                  "(use the `ollama::` namespace)")
    return resolved.resolved
