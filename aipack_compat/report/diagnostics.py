"""Diagnostic reporters: text, json, github (workflow commands), sarif (2.1.0).

All of them take the same `CheckResult` and return a string, so `--format` is just a lookup
in `REPORTERS_BY_NAME`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from aipack_compat import __version__
from aipack_compat.model.diagnostic import CheckResult, Diagnostic, Severity


def render_text(result: CheckResult, color: bool = False) -> str:
    lines = []
    for diag in result.sorted():
        where = _location(diag)
        label = diag.severity.label
        if color:
            label = _COLORS[diag.severity] + label + "\033[0m"
        lines.append(f"{where}: {label} {diag.code} {diag.message}")
        if diag.hint:
            lines.append(f"  hint: {diag.hint}")
    counts = result.counts()
    files = len(result.files_checked)
    summary = (
        f"{files} file{'s' if files != 1 else ''} checked: "
        f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"
    )
    lines.append(summary)
    return "\n".join(lines) + "\n"


_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}


def _location(diag: Diagnostic) -> str:
    if diag.line:
        return f"{diag.path}:{diag.line}:{diag.column or 1}"
    return diag.path


def render_json(result: CheckResult) -> str:
    payload = {
        "tool": "aipack-compat",
        "version": __version__,
        "files_checked": sorted(result.files_checked),
        "summary": result.counts(),
        "diagnostics": [diag.to_dict() for diag in result.sorted()],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def render_github(result: CheckResult) -> str:
    """GitHub Actions workflow commands (`::error file=…,line=…::message`)."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for diag in result.sorted():
        props = [f"file={_escape_property(diag.path)}"]
        if diag.line:
            props += [f"line={diag.line}", f"col={diag.column or 1}"]
            if diag.end_line:
                props.append(f"endLine={diag.end_line}")
            if diag.end_column and diag.end_line == diag.line:
                props.append(f"endColumn={diag.end_column}")
        props.append(f"title={_escape_property(diag.code)}")
        message = diag.message + (f"\n{diag.hint}" if diag.hint else "")
        lines.append(f"::{level[diag.severity]} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_sarif(result: CheckResult) -> str:
    from aipack_compat.rules import all_rules

    registry = all_rules()
    used = sorted({diag.code for diag in result.diagnostics})
    rule_index = {code: index for index, code in enumerate(used)}
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    rules = []
    for code in used:
        rule = registry.get(code)
        entry: dict[str, object] = {"id": code}
        if rule is not None:
            entry.update(
                name=rule.name,
                shortDescription={"text": rule.summary},
                fullDescription={"text": rule.explanation},
                defaultConfiguration={"level": level[rule.severity]},
            )
        rules.append(entry)
    results = []
    for diag in result.sorted():
        location: dict[str, object] = {"artifactLocation": {"uri": diag.path.replace("\\", "/")}}
        if diag.line:
            location["region"] = {
                "startLine": diag.line,
                "startColumn": diag.column or 1,
                "endLine": max(diag.end_line, diag.line),
                "endColumn": max(diag.end_column, diag.column or 1) if diag.end_line <= diag.line else diag.end_column or 1,
            }
        text = diag.message + (f" (hint: {diag.hint})" if diag.hint else "")
        results.append(
            {
                "ruleId": diag.code,
                "ruleIndex": rule_index[diag.code],
                "level": level[diag.severity],
                "message": {"text": text},
                "locations": [{"physicalLocation": location}],
            }
        )
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "aipack-compat", "version": __version__, "rules": rules}},
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


REPORTERS_BY_NAME: dict[str, Callable[[CheckResult], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}
