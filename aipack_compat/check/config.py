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

import datetime
import difflib
from dataclasses import dataclass, field, replace
from typing import Any

from aipack_compat.check.rules import Rule
from aipack_compat.check.rules import cfg as rules
from aipack_compat.load.toml_spans import KeySpans, Span, TomlDocument, TomlPath, parse_toml
from aipack_compat.model.diagnostic import Diagnostic, Severity
from aipack_compat.model.option_keys import OPTION_KEYS

DEFAULT_AIP_VERSION = "0.8.37"
LAYERS = ("default", "user", "base-legacy", "workspace", "agent")
LEGACY_TOP_LEVEL = ("genai", "runtime")
# Models the shipped base template has set over time (spec §1.8); anything else in config-default.toml was edited.
SHIPPED_DEFAULT_MODELS = ("gpt-4o-mini", "gpt-4.1-mini", "gpt-5-mini", "gpt-5.1", "gpt-5.4", "gpt-5.6-luna")
MAX_SENSIBLE_CONCURRENCY = 64

Version = tuple[int, int, int]


def parse_version(text: str) -> Version:
    """`"0.8.37"`, `"v0.7.10"`, `"0.8.34-WIP"` -> (0, 8, 37); unparseable parts count as 0."""
    numbers: list[int] = []
    for part in text.strip().lstrip("v").split("-", 1)[0].split(".")[:3]:
        digits = "".join(ch for ch in part if ch.isdigit())
        numbers.append(int(digits) if digits else 0)
    while len(numbers) < 3:
        numbers.append(0)
    return (numbers[0], numbers[1], numbers[2])


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
    is_comment_only: bool = False

    def reading_for(self, aip_version: str = DEFAULT_AIP_VERSION) -> str:
        """Which reading (`options`, `default_options`, `legacy`, `devai-0.1`, `none`) aip of that version uses."""
        version = parse_version(aip_version)
        if version < (0, 5, 0):
            return "devai-0.1" if "devai-0.1" in self.tables else "none"
        if version < (0, 5, 10):
            return "legacy" if "legacy" in self.tables else "none"
        if version < (0, 7, 10):
            if "default_options" in self.tables:
                return "default_options"
            return "legacy" if "legacy" in self.tables else "none"
        for reading in ("options", "default_options"):
            if reading in self.tables:
                return reading
        return "none"

    def options_for_version(self, aip_version: str = DEFAULT_AIP_VERSION) -> dict[str, Any]:
        """The options this file contributes under `aip_version` (empty when aip refuses the file)."""
        if self.has_hyphenated_default_options and parse_version(aip_version) >= (0, 5, 10):
            return {}
        return dict(self.tables.get(self.reading_for(aip_version), {}))

    def prints_legacy_warning(self, aip_version: str) -> bool:
        """0.5.10 – 0.7.9 print `==== WARNING … format has been updated` for any file without
        `[default_options]`, even an empty one (spec §6 case 6, `A:src/agent/agent_options.rs@7a9720fb`)."""
        version = parse_version(aip_version)
        return (0, 5, 10) <= version < (0, 7, 10) and "default_options" not in self.tables

    def location(self, reading: str, key: str, alias: str | None = None) -> Span | None:
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
    diagnostics = _syntax_diagnostics(path, document)
    comment_only = all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())
    if document.data is None:
        return ConfigFileResult(path, layer, "unparsable", {}, document.spans, tuple(diagnostics), fatal=True)
    data = document.data
    spans = document.spans
    tables: dict[str, dict[str, Any]] = {}
    fatal = False

    hyphenated = "default-options" in data
    if hyphenated:
        fatal = True
        diagnostics.append(_at(rules.HYPHENATED_DEFAULT_OPTIONS, path, _key(spans, ("default-options",)),
                               "Config [default-options] is invalid. Use [options] (with _ and not -)",
                               hint="rename the table to [options] (aip 0.5.10 – 0.7.9 say `Use [default_options]`)"))

    has_options = "options" in data
    for name in ("options", "default_options"):
        if name not in data:
            continue
        table = data[name]
        shadowed = name == "default_options" and has_options
        if shadowed:
            diagnostics.append(_at(rules.SHADOWED_DEFAULT_OPTIONS, path, _key(spans, (name,)),
                                   "[default_options] is ignored because this file also has [options] "
                                   "(the tables are not merged)",
                                   hint="move its keys into [options] and delete [default_options]"))
        if not isinstance(table, dict):
            if not shadowed:
                fatal = True
                diagnostics.append(_at(rules.WRONG_TYPE, path, _value(spans, (name,)),
                                       f"`{name}` must be a table; aip fails: invalid type: {_serde_kind(table)}, "
                                       "expected struct AgentOptions"))
            continue
        if shadowed:
            tables[name] = _lenient_options(table)
            continue
        if name == "default_options":
            diagnostics.append(_at(rules.SOFT_DEPRECATED_DEFAULT_OPTIONS, path, _key(spans, (name,)),
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

    result = ConfigFileResult(path, layer, _era(data), {}, spans, tuple(diagnostics), fatal, tables, hyphenated,
                              comment_only)
    return replace(result, options=result.options_for_version(DEFAULT_AIP_VERSION))


def check_options_table(
    path: str, table: dict[str, Any], spans: dict[TomlPath, KeySpans], where: str, prefix: TomlPath = ()
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Type-check an options mapping as aip's serde `AgentOptions` would (unknown keys ignored by aip).

    `where` names the table in messages (`[options]`, `# Options`); `prefix` is its path in `spans`.
    Returns the well-typed values (ints for floats widened to float) and the diagnostics.
    """
    values: dict[str, Any] = {}
    diagnostics: list[Diagnostic] = []
    for key, value in table.items():
        key_path = prefix + (key,)
        if key not in OPTION_KEYS:
            diagnostics.append(_unknown_option(path, key, value, where, _key(spans, key_path)))
            continue
        problem = _type_problem(OPTION_KEYS[key].toml_type, value)
        if problem is not None:
            diagnostics.append(_at(rules.WRONG_TYPE, path, _value(spans, key_path),
                                   f"`{key}` in {where} {problem}; aip refuses to load this config",
                                   hint=f"aip's error: Config invalid (config path: {path})"))
            continue
        if key == "model_aliases":
            aliases, alias_diagnostics = _check_aliases(path, value, spans, key_path, where)
            diagnostics.extend(alias_diagnostics)
            values[key] = aliases
            continue
        if OPTION_KEYS[key].toml_type == "float":
            value = float(value)
        values[key] = value
        diagnostics.extend(_range_diagnostics(path, key, value, _value(spans, key_path)))
    return values, diagnostics


def check_agent_options_toml(path: str, toml_text: str, first_line: int) -> tuple[dict[str, Any], list[Diagnostic]]:
    """An agent's `# Options` block (its first TOML line is file line `first_line`), checked like a config table.

    aip reports errors here without the agent path (spec §1.7, §6 case 9); we locate them in the agent file.
    """
    document = parse_toml(toml_text, line_offset=max(first_line - 1, 0))
    diagnostics = _syntax_diagnostics(path, document)
    if document.data is None:
        return {}, diagnostics
    values, found = check_options_table(path, document.data, document.spans, "# Options")
    return values, diagnostics + found


def _syntax_diagnostics(path: str, document: TomlDocument) -> list[Diagnostic]:
    diagnostics = []
    for duplicate in document.duplicates:
        diagnostics.append(_at(rules.DUPLICATE_KEY, path, duplicate.span,
                               f"`{_dotted(duplicate.path)}` is defined twice (first at line {duplicate.first.line})"))
    duplicate_lines = {d.span.line for d in document.duplicates}
    if document.error and document.error.line not in duplicate_lines:
        diagnostics.append(rules.TOML_SYNTAX.diagnostic(
            path, f"TOML syntax error: {document.error.message}", document.error.line, document.error.column,
            hint="aip reports this without the file name (spec §6 case 10)"))
    return diagnostics


def _type_problem(toml_type: str, value: Any) -> str | None:
    """None when `value` deserializes as aip's serde type; otherwise serde's complaint."""
    if toml_type == "string" and not isinstance(value, str):
        return f"must be a string; got {_serde_kind(value)}, expected a string"
    if toml_type == "float" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return f"must be a number; got {_serde_kind(value)}, expected f64"
    if toml_type == "uint":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a non-negative integer; got {_serde_kind(value)}, expected usize"
        if value < 0:
            return f"must be a non-negative integer; invalid value: integer `{value}`, expected usize"
    if toml_type == "bool" and not isinstance(value, bool):
        return f"must be true or false; got {_serde_kind(value)}, expected a boolean"
    if toml_type == "string-table" and not isinstance(value, dict):
        return f"must be a table of strings; got {_serde_kind(value)}, expected a map"
    return None


def _check_aliases(
    path: str, aliases: dict[str, Any], spans: dict[TomlPath, KeySpans], table_path: TomlPath, where: str
) -> tuple[dict[str, str], list[Diagnostic]]:
    good: dict[str, str] = {}
    diagnostics: list[Diagnostic] = []
    for name, target in aliases.items():
        alias_path = table_path + (name,)
        if not isinstance(target, str):
            diagnostics.append(_at(rules.WRONG_TYPE, path, _value(spans, alias_path),
                                   f"alias `{name}` in {where}.model_aliases must be a string; got "
                                   f"{_serde_kind(target)}, expected a string; aip refuses to load this config"))
            continue
        if not target.strip() or not name.strip():
            diagnostics.append(_at(rules.OUT_OF_RANGE, path, _value(spans, alias_path),
                                   f"alias `{name}` has an empty name or value"))
        good[name] = target
    return good, diagnostics


def _range_diagnostics(path: str, key: str, value: Any, span: Span | None) -> list[Diagnostic]:
    if key == "temperature" and not 0.0 <= value <= 2.0:
        return [_at(rules.OUT_OF_RANGE, path, span, f"temperature {value:g} is outside 0..2; providers reject it")]
    if key == "top_p" and not 0.0 <= value <= 1.0:
        return [_at(rules.OUT_OF_RANGE, path, span, f"top_p {value:g} is outside 0..1; providers reject it")]
    if key == "input_concurrency" and value == 0:
        return [_at(rules.ZERO_CONCURRENCY, path, span, "input_concurrency = 0 behaves like 1 (one input at a time)")]
    if key == "input_concurrency" and value > MAX_SENSIBLE_CONCURRENCY:
        return [_at(rules.OUT_OF_RANGE, path, span,
                    f"input_concurrency {value} is above {MAX_SENSIBLE_CONCURRENCY}; a local Ollama serves a few "
                    "requests at a time")]
    if key == "model" and not value.strip():
        return [_at(rules.OUT_OF_RANGE, path, span, "model is an empty string")]
    return []


def _unknown_option(path: str, key: str, value: Any, where: str, span: Span | None) -> Diagnostic:
    if key in ("options", "default_options") and isinstance(value, dict):
        message = f"nested `{key}` table inside {where} is ignored by aip (options are flat here)"
        hint = f"move its keys up into {where}"
    elif key == "items_concurrency":
        message = f"`items_concurrency` in {where} is ignored by aip (a devai 0.1 name)"
        hint = "did you mean `input_concurrency`?"
    else:
        message = f"unknown option `{key}` in {where} is ignored by aip"
        match = _suggest(key, list(OPTION_KEYS))
        hint = f"did you mean `{match}`?" if match else "known options: " + ", ".join(OPTION_KEYS)
    return _at(rules.UNKNOWN_OPTION, path, span, message, hint=hint)


def _suggest(word: str, choices: list[str]) -> str | None:
    normalized = word.strip().lower().replace("-", "_").replace(" ", "_")
    if normalized in choices:
        return normalized
    close = difflib.get_close_matches(normalized, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def _lenient_options(table: dict[str, Any]) -> dict[str, Any]:
    """Well-typed option values only, without diagnostics (for tables aip reads only in older versions)."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        spec = OPTION_KEYS.get(key)
        if spec is None or _type_problem(spec.toml_type, value) is not None:
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
    upgrade = ", ".join(f"{key} = {_toml_literal(value)}" for key, value in legacy.items())
    if has_current:
        hint = "delete it: this file already has a current options table"
    else:
        hint = f"replace with [options]: {upgrade}" if upgrade else "delete it: it sets nothing aip reads"
    for name in LEGACY_TOP_LEVEL:
        if name not in data:
            continue
        message = (f"[{name}] is ignored by aip 0.7.10+ (read by devai ≤0.5.9, and as a fallback with a "
                   "`==== WARNING` until 0.7.9)")
        diagnostics.append(_at(rules.LEGACY_TABLES, path, _key(spans, (name,)), message, hint=hint))
    runtime = data.get("runtime")
    if isinstance(runtime, dict) and "items_concurrency" in runtime:
        diagnostics.append(_at(rules.LEGACY_TABLES, path, _key(spans, ("runtime", "items_concurrency")),
                               "`items_concurrency` has been ignored since devai 0.5.0 (read only by 0.0.2 – 0.1.0)",
                               hint="use `input_concurrency` under [options]"))
    return diagnostics


def _top_level_diagnostics(path: str, data: dict[str, Any], spans: dict[TomlPath, KeySpans]) -> list[Diagnostic]:
    diagnostics = []
    for name in data:
        if name in ("options", "default_options", "default-options", *LEGACY_TOP_LEVEL):
            continue
        span = _key(spans, (name,))
        if name in OPTION_KEYS:
            where = "[options.model_aliases]" if name == "model_aliases" else f"`{name}` under [options]"
            diagnostics.append(_at(rules.TOP_LEVEL_OPTION, path, span,
                                   f"top-level `{name}` is ignored by aip (only [options]/[default_options] are read)",
                                   hint=f"move it to {where}"))
            continue
        match = _suggest(name, ["options", "default_options"])
        diagnostics.append(_at(rules.UNKNOWN_TOP_LEVEL, path, span, f"top-level `{name}` is not read by aip",
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
    return [_at(rules.EDITED_CONFIG_DEFAULT, path, _value(spans, ("options", "model")) if model else None,
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


def _serde_kind(value: Any) -> str:
    """How serde_json names a value in `invalid type: …` messages."""
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{value!r}`"
    if isinstance(value, str):
        return f'string "{value}"'
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "sequence"
    if isinstance(value, (datetime.date, datetime.time)):
        return f'string "{value.isoformat()}"'
    return type(value).__name__


def _toml_literal(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value)


def _dotted(path: TomlPath) -> str:
    return ".".join(str(part) for part in path)


def _key(spans: dict[TomlPath, KeySpans], path: TomlPath) -> Span | None:
    entry = spans.get(path)
    return entry.key if entry else None


def _value(spans: dict[TomlPath, KeySpans], path: TomlPath) -> Span | None:
    entry = spans.get(path)
    return (entry.value or entry.key) if entry else None


def _at(rule: Rule, path: str, span: Span | None, message: str, hint: str | None = None,
        severity: Severity | None = None) -> Diagnostic:
    if span is None:
        return rule.diagnostic(path, message, hint=hint, severity=severity)
    return rule.diagnostic(path, message, span.line, span.column, span.end_line, span.end_column, hint=hint,
                           severity=severity)
