"""`aip.agent.run` in the executor: sub-agent runs driven from inside a Lua stage.

aip runs a sub-agent as a fresh top-level run of the agent file (`A:src/exec/exec_sub_agent.rs@952ad06e`):
`find_agent` builds it from the workspace config layers plus its own `# Options`, the request's
`options` are merged over that (`Agent::new_merge`), and the caller's run settings are *not* passed
on (`RunBaseOptions::default()`: no `--dry`, and the caller's Before All options do not apply).
`run_agent(.., return_output_values = true)` then runs Before All, the tasks (outputs collected
in input order, a failing task fails the whole sub-run unless `allow_run_on_task_fail`), After All,
and answers `{outputs, after_all, redo_requested}` (`A:src/run/run_agent.rs@952ad06e`).

Threading. Lua stages are synchronous and `aip.agent.run` blocks its stage until the sub-agent has
finished, while the sub-agent's AI calls are coroutines on the runner's event loop (same client,
endpoint pool, retries and cache as the parent). So every stage call of a flow that may reach
`aip.agent.run` (AgentFlow.may_run_sub_agents) runs in a worker thread, and the callback submits
the sub-run to the loop with `run_coroutine_threadsafe` and waits for it. Stage threads come from
one pool per nesting depth: a thread at depth d only ever waits for work at depth d + 1, which has
its own pool, and the deepest level never waits (it fails past MAX_DEPTH), so no set of blocked
threads can starve the work they wait for. Stages that cannot reach the call stay inline (a
thread hop costs about 1 ms per stage call on 2 cores).

Journal. Sub-agent tasks write no RunRecord: they are part of the parent item, whose record is
the one `--resume` keys on. A parent item that did not complete re-runs whole, sub-agents
included, because a Lua stage cannot resume half-way; `--cache` makes those repeated sub-agent
AI calls free. Counters of sub-agent work are kept in `SubAgentStats` and noted at the end.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from aipack_compat.execute.client import CallFailed
from aipack_compat.execute.context import RunContext
from aipack_compat.execute.flow import AgentFlow, FlowContext, NeedsLuaStages, TaskFailed, ai_response_object
from aipack_compat.execute.wire import build_request
from aipack_compat.model.job import AgentSpec
from aipack_compat.model.options import AgentOptions

MAX_DEPTH = 8
"""Nested `aip.agent.run` levels allowed. aip documents no limit (an agent that runs itself never
ends there); 8 is far beyond the corpus (pro@coder nests 2) and fails clearly instead."""
THREADS_PER_DEPTH = 32
"""Stage threads per nesting depth; items beyond that wait for a free thread."""

SubAgentCallback = Callable[[str, dict[str, Any]], dict[str, Any]]
_T = TypeVar("_T")


class SubAgentFailed(Exception):
    """The sub-agent could not run or one of its tasks failed; becomes the caller stage's Lua error."""


@dataclass(slots=True)
class SubAgentStats:
    runs: int = 0
    failed_runs: int = 0
    tasks: int = 0
    ai_calls: int = 0
    cached: int = 0
    eval_count: int = 0
    max_depth: int = 0

    def describe(self) -> str:
        return (f"sub-agents: {self.runs} run(s) ({self.failed_runs} failed, nesting {self.max_depth}), "
                f"{self.tasks} task(s), {self.ai_calls} AI call(s) ({self.cached} from cache), "
                f"{self.eval_count} completion token(s)")


def caller_workspace_options(workspace: AgentOptions, caller_agent: AgentOptions,
                             caller_effective: AgentOptions) -> AgentOptions:
    """The config-file layer the calling `aip run` saw, which a sub-agent is built on.

    A key the caller's `# Options` does not set came from the config layers, possibly rewritten by
    the script (a model loop's `sed`, kept as the job's fixed options or a matrix cell), so its
    effective value is that layer's; for keys the caller sets, only the migrated config says it.
    """
    data: dict[str, Any] = {}
    for key in AgentOptions.model_fields:
        if key == "model_aliases":
            continue
        source = caller_effective if getattr(caller_agent, key) is None else workspace
        data[key] = getattr(source, key)
    aliases = {k: v for k, v in caller_effective.model_aliases.items() if k not in caller_agent.model_aliases}
    aliases.update({k: v for k, v in workspace.model_aliases.items() if k in caller_agent.model_aliases})
    return AgentOptions(**data, model_aliases=aliases)


def request_options(overlay: dict[str, Any] | None) -> AgentOptions | None:
    """`RunAgentOptions.options`: the agent-option keys of the Lua table (others are ignored, as
    aip's AgentOptions deserializer does); a bad value is the sub-agent's error."""
    if not overlay:
        return None
    from pydantic import ValidationError

    known = {key: value for key, value in overlay.items() if key in AgentOptions.model_fields}
    try:
        return AgentOptions(**known)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SubAgentFailed(f"invalid options: {problems}") from None


class SubAgentService:
    """Serves `aip.agent.run` for one run: stage threads, parsed sub-agents, counters."""

    def __init__(self, context: RunContext) -> None:
        self.context = context
        self.stats = SubAgentStats()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._pools: dict[int, ThreadPoolExecutor] = {}
        self._pools_lock = threading.Lock()
        self._specs: dict[tuple[str, int, int], AgentSpec] = {}

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called on the runner's loop before any stage runs."""
        self._loop, self._loop_thread = loop, threading.get_ident()

    def close(self) -> None:
        # Threads still inside a Lua stage (a cancelled run) finish on their own: each stage is
        # bounded by the sandbox's instruction budget. Waiting here would block the event loop.
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
        self._pools.clear()

    # -- stage calls --------------------------------------------------------------------------------

    async def stage(self, flow: AgentFlow, depth: int, function: Callable[..., _T], *args: Any) -> _T:
        """A stage method of `flow`: in a depth-`depth` thread when it may run a sub-agent, else inline."""
        if not flow.may_run_sub_agents:
            return function(*args)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool(depth), functools.partial(function, *args))

    def _pool(self, depth: int) -> ThreadPoolExecutor:
        with self._pools_lock:
            pool = self._pools.get(depth)
            if pool is None:
                pool = ThreadPoolExecutor(THREADS_PER_DEPTH, thread_name_prefix=f"aipack-stage-d{depth}")
                self._pools[depth] = pool
            return pool

    # -- the callback ---------------------------------------------------------------------------------

    def callback(self, depth: int, workspace_options: AgentOptions) -> SubAgentCallback:
        """`StageContext.run_agent` for a flow at `depth` (0 = a job's own agent)."""

        def run_agent(agent_path: str, request: dict[str, Any]) -> dict[str, Any]:
            return self._run_blocking(depth + 1, agent_path, request, workspace_options)

        return run_agent

    def _run_blocking(self, depth: int, agent_path: str, request: dict[str, Any],
                      workspace_options: AgentOptions) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise SubAgentFailed(f"sub-agents nested more than {MAX_DEPTH} levels deep "
                                 "(aipack-compat's limit; does an agent run itself?)")
        if self._loop is None or threading.get_ident() == self._loop_thread:
            # waiting for the loop from the loop's own thread would never return; only a stage whose
            # code never names `agent` nor `require`s a module runs inline (AgentFlow.may_run_sub_agents)
            raise SubAgentFailed("aip.agent.run reached through a dynamic name is not supported by aipack-compat "
                                 "(the stage ran on the event loop; write `aip.agent.run` in the stage)")
        future = asyncio.run_coroutine_threadsafe(self.run(depth, agent_path, request, workspace_options), self._loop)
        return future.result()

    async def run(self, depth: int, agent_path: str, request: dict[str, Any],
                  workspace_options: AgentOptions) -> dict[str, Any]:
        """One sub-agent run to completion: `{outputs, after_all, redo_requested}`."""
        self.stats.runs += 1
        self.stats.max_depth = max(self.stats.max_depth, depth)
        try:
            spec = await asyncio.to_thread(self._spec, agent_path)
            options = spec.options.merged_over(workspace_options)
            overlay = request_options(request.get("options"))
            if overlay is not None:
                options = overlay.merged_over(options)
            run = self.context
            context = FlowContext(workspace_dir=str(run.root), agent_file_path=os.path.abspath(agent_path),
                                  aip_version=run.aip_version, session_uid=run.session_uid,
                                  run_uid=str(uuid.uuid4()), dry=None,
                                  parent_run_uid=request.get("parent_run_uid"))
            flow = AgentFlow(spec, options, context, run_agent=self.callback(depth, workspace_options))
            return await _SubRun(self, flow, depth, options).run(request.get("inputs"))
        except (SubAgentFailed, TaskFailed, NeedsLuaStages) as exc:
            self.stats.failed_runs += 1
            raise SubAgentFailed(str(exc)) from None

    def _spec(self, agent_path: str) -> AgentSpec:
        """The sub-agent file parsed (execute/agent_file.py), cached per file version."""
        from aipack_compat.execute.agent_file import AgentFileError, load_agent_spec

        try:
            stat = os.stat(agent_path)
            key = (os.path.abspath(agent_path), stat.st_mtime_ns, stat.st_size)
            spec = self._specs.get(key)
            if spec is None:
                spec = self._specs[key] = load_agent_spec(str(self.context.root), agent_path, self.context.aip_version)
        except OSError as exc:
            raise SubAgentFailed(f"{agent_path}: cannot read the agent file: {exc.strerror}") from None
        except AgentFileError as exc:
            raise SubAgentFailed(str(exc)) from None
        return spec


class _SubRun:
    """Before All, the tasks with the sub-agent's concurrency, After All (run_agent.rs order)."""

    def __init__(self, service: SubAgentService, flow: AgentFlow, depth: int, options: AgentOptions) -> None:
        self.service = service
        self.flow = flow
        self.depth = depth
        self.options = options

    async def run(self, inputs: list[Any] | None) -> dict[str, Any]:
        flow, service = self.flow, self.service
        before_all = await service.stage(flow, self.depth, flow.before_all, inputs)
        if before_all.skip:
            return {"outputs": None, "after_all": None, "redo_requested": False}
        if before_all.redo:
            return {"outputs": None, "after_all": None, "redo_requested": True}
        options = before_all.options or self.options
        tasks = flow.tasks(before_all.inputs)
        outputs = await self._tasks(tasks, before_all.value, before_all.options, options) if tasks else None
        after_all = None
        if "after_all" in flow.stages:
            after_all = await service.stage(flow, self.depth, flow.after_all,
                                            tasks if tasks else before_all.inputs, outputs, before_all.value)
        return {"outputs": outputs, "after_all": after_all, "redo_requested": _is_redo(after_all, flow)}

    async def _tasks(self, tasks: list[Any], before_all: Any, run_options: AgentOptions | None,
                     options: AgentOptions) -> list[Any]:
        outputs: list[Any] = [None] * len(tasks)
        allow_fail = bool(options.allow_run_on_task_fail)
        indexes = iter(range(len(tasks)))

        async def worker() -> None:
            for index in indexes:
                try:
                    outputs[index] = await self._task(index, tasks[index], before_all, run_options, options)
                except (TaskFailed, SubAgentFailed) as exc:
                    if not allow_fail:
                        raise
                    outputs[index] = {"error": str(exc)}  # run_agent.rs: the failed task's output

        # input_concurrency 0 behaves like 1 (spec §3.6); unset is aip's DEFAULT_CONCURRENCY = 1
        width = max(1, min(options.input_concurrency or 1, len(tasks)))
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(width):
                    group.create_task(worker())
        except BaseExceptionGroup as failures:
            # the first failing task fails the sub-run and the others are abandoned, as aip's `?`
            raise failures.exceptions[0] from None
        return outputs

    async def _task(self, index: int, task_input: Any, before_all: Any, run_options: AgentOptions | None,
                    options: AgentOptions) -> Any:
        flow, service = self.flow, self.service
        service.stats.tasks += 1
        task = await service.stage(flow, self.depth, flow.prepare_task, index, task_input, before_all, run_options)
        if task.skip:
            return None
        ai_response = None
        if flow.wants_ai_call(task):
            ai_response = await self._ai_call(task.messages, task.options or options)
        return await service.stage(flow, self.depth, flow.finish_task, task, ai_response, before_all)

    async def _ai_call(self, messages: list[dict[str, str]], options: AgentOptions) -> dict[str, Any]:
        run, stats = self.service.context, self.service.stats
        model = _resolve_model(options, run.aip_version)
        request = build_request(messages, model, options.temperature, options.top_p, run.wire,
                                run.aip_version, run.settings.extras)
        cache = run.cache
        reply = cache.get(request.digest) if cache else None
        latency = 0.0
        if reply is None:
            try:
                result = await run.client.chat(request)
            except CallFailed as failed:
                raise TaskFailed(type(failed.error).__name__, f"AI call to {model!r} failed: {failed.error}") from None
            reply, latency = result.reply, result.latency_seconds
            if cache:
                await asyncio.to_thread(cache.put, request.digest, reply)
        else:
            stats.cached += 1
        stats.ai_calls += 1
        stats.eval_count += reply.eval_count or 0
        return ai_response_object(reply.content, reply.reasoning, reply.model or model,
                                  reply.prompt_eval_count, reply.eval_count, latency)


def _resolve_model(options: AgentOptions, aip_version: str) -> str:
    from aipack_compat.model.model_resolution import resolve_model

    if not options.model:
        raise TaskFailed("NoModel", "no model is configured for this sub-agent (set `model`)")
    resolved = resolve_model(options.model, options.model_aliases, aip_version)
    if not resolved.is_ollama:
        raise TaskFailed("NotOllama", f"model {options.model!r} resolves to {resolved.resolved!r} on provider "
                                      f"{resolved.provider!r}; aip would not send it to Ollama")
    return resolved.resolved


def _is_redo(after_all: Any, flow: AgentFlow) -> bool:
    """An After All returning `aip.flow.redo_run()` asks the caller for a redo (run_agent.rs)."""
    if not isinstance(after_all, dict):
        return False
    from aipack_compat.lua.ports.flow_sentinels import flow_kind
    from aipack_compat.model.versions import parse_version

    return flow_kind(after_all, parse_version(flow.context.aip_version)) == "Redo"
