"""What changed between the facts of two aip releases, as readable lines (the drift report).

Works on two version directories as written by generate.py, so it can compare a checked-in release with one
just extracted elsewhere. Standard library only.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

_OPTION_TABLES = ("options", "default_options", "genai")


def changes(old_dir: Path, new_dir: Path) -> list[str]:
    old, new = _load(old_dir), _load(new_dir)
    lines: list[str] = []
    if old["manifest"]["genai"]["version"] != new["manifest"]["genai"]["version"]:
        lines.append(f"genai: {old['manifest']['genai']['version']} -> {new['manifest']['genai']['version']}")
    lines += _config_changes(old, new)
    lines += _routing_changes(old["routing"], new["routing"])
    lines += _cli_changes(old["cli"], new["cli"])
    lines += _lua_changes(old["lua"], new["lua"])
    for kind in ("sections", "prompt_parts"):
        lines += _mapping_changes(f"heading {kind}", old["headings"][kind], new["headings"][kind])
    return lines


def _load(directory: Path) -> dict[str, Any]:
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    default_config = (directory / manifest["shipped_default_config"]).read_text(encoding="utf-8")
    return {
        "manifest": manifest,
        "default_config": default_config,
        "routing": json.loads((directory / "routing.json").read_text(encoding="utf-8")),
        "cli": json.loads((directory / "cli.json").read_text(encoding="utf-8")),
        "lua": json.loads((directory / "lua_api.json").read_text(encoding="utf-8")),
        "headings": json.loads((directory / "headings.json").read_text(encoding="utf-8")),
    }


def _options(config_text: str) -> dict[str, Any]:
    document = tomllib.loads(config_text)
    for table in _OPTION_TABLES:
        if isinstance(document.get(table), dict):
            return dict(document[table])
    return {}


def _config_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    if old["default_config"] == new["default_config"]:
        return []
    lines = [f"shipped default config: {old['manifest']['shipped_default_config']} changed"]
    old_options, new_options = _options(old["default_config"]), _options(new["default_config"])
    old_aliases, new_aliases = old_options.pop("model_aliases", {}), new_options.pop("model_aliases", {})
    lines += _mapping_changes("shipped option", old_options, new_options)
    lines += _mapping_changes("shipped model alias", old_aliases, new_aliases)
    return lines


def _mapping_changes(label: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = [f"{label} added: {key} = {new[key]!r}" for key in sorted(set(new) - set(old))]
    lines += [f"{label} removed: {key} (was {old[key]!r})" for key in sorted(set(old) - set(new))]
    lines += [f"{label} changed: {key}: {old[key]!r} -> {new[key]!r}" for key in sorted(set(old) & set(new))
              if old[key] != new[key]]
    return lines


def _routing_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if old["from_model"] != new["from_model"]:
        lines.append("genai from_model chain changed:")
        lines += [f"  - {rule}" for rule in _rule_lines(old["from_model"]) if rule not in _rule_lines(new["from_model"])]
        lines += [f"  + {rule}" for rule in _rule_lines(new["from_model"]) if rule not in _rule_lines(old["from_model"])]
    old_ns = (old.get("namespaces") or {}).get("lower_str", {})
    new_ns = (new.get("namespaces") or {}).get("lower_str", {})
    lines += _mapping_changes("genai namespace", old_ns, new_ns)
    lines += _mapping_changes("genai extra namespace", (old.get("namespaces") or {}).get("extra", {}),
                              (new.get("namespaces") or {}).get("extra", {}))
    for module in sorted(set(old["model_lists"]) | set(new["model_lists"])):
        before, after = set(old["model_lists"].get(module, [])), set(new["model_lists"].get(module, []))
        if before != after:
            lines.append(f"genai {module} MODELS: +{sorted(after - before)} -{sorted(before - after)}")
    return lines


def _rule_lines(chain: dict[str, Any], indent: str = "") -> list[str]:
    lines = []
    for rule in chain["rules"]:
        then = rule["then"]
        if isinstance(then, str):
            lines.append(f"{indent}{json.dumps(rule['when'], sort_keys=True)} -> {then}")
        else:
            lines.append(f"{indent}{json.dumps(rule['when'], sort_keys=True)} ->")
            lines += _rule_lines(then, indent + "    ")
    otherwise = chain["otherwise"]
    lines.append(f"{indent}else -> {otherwise}" if isinstance(otherwise, str) else f"{indent}else ->")
    return lines


def _spellings(command: dict[str, Any]) -> set[str]:
    found = set()
    for arg in command["args"]:
        found |= {f"--{arg['long']}"} if "long" in arg else set()
        found |= {f"-{arg['short']}"} if "short" in arg else set()
        found |= {f"--{alias}" for alias in arg.get("long_aliases", [])}
        found |= {f"-{alias}" for alias in arg.get("short_aliases", [])}
        found |= {f"<{arg['field']}>"} if arg.get("positional") else set()
    return found


def _cli_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before = {command["name"]: command for command in old["commands"]}
    after = {command["name"]: command for command in new["commands"]}
    lines = [f"aip command added: {name}" for name in sorted(set(after) - set(before))]
    lines += [f"aip command removed: {name}" for name in sorted(set(before) - set(after))]
    for name in sorted(set(before) & set(after)):
        old_flags, new_flags = _spellings(before[name]), _spellings(after[name])
        lines += [f"aip {name}: flag added {flag}" for flag in sorted(new_flags - old_flags)]
        lines += [f"aip {name}: flag removed {flag}" for flag in sorted(old_flags - new_flags)]
    return lines


def _flatten(table: Any, prefix: str) -> dict[str, str]:
    if not isinstance(table, dict):
        return {prefix: str(table)}
    if "@same_as" in table:
        return {prefix: f"same as {table['@same_as']}"}
    out: dict[str, str] = {}
    for name, entry in table.items():
        out.update(_flatten(entry, f"{prefix}.{name}" if prefix else name))
    return out


def _lua_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return _mapping_changes("Lua", _flatten(old["globals"], ""), _flatten(new["globals"], ""))
