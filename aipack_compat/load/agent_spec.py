"""A parsed agent file as the typed `AgentSpec` job configs carry (shared by migrate and run, so it
sits in load/, below both).

aip's line lexer gives the document; the `# Options` block is type-checked like a config table;
Lua stages keep the line of their first code line (for error mapping). What cannot become part of
a runnable spec — invalid `# Options` values, non-Lua (Rhai, devai <= 0.1.0) stages — is returned
beside the spec, so `migrate` can report it and go on while `run` refuses the agent, as aip does.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from typing import Any

from aipack_compat.model.diagnostic import Diagnostic
from aipack_compat.model.job import AgentSpec, PromptPart, SourceLocation, StageCode
from aipack_compat.model.options import AgentOptions

AGENT_ERAS = {"devai-rhai": "devai-rhai", "devai-lua": "devai-lua", "aipack": "aipack-0.8"}
STAGE_NAMES = ("before_all", "data", "output", "after_all")


@dataclass(frozen=True, slots=True)
class DroppedStage:
    stage: str
    language: str
    heading_line: int


@dataclass(frozen=True, slots=True)
class AgentConversion:
    spec: AgentSpec
    options_errors: list[Diagnostic] = field(default_factory=list)
    """Errors in `# Options`; their values are left out of `spec.options`."""
    options_line: int = 0
    dropped_stages: list[DroppedStage] = field(default_factory=list)
    has_legacy_config: bool = False
    """A `# Config` section (read by aip <= 0.6.6), not carried over."""


def agent_key(root: str, agent_path: str) -> str:
    """The agent's name in a job config: its path relative to root, without extension."""
    relative = posixpath.relpath(os.path.abspath(agent_path).replace(os.sep, "/"), root.replace(os.sep, "/"))
    return posixpath.splitext(relative)[0]


def agent_spec_from_text(name: str, relative_path: str, text: str, aip_version: str) -> AgentConversion:
    """Parse agent text (its path relative to the job config's root) into an AgentSpec."""
    from aipack_compat.load.agent import parse_agent
    from aipack_compat.load.options_table import read_agent_options

    document = parse_agent(relative_path, text, aip_version)
    block = read_agent_options(document)
    options: dict[str, Any] = block.values if block else {}
    errors = block.errors if block else []
    stages: list[StageCode] = []
    dropped: list[DroppedStage] = []
    for stage_name in STAGE_NAMES:
        stage = document.stage(stage_name)
        if stage is None:
            continue
        if stage.language != "lua":
            dropped.append(DroppedStage(stage_name, stage.language, stage.heading_line))
            continue
        stages.append(StageCode(stage=stage_name, code=stage.code,  # type: ignore[arg-type]
                                source=SourceLocation(path=relative_path, line=stage.first_code_line)))
    parts = [
        PromptPart(role=part.role, heading=part.heading, template=part.template,  # type: ignore[arg-type]
                   options_fragment=part.options_fragment, source=SourceLocation(path=relative_path, line=part.line))
        for part in document.prompt_parts
    ]
    spec = AgentSpec(name=name, source=SourceLocation(path=relative_path), options=AgentOptions(**options),
                     prompt_parts=parts, stages=stages, era=AGENT_ERAS.get(document.era_guess, "aipack-0.8"))
    return AgentConversion(spec, errors, document.options_line or 0, dropped, document.legacy_config_toml is not None)
