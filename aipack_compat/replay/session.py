"""One replay: load the migrated config, run every case on both paths through one recording proxy,
save a cassette per case, judge, and build the report. `recheck_offline` redoes the judging from
the cassettes alone. A fault in one case (aip missing, Ollama down, a timeout) is recorded in that
case and the replay goes on."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from aipack_compat import __version__
from aipack_compat.errors import UsageFailure
from aipack_compat.model.job import JobConfig
from aipack_compat.model.report import (
    AipInfo,
    CaseRecording,
    CaseResult,
    Cassette,
    Failure,
    PathRun,
    ReplayReport,
    ReplaySettings,
    ReplaySummary,
)
from aipack_compat.replay.aip_runner import availability_failure, detect_aip, new_path_wire_version, observed_era, run_old_path
from aipack_compat.replay.cases import ReplayCase, cases_of, selected
from aipack_compat.replay.cassette import cassette_path, load_cassettes, save_cassette
from aipack_compat.replay.compare import CompareSettings, judge
from aipack_compat.replay.recorder import RecordingProxy

CONFIG_FILE_NAME = "aipack-compat.json"
AIP_PORT = 11434
"""genai hard-codes localhost:11434 for Ollama (wire-protocol.md §3.1); reverse mode must listen there."""

NewPathRunner = Callable[[ReplayCase, JobConfig, Path, RecordingProxy, "ReplayOptions", str], PathRun]


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    source: Path
    out_dir: Path
    aip_binary: str | None = None
    ollama_url: str | None = None
    only: tuple[str, ...] = ()
    timeout_seconds: float | None = None
    proxy_mode: Literal["forward", "reverse"] = "forward"
    similarity_threshold: float = 0.9
    force: bool = False


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def load_job_config(source: Path) -> tuple[JobConfig, Path]:
    """The JobConfig (read by the executor's loader, so run and replay accept the same files) and the
    workspace root it describes. `source` may be the directory `migrate --out` wrote."""
    from aipack_compat.execute.session import load_job_config as load_validated

    path = source / CONFIG_FILE_NAME if source.is_dir() else source
    if not path.is_file():
        if source.is_dir():
            raise UsageFailure(f"{path}: no migrated job config here; run `aipack-compat migrate {source} --out DIR` and replay DIR")
        if path.exists():  # a FIFO or device: reading it would block or never end
            raise UsageFailure(f"{path}: not a regular file, expected a migrated job config ({CONFIG_FILE_NAME})")
        dangling = " (a broken symbolic link)" if path.is_symlink() else ""
        raise UsageFailure(f"{path}: no such file or directory{dangling}")
    config = load_validated(path)
    if not _is_http_url(config.execution.ollama_url):
        raise UsageFailure(f"{path}: execution.ollama_url: {config.execution.ollama_url!r} is not an http(s) URL")
    root = Path(os.path.realpath(path.parent / config.root))  # realpath: a symlink loop is "not a directory", not a crash
    if not root.is_dir():
        raise UsageFailure(f"{path}: root {config.root!r} is not a directory ({root})")
    return config, root


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def backend_reachable(url: str, timeout: float = 3.0) -> str | None:
    """None when something accepts TCP connections at the URL, else why not."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"Ollama at {url} is unreachable: {exc.strerror or exc}"


def replay_online(options: ReplayOptions, new_path: NewPathRunner | None = None) -> ReplayReport:
    if new_path is None:
        from aipack_compat.replay.new_path import run_new_path

        new_path = run_new_path
    config, root = load_job_config(options.source)
    cases = cases_of(config, options.only)
    if not cases:
        raise UsageFailure(f"{options.source}: no case matches --only {' '.join(options.only)}" if options.only else f"{options.source}: the config has no jobs")
    _refuse_stale_cassettes(options, cases)
    from aipack_compat.files import ensure_writable_directory

    # Before minutes of recording, not after: an --out that cannot take the cassettes is one line now.
    ensure_writable_directory(options.out_dir, "replay output directory")
    upstream = (options.ollama_url or config.execution.ollama_url).rstrip("/")
    aip = detect_aip(options.aip_binary)
    unavailable = availability_failure(aip, options.aip_binary)
    compat_version = aip.version if unavailable is None and aip.version else config.execution.aip_version
    backend_down = backend_reachable(upstream)
    settings = _settings(options, upstream)
    port = AIP_PORT if options.proxy_mode == "reverse" else 0
    if options.proxy_mode == "reverse" and urlsplit(upstream).port in (AIP_PORT, None):
        raise UsageFailure(f"--proxy-mode reverse listens on {AIP_PORT}: move Ollama to another port and pass it with --ollama-url")
    recordings: list[CaseRecording] = []
    # Port swap: aip dials `localhost`, which may resolve to ::1 first, so listen there too (wire-protocol.md §3.3).
    also_on = ("::1",) if options.proxy_mode == "reverse" else ()
    with RecordingProxy(upstream, port=port, also_on=also_on) as proxy:
        for case in cases:
            recording = _record_case(case, config, root, aip, unavailable, backend_down, proxy, options, new_path, compat_version)
            recordings.append(recording)
            if aip.observed_era == "unknown" and recording.old.exchanges:
                aip = aip.model_copy(update={"observed_era": observed_era(recording.old.exchanges)})
            cassette = Cassette(recorded_at=now_iso(), tool_version=__version__, aip=aip, ollama_url=upstream, recording=recording)
            save_cassette(options.out_dir, case.file_stem, cassette, force=True)
    return build_report(settings, aip, recordings)


def _record_case(
    case: ReplayCase,
    config: JobConfig,
    root: Path,
    aip: AipInfo,
    unavailable: Failure | None,
    backend_down: str | None,
    proxy: RecordingProxy,
    options: ReplayOptions,
    new_path: NewPathRunner,
    compat_version: str,
) -> CaseRecording:
    base: dict[str, Any] = dict(case_id=case.case_id, job=case.job.name, cell=case.cell.label if case.cell else None)
    if backend_down is not None:
        down = Failure(kind="backend-down", message=backend_down)
        return CaseRecording(**base, old=PathRun(side="old", failure=down), new=PathRun(side="new", failure=down))
    if unavailable is not None:
        old = PathRun(side="old", failure=unavailable)
    else:
        old = run_old_path(
            case, config, root, aip, proxy, timeout=options.timeout_seconds, proxy_mode=options.proxy_mode, exclude=options.out_dir
        )
    # The old path ran first, so its requests show which wire this aip really speaks.
    new = new_path(case, config, root, proxy, options, new_path_wire_version(compat_version, observed_era(old.exchanges)))
    return CaseRecording(**base, old=old, new=new)


def _refuse_stale_cassettes(options: ReplayOptions, cases: Sequence[ReplayCase]) -> None:
    existing = [cassette_path(options.out_dir, case.file_stem) for case in cases]
    if not options.force and any(path.exists() for path in existing):
        raise UsageFailure(f"{options.out_dir}: already holds cassettes; pass --force to record again, or --offline to re-check them")


def _settings(options: ReplayOptions, upstream: str, offline: bool = False) -> ReplaySettings:
    return ReplaySettings(
        source=str(options.source),
        ollama_url=upstream,
        offline=offline,
        proxy_mode=options.proxy_mode,
        timeout_seconds=options.timeout_seconds,
        similarity_threshold=options.similarity_threshold,
        only=list(options.only),
    )


def build_report(settings: ReplaySettings, aip: AipInfo, recordings: Sequence[CaseRecording]) -> ReplayReport:
    compare_settings = CompareSettings(similarity_threshold=settings.similarity_threshold)
    results: list[CaseResult] = [judge(recording, compare_settings) for recording in recordings]
    return ReplayReport(
        tool_version=__version__, created_at=now_iso(), settings=settings, aip=aip, summary=ReplaySummary.of(results), cases=results
    )


def recheck_offline(options: ReplayOptions) -> ReplayReport:
    """Judge again from `DIR/cassettes` only: no Ollama, no aip, no network."""
    cassettes = load_cassettes(options.out_dir)
    if options.only:
        cassettes = [c for c in cassettes if selected(c.recording.case_id, c.recording.job, options.only)]
        if not cassettes:
            raise UsageFailure(f"{options.out_dir}: no cassette matches --only {' '.join(options.only)}")
    aip = cassettes[0].aip
    upstream = cassettes[0].ollama_url
    return build_report(_settings(options, upstream, offline=True), aip, [c.recording for c in cassettes])
