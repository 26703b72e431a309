"""`aipack-compat config show [PATH]`: every effective option with the layer and file:line that set it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from aipack_compat.cli.commands._options import aip_version_option, format_option

FORMATS = ("text", "json")


@click.group("config")
def command() -> None:
    """Inspect the effective AIPACK configuration."""


@command.command("show")
@click.argument("path", required=False, default=".", type=click.Path())
@click.option("--base-dir", type=click.Path(file_okay=False), help="aip base dir (default ~/.aipack-base).")
@click.option("--agent", "agent_file", type=click.Path(), help="Also merge this agent's `# Options` block.")
@format_option(FORMATS)
@aip_version_option("aip version whose merge rules to apply (default: latest known).")
def show(path: str, base_dir: str | None, agent_file: str | None, output_format: str, aip_version: str | None) -> int:
    """Show the merged options for the workspace (or config file) PATH, and the resolved model."""
    from aipack_compat.model.versions import DEFAULT_AIP_VERSION
    from aipack_compat.check.effective import check_effective, merge_layers
    from aipack_compat.load.workspace import base_layers

    version = aip_version or DEFAULT_AIP_VERSION
    results = []
    layers = base_layers(base_dir)
    for layer, base_file in (("default", layers.default), ("user", layers.user), ("base-legacy", layers.legacy)):
        if base_file is not None:
            results.append(_load_config(str(base_file), layer))
    for config_path, layer in _workspace_configs(path, version):
        results.append(_load_config(config_path, layer))
    agent_options, agent_spans, agent_diagnostics = _load_agent(agent_file, version) if agent_file else (None, None, [])
    effective = merge_layers(results, agent_options, agent_file, aip_version=version, agent_spans=agent_spans)
    diagnostics = [d for result in results for d in result.diagnostics] + agent_diagnostics
    diagnostics += check_effective(effective, agent_file or path)
    if output_format == "json":
        click.echo(_render_json(effective, diagnostics))
    else:
        click.echo(_render_text(effective, diagnostics), nl=False)
    return 0


def _load_config(config_path: str, layer: str) -> Any:
    from aipack_compat.check.config import check_config_text

    text = _read(config_path)
    result = check_config_text(config_path, text, layer)
    syntax = next((d for d in result.diagnostics if d.code in ("CFG001", "CFG002")), None)
    if syntax is not None:
        from aipack_compat.errors import UsageFailure

        raise UsageFailure(f"{config_path}:{syntax.line}:{syntax.column}: {syntax.message}")
    return result


def _read(file_path: str) -> str:
    from aipack_compat.errors import UsageFailure
    from aipack_compat.files import diagnostic_line, read_text_file
    from aipack_compat.model.diagnostic import Diagnostic

    loaded = read_text_file(file_path)
    if isinstance(loaded, Diagnostic):
        raise UsageFailure(diagnostic_line(loaded))
    return loaded.text


def _workspace_configs(path: str, version: str) -> list[tuple[str, str]]:
    """The workspace config(s) for PATH: a config file given directly, or what a run from that directory
    finds (`find_workspace`: aip 0.8.29+ looks only in the directory itself, older releases walk up, devai
    reads `.devai/`). The other tool's config next to it is listed too, shown as not read."""
    from aipack_compat.errors import UsageFailure
    from aipack_compat.load.discovery import classify
    from aipack_compat.load.workspace import find_workspace

    if not os.path.lexists(path):
        raise UsageFailure(f"{path}: no such file or directory")
    if not os.path.isdir(path):
        kind = classify(path)
        name = Path(path).name
        if kind == "base_config":
            return [(path, {"config-default.toml": "default", "config-user.toml": "user"}.get(name, "base-legacy"))]
        return [(path, "workspace")]
    workspace = find_workspace(path, version)
    here = os.path.realpath(path)

    def shown(config: str) -> str:  # as PATH names it when the workspace is PATH itself, else absolute
        return str(Path(path) / os.path.relpath(config, here)) if workspace.directory == here else config

    configs = [workspace.config_path, *workspace.unread_config_paths]
    return [(shown(config), "workspace") for config in configs if os.path.isfile(config)]


def _load_agent(agent_file: str, version: str) -> tuple[dict[str, Any] | None, Any, list[Any]]:
    from aipack_compat.load.agent import parse_agent
    from aipack_compat.load.options_table import read_agent_options

    text = _read(agent_file)
    block = read_agent_options(parse_agent(agent_file, text, version))
    if block is None:
        return None, None, []
    return block.values, block.document.spans, block.diagnostics


def _render_text(effective: Any, diagnostics: list[Any]) -> str:
    lines = [f"aip {effective.aip_version}: layers, lowest precedence first"]
    for use in effective.layers:
        note = f"  ({use.note})" if use.note else ""
        lines.append(f"  {use.layer:<12} {use.path}  [{use.era} -> {use.reading}]{note}")
    lines.append("effective options:")
    rows = [(key, entry) for key, entry in effective.values.items()]
    rows += [(f"model_aliases.{name}", entry) for name, entry in effective.aliases.items()]
    if not rows:
        lines.append("  (none)")
    width = max((len(key) for key, _ in rows), default=0)
    for key, entry in rows:
        shown = json.dumps(entry.value, ensure_ascii=False)
        lines.append(f"  {key:<{width}} = {shown:<24} {entry.provenance.layer:<12} {entry.provenance.where}")
    resolved = effective.resolved_model()
    if resolved is None:
        lines.append("resolved model: none (aip fails: Model is missing)")
    else:
        via = {"namespace": "by namespace", "name": "by name", "fallback": "fallback for unrecognised names"}[resolved.by]
        alias = f" via alias `{resolved.alias}`" if resolved.alias else ""
        key = f", API key {resolved.api_key_env}" if resolved.api_key_env else ", no API key"
        lines.append(f"resolved model: {resolved.requested} -> {resolved.resolved}{alias}; provider {resolved.provider} "
                     f"({via}){key}; wire model `{resolved.wire_model}`")
        lines.extend(f"  note: {note}" for note in resolved.notes)
    if effective.refused_files:
        lines.append("aip would refuse: " + ", ".join(effective.refused_files))
    if diagnostics:
        lines.append("findings:")
        for diag in sorted(diagnostics, key=lambda d: d.sort_key()):
            where = f"{diag.path}:{diag.line}:{diag.column or 1}" if diag.line else diag.path
            lines.append(f"  {where}: {diag.severity.label} {diag.code} {diag.message}")
            if diag.hint:
                lines.append(f"    hint: {diag.hint}")
    return "\n".join(lines) + "\n"


def _render_json(effective: Any, diagnostics: list[Any]) -> str:
    from aipack_compat.model.config import EffectiveConfig

    payload = effective.to_dict()
    EffectiveConfig.model_validate(payload)  # the documented contract of this output
    payload["diagnostics"] = [d.to_dict() for d in sorted(diagnostics, key=lambda d: d.sort_key())]
    return json.dumps(payload, indent=2, ensure_ascii=False)
