"""`aipack-compat replay PATH --out DIR`: old path (real aip) vs new path (executor), case by case.

Exit 0 when every case is equivalent, 1 otherwise, 2 on usage/environment errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aipack_compat.cli.commands._options import check_ollama_urls


@click.command("replay")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False), help="Directory for report.* and cassettes/.")
@click.option("--aip", "aip_binary", metavar="BIN", help="The aip binary to replay with (default: `aip` on PATH).")
@click.option("--ollama-url", metavar="URL", callback=check_ollama_urls, help="Where Ollama really is (default: $OLLAMA_HOST, else the config's execution.ollama_url).")
@click.option("--only", "only", multiple=True, metavar="CASE", help="Replay only cases whose id or job name matches this glob (repeatable).")
@click.option("--offline", is_flag=True, help="Re-run the comparison from DIR/cassettes; needs neither Ollama nor aip.")
@click.option("--timeout", "timeout_seconds", type=click.FloatRange(min=0.1), metavar="SECONDS", help="Per-case time limit for each path (default: the job's own).")
@click.option(
    "--proxy-mode",
    type=click.Choice(("forward", "reverse")),
    default="forward",
    show_default=True,
    help="forward: HTTP_PROXY for aip; reverse: listen on localhost:11434 (port swap; Ollama must be elsewhere).",
)
@click.option("--similarity-threshold", type=click.FloatRange(0.0, 1.0), default=0.9, show_default=True, help="Outputs at least this similar count as equivalent.")
@click.option("--force", is_flag=True, help="Record again into a DIR that already holds cassettes.")
def command(
    path: Path,
    out_dir: Path,
    aip_binary: str | None,
    ollama_url: str | None,
    only: tuple[str, ...],
    offline: bool,
    timeout_seconds: float | None,
    proxy_mode: str,
    similarity_threshold: float,
    force: bool,
) -> int:
    """Replay PATH (a migrated aipack-compat.json, or the directory holding it) on both paths."""
    from aipack_compat.files import write_user_file
    from aipack_compat.replay.session import ReplayOptions, recheck_offline, replay_online
    from aipack_compat.report.replay_html import render_html
    from aipack_compat.report.replay_json import render_json
    from aipack_compat.report.replay_markdown import render_markdown

    if ollama_url is None and not offline:  # then OLLAMA_HOST, as the ollama CLI reads it, then the config's
        from aipack_compat.cli.commands._options import endpoint_from_environment

        ollama_url = endpoint_from_environment()
    options = ReplayOptions(
        source=path,
        out_dir=out_dir,
        aip_binary=aip_binary,
        ollama_url=ollama_url,
        only=only,
        timeout_seconds=timeout_seconds,
        proxy_mode="reverse" if proxy_mode == "reverse" else "forward",
        similarity_threshold=similarity_threshold,
        force=force,
    )
    if offline:
        _note_ignored_online_options({"--aip": aip_binary, "--ollama-url": ollama_url, "--timeout": timeout_seconds,
                                      "--proxy-mode": proxy_mode if proxy_mode != "forward" else None,
                                      "--force": force or None})
    try:
        report = recheck_offline(options) if offline else replay_online(options)
    except KeyboardInterrupt:
        # Cassettes are written whole (write_atomic) as each case ends, so what is there is usable.
        click.echo(f"interrupted: cassettes of the finished cases are in {out_dir / 'cassettes'}; "
                   f"judge them with --offline, or record again with --force", err=True)
        return 130
    # report.* are derived from the cassettes, so rewriting them is always safe (force=True).
    for name, text in (("report.json", render_json(report)), ("report.md", render_markdown(report)), ("report.html", render_html(report))):
        write_user_file(out_dir / name, text, force=True)
    summary = report.summary
    for case in report.cases:
        if case.verdict != "equivalent":
            sys.stderr.write(f"{case.case_id}: {case.verdict}: {case.reason[:400]}\n")
    sys.stdout.write(
        f"{summary.total} case(s): {summary.equivalent} equivalent, {summary.request_differs} request differs, "
        f"{summary.output_differs} output differs only, {summary.failed} failed; report in {out_dir / 'report.html'}\n"
    )
    return 0 if report.all_equivalent else 1


def _note_ignored_online_options(given: dict[str, object]) -> None:
    """--offline judges recorded cassettes; options that steer a recording do nothing there. Say so
    (not an error: CI often keeps one command line for both modes)."""
    ignored = [flag for flag, value in given.items() if value is not None]
    if ignored:
        sys.stderr.write(f"note: {', '.join(ignored)} ignored with --offline (the cassettes already hold the recording)\n")
