"""`aipack-compat validate [PATH]...`: every AIPACK mistake, located, fast enough for pre-commit."""

from __future__ import annotations

import sys

import click

FORMATS = ("text", "json", "github", "sarif")
SEVERITIES = ("info", "warning", "error")


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="error", show_default=True,
              help="Lowest severity that makes the exit code 1.")
@click.option("--base-dir", type=click.Path(file_okay=False),
              help="aip base dir to layer and check (default ~/.aipack-base, layered but not reported).")
@click.option("--no-base", is_flag=True, help="Ignore the base layers (~/.aipack-base).")
@click.option("--aip-version", default=None, help="aip version whose behaviour to check against (default: latest known).")
@click.option("--no-scripts", is_flag=True, help="Do not scan shell scripts, Makefiles, CI files for `aip run`.")
@click.option("--select", "select", multiple=True, help="Only report these codes or code prefixes (repeatable).")
@click.option("--ignore", "ignore", multiple=True, help="Do not report these codes or code prefixes (repeatable).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--color/--no-color", default=None, help="Colour text output (default: when stdout is a terminal).")
def command(
    paths: tuple[str, ...],
    output_format: str,
    fail_on: str,
    base_dir: str | None,
    no_base: bool,
    aip_version: str | None,
    no_scripts: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    exit_zero: bool,
    color: bool | None,
) -> int:
    """Check configs, agents, pack.toml files and scripts under PATHS (default: .)."""
    from aipack_compat.check.checker import DEFAULT_AIP_VERSION, CheckSettings, check_paths
    from aipack_compat.model.diagnostic import Severity
    from aipack_compat.report.diagnostics import REPORTERS_BY_NAME, render_text

    settings = CheckSettings(
        aip_version=aip_version or DEFAULT_AIP_VERSION,
        base_dir=base_dir,
        use_base=not no_base,
        check_scripts=not no_scripts,
    )
    result = check_paths(list(paths) or ["."], settings)
    if select or ignore:
        result.diagnostics[:] = [
            d for d in result.diagnostics
            if (not select or d.code.startswith(select)) and not d.code.startswith(ignore or ("\0",))
        ]
    if output_format == "text":
        use_color = sys.stdout.isatty() if color is None else color
        sys.stdout.write(render_text(result, color=use_color))
    else:
        sys.stdout.write(REPORTERS_BY_NAME[output_format](result))
    worst = result.worst()
    if exit_zero or worst is None:
        return 0
    return 1 if worst >= Severity.parse(fail_on) else 0
