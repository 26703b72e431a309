"""`aipack-compat run CONFIG.json`: execute a migrated job config against Ollama."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from aipack_compat.cli.commands._options import aip_version_option, check_ollama_urls, format_option, url_problem

if TYPE_CHECKING:
    from aipack_compat.execute.wire import WireMode

FORMATS = ("text", "json")


@click.command("run")
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--job", "jobs", multiple=True, metavar="NAME", help="Run only this job (repeatable).")
@click.option("--ollama-url", "urls", multiple=True, metavar="URL", callback=check_ollama_urls,
              help="Ollama base URL (repeatable: requests are spread over the pool). Default: $OLLAMA_HOST, "
                   "else the config's.")
@click.option("--concurrency", type=click.IntRange(min=1), help="Inputs in flight per job (overrides input_concurrency).")
@click.option("--per-endpoint", type=click.IntRange(min=1), help="Maximum requests in flight per Ollama endpoint.")
@click.option("--results", type=click.Path(dir_okay=False), help="Results journal (JSONL). Default: next to CONFIG.")
@click.option("--outputs-dir", type=click.Path(file_okay=False),
              help="Write the jobs' output files (the scripts' `> file` redirections) here instead of the workspace.")
@click.option("--resume", is_flag=True, help="Continue the results journal: skip items already completed.")
@click.option("--force", is_flag=True, help="Start a new journal over an existing one; overwrite output files.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the response cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Response cache directory.")
@click.option("--wire", type=click.Choice(("ollama", "openai", "aip-compat")), help="Override the config's wire mode.")
@aip_version_option("aip version whose behaviour to reproduce (default: the config's).")
@click.option("--stream/--no-stream", default=False, help="Stream responses (default modes only; gives time-to-first-token).")
@click.option("--seed", type=int, help="Sampling seed (default modes only; aip never sends one).")
@click.option("--num-predict", type=int, help="Token limit (default modes only).")
@click.option("--timeout", "timeout_seconds", type=click.FloatRange(min=0.001), metavar="SECONDS", help="Per-request timeout in seconds.")
@click.option("--retries", type=click.IntRange(min=0), help="Retries on connect errors, timeouts, 5xx and 429.")
@click.option("--dry", type=click.Choice(("req", "res")), help="As `aip run --dry`.")
@format_option(FORMATS, "Summary format (json: one object on stdout, for machines).")
@click.option("--quiet", is_flag=True, help="No progress output.")
def command(config: str, jobs: tuple[str, ...], urls: tuple[str, ...], concurrency: int | None,
            per_endpoint: int | None, results: str | None, outputs_dir: str | None, resume: bool, force: bool, no_cache: bool,
            cache_dir: str | None, wire: WireMode | None, aip_version: str | None, stream: bool, seed: int | None,
            num_predict: int | None, timeout_seconds: float | None, retries: int | None, dry: str | None,
            output_format: str, quiet: bool) -> int:
    """Execute the jobs of CONFIG (the file `migrate` writes); exit 1 when items failed."""
    import asyncio

    from aipack_compat.errors import AipackCompatError, UsageFailure
    from aipack_compat.execute.cache import default_cache_dir
    from aipack_compat.execute.progress import choose_progress
    from aipack_compat.execute.session import load_job_config, run_job_config
    from aipack_compat.execute.context import RunSettings
    from aipack_compat.execute.wire import Extras
    from aipack_compat.files import ensure_writable_directory, os_reason
    from aipack_compat.report.run_summary import REPORTERS_BY_NAME

    config_path = Path(config)
    _refuse_special_file(config_path, "job config")
    job_config = load_job_config(config_path)
    if not urls:  # --ollama-url, then OLLAMA_HOST (as the ollama CLI reads it), then the config's URL
        from aipack_compat.cli.commands._options import endpoint_from_environment

        from_environment = endpoint_from_environment()
        if from_environment is not None:
            urls = (from_environment,)
            if not quiet and output_format == "text":
                click.echo(f"using OLLAMA_HOST: {from_environment}", err=True)
    if not urls and url_problem(job_config.execution.ollama_url):
        raise UsageFailure(f"{config_path}: execution.ollama_url: {url_problem(job_config.execution.ollama_url)}")
    root = config_path.parent / job_config.root
    if not root.is_dir():  # every input glob and output path hangs off it: fail once, not per item
        raise UsageFailure(f"{config_path}: root {job_config.root!r} is not a directory ({root}); "
                           "run the config from where `migrate --out` wrote it, or fix `root`")
    unknown = sorted(set(jobs) - {job.name for job in job_config.jobs})
    if unknown:
        raise UsageFailure(f"{config_path}: no job named {', '.join(map(repr, unknown))} "
                           f"(jobs: {', '.join(job.name for job in job_config.jobs) or 'none'})")
    results_path = Path(results) if results else config_path.with_name(config_path.stem + ".results.jsonl")
    _refuse_special_file(results_path, "results journal")
    ensure_writable_directory(results_path.parent, "results directory")
    if results_path.exists() and not resume:
        if not force:
            raise UsageFailure(f"{results_path} exists: use --resume to continue it, or --force to start over")
        try:
            results_path.unlink()
        except OSError as exc:
            raise UsageFailure(f"{results_path}: cannot start a new journal: {os_reason(exc)}") from None
    chosen_cache = None if no_cache else Path(cache_dir) if cache_dir else default_cache_dir()
    if chosen_cache is not None:
        try:
            ensure_writable_directory(chosen_cache, "response cache")
        except AipackCompatError as exc:
            raise type(exc)(f"{exc}; pass --no-cache or --cache-dir DIR") from None
    settings = RunSettings(
        config_path=config_path, results_path=results_path, job_names=jobs, ollama_urls=urls,
        concurrency=concurrency, per_endpoint_limit=per_endpoint, resume=resume,
        cache_dir=chosen_cache,
        wire=wire, aip_version=aip_version, timeout_seconds=timeout_seconds, retries=retries,
        extras=Extras(stream=stream, seed=seed, num_predict=num_predict), dry=dry, force_outputs=force,
        echo_outputs=output_format == "text", outputs_dir=Path(outputs_dir) if outputs_dir else None)
    progress = choose_progress(output_format, quiet)
    try:
        summary = asyncio.run(run_job_config(job_config, settings, progress))
    except KeyboardInterrupt:
        progress.close()
        click.echo(f"interrupted: completed items are in {results_path}; continue with --resume", err=True)
        return 130
    sys.stdout.write(REPORTERS_BY_NAME[output_format](summary))
    return 1 if summary.items_failed else 0


def _refuse_special_file(path: Path, what: str) -> None:
    """A directory, FIFO or device where a file belongs: one line now, not a hang or a traceback later."""
    from aipack_compat.errors import UsageFailure

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # missing or dangling: the reader says so in its own words
    if stat.S_ISDIR(mode):
        raise UsageFailure(f"{path}: is a directory, expected the {what} file")
    if not stat.S_ISREG(mode):
        raise UsageFailure(f"{path}: not a regular file (a FIFO, socket or device), expected the {what} file")
