"""check_paths(): discovery + every checker, one CheckResult. The heart of `validate`.

Each file is read once; a file that cannot be read becomes a diagnostic and the run goes on.
Agents are checked together with the config layers that apply to them (base → user →
workspace → the agent's `# Options`), so "no model after merge" is reported on the agent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aipack_compat.files import TextFile, read_text_file
from aipack_compat.load.discovery import DiscoveredFiles, discover
from aipack_compat.load.workspace import BaseLayers, base_layers, workspace_of
from aipack_compat.model.diagnostic import CheckResult, Diagnostic
from aipack_compat.model.eras import AIP_RENAME, LAST_DEVAI_RELEASE, SPLIT_BASE_CONFIG
from aipack_compat.model.versions import DEFAULT_AIP_VERSION, parse_version

if TYPE_CHECKING:
    from aipack_compat.load.options_table import AgentOptionsBlock

__all__ = ["CheckSettings", "check_paths"]


@dataclass(slots=True)
class CheckSettings:
    aip_version: str = DEFAULT_AIP_VERSION
    base_dir: str | None = None
    """Explicit base dir: its files are layered AND reported. None: ~/.aipack-base, layered only."""
    use_base: bool = True
    check_scripts: bool = True
    explicit_aip_version: str | None = None
    """The version the user asked for; None lets each script line keep its binary's era (devai vs aip)."""


@dataclass(slots=True)
class _Context:
    settings: CheckSettings
    result: CheckResult
    base_results: list[Any] = field(default_factory=list)
    config_results: dict[str, Any] = field(default_factory=dict)  # real path of a workspace config -> ConfigFileResult
    builtin_default_reported: bool = False
    workspace_by_folder: dict[tuple[str, str], Any] = field(default_factory=dict)  # (folder, aip version) -> result


def check_paths(paths: list[str], settings: CheckSettings | None = None) -> CheckResult:
    settings = settings or CheckSettings()
    found = discover(paths)
    ctx = _Context(settings, CheckResult())
    for path, reason in found.unreadable:
        from aipack_compat.rules import io

        ctx.result.diagnostics.append(io.UNREADABLE.diagnostic(path, f"cannot read: {reason}"))
    _check_base_layers(ctx, found)
    _check_workspace_configs(ctx, found)
    for agent_path in found.agents:
        _check_agent(ctx, agent_path)
    for pack_path in found.pack_tomls:
        text = _read(ctx, pack_path)
        if text is not None:
            from aipack_compat.check.pack import check_pack_toml

            ctx.result.extend(check_pack_toml(pack_path, text.text))
    if settings.check_scripts:
        for script_path in found.scripts:
            _check_script(ctx, script_path)
        for path, line, column, what in found.unread_scripts:
            from aipack_compat.rules import sh

            ctx.result.diagnostics.append(sh.RUN_IN_UNREAD_FILE.diagnostic(
                path, f"`aip run` in a {what}, which aipack-compat does not read: its runs are not checked or migrated",
                line, column))
    return ctx.result


def _read(ctx: _Context, path: str, report: bool = True) -> TextFile | None:
    loaded = read_text_file(path)
    if isinstance(loaded, Diagnostic):
        if report:
            ctx.result.diagnostics.append(loaded)
        return None
    if report:
        ctx.result.files_checked.append(path)
        if not loaded.text.strip():
            from aipack_compat.rules import io

            ctx.result.diagnostics.append(io.EMPTY_FILE.diagnostic(path, "file is empty (or only whitespace)"))
    return loaded


def _check_config(ctx: _Context, path: str, layer: str, report: bool = True) -> Any | None:
    text = _read(ctx, path, report=report)
    if text is None:
        return None
    from aipack_compat.check.config import check_config_text

    checked = check_config_text(path, text.text, layer)
    if report:
        ctx.result.extend(checked.diagnostics)
    return checked


def _check_base_layers(ctx: _Context, found: DiscoveredFiles) -> None:
    """Base layers from --base-dir / ~/.aipack-base (reported only when asked for explicitly)."""
    explicit = ctx.settings.base_dir is not None
    if ctx.settings.use_base:
        layers = base_layers(ctx.settings.base_dir)
        for layer, base_file in applicable_base_layers(layers, ctx.settings.aip_version):
            checked = _check_config(ctx, str(base_file), layer, report=explicit)
            if checked is not None:
                ctx.base_results.append(checked)
    for path in found.base_configs:  # base-like files inside the checked tree: report, do not layer
        if explicit and Path(path).resolve().parent == Path(ctx.settings.base_dir or "").resolve():
            continue
        name = Path(path).name
        layer = {"config-default.toml": "default", "config-user.toml": "user"}.get(name, "base-legacy")
        _check_config(ctx, path, layer)


def applicable_base_layers(layers: BaseLayers, aip_version: str) -> list[tuple[str, Path]]:
    """The base files the given aip version reads, lowest precedence first (spec §1.1).

    0.7.18+ reads config-default.toml then config-user.toml (a legacy config.toml is renamed
    to config-deprecated.toml and not read); 0.6.x – 0.7.17 read the single base config.toml;
    devai never had a base config.
    """
    version = parse_version(aip_version)
    if version >= SPLIT_BASE_CONFIG:
        return [(layer, path) for layer, path in (("default", layers.default), ("user", layers.user)) if path]
    if version >= AIP_RENAME and layers.legacy is not None:
        return [("base-legacy", layers.legacy)]
    return []


def _check_workspace_configs(ctx: _Context, found: DiscoveredFiles) -> None:
    for path in [*found.workspace_configs, *found.legacy_configs]:
        checked = _check_config(ctx, path, "workspace")
        if checked is not None:
            ctx.config_results[os.path.realpath(path)] = checked


def _workspace_config_for(ctx: _Context, agent_path: str, version: str) -> Any | None:
    """The config of the workspace the agent belongs to under `version` (`workspace_of`): read if not yet checked."""
    folder_key = (os.path.dirname(os.path.realpath(agent_path)), version)
    if folder_key not in ctx.workspace_by_folder:
        workspace = workspace_of(os.path.realpath(agent_path), version)
        ctx.workspace_by_folder[folder_key] = _config_result(ctx, workspace.config_path) if workspace is not None else None
    return ctx.workspace_by_folder[folder_key]


def _config_result(ctx: _Context, config_path: str) -> Any | None:
    key = os.path.realpath(config_path)
    if key not in ctx.config_results:
        ctx.config_results[key] = _check_config(ctx, config_path, "workspace", report=False) if os.path.isfile(config_path) else None
    return ctx.config_results[key]


def _check_agent(ctx: _Context, agent_path: str) -> None:
    text = _read(ctx, agent_path)
    if text is None:
        return
    from aipack_compat.check.agent import check_agent
    from aipack_compat.load.agent import parse_agent
    from aipack_compat.load.options_table import read_agent_options

    version = ctx.settings.aip_version
    document = parse_agent(agent_path, text.text, version)
    # `# Options` is parsed once: the agent checks, the option types and the merge all read this
    options = read_agent_options(document)
    ctx.result.extend(check_agent(document, version, options.document.data if options else None))
    if options is not None:
        ctx.result.extend(options.diagnostics)
    _check_agent_effective(ctx, agent_path, options)
    _check_lua_support(ctx, agent_path, document)


def _check_agent_effective(ctx: _Context, agent_path: str, options: AgentOptionsBlock | None) -> None:
    if agent_path.endswith(".md"):
        return  # devai 0.1 agents: the era's single config was checked on its own
    from aipack_compat.check.effective import check_effective, merge_layers
    from aipack_compat.rules.cfg import BUILTIN_DEFAULT_LAYER

    version = ctx.settings.aip_version
    layers = [*ctx.base_results]
    if agent_path.endswith(".devai") and ctx.settings.explicit_aip_version is None:
        # a .devai agent runs under devai 0.5.x: one workspace config, no base layers (spec §1.1)
        version, layers = LAST_DEVAI_RELEASE, []
    workspace = _workspace_config_for(ctx, agent_path, version)
    if workspace is not None:
        layers.append(workspace)
    effective = merge_layers(layers, options.values if options else None, agent_path, aip_version=version,
                             agent_spans=options.document.spans if options else None)
    for diagnostic in check_effective(effective, agent_path):
        # "assuming the shipped defaults" is one fact about the run, not about each agent.
        if diagnostic.code == BUILTIN_DEFAULT_LAYER.code:
            if ctx.builtin_default_reported:
                continue
            ctx.builtin_default_reported = True
        ctx.result.diagnostics.append(diagnostic)


def _check_lua_support(ctx: _Context, agent_path: str, document: Any) -> None:
    stages = getattr(document, "stages", None)
    if not stages:
        return
    try:
        from aipack_compat.check.lua_support import check_lua_support
    except ImportError:
        return
    code_by_stage = {name: (stage.code, stage.first_code_line) for name, stage in stages.items()}
    ctx.result.extend(check_lua_support(agent_path, code_by_stage))


def _check_script(ctx: _Context, script_path: str) -> None:
    text = _read(ctx, script_path)
    if text is None:
        return
    from aipack_compat.check.scripts import check_script_text

    _, diagnostics = check_script_text(script_path, text.text, None, aip_version=ctx.settings.explicit_aip_version)
    ctx.result.extend(diagnostics)
