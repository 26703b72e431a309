"""`aipack-compat upgrade-config PATH [--write]`: legacy config shapes -> `[options]`, comments kept.

Shows a unified diff by default; `--write` replaces the file atomically. Exit 0 when the file is
current (or was written), 1 when a diff is shown (changes pending), 2 on usage/parse errors.
"""

from __future__ import annotations

import os

import click


@click.command("upgrade-config")
@click.argument("path", type=click.Path())
@click.option("--write", is_flag=True, help="Apply the rewrite (atomically) instead of showing the diff.")
def command(path: str, write: bool) -> int:
    """Rewrite [genai]/[runtime]/[default_options] in the config PATH (or PATH/.aipack|.devai/config.toml)."""
    from aipack_compat.errors import UsageFailure
    from aipack_compat.files import TextFile, diagnostic_line, read_text_file, write_user_file
    from aipack_compat.migrate.upgrade_toml import UpgradeFailure, unified_diff, upgrade_config_text

    config_path = _config_path(path)
    loaded = read_text_file(config_path)
    if not isinstance(loaded, TextFile):
        raise UsageFailure(diagnostic_line(loaded))
    try:
        upgrade = upgrade_config_text(config_path, loaded.text)
    except UpgradeFailure as exc:
        raise UsageFailure(str(exc)) from exc
    for advice in upgrade.advice:
        click.echo(f"note: {advice}", err=True)
    if not upgrade.changed:
        click.echo(f"{config_path}: already in the current shape")
        return 0
    if write:
        write_user_file(config_path, upgrade.text, force=True)  # overwriting is what --write asks for
        click.echo(f"{config_path}: upgraded ({'; '.join(upgrade.changes)})")
        return 0
    click.echo(unified_diff(config_path, loaded.text, upgrade.text), nl=False)
    return 1


def _config_path(path: str) -> str:
    """PATH itself unless it is a directory, else the workspace config a run there reads (`find_workspace`,
    latest aip: the directory's own `.aipack/`), or the legacy `.devai/` one beside it. Whatever is there
    (a directory named config.toml, a FIFO) goes to `read_text_file`, which says what is wrong."""
    if not os.path.isdir(path):
        return path
    from aipack_compat.load.workspace import find_workspace
    from aipack_compat.model.versions import DEFAULT_AIP_VERSION

    workspace = find_workspace(path, DEFAULT_AIP_VERSION)
    for candidate in (workspace.config_path, *workspace.unread_config_paths):
        shown = os.path.join(path, os.path.relpath(candidate, workspace.directory))
        if os.path.lexists(shown):
            return shown
    from aipack_compat.errors import UsageFailure

    raise UsageFailure(f"{path}: no .aipack/config.toml or .devai/config.toml here")
