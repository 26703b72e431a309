"""The agent task flow, the single place that sequences stages (aipack-spec.md §3.6):

    before-all (once) -> per input: data -> render prompt parts -> AI call (only if >= 1 message)
    -> output -> after-all (once, with all outputs)

The AI call itself is made by the runner between `prepare_task` and `finish_task`, so this module
stays synchronous and free of I/O. Lua stages go through `aipack_compat.lua.stages.StageRunner`;
while that package is absent an agent with stages fails with NeedsLuaStages. A Lua stage may call
`aip.agent.run`, which blocks its thread until the sub-agent finished: the runner therefore calls
the stage methods of a flow that may reach it (`may_run_sub_agents`) from worker threads
(execute/subagent.py).
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from aipack_compat.execute.inputs import task_inputs
from aipack_compat.model.eras import BEFORE_ALL_TEMPLATE_ROOT, INPUT_TEMPLATE_ROOT
from aipack_compat.model.job import AgentSpec
from aipack_compat.model.options import AgentOptions
from aipack_compat.model.versions import at_least


# Stages that may wait on something slow (a sub-agent, a module, a program, the network) run in a
# worker thread so the event loop keeps serving the other inputs' HTTP calls.
_MAY_BLOCK = re.compile(r"\bagent\b|\brequire\b|\bweb\b|\bcmd\b")


class NeedsLuaStages(Exception):
    """The agent has Lua stages and the Lua stage runtime is not available."""


class TaskFailed(Exception):
    """A stage or template failed for one task (`type` names the cause for the record)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class FlowContext:
    workspace_dir: str
    agent_file_path: str
    aip_version: str
    session_uid: str
    run_uid: str
    dry: str | None = None
    """`req` (no AI call) or `res` (AI call, no Output stage), as `aip run --dry`."""
    parent_run_uid: str | None = None
    """Set for a sub-agent run (`aip.agent.run`): the caller's run uid, `CTX.PARENT_RUN_UID` in Lua."""


@dataclass(slots=True)
class BeforeAll:
    skip: bool = False
    skip_reason: str | None = None
    inputs: list[Any] | None = None
    value: Any = None
    options: AgentOptions | None = None
    redo: bool = False
    """`aip.flow.redo_run()` was returned; a top-level run ignores it, a sub-agent reports it."""


@dataclass(slots=True)
class PreparedTask:
    index: int
    input: Any
    data: Any = None
    messages: list[dict[str, str]] = field(default_factory=list)
    options: AgentOptions | None = None
    skip: bool = False
    skip_reason: str | None = None


def lua_available() -> bool:
    return importlib.util.find_spec("aipack_compat.lua") is not None and \
        importlib.util.find_spec("aipack_compat.lua.stages") is not None


def _options_over(overrides: dict[str, Any] | None, base: AgentOptions) -> AgentOptions | None:
    if not overrides:
        return None
    from pydantic import ValidationError

    known = {k: v for k, v in overrides.items() if k in AgentOptions.model_fields}
    try:
        return AgentOptions(**known).merged_over(base)
    except ValidationError as exc:  # e.g. `options = {temperature = "hot"}` from a stage: that task's failure
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise TaskFailed("InvalidOptions", f"invalid options returned by a stage: {problems}") from None


class AgentFlow:
    def __init__(self, agent: AgentSpec, options: AgentOptions, context: FlowContext,
                 run_agent: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None) -> None:
        """`run_agent` serves `aip.agent.run` from this agent's Lua stages (None: a clear error)."""
        self.agent = agent
        self.options = options
        self.context = context
        self.stages = {stage.stage for stage in agent.stages}
        self._runner: Any = None
        if self.stages:
            if not lua_available():
                raise NeedsLuaStages(
                    f"agent {agent.name!r} ({agent.source.path}) has Lua stages "
                    f"({', '.join(sorted(self.stages))}): needs Lua stage support (aipack_compat.lua)")
            from aipack_compat.lua.stage_context import StageContext
            from aipack_compat.lua.stages import StageRunner

            stage_context = StageContext(
                workspace_dir=context.workspace_dir, agent_file_path=context.agent_file_path,
                options=options.model_dump(exclude_none=True), aip_version=context.aip_version,
                session_uid=context.session_uid, run_uid=context.run_uid,
                parent_run_uid=context.parent_run_uid, run_agent=run_agent)
            self._runner = StageRunner(agent, stage_context)
        self._may_block = self._runner is not None and any(_MAY_BLOCK.search(stage.code)
                                                           for stage in agent.stages)

    @property
    def may_run_sub_agents(self) -> bool:
        """A stage may block in `aip.agent.run`: its stage methods must run off the event loop.

        Textual and conservative (`agent` as a word, or any `require`d module, which may call it):
        a worker thread costs about 1 ms per stage call on 2 cores, so plain Lua stages stay inline.
        """
        return self._may_block

    @property
    def has_task_stage(self) -> bool:
        return bool(self.agent.prompt_parts) or bool(self.stages & {"data", "output"})

    # -- once per run ---------------------------------------------------------------------------

    def before_all(self, inputs: list[Any] | None) -> BeforeAll:
        if "before_all" not in self.stages:
            return BeforeAll(inputs=inputs)
        result = self._call("before_all", lambda: self._runner.before_all(inputs))
        kept = inputs if result.inputs is None else list(result.inputs)
        return BeforeAll(skip=result.skip, skip_reason=result.skip_reason, inputs=kept, value=result.before_all,
                         options=_options_over(result.options, self.options), redo=result.redo)

    def tasks(self, inputs: list[Any] | None) -> list[Any]:
        return task_inputs(inputs, self.has_task_stage, self.context.aip_version)

    def after_all(self, inputs: list[Any], outputs: list[Any], before_all: Any) -> Any:
        if "after_all" not in self.stages:
            return None
        return self._call("after_all", lambda: self._runner.after_all(inputs, outputs, before_all))

    # -- once per task ----------------------------------------------------------------------------

    def prepare_task(self, index: int, task_input: Any, before_all: Any,
                     options: AgentOptions | None = None) -> PreparedTask:
        """Data stage, then the prompt messages. Raises TaskFailed."""
        base = options or self.options
        task = PreparedTask(index=index, input=task_input)
        if "data" in self.stages:
            result = self._call("data", lambda: self._runner.data(task_input, before_all, index + 1))
            if result.skip:
                task.skip, task.skip_reason = True, result.skip_reason
                return task
            task.input, task.data = result.input, result.data
            task.options = _options_over(result.options, base)
        task.messages = self.render_messages(task.input, task.data, before_all)
        return task

    def render_messages(self, task_input: Any, data: Any, before_all: Any) -> list[dict[str, str]]:
        """Each prompt part rendered; parts empty after trimming dropped (A:src/run/proc_ai.rs@952ad06e)."""
        from aipack_compat.template import RenderFailure, render

        scope = self._template_scope(task_input, data, before_all)
        messages = []
        for part in self.agent.prompt_parts:
            try:
                content = render(part.template, scope)
            except RenderFailure as exc:
                where = f"{part.source.path}:{part.source.line + exc.error.line}" if exc.error.line else part.source.path
                raise TaskFailed("RenderFailure", f"{where}: template error in # {part.heading}: {exc.error.message}") from exc
            if content.strip():
                messages.append({"role": part.role, "content": content})
        return messages

    def _template_scope(self, task_input: Any, data: Any, before_all: Any) -> dict[str, Any]:
        # Handlebars roots by version (aipack-spec.md §3.5): `input` from 0.6.14, `before_all` from 0.7.15.
        scope: dict[str, Any] = {"data": data}
        if at_least(self.context.aip_version, INPUT_TEMPLATE_ROOT):
            scope["input"] = task_input
        if at_least(self.context.aip_version, BEFORE_ALL_TEMPLATE_ROOT):
            scope["before_all"] = before_all
        return scope

    def wants_ai_call(self, task: PreparedTask) -> bool:
        """No messages -> no call ("No instruction, skipping genai"); `--dry req` never calls."""
        return bool(task.messages) and self.context.dry != "req"

    def finish_task(self, task: PreparedTask, ai_response: dict[str, Any] | None, before_all: Any) -> Any:
        """The Output stage, or the AI text when there is none (§3.6, spec edge case 45)."""
        if self.context.dry == "res":
            return None
        if self.context.dry == "req" and not at_least(self.context.aip_version, "0.7.15"):
            return None  # up to 0.7.14 `--dry req` stopped before Output (A:src/run/run_input.rs@18300d3c)
        if "output" not in self.stages:
            return ai_response.get("content") if ai_response else None
        return self._call("output", lambda: self._runner.output(
            task.input, task.data, before_all, ai_response, task.index + 1))

    def _call(self, stage: str, thunk: Any) -> Any:
        from aipack_compat.lua.stages import StageError

        try:
            return thunk()
        except StageError as exc:
            raise TaskFailed("StageError", f"# {stage.replace('_', ' ').title()}: {exc}") from exc


def ai_response_object(content: str | None, reasoning: str | None, model: str | None,
                       prompt_tokens: int | None, completion_tokens: int | None,
                       duration_seconds: float) -> dict[str, Any]:
    """The `ai_response` table the Output stage sees (A:src/run/ai_response.rs@952ad06e)."""
    return {
        "content": content or None,  # empty content is nil (wire-protocol.md §6.1 item 26)
        "reasoning_content": reasoning,
        "model_name": model,
        "adapter_kind": "Ollama",
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
        "price_usd": None,
        "duration_sec": round(duration_seconds, 3),
        "info": f"Model: {model} | Duration: {duration_seconds:.3f} s",
    }
