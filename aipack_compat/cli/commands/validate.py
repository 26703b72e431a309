"""`aipack-compat validate [PATH]...`: every AIPACK mistake, located, fast enough for pre-commit."""

from __future__ import annotations

import os
import stat
import sys

import click

from aipack_compat.cli.commands._options import aip_version_option, format_option

FORMATS = ("text", "json", "github", "sarif")
SEVERITIES = ("info", "warning", "error")


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path())
@format_option(FORMATS)
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="error", show_default=True,
              help="Lowest severity that makes the exit code 1.")
@click.option("--base-dir", type=click.Path(file_okay=False),
              help="aip base dir to layer and check (default ~/.aipack-base, layered but not reported).")
@click.option("--no-base", is_flag=True, help="Ignore the base layers (~/.aipack-base).")
@aip_version_option("aip version whose behaviour to check against (default: latest known).")
@click.option("--no-scripts", is_flag=True, help="Do not scan shell scripts, Makefiles, CI files for `aip run`.")
@click.option("--select", "select", multiple=True, metavar="CODE", help="Only report these codes or code prefixes (repeatable).")
@click.option("--ignore", "ignore", multiple=True, metavar="CODE", help="Do not report these codes or code prefixes (repeatable).")
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
    from aipack_compat.check.checker import CheckSettings, check_paths
    from aipack_compat.model.versions import DEFAULT_AIP_VERSION
    from aipack_compat.model.diagnostic import CheckResult, Severity
    from aipack_compat.report.diagnostics import REPORTERS_BY_NAME, render_text

    settings = CheckSettings(
        aip_version=aip_version or DEFAULT_AIP_VERSION,
        base_dir=base_dir,
        use_base=not no_base,
        check_scripts=not no_scripts,
        explicit_aip_version=aip_version,
    )
    requested = list(paths) or ["."]
    special = _special_paths(requested)
    readable = [path for path in requested if path not in special]
    # check_paths([]) would mean "the current directory": with nothing left, there is nothing to check.
    result = check_paths(readable, settings) if readable else CheckResult()
    if special:
        from aipack_compat.rules import io

        result.diagnostics[:0] = [io.UNREADABLE.diagnostic(path, f"cannot read: {why}") for path, why in special.items()]
    _note_skipped(requested, special, result)
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


def _special_paths(paths: list[str]) -> dict[str, str]:
    """Named paths that are neither a directory nor a readable regular file, with the reason.

    Discovery would skip a dangling link or a symlink loop without a word, and would wait forever
    on a FIFO while sniffing it for a shebang, so these are answered here, one IO001 each.
    """
    from aipack_compat.files import os_reason

    special: dict[str, str] = {}
    for path in paths:
        if not os.path.lexists(path):
            continue  # discovery reports a missing path itself
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            special[path] = os_reason(exc)
            continue
        if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
            special[path] = "not a regular file (a FIFO, socket or device)"
    return special


def _note_skipped(paths: list[str], special: dict[str, str], result: object) -> None:
    """A file named on the command line that is no AIPACK file is skipped; say so (stderr, so the
    json/sarif output stays clean), or `0 files checked` leaves the user guessing why."""
    from aipack_compat.model.diagnostic import CheckResult

    assert isinstance(result, CheckResult)
    looked_at = {os.path.normpath(p) for p in result.files_checked} | {os.path.normpath(d.path) for d in result.diagnostics}
    for path in paths:
        if path in special or not os.path.isfile(path) or os.path.normpath(path) in looked_at:
            continue
        sys.stderr.write(f"note: {path}: not an AIPACK config, agent, pack.toml or script calling aip; skipped\n")
