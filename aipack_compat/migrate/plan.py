"""One migration of a directory: scan its scripts, build the JobConfig, render every output file.

Pure except for reading the legacy files; `cli/commands/migrate.py` writes the returned texts
with `write_atomic`. Output is deterministic (sorted, no timestamps), so migrating twice gives
byte-identical files.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aipack_compat.files import MAX_TEXT_BYTES
from aipack_compat.migrate.to_job import Migration, build_job_config
from aipack_compat.model.diagnostic import Diagnostic
from aipack_compat.model.invocation import ScriptScan
from aipack_compat.model.location import Location

if TYPE_CHECKING:
    from aipack_compat.load.discovery import DiscoveredFiles

JSON_NAME = "aipack-compat.json"
PYTHON_NAME = "aipack_jobs.py"
MARKDOWN_NAME = "MIGRATION.md"
REPORT_NAME = "migration-report.json"


@dataclass(slots=True)
class MigrationPlan:
    files: dict[str, str] = field(default_factory=dict)  # file name in the output dir -> text
    migration: Migration | None = None
    scans: list[ScriptScan] = field(default_factory=list)

    @property
    def lost_something(self) -> bool:
        return self.migration is not None and any(e.status == "not-migrated" for e in self.migration.entries)


def plan_migration(path: str, emit: str = "json", aip_version: str | None = None, out_dir: str | None = None) -> MigrationPlan:
    root = os.path.abspath(path)
    from aipack_compat.load.discovery import discover

    found = discover([root])  # one walk of the tree for the scripts and the files no front-end reads
    scans = scan_scripts(root, found)
    migration = build_job_config(root, scans, aip_version)
    if out_dir is not None:
        relative_root = os.path.relpath(root, os.path.abspath(out_dir)).replace(os.sep, "/")
        migration.config = migration.config.model_copy(update={"root": relative_root})
    json_text = migration.config.model_dump_json(indent=2) + "\n"
    validate_against_schema(json_text)
    from aipack_compat.check.scripts import check_scan
    from aipack_compat.migrate.report import render_json, render_markdown

    diagnostics: list[Diagnostic] = list(migration.diagnostics)
    for scan in scans:
        diagnostics.extend(check_scan(scan, root, aip_version))
    _report_unread_scripts(root, found.unread_scripts, migration.entries, diagnostics)
    plan = MigrationPlan(migration=migration, scans=scans)
    if emit in ("json", "both"):
        plan.files[JSON_NAME] = json_text
    if emit in ("python", "both"):
        from aipack_compat.migrate.emit_python import render_python

        plan.files[PYTHON_NAME] = render_python(migration.config)
    plan.files[MARKDOWN_NAME] = render_markdown(migration.entries, diagnostics, os.path.basename(root) or root)
    plan.files[REPORT_NAME] = render_json(migration.entries, diagnostics)
    return plan


def _report_unread_scripts(root: str, unread: list[tuple[str, int, int, str]], entries: list[Any],
                           diagnostics: list[Diagnostic]) -> None:
    """`aip run` in a PowerShell/batch/fish/Dockerfile: listed as not migrated, with where it is."""
    from aipack_compat.rules import sh
    from aipack_compat.migrate.report import ReportEntry

    for path, line, column, what in unread:
        relative = os.path.relpath(path, root).replace(os.sep, "/")
        reason = f"a {what}: aipack-compat does not read this language, so its runs are not migrated"
        entries.append(ReportEntry("invocation", f"aip run in {relative}", "not-migrated", [reason], f"{relative}:{line}"))
        diagnostics.append(sh.RUN_IN_UNREAD_FILE.diagnostic(relative, f"`aip run` in {reason}", line, column))


def scan_scripts(root: str, found: "DiscoveredFiles | None" = None) -> list[ScriptScan]:
    from aipack_compat.load.scripts.scan import scan_script_bytes
    from aipack_compat.load.discovery import discover

    found = found if found is not None else discover([root])
    scans: list[ScriptScan] = []
    for script in found.scripts:
        try:
            info = os.stat(script)
            # Classified by name only: a FIFO called run.sh would block the read forever, and a
            # multi-megabyte "script" is generated output, not something a team runs aip from.
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_TEXT_BYTES:
                continue
            raw = Path(script).read_bytes()
        except OSError:
            continue
        relative = os.path.relpath(script, root).replace(os.sep, "/")
        scans.append(_rename(scan_script_bytes(script, raw, root), relative))
    return scans


def _rename(scan: ScriptScan, relative: str) -> ScriptScan:
    """Report script locations relative to the migrated root (stable across machines)."""
    from dataclasses import replace

    def fix(location: Location) -> Location:
        return replace(location, path=relative)

    invocations = [
        replace(inv, location=fix(inv.location),
                matrix_location=fix(inv.matrix_location) if inv.matrix_location else None,
                unresolved=tuple(replace(u, location=fix(u.location)) for u in inv.unresolved),
                config_rewrites=tuple(replace(r, location=fix(r.location)) for r in inv.config_rewrites),
                cell_rewrites=tuple(tuple(replace(r, location=fix(r.location)) for r in cell)
                                    for cell in inv.cell_rewrites))
        for inv in scan.invocations
    ]
    return ScriptScan(relative, scan.origin, invocations, [replace(r, location=fix(r.location)) for r in scan.rewrites],
                      [fix(p) for p in scan.parse_problems], list(scan.problem_messages))


def validate_against_schema(json_text: str) -> None:
    """The JSON must satisfy schemas/aipack-compat.schema.json (generated from the models)."""
    import jsonschema

    from aipack_compat.errors import AipackCompatError

    schema = _schema()
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(json.loads(json_text)), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.path)
        raise AipackCompatError(f"internal error: migrated config fails its schema at /{where}: {first.message}")


def _schema() -> dict[str, object]:
    committed = Path(__file__).resolve().parents[2] / "schemas" / "aipack-compat.schema.json"
    if committed.is_file():
        loaded: dict[str, object] = json.loads(committed.read_text(encoding="utf-8"))
        return loaded
    from aipack_compat.model.job import JobConfig

    from aipack_compat.model.schema_docs import documented_json_schema

    return documented_json_schema(JobConfig)
