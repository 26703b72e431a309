"""Check one config file the way aip reads it, without pydantic (this is on the validate path).

A config file contributes an options mapping to the merge. Which table it comes from depends on
the aip version (spec §1.3, §1.5):

    0.0.2 – 0.1.0   [genai] model, [runtime] items_concurrency            reading "devai-0.1"
    0.5.0 – 0.5.9   [genai] model/temperature, [runtime] input_concurrency reading "legacy"
    0.5.10 – 0.7.9  [default_options], else the legacy tables (+ WARNING)  "default_options" / "legacy"
    0.7.10+         [options], else [default_options]; legacy ignored      "options" / "default_options"

`[default-options]` is fatal from 0.5.10 on. Diagnostics describe the current (0.8.x) behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from aipack_compat.load.options_table import (
    check_options_table, diagnostic_at, key_span_of, serde_kind, suggest, syntax_diagnostics, toml_literal, type_problem,
    value_span_of,
)
from aipack_compat.load.toml_spans import KeySpans, TomlPath, parse_toml
from aipack_compat.model.diagnostic import Diagnostic
from aipack_compat.model.eras import LUA_DEVAI, OPTIONS_SECTIONS, OPTIONS_TABLE
from aipack_compat.model.location import Location
from aipack_compat.model.option_keys import OPTION_KEYS
from aipack_compat.model.versions import DEFAULT_AIP_VERSION, parse_version
from aipack_compat.rules import cfg as rules

__all__ = ["ConfigFileResult", "check_config_text"]

LEGACY_TOP_LEVEL = ("genai", "runtime")
# Models the shipped base template has set over time (spec §1.8); anything else in config-default.toml was edited.
SHIPPED_DEFAULT_MODELS = ("gpt-4o-mini", "gpt-4.1-mini", "gpt-5-mini", "gpt-5.1", "gpt-5.4", "gpt-5.6-luna")


@dataclass(frozen=True, slots=True)
class ConfigFileResult:
    """One config file, checked. `options` is what aip 0.8.x takes from it (wrongly typed keys dropped)."""

    path: str
    layer: str
    era: str  # shape the file is written in: devai-0.1 | devai-0.5 | default_options | options | none | unparsable
    options: dict[str, Any]
    spans: dict[TomlPath, KeySpans]
    diagnostics: tuple[Diagnostic, ...]
    fatal: bool = False  # aip 0.8.x refuses this file (syntax error, wrong type, [default-options])
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)  # checked values per reading
    has_hyphenated_default_options: bool = False

    def reading_for(self, aip_version: str = DEFAULT_AIP_VERSION) -> str:
        """Which reading (`options`, `default_options`, `legacy`, `devai-0.1`, `none`) aip of that version uses."""
        version = parse_version(aip_version)
        if version < LUA_DEVAI:
            return "devai-0.1" if "devai-0.1" in self.tables else "none"
        if version < OPTIONS_SECTIONS:
            return "legacy" if "legacy" in self.tables else "none"
        if version < OPTIONS_TABLE:
            if "default_options" in self.tables:
                return "default_options"
            return "legacy" if "legacy" in self.tables else "none"
        for reading in ("options", "default_options"):
            if reading in self.tables:
                return reading
        return "none"

    def options_for_version(self, aip_version: str = DEFAULT_AIP_VERSION) -> dict[str, Any]:
        """The options this file contributes under `aip_version` (empty when aip refuses the file)."""
        if self.has_hyphenated_default_options and parse_version(aip_version) >= OPTIONS_SECTIONS:
            return {}
        return dict(self.tables.get(self.reading_for(aip_version), {}))

    def prints_legacy_warning(self, aip_version: str) -> bool:
        """0.5.10 – 0.7.9 print `==== WARNING … format has been updated` for any file without
        `[default_options]`, even an empty one (spec §6 case 6, `A:src/agent/agent_options.rs@7a9720fb`)."""
        version = parse_version(aip_version)
        return OPTIONS_SECTIONS <= version < OPTIONS_TABLE and "default_options" not in self.tables

    def location(self, reading: str, key: str, alias: str | None = None) -> Location | None:
        """Where `key` (or alias `alias` of `model_aliases`) was set for `reading`."""
        for path in _source_paths(reading, key, alias):
            entry = self.spans.get(path)
            if entry:
                return entry.key
        return None


def _source_paths(reading: str, key: str, alias: str | None) -> list[TomlPath]:
    if reading in ("options", "default_options"):
        return [(reading, key, alias)] if alias is not None else [(reading, key)]
    if reading == "legacy":
        return [("genai", key)] if key in ("model", "temperature") else [("runtime", "input_concurrency")]
    if reading == "devai-0.1":
        return [("genai", "model")] if key == "model" else [("runtime", "items_concurrency")]
    return []


def check_config_text(path: str, text: str, layer: str) -> ConfigFileResult:
    """Check the text of one config file for `layer` (default | user | base-legacy | workspace)."""
    document = parse_toml(text)
    diagnostics = syntax_diagnostics(path, document)
    if document.data is None:
        return ConfigFileResult(path, layer, "unparsable", {}, document.spans, tuple(diagnostics), fatal=True)
    data = document.data
    spans = document.spans
    tables: dict[str, dict[str, Any]] = {}
    fatal = False

    hyphenated = "default-options" in data
    if hyphenated:
        fatal = True
        diagnostics.append(diagnostic_at(rules.HYPHENATED_DEFAULT_OPTIONS, path, key_span_of(spans, ("default-options",)),
                               "Config [default-options] is invalid. Use [options] (with _ and not -)",
                               hint="rename the table to [options] (aip 0.5.10 – 0.7.9 say `Use [default_options]`)"))

    has_options = "options" in data
    for name in ("options", "default_options"):
        if name not in data:
            continue
        table = data[name]
        shadowed = name == "default_options" and has_options
        if shadowed:
            diagnostics.append(diagnostic_at(rules.SHADOWED_DEFAULT_OPTIONS, path, key_span_of(spans, (name,)),
                                   "[default_options] is ignored because this file also has [options] "
                                   "(the tables are not merged)",
                                   hint="move its keys into [options] and delete [default_options]"))
        if not isinstance(table, dict):
            if not shadowed:
                fatal = True
                diagnostics.append(diagnostic_at(rules.WRONG_TYPE, path, value_span_of(spans, (name,)),
                                       f"`{name}` must be a table; aip fails: invalid type: {serde_kind(table)}, "
                                       "expected struct AgentOptions"))
            continue
        if shadowed:
            tables[name] = _lenient_options(table)
            continue
        if name == "default_options":
            diagnostics.append(diagnostic_at(rules.SOFT_DEPRECATED_DEFAULT_OPTIONS, path, key_span_of(spans, (name,)),
                                   "[default_options] is the pre-0.7.10 name; aip 0.7.10+ prefers [options]"))
        values, found = check_options_table(path, table, spans, f"[{name}]", prefix=(name,))
        diagnostics.extend(found)
        fatal = fatal or any(d.code == rules.WRONG_TYPE.code for d in found)
        tables[name] = values

    legacy, devai01 = _legacy_readings(data)
    if legacy is not None:
        tables["legacy"] = legacy
    if devai01 is not None:
        tables["devai-0.1"] = devai01
    upgrade = {**(devai01 or {}), **(legacy or {})}
    diagnostics.extend(_legacy_diagnostics(path, data, spans, upgrade, bool(tables.keys() & {"options", "default_options"})))
    diagnostics.extend(_top_level_diagnostics(path, data, spans))
    diagnostics.extend(_layer_diagnostics(path, layer, text, data, spans))

    result = ConfigFileResult(path, layer, _era(data), {}, spans, tuple(diagnostics), fatal, tables, hyphenated)
    return replace(result, options=result.options_for_version(DEFAULT_AIP_VERSION))


def _lenient_options(table: dict[str, Any]) -> dict[str, Any]:
    """Well-typed option values only, without diagnostics (for tables aip reads only in older versions)."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        spec = OPTION_KEYS.get(key)
        if spec is None or type_problem(spec.toml_type, value) is not None:
            continue
        if key == "model_aliases":
            value = {k: v for k, v in value.items() if isinstance(v, str)}
        elif spec.toml_type == "float":
            value = float(value)
        values[key] = value
    return values


def _legacy_readings(data: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The legacy tables as devai 0.5.0 – 0.5.9 read them (leniently: `.ok()`, wrong types dropped,
    `A:src/agent/agent_config.rs@05644b78`) and as devai 0.0.2 – 0.1.0 read them (`@5b0f7d5a`)."""
    genai = data.get("genai") if isinstance(data.get("genai"), dict) else None
    runtime = data.get("runtime") if isinstance(data.get("runtime"), dict) else None
    if genai is None and runtime is None:
        return None, None
    genai = genai or {}
    runtime = runtime or {}
    legacy: dict[str, Any] = {}
    devai01: dict[str, Any] = {}
    if isinstance(genai.get("model"), str):
        legacy["model"] = devai01["model"] = genai["model"]
    temperature = genai.get("temperature")
    if isinstance(temperature, (int, float)) and not isinstance(temperature, bool):
        legacy["temperature"] = float(temperature)
    for source, target in (("input_concurrency", legacy), ("items_concurrency", devai01)):
        count = runtime.get(source)
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            target["input_concurrency"] = count
    return legacy, devai01


def _legacy_diagnostics(
    path: str, data: dict[str, Any], spans: dict[TomlPath, KeySpans], legacy: dict[str, Any], has_current: bool
) -> list[Diagnostic]:
    diagnostics = []
    upgrade = ", ".join(f"{key} = {toml_literal(value)}" for key, value in legacy.items())
    if has_current:
        hint = "delete it: this file already has a current options table"
    else:
        hint = f"replace with [options]: {upgrade}" if upgrade else "delete it: it sets nothing aip reads"
    for name in LEGACY_TOP_LEVEL:
        if name not in data:
            continue
        message = (f"[{name}] is ignored by aip 0.7.10+ (read by devai ≤0.5.9, and as a fallback with a "
                   "`==== WARNING` until 0.7.9)")
        diagnostics.append(diagnostic_at(rules.LEGACY_TABLES, path, key_span_of(spans, (name,)), message, hint=hint))
    runtime = data.get("runtime")
    if isinstance(runtime, dict) and "items_concurrency" in runtime:
        diagnostics.append(diagnostic_at(rules.LEGACY_TABLES, path, key_span_of(spans, ("runtime", "items_concurrency")),
                               "`items_concurrency` has been ignored since devai 0.5.0 (read only by 0.0.2 – 0.1.0)",
                               hint="use `input_concurrency` under [options]"))
    return diagnostics


def _top_level_diagnostics(path: str, data: dict[str, Any], spans: dict[TomlPath, KeySpans]) -> list[Diagnostic]:
    diagnostics = []
    for name in data:
        if name in ("options", "default_options", "default-options", *LEGACY_TOP_LEVEL):
            continue
        span = key_span_of(spans, (name,))
        if name in OPTION_KEYS:
            where = "[options.model_aliases]" if name == "model_aliases" else f"`{name}` under [options]"
            diagnostics.append(diagnostic_at(rules.TOP_LEVEL_OPTION, path, span,
                                   f"top-level `{name}` is ignored by aip (only [options]/[default_options] are read)",
                                   hint=f"move it to {where}"))
            continue
        match = suggest(name, ["options", "default_options"])
        diagnostics.append(diagnostic_at(rules.UNKNOWN_TOP_LEVEL, path, span, f"top-level `{name}` is not read by aip",
                               hint=f"did you mean [{match}]?" if match else None))
    return diagnostics


def _layer_diagnostics(
    path: str, layer: str, text: str, data: dict[str, Any], spans: dict[TomlPath, KeySpans]
) -> list[Diagnostic]:
    if layer == "base-legacy":
        return [rules.DEPRECATED_BASE_CONFIG.diagnostic(
            path, "aip 0.7.18+ renames ~/.aipack-base/config.toml to config-deprecated.toml and stops reading it",
            hint="move your settings to ~/.aipack-base/config-user.toml")]
    if layer != "default":
        return []
    reasons = []
    if "DO NOT EDIT" not in text:
        reasons.append("it lacks the shipped `>>> DO NOT EDIT THIS FILE <<<` header")
    options = data.get("options")
    model = options.get("model") if isinstance(options, dict) else None
    if isinstance(model, str) and model not in SHIPPED_DEFAULT_MODELS:
        reasons.append(f"its model `{model}` is not a shipped default")
    if not reasons:
        return []
    return [diagnostic_at(rules.EDITED_CONFIG_DEFAULT, path, value_span_of(spans, ("options", "model")) if model else None,
                "config-default.toml looks edited (" + "; ".join(reasons) + "); aip rewrites it on every upgrade",
                hint="put your settings in ~/.aipack-base/config-user.toml")]


def _era(data: dict[str, Any]) -> str:
    if "options" in data:
        return "options"
    if "default_options" in data:
        return "default_options"
    runtime = data.get("runtime")
    if "genai" in data or "runtime" in data:
        genai = data.get("genai")
        modern = (isinstance(runtime, dict) and "input_concurrency" in runtime) or (
            isinstance(genai, dict) and "temperature" in genai)
        if isinstance(runtime, dict) and "items_concurrency" in runtime and not modern:
            return "devai-0.1"
        return "devai-0.5"
    return "none"


