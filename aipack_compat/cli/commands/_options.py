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
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in parts.netloc)
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


def ollama_host_url(value: str) -> str:
    """`OLLAMA_HOST` read the way the ollama CLI reads it (ollama's envconfig.Host): an optional
    `http://`/`https://` (default http), host and port (default 127.0.0.1 and 11434; 80/443 when
    a scheme is given without a port), an optional path. `0.0.0.0` (what servers are often told to
    listen on) reaches the local machine, as with the ollama CLI on Linux and macOS."""
    text = value.strip()
    scheme, separator, hostport = text.partition("://")
    default_port = "11434"
    if not separator:
        scheme, hostport = "http", text
    elif scheme == "http":
        default_port = "80"
    elif scheme == "https":
        default_port = "443"
    hostport, _, path = hostport.partition("/")
    host, port = hostport, default_port
    if hostport.startswith("["):  # [::1]:11434
        inside, _, rest = hostport[1:].partition("]")
        host, port = inside, rest[1:] if rest.startswith(":") and rest[1:] else default_port
    elif hostport.count(":") == 1:
        host, port = hostport.split(":")
        port = port or default_port
    host = host or "127.0.0.1"
    if not port.isdigit() or int(port) > 65535:
        port = default_port
    shown_host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown_host}:{port}" + (f"/{path}" if path else "")


def endpoint_from_environment() -> str | None:
    """The Ollama base URL `OLLAMA_HOST` names, when it is set (and usable)."""
    import os

    value = os.environ.get("OLLAMA_HOST", "").strip()
    if not value:
        return None
    url = ollama_host_url(value)
    problem = url_problem(url)
    if problem:
        raise click.UsageError(f"OLLAMA_HOST={value!r}: {problem}")
    return url
