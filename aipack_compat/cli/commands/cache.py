"""`aipack-compat cache stats|clear`: the response cache used by `run`."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import click

from aipack_compat.cli.commands._options import format_option

# The layout ResponseCache writes (execute/cache.py): <2 hex>/<sha256 hex>.json, plus write_atomic's
# temporary `.<name>.<random>.tmp` siblings if a write was interrupted.
_SHARD = re.compile(r"[0-9a-f]{2}")
_ENTRY = re.compile(r"\.?[0-9a-f]{64}\.json(\.[^/]*\.tmp)?")


def _cache(cache_dir: str | None) -> Any:
    from aipack_compat.execute.cache import ResponseCache, default_cache_dir

    return ResponseCache(Path(cache_dir) if cache_dir else default_cache_dir())


@click.group("cache")
def command() -> None:
    """Inspect or clear the response cache."""


@command.command("stats")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory (default: the user cache).")
@format_option(("text", "json"))
def stats(cache_dir: str | None, output_format: str) -> int:
    """Show where the cache is, how many responses it holds and their size."""
    from aipack_compat.errors import EnvironmentFailure
    from aipack_compat.files import os_reason

    cache = _cache(cache_dir)
    try:
        result = cache.stats()
    except OSError as exc:  # e.g. a dangling link among the entries
        raise EnvironmentFailure(f"{exc.filename or cache.directory}: cannot read the response cache: {os_reason(exc)}") from None
    if output_format == "json":
        import json

        click.echo(json.dumps({"directory": result.directory, "entries": result.entries, "bytes": result.bytes}))
    else:
        click.echo(f"{result.directory}: {result.entries} response(s), {result.bytes:,} bytes")
    return 0


@command.command("clear")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory (default: the user cache).")
def clear(cache_dir: str | None) -> int:
    """Remove every cached response."""
    from aipack_compat.errors import EnvironmentFailure, UsageFailure
    from aipack_compat.files import os_reason

    cache = _cache(cache_dir)
    stranger = _not_a_cache_shard(cache.directory)
    if stranger is not None:
        # clear() deletes every two-letter directory: `--cache-dir ~` must not take ~/go with it.
        raise UsageFailure(f"{cache.directory}: does not look like an aipack-compat response cache "
                           f"({stranger} is not a cache entry); nothing removed")
    try:
        removed = cache.clear()
    except OSError as exc:
        raise EnvironmentFailure(f"{exc.filename or cache.directory}: cannot clear the response cache: {os_reason(exc)}") from None
    click.echo(f"removed {removed} response(s) from {cache.directory}")
    return 0


def _not_a_cache_shard(directory: Path) -> str | None:
    """The first thing `clear()` would delete that the cache did not write, or None."""
    try:
        children = list(os.scandir(directory)) if directory.is_dir() else []
        for child in children:
            if len(child.name) != 2 or not child.is_dir():
                continue  # clear() leaves these alone
            if not _SHARD.fullmatch(child.name):
                return f"{child.name}/"
            for entry in os.scandir(child.path):
                if not (_ENTRY.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)):
                    return f"{child.name}/{entry.name}"
    except OSError as exc:
        return f"{exc.filename or directory} (unreadable)"
    return None
