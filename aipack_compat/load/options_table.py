"""Read an options mapping the way aip deserialises `AgentOptions` (serde, no pydantic).

Shared by config files (`[options]`, `[default_options]`, checked in check/config.py) and agent
`# Options` blocks, which `validate`, `migrate` and `run` all read: known keys with a wrong type are
fatal in aip, unknown keys are ignored silently (we warn, with a suggestion). The result is the
values aip takes plus a located diagnostic for the rest. Also the small span/diagnostic helpers the
config checks use.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass
from typing import Any

from aipack_compat.load.toml_spans import KeySpans, TomlDocument, TomlPath, parse_toml
from aipack_compat.model.agent import AgentDocument
from aipack_compat.model.diagnostic import Diagnostic, Severity
from aipack_compat.model.location import Location
from aipack_compat.model.option_keys import OPTION_KEYS
from aipack_compat.rules import Rule
from aipack_compat.rules import cfg as rules

MAX_SENSIBLE_CONCURRENCY = 64


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
            diagnostics.append(_unknown_option(path, key, value, where, key_span_of(spans, key_path)))
            continue
        problem = type_problem(OPTION_KEYS[key].toml_type, value)
        if problem is not None:
            diagnostics.append(diagnostic_at(rules.WRONG_TYPE, path, value_span_of(spans, key_path),
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
        diagnostics.extend(_range_diagnostics(path, key, value, value_span_of(spans, key_path)))
    return values, diagnostics


@dataclass(frozen=True, slots=True)
class AgentOptionsBlock:
    """An agent's `# Options` block, parsed once and checked; every reader of the block takes this."""

    document: TomlDocument  # the TOML, its spans located in the agent file
    values: dict[str, Any]  # what aip takes (wrongly typed keys dropped)
    diagnostics: list[Diagnostic]

    @property
    def errors(self) -> list[Diagnostic]:
        """The findings aip refuses the agent for (syntax, wrong types)."""
        return [d for d in self.diagnostics if d.severity == Severity.ERROR]


def read_agent_options(agent: AgentDocument) -> AgentOptionsBlock | None:
    """`agent`'s `# Options` block checked like a config table; None when the agent has none."""
    if agent.options_toml is None:
        return None
    return check_agent_options_toml(agent.path, agent.options_toml, agent.options_line)


def check_agent_options_toml(path: str, toml_text: str, first_line: int) -> AgentOptionsBlock:
    """An agent's `# Options` block (its first TOML line is file line `first_line`), checked like a config table.

    aip reports errors here without the agent path (spec §1.7, §6 case 9); we locate them in the agent file.
    """
    document = parse_toml(toml_text, line_offset=max(first_line - 1, 0))
    diagnostics = syntax_diagnostics(path, document)
    if document.data is None:
        return AgentOptionsBlock(document, {}, diagnostics)
    values, found = check_options_table(path, document.data, document.spans, "# Options")
    return AgentOptionsBlock(document, values, diagnostics + found)


def syntax_diagnostics(path: str, document: TomlDocument) -> list[Diagnostic]:
    diagnostics = []
    for duplicate in document.duplicates:
        diagnostics.append(diagnostic_at(rules.DUPLICATE_KEY, path, duplicate.span,
                               f"`{dotted(duplicate.path)}` is defined twice (first at line {duplicate.first.line})"))
    duplicate_lines = {d.span.line for d in document.duplicates}
    if document.error and document.error.line not in duplicate_lines:
        diagnostics.append(rules.TOML_SYNTAX.diagnostic(
            path, f"TOML syntax error: {document.error.message}", document.error.line, document.error.column,
            hint="aip reports this without the file name (spec §6 case 10)"))
    return diagnostics


def type_problem(toml_type: str, value: Any) -> str | None:
    """None when `value` deserializes as aip's serde type; otherwise serde's complaint."""
    if toml_type == "string" and not isinstance(value, str):
        return f"must be a string; got {serde_kind(value)}, expected a string"
    if toml_type == "float" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return f"must be a number; got {serde_kind(value)}, expected f64"
    if toml_type == "uint":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a non-negative integer; got {serde_kind(value)}, expected usize"
        if value < 0:
            return f"must be a non-negative integer; invalid value: integer `{value}`, expected usize"
    if toml_type == "bool" and not isinstance(value, bool):
        return f"must be true or false; got {serde_kind(value)}, expected a boolean"
    if toml_type == "string-table" and not isinstance(value, dict):
        return f"must be a table of strings; got {serde_kind(value)}, expected a map"
    return None


def _check_aliases(
    path: str, aliases: dict[str, Any], spans: dict[TomlPath, KeySpans], table_path: TomlPath, where: str
) -> tuple[dict[str, str], list[Diagnostic]]:
    good: dict[str, str] = {}
    diagnostics: list[Diagnostic] = []
    for name, target in aliases.items():
        alias_path = table_path + (name,)
        if not isinstance(target, str):
            diagnostics.append(diagnostic_at(rules.WRONG_TYPE, path, value_span_of(spans, alias_path),
                                   f"alias `{name}` in {where}.model_aliases must be a string; got "
                                   f"{serde_kind(target)}, expected a string; aip refuses to load this config"))
            continue
        if not target.strip() or not name.strip():
            diagnostics.append(diagnostic_at(rules.OUT_OF_RANGE, path, value_span_of(spans, alias_path),
                                   f"alias `{name}` has an empty name or value"))
        good[name] = target
    return good, diagnostics


def _range_diagnostics(path: str, key: str, value: Any, span: Location | None) -> list[Diagnostic]:
    if key == "temperature" and not 0.0 <= value <= 2.0:
        return [diagnostic_at(rules.OUT_OF_RANGE, path, span, f"temperature {value:g} is outside 0..2; providers reject it")]
    if key == "top_p" and not 0.0 <= value <= 1.0:
        return [diagnostic_at(rules.OUT_OF_RANGE, path, span, f"top_p {value:g} is outside 0..1; providers reject it")]
    if key == "input_concurrency" and value == 0:
        return [diagnostic_at(rules.ZERO_CONCURRENCY, path, span, "input_concurrency = 0 behaves like 1 (one input at a time)")]
    if key == "input_concurrency" and value > MAX_SENSIBLE_CONCURRENCY:
        return [diagnostic_at(rules.OUT_OF_RANGE, path, span,
                    f"input_concurrency {value} is above {MAX_SENSIBLE_CONCURRENCY}; a local Ollama serves a few "
                    "requests at a time")]
    if key == "model" and not value.strip():
        return [diagnostic_at(rules.OUT_OF_RANGE, path, span, "model is an empty string")]
    return []


def _unknown_option(path: str, key: str, value: Any, where: str, span: Location | None) -> Diagnostic:
    if key in ("options", "default_options") and isinstance(value, dict):
        message = f"nested `{key}` table inside {where} is ignored by aip (options are flat here)"
        hint = f"move its keys up into {where}"
    elif key == "items_concurrency":
        message = f"`items_concurrency` in {where} is ignored by aip (a devai 0.1 name)"
        hint = "did you mean `input_concurrency`?"
    else:
        message = f"unknown option `{key}` in {where} is ignored by aip"
        match = suggest(key, list(OPTION_KEYS))
        hint = f"did you mean `{match}`?" if match else "known options: " + ", ".join(OPTION_KEYS)
    return diagnostic_at(rules.UNKNOWN_OPTION, path, span, message, hint=hint)


def suggest(word: str, choices: list[str]) -> str | None:
    normalized = word.strip().lower().replace("-", "_").replace(" ", "_")
    if normalized in choices:
        return normalized
    close = difflib.get_close_matches(normalized, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def serde_kind(value: Any) -> str:
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


def toml_literal(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value)


def dotted(path: TomlPath) -> str:
    return ".".join(str(part) for part in path)


def key_span_of(spans: dict[TomlPath, KeySpans], path: TomlPath) -> Location | None:
    entry = spans.get(path)
    return entry.key if entry else None


def value_span_of(spans: dict[TomlPath, KeySpans], path: TomlPath) -> Location | None:
    entry = spans.get(path)
    return (entry.value or entry.key) if entry else None


def diagnostic_at(rule: Rule, path: str, span: Location | None, message: str, hint: str | None = None,
        severity: Severity | None = None) -> Diagnostic:
    if span is None:
        return rule.diagnostic(path, message, hint=hint, severity=severity)
    return rule.diagnostic(path, message, span.line, span.column, span.end_line, span.end_column, hint=hint,
                           severity=severity)
