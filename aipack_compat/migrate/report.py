"""MIGRATION.md and migration-report.json: one entry per script invocation, config value and agent.

Both are rendered from the same entries, sorted, without timestamps, so that migrating twice
gives byte-identical files.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

from aipack_compat.model.diagnostic import Diagnostic

Status = Literal["migrated", "migrated-with-changes", "not-migrated"]
_STATUS_TITLES = {"migrated": "migrated", "migrated-with-changes": "migrated with changes", "not-migrated": "NOT migrated"}
_KIND_TITLES = {"invocation": "Script invocations", "config": "Config values", "agent": "Agents"}
REPORT_VERSION = 1


@dataclass(frozen=True, slots=True)
class ReportEntry:
    kind: str  # "invocation" | "config" | "agent"
    subject: str  # what it is (`aip run flows/eval.aip -s`, `options.model`, `flows/eval.aip`)
    status: Status
    details: list[str] = field(default_factory=list)  # what changed and why / why not
    location: str = ""  # `path:line`
    job: str | None = None  # job name(s) it became


def sort_entries(entries: list[ReportEntry]) -> list[ReportEntry]:
    order = {"invocation": 0, "config": 1, "agent": 2}
    return sorted(entries, key=lambda e: (order.get(e.kind, 9), e.location, e.subject, e.job or ""))


def render_json(entries: list[ReportEntry], diagnostics: list[Diagnostic]) -> str:
    entries = sort_entries(entries)
    counts = {status: sum(1 for e in entries if e.status == status) for status in _STATUS_TITLES}
    document = {
        "report_version": REPORT_VERSION,
        "counts": counts,
        "entries": [asdict(e) for e in entries],
        "diagnostics": [d.to_dict() for d in sorted(set(diagnostics), key=Diagnostic.sort_key)],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_markdown(entries: list[ReportEntry], diagnostics: list[Diagnostic], root_label: str) -> str:
    entries = sort_entries(entries)
    lines = [f"# Migration report for `{root_label}`", ""]
    counts = {status: sum(1 for e in entries if e.status == status) for status in _STATUS_TITLES}
    lines.append(" · ".join(f"{count} {_STATUS_TITLES[status]}" for status, count in counts.items()))
    lines.append("")
    lines.append("Scripts are assumed to run from their own directory (Makefiles: the Makefile's directory, CI: the repository root; "
                 "justfiles, package.json scripts and Taskfiles: their file's directory unless they set one; editor tasks: the workspace folder). "
                 "Only the workspace config is migrated; `~/.aipack-base` layers are not read.")
    for kind, title in _KIND_TITLES.items():
        chosen = [e for e in entries if e.kind == kind]
        lines.extend(["", f"## {title}", ""])
        if not chosen:
            lines.append("(none)")
            continue
        for entry in chosen:
            where = f" ({entry.location})" if entry.location else ""
            job = f" → job `{entry.job}`" if entry.job else ""
            lines.append(f"- **{_STATUS_TITLES[entry.status]}**: `{_code(entry.subject)}`{where}{job}")
            lines.extend(f"  - {detail}" for detail in entry.details)
    if diagnostics:
        lines.extend(["", "## Diagnostics", ""])
        for diag in sorted(set(diagnostics), key=Diagnostic.sort_key):
            where = f"{diag.path}:{diag.line}" if diag.line else diag.path
            lines.append(f"- {diag.code} {diag.severity.label}: {diag.message} ({where})")
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    return text.replace("`", "'")[:160]
