"""An agent file read at run time (the sub-agent of `aip.agent.run`) into the AgentSpec jobs carry.

Built the way `migrate` builds the agents of a job config (migrate/sources.py `read_agent`: aip's
line lexer, the `# Options` block checked like a config table, Lua stages with the line of their
first code line), but strict where migrate reports and goes on: aip refuses to run an agent whose
`# Options` is invalid, and a Rhai stage (devai <= 0.1.0) cannot run in the Lua executor, so both
are the run's error here. The execute stage may not import migrate (tests/unit/test_layers.py),
hence this reader next to the executor.
"""

from __future__ import annotations

import os
import posixpath

from aipack_compat.model.job import AgentSpec, PromptPart, SourceLocation, StageCode
from aipack_compat.model.options import AgentOptions

_AGENT_ERAS = {"devai-rhai": "devai-rhai", "devai-lua": "devai-lua", "aipack": "aipack-0.8"}


class AgentFileError(Exception):
    """The agent file cannot run; str() is one located line (`path[:line]: message`)."""


def agent_name(root: str, agent_path: str) -> str:
    """The agent's key as `migrate` names agents: its path relative to root, no extension."""
    relative = posixpath.relpath(os.path.abspath(agent_path).replace(os.sep, "/"), root.replace(os.sep, "/"))
    return posixpath.splitext(relative)[0]


def load_agent_spec(root: str, agent_path: str, aip_version: str) -> AgentSpec:
    """Parse `agent_path`; paths in the spec are relative to `root`, as in a job config."""
    from aipack_compat.check.config import check_agent_options_toml
    from aipack_compat.load.agent import parse_agent

    root = os.path.abspath(root)
    relative = posixpath.relpath(os.path.abspath(agent_path).replace(os.sep, "/"), root.replace(os.sep, "/"))
    try:
        with open(agent_path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise AgentFileError(f"{agent_path}: cannot read the agent file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise AgentFileError(f"{agent_path}: the agent file is not UTF-8 text") from None
    document = parse_agent(relative, text, aip_version)
    options: dict[str, object] = {}
    if document.options_toml is not None:
        options, problems = check_agent_options_toml(relative, document.options_toml, document.options_line)
        errors = [d for d in problems if d.severity.label == "error"]
        if errors:
            first = errors[0]
            raise AgentFileError(f"{agent_path}:{first.line or document.options_line}: invalid `# Options`: {first.message}")
    stages: list[StageCode] = []
    for name in ("before_all", "data", "output", "after_all"):
        stage = document.stage(name)
        if stage is None:
            continue
        if stage.language != "lua":
            raise AgentFileError(f"{agent_path}:{stage.heading_line}: the {name.replace('_', ' ')} stage is "
                                 f"{stage.language}; only Lua stages run")
        stages.append(StageCode(stage=name, code=stage.code,  # type: ignore[arg-type]
                                source=SourceLocation(path=relative, line=stage.first_code_line)))
    parts = [
        PromptPart(role=part.role, heading=part.heading, template=part.template,  # type: ignore[arg-type]
                   options_fragment=part.options_fragment, source=SourceLocation(path=relative, line=part.line))
        for part in document.prompt_parts
    ]
    return AgentSpec(name=agent_name(root, agent_path), source=SourceLocation(path=relative),
                     options=AgentOptions(**options), prompt_parts=parts, stages=stages,  # type: ignore[arg-type]
                     era=_AGENT_ERAS.get(document.era_guess, "aipack-0.8"))
