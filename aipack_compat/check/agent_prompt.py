"""Prompt-part checks: header options, Handlebars syntax, template scope (spec §3.4, §3.5, §6 cases 33, 35).

From 0.6.10 aip renders the header options together with the body: it prepends the fragment as
line 1, renders, then splits line 1 off again (`A:src/run/proc_ai.rs@952ad06e`). The template we
check is built the same way, so Handlebars line numbers map straight back to the file.
"""

from __future__ import annotations

from collections.abc import Callable

from aipack_compat.model.agent import AgentDocument, PromptPartDoc
from aipack_compat.model.diagnostic import Diagnostic, Severity
from aipack_compat.rules import agt


def prompt_part_findings(
    doc: AgentDocument, part: PromptPartDoc, aip_version: str, version: tuple[int, int, int]
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    fragment = (part.options_fragment or "").strip()
    rendered_with_body = bool(fragment) and version >= (0, 6, 10)
    if fragment:
        found += _header_options(doc, part, fragment, version)
    template = f"{part.options_fragment}\n{part.template}" if rendered_with_body else part.template
    if "{{" not in template:
        return found

    def locate(line: int, column: int) -> tuple[int, int]:
        if rendered_with_body:
            if line <= 1:
                return part.line, column + part.heading.find("`") + 1
            line -= 1
        if 1 <= line <= len(part.source_lines):
            return part.source_lines[line - 1], column
        return (part.source_lines[-1] if part.source_lines else part.line), column

    syntax = _syntax(doc, part, template, locate)
    if syntax:
        return found + syntax  # scope findings on a template that does not parse would be noise
    from aipack_compat.check.agent_template import root_variables, scan_template

    roots = ", ".join(sorted(root_variables(aip_version)))
    for finding in scan_template(template, aip_version):
        line, column = locate(finding.line, finding.column)
        if finding.kind == "undefined":
            since = {"input": " (`input` is in template scope from 0.6.14)", "before_all": " (`before_all` is in template scope from 0.7.15)"}
            found.append(
                agt.TEMPLATE_UNDEFINED.diagnostic(
                    doc.path,
                    f"`{finding.name}` is not a template variable in aip {aip_version}: it renders as an empty string"
                    f"{since.get(finding.name, '')}; in scope: {roots}",
                    line,
                    column,
                    hint="values computed in `# Data` are under `data.`" if finding.name not in since else None,
                )
            )
        else:
            what = "partial" if finding.kind == "partial" else "helper"
            found.append(
                agt.TEMPLATE_UNKNOWN_HELPER.diagnostic(
                    doc.path,
                    f"Handlebars {what} `{finding.name}` is not registered in aip: rendering fails with \"{what.title()} not found\"",
                    line,
                    column,
                    hint="compute the value in `# Data` and reference it as `{{data.…}}`",
                )
            )
    return found


def _syntax(
    doc: AgentDocument, part: PromptPartDoc, template: str, locate: Callable[[int, int], tuple[int, int]]
) -> list[Diagnostic]:
    try:
        from aipack_compat.template import check_syntax

        error = check_syntax(template)
    except ImportError:
        return []
    if error is None:
        return []
    line, column = locate(error.line, error.column) if error.line else (part.line, 1)
    return [
        agt.TEMPLATE_SYNTAX.diagnostic(
            doc.path,
            f"`{part.heading.strip()}` is not valid Handlebars: {error.message}",
            line,
            column,
            hint="escape a literal `{{` as `\\{{`",
        )
    ]


def _header_options(doc: AgentDocument, part: PromptPartDoc, fragment: str, version: tuple[int, int, int]) -> list[Diagnostic]:
    """`parse_prompt_part_options`: TOML `value = {fragment}`, needing a bool `cache` (`A:src/agent/prompt_part.rs@952ad06e`)."""
    column = part.heading.find("`") + 1
    found: list[Diagnostic] = []
    original = _original_case_fragment(part.heading)
    if original is not None and "{{" in original and original != original.lower():
        found.append(
            agt.PROMPT_OPTIONS_INVALID.diagnostic(
                doc.path,
                f"header options are taken from the lower-cased heading, so `{original.strip()}` is rendered as `{fragment}`",
                part.line,
                column,
                severity=Severity.WARNING,
                hint="use lower-case names in `data` for values used in header options",
            )
        )
    if "{{" in fragment:
        if version < (0, 6, 10):
            found.append(
                agt.PROMPT_OPTIONS_INVALID.diagnostic(
                    doc.path,
                    f"Prompt header options `{fragment}` format is invalid: aip 0.6.8 – 0.6.9 parse them before rendering, so `{{{{…}}}}` is not allowed",
                    part.line,
                    column,
                )
            )
        return found  # rendered at run time (0.6.10+): the value is only known then
    import tomllib

    wrapped = fragment if fragment.startswith("{") and fragment.endswith("}") else "{" + fragment + "}"
    try:
        value = tomllib.loads(f"value = {wrapped}").get("value")
    except tomllib.TOMLDecodeError:
        value = None
    problem = None
    if not isinstance(value, dict):
        problem = "format is invalid"
    elif "cache" not in value:
        problem = "format is invalid (missing field `cache`)"
    elif not isinstance(value["cache"], bool):
        problem = f"format is invalid (`cache` must be true or false, not {value['cache']!r})"
    if problem is not None:
        found.append(
            agt.PROMPT_OPTIONS_INVALID.diagnostic(
                doc.path,
                f"Prompt header options `{fragment}` {problem}",
                part.line,
                column,
                hint="only `cache = true` or `cache = false` is allowed",
            )
        )
    return found


def _original_case_fragment(heading: str) -> str | None:
    start = heading.find("`")
    end = heading.find("`", start + 1) if start != -1 else -1
    return heading[start + 1 : end] if end > start + 1 else None
