"""The keys aip's `AgentOptions` understands, as plain data for the fast validate path.

This catalogue and the pydantic `AgentOptions` (model/options.py) must describe the same keys;
a test keeps them equal. Source: aipack-spec §1.4 (`A:src/agent/agent_options.rs@952ad06e`).
"""

from __future__ import annotations

from typing import NamedTuple


class OptionKey(NamedTuple):
    name: str
    toml_type: str  # "string" | "float" | "uint" | "bool" | "string-table"
    since: str  # first aip/devai version that reads it under [options]/[default_options]
    meaning: str


OPTION_KEYS: dict[str, OptionKey] = {
    key.name: key
    for key in (
        OptionKey("model", "string", "0.5.10", "model name or alias, may carry `ns::` and a reasoning suffix"),
        OptionKey("temperature", "float", "0.5.10", "sampling temperature passed to the provider"),
        OptionKey("top_p", "float", "0.7.11", "nucleus sampling passed to the provider"),
        OptionKey("input_concurrency", "uint", "0.5.10", "maximum number of inputs (tasks) in flight"),
        OptionKey("allow_run_on_task_fail", "bool", "0.8.17", "a failing task yields {error=...} and the run goes on"),
        OptionKey("model_aliases", "string-table", "0.5.10", "alias -> model map, merged key by key across layers"),
    )
}

# Reasoning suffixes in the order aip checks them (first match stripped), with the version that added each.
REASONING_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("-none", "0.8.27"),
    ("-zero", "0.8.3"),
    ("-minimal", "0.8.3"),
    ("-low", "0.8.3"),
    ("-medium", "0.8.3"),
    ("-high", "0.8.3"),
    ("-xhigh", "0.8.20"),
    ("-max", "0.8.20"),
)
