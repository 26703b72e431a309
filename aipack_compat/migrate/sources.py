"""Read the legacy pieces a job config needs: the workspace config (any era) and agent files.

Pure apart from reading files under the migrated root. Each piece comes back with the report
entries and MIG diagnostics that describe what was carried over and what changed.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from typing import Any

from aipack_compat.files import TextFile, read_text_file
from aipack_compat.load.agent_spec import agent_key
from aipack_compat.migrate.report import ReportEntry
from aipack_compat.model.diagnostic import Diagnostic
from aipack_compat.model.eras import LAST_RHAI_DEVAI_RELEASE
from aipack_compat.model.job import AgentSpec, OptionProvenance, SourceLocation
from aipack_compat.model.versions import DEFAULT_AIP_VERSION
from aipack_compat.rules import mig

# the aip version whose reading of a config shape is migrated (check/config.py `era` names)
ERA_READING_VERSION = {"devai-0.1": LAST_RHAI_DEVAI_RELEASE, "devai-0.5": "0.5.9", "default_options": "0.7.9"}
LEGACY_NAMES = {
    "devai-0.1": {"model": "[genai] model", "input_concurrency": "[runtime] items_concurrency"},
    "devai-0.5": {"model": "[genai] model", "temperature": "[genai] temperature",
                  "input_concurrency": "[runtime] input_concurrency"},
}
@dataclass(slots=True)
class WorkspaceConfig:
    path: str | None  # relative to root
    text: str | None
    options: dict[str, Any] = field(default_factory=dict)
    provenance: list[OptionProvenance] = field(default_factory=list)
    era: str = "none"


def config_options(path: str, text: str) -> tuple[dict[str, Any], Any]:
    """The options a config text contributes, read the way its own era reads it."""
    from aipack_compat.check.config import check_config_text

    result = check_config_text(path, text, "workspace")
    version = ERA_READING_VERSION.get(result.era, DEFAULT_AIP_VERSION)
    return result.options_for_version(version), result


def read_workspace_config(root: str, entries: list[ReportEntry], diagnostics: list[Diagnostic]) -> WorkspaceConfig:
    for relative in (".aipack/config.toml", ".devai/config.toml"):
        absolute = os.path.join(root, relative)
        if os.path.lexists(absolute):  # a dangling link or a FIFO there is reported, not ignored
            break
    else:
        entries.append(ReportEntry("config", "workspace config", "not-migrated", ["no .aipack/config.toml or .devai/config.toml"], ""))
        return WorkspaceConfig(None, None)
    loaded = read_text_file(absolute)  # never blocks on a FIFO, never reads a 10 MB file whole
    if not isinstance(loaded, TextFile):
        diagnostics.append(mig.CONFIG_NOT_READ.diagnostic(relative, loaded.message,
                                                          loaded.line, loaded.column))
        entries.append(ReportEntry("config", relative, "not-migrated", [loaded.message], relative))
        return WorkspaceConfig(relative, None)
    text = loaded.text
    options, result = config_options(relative, text)
    if result.fatal:
        diagnostics.append(mig.CONFIG_NOT_READ.diagnostic(relative, "aip refuses this config (see `aipack-compat validate`)"))
        # Nothing of it is carried over, so the migration lost it: that must show in the exit code.
        entries.append(ReportEntry("config", relative, "not-migrated", ["aip refuses this config"], relative))
    reading = result.reading_for(ERA_READING_VERSION.get(result.era, DEFAULT_AIP_VERSION))
    provenance: list[OptionProvenance] = []
    for key in sorted(options):
        span = result.location(reading, key)
        line, column = (span.line, span.column) if span else (0, 0)
        value = options[key]
        where = f"{relative}:{line}" if line else relative
        legacy_name = LEGACY_NAMES.get(result.era, {}).get(key)
        if legacy_name or reading == "default_options":
            shown = legacy_name or f"[default_options] {key}"
            why = (
                "aip 0.7.10+ ignores the [genai]/[runtime] shape"
                if legacy_name
                else "[default_options] is soft-deprecated since aip 0.7.10, read only when [options] is absent"
            )
            change = f"{shown} -> options.{key} ({why})"
            diagnostics.append(mig.LEGACY_CONFIG_CONVERTED.diagnostic(relative, change, line, column))
            entries.append(ReportEntry("config", f"options.{key}", "migrated-with-changes", [change], where))
        else:
            entries.append(ReportEntry("config", f"options.{key}", "migrated", [], where))
        provenance.append(OptionProvenance(key=key, value=_provenance_value(value), layer="workspace",
                                           source=SourceLocation(path=relative, line=line, column=column)))
    return WorkspaceConfig(relative, text, options, provenance, result.era)


def _provenance_value(value: Any) -> Any:
    return dict(sorted(value.items())) if isinstance(value, dict) else value


def read_agent(root: str, agent_path: str, aip_version: str, entries: list[ReportEntry],
               diagnostics: list[Diagnostic]) -> AgentSpec | None:
    from aipack_compat.load.agent_spec import agent_spec_from_text

    relative = posixpath.relpath(os.path.abspath(agent_path).replace(os.sep, "/"), root)
    try:
        with open(agent_path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.append(mig.AGENT_NOT_READ.diagnostic(relative, f"cannot read agent: {type(exc).__name__}"))
        entries.append(ReportEntry("agent", relative, "not-migrated", [f"cannot read: {exc}"], relative))
        return None
    converted = agent_spec_from_text(agent_key(root, agent_path), relative, text, aip_version)
    changes: list[str] = []
    if converted.options_errors:
        diagnostics.append(mig.AGENT_NOT_READ.diagnostic(relative, "invalid `# Options` block", converted.options_line))
        changes.append("invalid `# Options` values were dropped")
    for stage in converted.dropped_stages:
        changes.append(f"{stage.stage} stage in {stage.language} left out (only Lua stages run)")
        diagnostics.append(mig.STAGE_NOT_MIGRATED.diagnostic(relative, f"{stage.stage} stage is {stage.language}",
                                                             stage.heading_line))
    if converted.has_legacy_config:
        changes.append("`# Config` section (read by aip <= 0.6.6) not carried over")
    entries.append(ReportEntry("agent", relative, "migrated-with-changes" if changes else "migrated", changes, relative))
    return converted.spec
