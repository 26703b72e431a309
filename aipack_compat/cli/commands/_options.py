"""Options several commands share, so they are spelled, checked and explained the same everywhere.

Not a command: `cli.COMMANDS` lists the command modules, and this one is not among them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

# aip's own tags and `aip --version` output: 0.8.37, v0.7.10, 0.8.34-WIP, 0.6 (patch omitted)
_AIP_VERSION = re.compile(r"v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?")


def _check_aip_version(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse what is not a version: a typo would otherwise read as 0.0.0, i.e. the devai era."""
    if value is None:
        return None
    if not _AIP_VERSION.fullmatch(value.strip()):
        raise click.BadParameter(f"{value!r} is not an aip version (expected e.g. 0.8.37 or v0.7.10)")
    return value.strip()


def aip_version_option(help_text: str) -> Callable[[F], F]:
    return click.option("--aip-version", metavar="VERSION", default=None, callback=_check_aip_version, help=help_text)


def format_option(choices: tuple[str, ...], help_text: str = "Output format.") -> Callable[[F], F]:
    return click.option("--format", "output_format", type=click.Choice(choices), default=choices[0],
                        show_default=True, help=help_text)


def url_problem(url: str) -> str | None:
    """Why `url` cannot be an Ollama base URL (http(s)://host[:port][/path]), or None."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    return None if ok else f"{url!r} is not an http(s) URL (expected e.g. http://localhost:11434)"


def check_ollama_urls(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """`--ollama-url` is checked up front: a malformed one would otherwise surface deep in the HTTP
    client or the recording proxy, as a traceback or an unrelated message."""
    for url in (value if isinstance(value, tuple) else (value,) if value else ()):
        problem = url_problem(url)
        if problem:
            raise click.BadParameter(problem)
    return value
