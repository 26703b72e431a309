"""`aipack-compat migrate PATH --out DIR`: legacy setup -> aipack-compat.json (+ aipack_jobs.py) and a report.

Exit codes: 0 everything migrated (possibly with documented changes), 1 at least one invocation,
config value or agent could not be migrated (see MIGRATION.md), 2 usage error or refused overwrite.
"""

from __future__ import annotations

import os

import click

from aipack_compat.cli.commands._options import aip_version_option


@click.command("migrate")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory to write into.")
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite output files that exist and differ.")
@click.option("--emit", type=click.Choice(("json", "python", "both")), default="json", show_default=True,
              help="Write aipack-compat.json, aipack_jobs.py, or both.")
@aip_version_option("aip version the scripts target (default: by binary and layout).")
def command(path: str, out_dir: str, dry_run: bool, force: bool, emit: str, aip_version: str | None) -> int:
    """Migrate the legacy setup under PATH (scripts, config, agents) into typed job configs in DIR.

    Exit 0 when everything was migrated, 1 when something could not be (listed in MIGRATION.md).
    """
    from aipack_compat.errors import UsageFailure
    from aipack_compat.files import ensure_writable_directory, write_output_set_for_command
    from aipack_compat.migrate.plan import plan_migration

    _refuse_unusable_out(out_dir)
    plan = plan_migration(path, emit, aip_version, out_dir)
    targets = {name: os.path.join(out_dir, name) for name in sorted(plan.files)}
    states = {name: _state(target, plan.files[name]) for name, target in targets.items()}
    if not (plan.migration and plan.migration.config.jobs):
        click.echo(f"note: {path}: no `aip run` / `devai run` invocation found in its scripts, Makefiles or CI files; "
                   "the job config has no jobs", err=True)
    if dry_run:
        for name, target in targets.items():
            size = f"{len(plan.files[name].encode('utf-8')):,} bytes"
            click.echo({"new": f"would write {target} ({size})",
                        "same": f"unchanged {target}",
                        "differs": f"would {'overwrite' if force else 'refuse to overwrite (differs; needs --force)'} "
                                   f"{target} ({size})"}[states[name]])
        click.echo(_summary(plan))
        return 1 if plan.lost_something else 0
    refused = [target for name, target in targets.items() if states[name] == "differs" and not force]
    if refused:
        more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
        raise UsageFailure(f"{refused[0]} exists and differs{more}; use --force to overwrite, or --dry-run to see what would change")
    ensure_writable_directory(out_dir)
    written = len(write_output_set_for_command(out_dir, dict(plan.files), force=force))  # all files or none
    click.echo(f"wrote {written} file(s) to {out_dir}" if written else f"{out_dir} is already up to date")
    click.echo(_summary(plan))
    return 1 if plan.lost_something else 0


def _refuse_unusable_out(out_dir: str) -> None:
    """Before any work: --out must not be, or lie under, an existing file (also for --dry-run, which
    would otherwise promise writes that cannot happen)."""
    from aipack_compat.errors import UsageFailure

    probe = os.path.abspath(out_dir)
    while not os.path.lexists(probe):
        probe = os.path.dirname(probe)
    if not os.path.isdir(probe):
        raise UsageFailure(f"--out {out_dir}: {probe} is a file, not a directory")


def _state(target: str, text: str) -> str:
    """"new" (nothing there), "same" (already these bytes) or "differs"."""
    if not os.path.lexists(target):
        return "new"
    try:
        if os.path.isfile(target) and os.path.getsize(target) == len(text.encode("utf-8")):
            with open(target, "rb") as handle:
                return "same" if handle.read() == text.encode("utf-8") else "differs"
    except OSError:
        pass
    return "differs"


def _summary(plan: object) -> str:
    from aipack_compat.migrate.plan import MigrationPlan

    assert isinstance(plan, MigrationPlan) and plan.migration is not None
    entries = plan.migration.entries
    counts = {status: sum(1 for e in entries if e.status == status)
              for status in ("migrated", "migrated-with-changes", "not-migrated")}
    jobs = len(plan.migration.config.jobs)
    return (f"{jobs} job(s); {counts['migrated']} migrated, {counts['migrated-with-changes']} with changes, "
            f"{counts['not-migrated']} not migrated")
