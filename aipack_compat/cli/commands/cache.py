"""`aipack-compat cache stats|clear`: the response cache used by `run`."""

from __future__ import annotations

from pathlib import Path

import click


def _cache(cache_dir: str | None):  # type: ignore[no-untyped-def]
    from aipack_compat.execute.cache import ResponseCache, default_cache_dir

    return ResponseCache(Path(cache_dir) if cache_dir else default_cache_dir())


@click.group("cache")
def command() -> None:
    """Inspect or clear the response cache."""


@command.command("stats")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache directory (default: the user cache).")
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True)
def stats(cache_dir: str | None, output_format: str) -> int:
    """Show where the cache is, how many responses it holds and their size."""
    result = _cache(cache_dir).stats()
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
    cache = _cache(cache_dir)
    removed = cache.clear()
    click.echo(f"removed {removed} response(s) from {cache.directory}")
    return 0
