"""aip.agent.* (`A:src/script/aip_modules/aip_agent.rs@952ad06e`).

`extract_options` (0.7.9+) copies the agent-option keys of a table. `run` needs the executor: the
stage runner gets it through `StageContext.run_agent` (see `host.SubAgentRunner`); without one it
raises a clear error naming the sub-agent. The request mirrors aip's `RunAgentOptions`
(`A:src/types/run_agent_options.rs@952ad06e`): `input` is prepended to `inputs`, an empty list
means no inputs, `agent_base_dir` overrides the caller's dir; the reply is `RunAgentResponse`
(`{outputs, after_all, redo_requested}`). The sub-agent path is found the way aip's
`find_agent` does (`A:src/agent/agent_locator.rs@952ad06e`).
"""

from __future__ import annotations

import os
from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, expect_string

# `aip_agent_extract_options` (0.8.1 fixed the `input_concurrency` key).
AGENT_OPTION_KEYS = ("model", "model_aliases", "input_concurrency", "temperature", "top_p", "allow_run_on_task_fail")


def extract_options(host: ApiHost, value: Any = None) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        # an empty Lua table arrives as {} (dict); a list table has none of the keys
        return {} if isinstance(value, list) else None
    return {key: value[key] for key in AGENT_OPTION_KEYS if value.get(key) is not None}


def possible_aip_paths(path: str, as_dir: bool) -> list[str]:
    """`possible_aip_paths`: `x.aip` as is, `dir/` -> `dir/main.aip`, else `x.aip` then `x/main.aip`."""
    if path.endswith(".aip"):
        return [path]
    if as_dir or path.endswith("/"):
        return [os.path.join(path, "main.aip")]
    return [path + ".aip", os.path.join(path, "main.aip")]


def find_sub_agent_path(host: ApiHost, name: str, base_dir: str) -> str:
    """The `.aip` file `aip.agent.run(name)` runs: a pack ref (`ns@pack[/sub]`) or a path
    relative to `base_dir` (the caller agent's dir unless `agent_base_dir` was given)."""
    head = name.split("/", 1)[0]
    if "@" in head and not head.startswith("@"):
        pack_path = host.resolve(name)
        as_dir = "/" not in name.rstrip("/")
        candidates = possible_aip_paths(pack_path, as_dir)
        found = next((path for path in candidates if os.path.isfile(path)), None)
        if found is None:
            raise ApiError(f"Failed to find agent '{name}': No agent files  matches for {name}")
        return found
    path = name if os.path.isabs(name) else os.path.join(base_dir, name)
    found = next((candidate for candidate in possible_aip_paths(path, False) if os.path.isfile(candidate)), None)
    if found is None:
        raise ApiError(f"Failed to find agent '{name}': No agent found for local path: '{name}'\n   (full path: {path})")
    return os.path.normpath(found)


def _run_request(name: str, options: Any) -> tuple[list[Any] | None, dict[str, Any] | None, str | None]:
    if options is None:
        return None, None, None
    if isinstance(options, list) and not options:
        options = {}
    if not isinstance(options, dict):
        raise ApiError("RunAgentOptions argument must be nil or a table { inputs?, options? }")
    inputs = options.get("inputs")
    if inputs is not None and not isinstance(inputs, list):
        if isinstance(inputs, dict) and not inputs:
            inputs = []
        else:
            raise ApiError("The 'inputs' field must be a Lua array")
    collected = ([options["input"]] if options.get("input") is not None else []) + list(inputs or [])
    agent_options = options.get("options")
    if agent_options is not None and not isinstance(agent_options, dict):
        agent_options = {} if isinstance(agent_options, list) and not agent_options else None
        if agent_options is None:
            raise ApiError(f"aip.agent.run('{name}') - options.options must be a table of agent options")
    base_dir = options.get("agent_base_dir")
    return (collected or None), agent_options, (base_dir if isinstance(base_dir, str) else None)


def run(host: ApiHost, agent_name: Any = None, options: Any = None) -> dict[str, Any]:
    name = expect_string(agent_name, "aip.agent.run", "agent_name")
    inputs, agent_options, base_dir = _run_request(name, options)
    if host.run_agent is None:
        raise ApiError(
            f"aip.agent.run is not supported by aipack-compat in this run (sub-agent '{name}'): "
            "the executor did not provide sub-agent runs; migrate the sub-agent as its own job, "
            "or run this agent with the real `aip`"
        )
    directory = host.resolve(base_dir) if base_dir is not None else host.agent_dir
    agent_path = find_sub_agent_path(host, name, directory)
    request = {
        "agent_name": name,
        "agent_path": agent_path,
        "inputs": inputs,
        "options": agent_options,
        "parent_run_uid": host.run_uid,
    }
    try:
        response = host.run_agent(agent_path, request)
    except ApiError:
        raise
    except Exception as exc:  # the executor's failure becomes the Lua error, as aip's Error::custom
        raise ApiError(f"Failed to run agent '{name}': {exc}") from None
    response = response or {}
    # RunAgentResponse::into_lua sets absent outputs / after_all to nil (the key is absent), not null.
    reply: dict[str, Any] = {"redo_requested": bool(response.get("redo_requested", False))}
    for key in ("outputs", "after_all"):
        if response.get(key) is not None:
            reply[key] = response[key]
    return reply


FUNCTIONS: dict[str, ApiFunction] = {
    "run": ApiFunction(run),
    "extract_options": ApiFunction(extract_options),
}
