"""`aipack-compat migrate PATH --out DIR`: legacy setup -> aipack-compat.json (+ aipack_jobs.py) and a report.

Exit codes: 0 everything migrated (possibly with documented changes), 1 at least one invocation,
config value or agent could not be migrated (see MIGRATION.md), 2 usage error or refused overwrite.
"""

from __future__ import annotations

import os

import click


@click.command("migrate")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory to write into.")
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite output files that exist and differ.")
@click.option("--emit", type=click.Choice(("json", "python", "both")), default="json", show_default=True,
              help="Write aipack-compat.json, aipack_jobs.py, or both.")
@click.option("--aip-version", default=None, help="aip version the scripts target (default: by binary and layout).")
def command(path: str, out_dir: str, dry_run: bool, force: bool, emit: str, aip_version: str | None) -> int:
    """Migrate the legacy setup under PATH (scripts, config, agents) into typed job configs in DIR.

    Exit 0 when everything was migrated, 1 when something could not be (listed in MIGRATION.md).
    """
    from aipack_compat.errors import UsageFailure
    from aipack_compat.files import RefusedOverwrite, write_atomic
    from aipack_compat.migrate.plan import plan_migration

    plan = plan_migration(path, emit, aip_version, out_dir)
    targets = {name: os.path.join(out_dir, name) for name in sorted(plan.files)}
    if dry_run:
        for name, target in targets.items():
            click.echo(f"would write {target} ({len(plan.files[name].encode('utf-8')):,} bytes)")
        click.echo(_summary(plan))
        return 1 if plan.lost_something else 0
    refused = [t for n, t in targets.items() if os.path.exists(t) and not force and _differs(t, plan.files[n])]
    if refused:
        raise UsageFailure(f"{refused[0]} exists and differs; use --force to overwrite it")
    written = 0
    for name, target in targets.items():
        try:
            written += write_atomic(target, plan.files[name], force=force)
        except RefusedOverwrite as exc:
            raise UsageFailure(str(exc)) from exc
    click.echo(f"wrote {written} file(s) to {out_dir}" if written else f"{out_dir} is already up to date")
    click.echo(_summary(plan))
    return 1 if plan.lost_something else 0


def _differs(target: str, text: str) -> bool:
    try:
        with open(target, "rb") as handle:
            return handle.read() != text.encode("utf-8")
    except OSError:
        return True


def _summary(plan: object) -> str:
    from aipack_compat.migrate.plan import MigrationPlan

    assert isinstance(plan, MigrationPlan) and plan.migration is not None
    entries = plan.migration.entries
    counts = {status: sum(1 for e in entries if e.status == status)
              for status in ("migrated", "migrated-with-changes", "not-migrated")}
    jobs = len(plan.migration.config.jobs)
    return (f"{jobs} job(s); {counts['migrated']} migrated, {counts['migrated-with-changes']} with changes, "
            f"{counts['not-migrated']} not migrated")
