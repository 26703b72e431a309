"""Entry points for the CLI and other stages: load a JobConfig, run it with a real HTTP client."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from aipack_compat.errors import EnvironmentFailure, UsageFailure
from aipack_compat.execute.context import RunSettings
from aipack_compat.execute.progress import Progress
from aipack_compat.execute.runner import Runner
from aipack_compat.model.job import JobConfig
from aipack_compat.model.run import RunSummary

if TYPE_CHECKING:
    from aipack_compat.execute.transport import HTTPClient


def load_job_config(path: Path) -> JobConfig:
    """Read and validate CONFIG; one clear line naming the file on any problem (exit 2)."""
    from pydantic import ValidationError

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageFailure(f"{path}: cannot read job config: {exc.strerror or type(exc).__name__}") from exc
    try:
        config = JobConfig.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        if tuple(first["loc"]) == ("schema_version",):
            raise UsageFailure(
                f"{path}: schema_version {first.get('input')!r} is not one this aipack-compat reads (it reads 1); "
                "migrate again with this version") from exc
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        raise UsageFailure(f"{path}: invalid job config at {where}: {first['msg']}{more}") from exc
    missing = [f"{job.name} -> {job.agent}" for job in config.jobs if job.agent not in config.agents]
    if missing:
        raise UsageFailure(f"{path}: job(s) name agents the config does not define: {', '.join(missing)}")
    return config


async def preflight(http: HTTPClient, urls: list[str]) -> None:
    """Fail fast (exit 2) when no endpoint answers at all. Not used in `aip-compat` mode, where the
    request sequence must stay exactly aip's (wire-protocol.md §6.1 item 1: no /api/version calls)."""
    from aipack_compat.execute.errors import BackendError, map_transport_errors

    async def probe(url: str) -> str | None:
        try:
            async with asyncio.timeout(5.0):
                with map_transport_errors(url):
                    await http.get(url.rstrip("/") + "/api/version")
        except (BackendError, TimeoutError) as exc:
            return f"{url} ({exc.__cause__ or exc if isinstance(exc, BackendError) else 'no answer within 5 s'})"
        return None

    failures = [f for f in await asyncio.gather(*(probe(url) for url in urls)) if f]
    if len(failures) == len(urls):
        raise EnvironmentFailure(f"cannot reach Ollama at {', '.join(failures)}; start it or pass --ollama-url")


async def run_job_config(config: JobConfig, settings: RunSettings, progress: Progress,
                         http: "HTTPClient | None" = None) -> RunSummary:
    from aipack_compat.execute.client import build_http_client

    limit = max(settings.per_endpoint_limit or 0, settings.concurrency or 0, 8)
    urls = list(settings.ollama_urls) or [config.execution.ollama_url]
    own = http is None
    client = http or build_http_client(settings.timeout_seconds or config.execution.request_timeout_seconds,
                                       limit * len(urls))
    try:
        if (settings.wire or config.execution.wire) != "aip-compat" and settings.dry != "req":
            await preflight(client, urls)
        return await Runner(config, settings, client, progress).run()
    finally:
        if own:
            await client.aclose()
