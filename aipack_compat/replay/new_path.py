"""The new path: our executor on the migrated config, one case at a time, in `wire: aip-compat` mode
for the aip version under test, through the same recording proxy, in its own workspace copy.

Settings that keep the wire comparable with aip (wire-protocol.md §6.1): no retries (aip makes
exactly one POST per task, item 1), no cache (a cache hit sends nothing), and the job's shell
redirect (`> out/$m.txt`) is not replayed, because that file is the shell's doing, not the agent's;
the old path does not write it either.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from aipack_compat.model.job import JobConfig, OutputSpec
from aipack_compat.model.report import Failure, PathRun
from aipack_compat.replay.cases import ReplayCase
from aipack_compat.replay.recorder import RecordingProxy
from aipack_compat.replay.workspace_copy import copy_workspace, file_state, files_written

if TYPE_CHECKING:
    from aipack_compat.replay.session import ReplayOptions


def case_config(config: JobConfig, case: ReplayCase, root: str) -> JobConfig:
    """The config reduced to this case: its job, only its cell, no redirect, rooted at the copy."""
    job = case.job.model_copy(update={"matrix": [case.cell] if case.cell else [], "output": OutputSpec()})
    return config.model_copy(update={"jobs": [job], "root": root})


def run_new_path(
    case: ReplayCase,
    config: JobConfig,
    root: Path,
    proxy: RecordingProxy,
    options: "ReplayOptions",
    compat_version: str,
) -> PathRun:
    """Run one case with the executor; every fault becomes `PathRun.failure`, never an exception."""
    started = time.monotonic()
    limit = options.timeout_seconds if options.timeout_seconds is not None else case.job.timeout_seconds
    with tempfile.TemporaryDirectory(prefix="aipack-replay-new-") as scratch:
        base = Path(scratch)
        try:
            copy_workspace(root, base / "workspace", exclude=options.out_dir)
        except OSError as exc:
            return PathRun(side="new", failure=Failure(kind="setup", message=f"cannot prepare the workspace copy: {exc}"))
        reduced = case_config(config, case, "workspace")
        before = file_state(base / "workspace")
        printed = io.StringIO()
        with proxy.recording(f"new:{case.case_id}") as exchanges:
            failure = _execute(reduced, base, proxy.url, compat_version, limit, printed)
        written = files_written(base / "workspace", before)
    return PathRun(
        side="new",
        command=["aipack-compat run", f"--wire aip-compat --aip-version {compat_version}", f"job {case.job.name}"]
        + ([f"cell {case.cell.label}"] if case.cell else []),
        exit_code=0 if failure is None else 1,
        stdout=printed.getvalue(),
        files_written=written,
        exchanges=list(exchanges),
        duration_seconds=round(time.monotonic() - started, 3),
        failure=failure,
    )


def _execute(config: JobConfig, base: Path, url: str, compat_version: str, limit: float | None, printed: io.StringIO) -> Failure | None:
    from aipack_compat.execute.client import build_http_client
    from aipack_compat.execute.journal import read_records
    from aipack_compat.execute.context import RunSettings
    from aipack_compat.execute.runner import Runner

    results = base / "results.jsonl"
    settings = RunSettings(
        config_path=base / "aipack-compat.json",
        results_path=results,
        ollama_urls=(url,),
        wire="aip-compat",
        aip_version=compat_version,
        retries=0,
        cache_dir=None,
        force_outputs=True,
        echo_outputs=True,
    )

    async def go() -> None:
        http = build_http_client(config.execution.request_timeout_seconds, 8)
        async with http:
            runner = Runner(config, settings, http, out=printed)
            await asyncio.wait_for(runner.run(), timeout=limit)

    try:
        asyncio.run(go())
    except asyncio.TimeoutError:
        return Failure(kind="timeout", message=f"the executor did not finish within {limit:g} s")
    except Exception as exc:  # the executor's own bug or fault: recorded for this case, the replay goes on
        return Failure(kind="executor", message=f"{type(exc).__name__}: {exc}")
    for record in read_records(results) if results.exists() else []:
        if record.status in ("error", "failure") and record.error is not None:
            # Backend errors show up on the recorded exchange as well; this names the executor's view.
            return Failure(kind="executor", message=f"item {record.input_index}: {record.error.type}: {record.error.message}")
    return None
