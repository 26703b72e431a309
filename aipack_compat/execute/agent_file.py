"""An agent file read at run time (the sub-agent of `aip.agent.run`) into the AgentSpec jobs carry.

Built exactly as `migrate` builds a job config's agents (load/agent_spec.py), but strict where
migrate reports and goes on: aip refuses to run an agent whose `# Options` is invalid, and a Rhai
stage (devai <= 0.1.0) cannot run in the Lua executor, so both are the run's error here.
"""

from __future__ import annotations

import os
import posixpath

from aipack_compat.load.agent_spec import agent_key, agent_spec_from_text
from aipack_compat.model.job import AgentSpec


class AgentFileError(Exception):
    """The agent file cannot run; str() is one located line (`path[:line]: message`)."""


def load_agent_spec(root: str, agent_path: str, aip_version: str) -> AgentSpec:
    """Parse `agent_path`; paths in the spec are relative to `root`, as in a job config."""
    root = os.path.abspath(root)
    relative = posixpath.relpath(os.path.abspath(agent_path).replace(os.sep, "/"), root.replace(os.sep, "/"))
    try:
        with open(agent_path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise AgentFileError(f"{agent_path}: cannot read the agent file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise AgentFileError(f"{agent_path}: the agent file is not UTF-8 text") from None
    converted = agent_spec_from_text(agent_key(root, agent_path), relative, text, aip_version)
    if converted.options_errors:
        first = converted.options_errors[0]
        raise AgentFileError(f"{agent_path}:{first.line or converted.options_line}: invalid `# Options`: {first.message}")
    if converted.dropped_stages:
        stage = converted.dropped_stages[0]
        raise AgentFileError(f"{agent_path}:{stage.heading_line}: the {stage.stage.replace('_', ' ')} stage is "
                             f"{stage.language}; only Lua stages run")
    return converted.spec
