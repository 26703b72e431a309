"""`aipack-compat rules [CODE]`: the rule registry, for humans and machines."""

from __future__ import annotations

import json
import sys

import click

from aipack_compat.cli.commands._options import format_option


@click.command("rules")
@click.argument("code", required=False)
@format_option(("text", "json"))
def command(code: str | None, output_format: str) -> int:
    """List every rule, or explain CODE (e.g. CFG003)."""
    from aipack_compat.rules import all_rules
    from aipack_compat.errors import UsageFailure

    registry = all_rules()
    if code is not None:
        rule = registry.get(code.upper())
        if rule is None:
            raise UsageFailure(f"unknown rule code {code!r}; run `aipack-compat rules` for the list")
        rules = [rule]
    else:
        rules = sorted(registry.values(), key=lambda r: r.code)
    if output_format == "json":
        payload = [
            {"code": r.code, "name": r.name, "severity": r.severity.label, "status": r.status,
             "summary": r.summary, "explanation": r.explanation}
            for r in rules
        ]
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return 0
    for rule in rules:
        if code is None:
            sys.stdout.write(f"{rule.code:<7} {rule.severity.label:<7}  {rule.name:<34} {rule.summary}\n")
        else:
            sys.stdout.write(f"{rule.code} ({rule.name}) — default severity {rule.severity.label}, {rule.status}\n\n")
            sys.stdout.write(f"{rule.summary}\n\n{rule.explanation}\n")
    return 0
