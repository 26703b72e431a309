"""Run an agent's Lua stages as aip does (`A:src/run/proc_{before_all,data,output,after_all}.rs@952ad06e`).

Each call creates a fresh sandboxed Lua 5.4 state (aip creates one engine per stage), injects the
stage's variables next to the globals, runs the code and converts the result to JSON-like Python
the way aip does, then interprets flow sentinels with aip's per-stage rules (spec §3.7).
Values in and out are plain Python: dict/list/str/int/float/bool/None.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aipack_compat.lua.api.host import ApiHost
from aipack_compat.lua.convert import ConversionError, LuaConverter
from aipack_compat.lua.ports.flow_sentinels import FlowError, FlowValue, parse_flow
from aipack_compat.lua.registry import build_aip_table
from aipack_compat.lua.runtime import LuaSandbox
from aipack_compat.lua.stage_context import StageContext, build_ctx
from aipack_compat.lua.stage_globals import install_globals
from aipack_compat.model.versions import parse_version

if TYPE_CHECKING:
    from aipack_compat.model.job import AgentSpec, StageCode


_STAGE_TITLES = {"before_all": "Before All", "data": "Data", "output": "Output", "after_all": "After All"}


class StageError(Exception):
    """A stage failed: Lua error, bad flow value, or a value with no JSON form.

    `line` is the agent file's line (0 when unknown); str() is `path:line: [Stage] message`.
    """

    def __init__(self, stage: str, message: str, path: str, line: int = 0) -> None:
        self.stage = stage
        self.message = message
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: [{_STAGE_TITLES.get(stage, stage)}] {message}")


@dataclass(frozen=True, slots=True)
class BeforeAllResult:
    skip: bool = False
    skip_reason: str | None = None
    inputs: list[Any] | None = None
    """Replacement inputs; None keeps the original ones."""
    before_all: Any = None
    options: dict[str, Any] | None = None
    """Options to merge over the agent's for the whole run."""
    redo: bool = False
    """`aip.flow.redo_run()` was returned (0.8.17+)."""


@dataclass(frozen=True, slots=True)
class DataResult:
    skip: bool = False
    skip_reason: str | None = None
    input: Any = None
    """The task input (the replacement from data_response, else the original)."""
    data: Any = None
    options: dict[str, Any] | None = None
    """Per-task option overrides."""
    attachments: list[dict[str, Any]] | None = None
    """`{file_source, file_name?, title?}` items (0.8.10+), normalised to a list."""


class StageRunner:
    """Runs the Lua stages of one agent for one run. Thread-safe across calls (no shared Lua state)."""

    def __init__(self, agent: "AgentSpec", context: StageContext) -> None:
        self.agent = agent
        self.context = context
        self.version = parse_version(context.aip_version)
        self.events: list[tuple[str, Any]] = []
        """(kind, payload) of prints, pins, labels and file saves, in order."""
        self._code: dict[str, "StageCode"] = {}
        for stage_code in agent.stages:
            if stage_code.code.strip():
                self._code[stage_code.stage] = stage_code

    def has(self, stage: str) -> bool:
        return _normalize_stage(stage) in self._code

    # -- stages

    def before_all(self, inputs: list[Any] | None) -> BeforeAllResult:
        if not self.has("before_all"):
            return BeforeAllResult(inputs=None)
        value = self._run("before_all", {"inputs": inputs}, None)
        flow = self._flow("before_all", value)
        if flow is None:
            return BeforeAllResult(before_all=value)
        if flow.kind == "Skip":
            return BeforeAllResult(skip=True, skip_reason=flow.reason)
        if flow.kind == "Redo":
            return BeforeAllResult(redo=True)
        if flow.kind == "BeforeAllResponse":
            fields = flow.fields or {}
            return BeforeAllResult(
                inputs=fields.get("inputs"),
                before_all=fields.get("before_all"),
                options=self._options("before_all", fields.get("options")),
            )
        raise self._error("before_all", f"Aipack custom '{flow.kind}' not supported at the Before All stage")

    def data(self, input: Any, before_all: Any, task_num: int) -> DataResult:
        if not self.has("data"):
            return DataResult(input=input)
        value = self._run("data", {"input": input, "before_all": before_all}, task_num)
        flow = self._flow("data", value)
        if flow is None:
            return DataResult(input=input, data=value)
        if flow.kind == "Skip":
            return DataResult(skip=True, skip_reason=flow.reason, input=input)
        if flow.kind == "Redo":
            raise self._error(
                "data",
                "aip.flow.redo_run() can be returned only from # Before All or # After All stages. Returned from # Data stage.",
            )
        if flow.kind == "DataResponse":
            fields = flow.fields or {}
            # `input_ov.or(Some(input))` (proc_data.rs): an absent input keeps the original.
            new_input = fields["input"] if "input" in fields else input
            return DataResult(
                input=new_input,
                data=fields.get("data"),
                options=self._options("data", fields.get("options")),
                attachments=_attachments(fields.get("attachments")),
            )
        raise self._error("data", f"Aipack Custom '{flow.kind}' is not supported at the Data stage")

    def output(self, input: Any, data: Any, before_all: Any, ai_response: dict[str, Any] | None, task_num: int) -> Any:
        if not self.has("output"):
            return ai_response.get("content") if ai_response else None
        scope = {"input": input, "data": data, "before_all": before_all, "ai_response": ai_response}
        value = self._run("output", scope, task_num)
        flow = self._flow("output", value)
        if flow is None:
            return value
        if flow.kind == "Skip":
            # run_agent_task.rs: prints "Aipack Skip input at Output stage", the object stays the output.
            suffix = f" (Reason: {flow.reason})" if flow.reason else ""
            self.events.append(("skip", f"Aipack Skip input at Output stage{suffix}"))
            return value
        if flow.kind == "Redo":
            raise self._error(
                "output",
                "aip.flow.redo_run() can be returned only from # Before All or # After All stages. Returned from # Output stage.",
            )
        raise self._error("output", f"Aipack custom '{flow.kind}' not supported at the Output stage")

    def after_all(self, inputs: list[Any] | None, outputs: list[Any] | None, before_all: Any) -> Any:
        """The After All value; a Redo sentinel is returned as is (check with `ports.flow_sentinels.flow_kind`)."""
        if not self.has("after_all"):
            return None
        return self._run("after_all", {"inputs": inputs, "outputs": outputs, "before_all": before_all}, None)

    # -- machinery

    def _run(self, stage: str, scope: dict[str, Any], task_num: int | None) -> Any:
        stage_code = self._code[stage]
        agent_dir = os.path.dirname(os.path.abspath(self.context.agent_file_path))
        pack = self.context.pack or {}
        lua_dirs = [agent_dir] + ([pack["dir"]] if pack.get("dir") else [])
        sandbox = LuaSandbox(self.context.limits, lua_dirs=lua_dirs)
        converter = LuaConverter(sandbox.lua)
        pack_dirs = {}
        if pack.get("dir") and pack.get("namespace") and pack.get("name"):
            pack_dirs[f"{pack['namespace']}@{pack['name']}"] = pack["dir"]
        host = ApiHost(
            workspace_dir=os.path.abspath(self.context.workspace_dir),
            base_aipack_dir=self.context.base_dir(),
            agent_dir=agent_dir,
            stage=stage,
            pack_dirs=pack_dirs,
            allow_commands=self.context.allow_commands,
            allow_network=self.context.allow_network,
            events=self.events,
            sandbox=sandbox,
            converter=converter,
            run_agent=self.context.run_agent,
            run_uid=self.context.run_uid,
        )
        try:
            aip = build_aip_table(host, self.version)
            install_globals(sandbox, host, aip, self.version)
            lua_globals = sandbox.globals
            lua_globals.CTX = converter.to_lua(build_ctx(self.context, stage, task_num, self.version))
            env = sandbox.table()
            for key, value in lua_globals.items():
                env[key] = value
            env.options = converter.to_lua(self.context.options or {})
            for key, value in scope.items():
                env[key] = converter.to_lua(value)
        except ConversionError as exc:
            raise self._error(stage, f"cannot pass stage variables to Lua: {exc}") from None
        chunk_name = "@" + os.path.basename(self.context.agent_file_path)
        ok, value = sandbox.execute(stage_code.code, chunk_name, env, first_line=max(stage_code.source.line, 1))
        if not ok:
            message, line = self._locate(str(value))
            # An error raised in a tail call (`return aip.file.load(x)`) has no caller frame left;
            # point at the stage's first code line then.
            raise StageError(stage, message, self.context.agent_file_path, line or stage_code.source.line)
        try:
            return converter.to_python(value)
        except ConversionError as exc:
            raise self._error(stage, f"the stage returned a value that cannot become JSON: {exc}") from None

    def _locate(self, message: str) -> tuple[str, int]:
        """Split `agent.aip:12: msg` into (msg, 12); lupa may prefix `error loading code:`."""
        name = re.escape(os.path.basename(self.context.agent_file_path))
        match = re.search(rf"{name}:(\d+): ", message)
        if match is None:
            return message.strip(), 0
        cleaned = (message[: match.start()] + message[match.end() :]).strip()
        return cleaned, int(match.group(1))

    def _flow(self, stage: str, value: Any) -> FlowValue | None:
        try:
            return parse_flow(value, self.version)
        except FlowError as exc:
            raise self._error(stage, str(exc)) from None

    def _options(self, stage: str, options: Any) -> dict[str, Any] | None:
        if options is None:
            return None
        if isinstance(options, list) and not options:
            return {}
        if not isinstance(options, dict):
            raise self._error(stage, f"options must be a table of agent options, got {type(options).__name__}")
        return options

    def _error(self, stage: str, message: str) -> StageError:
        stage_code = self._code.get(stage)
        return StageError(stage, message, self.context.agent_file_path, stage_code.source.line if stage_code else 0)


def _normalize_stage(stage: str) -> str:
    return stage.strip().lower().replace(" ", "_")


def _attachments(value: Any) -> list[dict[str, Any]] | None:
    """`Attachments` deserializer: one attachment or a list of them (0.8.10+)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return [value] if value else []
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return None
