"""`report.md`: summary counts, one row per case, and the differing fields of every case that is
not equivalent (derived from the report, nothing stored twice)."""

from __future__ import annotations

import difflib
import json

from aipack_compat.model.report import CaseResult, Comparison, Exchange, FieldDifference, ReplayReport
from aipack_compat.report.replay_html import head_lines

VERDICT_LABELS = {
    "equivalent": "equivalent",
    "request-differs": "request differs",
    "output-differs": "output differs only",
    "failed": "failed",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: ReplayReport) -> str:
    summary = report.summary
    aip = report.aip
    lines = [
        "# Replay report: old path (aip) vs new path (executor)",
        "",
        f"- source: `{report.settings.source}`; Ollama: `{report.settings.ollama_url}`"
        + ("; **offline re-check from cassettes**" if report.settings.offline else ""),
        f"- aip: `{aip.path or 'not found'}` version `{aip.version or '?'}`, wire era declared `{aip.declared_era}`, observed `{aip.observed_era}`",
        f"- created {report.created_at} by aipack-compat {report.tool_version}",
        "",
        "| total | equivalent | request differs | output differs only | failed |",
        "|---:|---:|---:|---:|---:|",
        f"| {summary.total} | {summary.equivalent} | {summary.request_differs} | {summary.output_differs} | {summary.failed} |",
        "",
        "| case | verdict | requests old/new | reason |",
        "|---|---|---|---|",
    ]
    for case in report.cases:
        counts = f"{len(case.old.exchanges)}/{len(case.new.exchanges)}"
        lines.append(f"| `{_cell(case.case_id)}` | {VERDICT_LABELS[case.verdict]} | {counts} | {_cell(case.reason[:300])} |")
    for case in report.cases:
        if case.verdict != "equivalent":
            lines += ["", *_case_details(case)]
    return "\n".join(lines) + "\n"


def _case_details(case: CaseResult) -> list[str]:
    lines = [f"## `{case.case_id}`: {VERDICT_LABELS[case.verdict]}", "", case.reason, ""]
    if case.comparison is not None:
        lines += _tree(case.comparison, 0)
        differences = _differences(case.comparison)
        if differences:
            lines += ["", "| check | field | old (aip) | new (executor) |", "|---|---|---|---|"]
            lines += [f"| {_cell(name)} | `{_cell(d.field)}` | {_cell(_short(d.old))} | {_cell(_short(d.new))} |" for name, d in differences]
    for pair in case.pairs:
        if pair.old is None or pair.new is None:
            continue
        old, new = case.old.exchanges[pair.old], case.new.exchanges[pair.new]
        diff = list(difflib.unified_diff(_pretty(old).splitlines(), _pretty(new).splitlines(), "old (aip)", "new (executor)", lineterm=""))
        if diff:
            lines += ["", "```diff", *diff, "```"]
    return lines


def _tree(node: Comparison, depth: int) -> list[str]:
    mark = "pass" if node.passed else "FAIL"
    lines = [f"{'  ' * depth}- **{node.name}** {mark}: {node.reason}"]
    for child in node.components:
        if not child.passed or depth < 1:
            lines += _tree(child, depth + 1)
    return lines


def _differences(node: Comparison) -> list[tuple[str, FieldDifference]]:
    found = [(node.name, d) for d in node.differences] if not node.passed else []
    for child in node.components:
        found += _differences(child)
    return found


def _short(value: str | None, limit: int = 160) -> str:
    if value is None:
        return "(absent)"
    return value if len(value) <= limit else value[:limit] + "…"


def _pretty(exchange: Exchange) -> str:
    head = "\n".join([f"{exchange.method} {exchange.path}", *head_lines(exchange), ""])
    try:
        return head + "\n" + json.dumps(json.loads(exchange.request_body), indent=2, ensure_ascii=False)
    except ValueError:
        return head + "\n" + exchange.request_body
