"""What a stage run knows about its run (`StageContext`), and the `CTX` table built from it
(`A:src/run/literals.rs@952ad06e` plus the per-run/task values of `lua_engine.rs`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from aipack_compat.lua.api.host import SubAgentRunner
from aipack_compat.lua.ports.uuid7 import new_uid
from aipack_compat.lua.runtime import SandboxLimits
from aipack_compat.model.versions import Version

STAGE_LABELS = {"before_all": "BeforeAll", "data": "Data", "output": "Output", "after_all": "AfterAll"}


@dataclass
class StageContext:
    """What the stages need to know about the run (CTX values, dirs, limits)."""

    workspace_dir: str
    agent_file_path: str
    options: dict[str, Any]
    aip_version: str = "0.8.37"
    session_uid: str = ""
    run_uid: str = ""
    pack: dict[str, Any] | None = None
    """Pack agents only: namespace, name, sub_path, ref, identity, dir, workspace_support_dir, base_support_dir."""
    agent_name: str | None = None
    base_aipack_dir: str | None = None
    """Defaults to `~/.aipack-base`."""
    run_num: int = 1
    parent_run_uid: str | None = None
    redo_count: int | None = None
    pwd: str | None = None
    allow_commands: bool = True
    """`aip.cmd.exec` runs programs as aip does; set False to refuse them."""
    allow_network: bool = True
    """`aip.web.get`/`post` make requests as aip does; set False to refuse them."""
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    run_agent: SubAgentRunner | None = None
    """Runs a sub-agent for `aip.agent.run` (the executor supplies it); None makes that call a
    clear error. Called from the stage's thread: `run_agent(agent_path, request)` must block
    until the sub-agent finished and return `{outputs, after_all, redo_requested}`."""
    _task_uids: dict[int, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.session_uid = self.session_uid or new_uid()
        self.run_uid = self.run_uid or new_uid()

    def base_dir(self) -> str:
        return os.path.abspath(self.base_aipack_dir or os.path.join(os.path.expanduser("~"), ".aipack-base"))

    def task_uid(self, task_num: int) -> str:
        return self._task_uids.setdefault(task_num, new_uid())


def build_ctx(context: StageContext, stage: str, task_num: int | None, version: Version) -> dict[str, Any]:
    """CTX (`A:src/run/literals.rs@952ad06e` plus the per-run/task values of `lua_engine.rs`)."""
    workspace = os.path.abspath(context.workspace_dir)
    agent_path = os.path.abspath(context.agent_file_path)
    agent_name_file = os.path.basename(agent_path)
    ctx: dict[str, Any] = {
        "PWD": os.path.abspath(context.pwd or workspace),
        "AIPACK_VERSION": context.aip_version,
        "WORKSPACE_DIR": workspace,
        "WORKSPACE_AIPACK_DIR": os.path.join(workspace, ".aipack"),
        "BASE_AIPACK_DIR": context.base_dir(),
        "AGENT_NAME": context.agent_name or os.path.splitext(os.path.relpath(agent_path, workspace))[0],
        "AGENT_FILE_NAME": agent_name_file,
        "AGENT_FILE_PATH": agent_path,
        "AGENT_FILE_DIR": os.path.dirname(agent_path),
        "AGENT_FILE_STEM": os.path.splitext(agent_name_file)[0],
        "RUN_UID": context.run_uid,
        "RUN_NUM": context.run_num,
        "STAGE": STAGE_LABELS[stage],
    }
    session_key = "SESSION" if (0, 7, 7) <= version < (0, 7, 17) else "SESSION_UID"
    ctx[session_key] = context.session_uid
    ctx["TMP_DIR"] = os.path.join(workspace, ".aipack", ".session", context.session_uid, "tmp")
    if context.parent_run_uid:
        ctx["PARENT_RUN_UID"] = context.parent_run_uid
    if context.redo_count is not None:
        ctx["RUN_FLOW_REDO_COUNT"] = context.redo_count
    if task_num is not None:
        ctx["TASK_UID"] = context.task_uid(task_num)
        ctx["TASK_NUM"] = task_num
    pack = context.pack or {}
    for key, ctx_key in (
        ("namespace", "PACK_NAMESPACE"),
        ("name", "PACK_NAME"),
        ("sub_path", "PACK_SUB_PATH"),
        ("ref", "PACK_REF"),
        ("identity", "PACK_IDENTITY"),
        ("dir", "PACK_DIR"),
        ("workspace_support_dir", "PACK_WORKSPACE_SUPPORT_DIR"),
        ("base_support_dir", "PACK_BASE_SUPPORT_DIR"),
    ):
        if pack.get(key) is not None:
            ctx[ctx_key] = pack[key]
    if pack.get("namespace") and pack.get("name") and "PACK_IDENTITY" not in ctx:
        ctx["PACK_IDENTITY"] = f"{pack['namespace']}@{pack['name']}"
    return ctx
