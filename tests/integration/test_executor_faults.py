"""The executor against the fault-injection backend over real HTTP (aiohttp transport)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from aipack_compat.execute.client import build_http_client
from aipack_compat.execute.context import RunSettings
from aipack_compat.execute.journal import read_records
from aipack_compat.execute.runner import Runner
from aipack_compat.execute.wire import Extras
from aipack_compat.model.run import RunSummary
from tests.unit.execute.jobs_helper import config


def run(url: str, tmp_path: Path, models: list[str], *, stream: bool = True, timeout: float = 5,
        retries: int = 3) -> RunSummary:
    job_config = config(["q1", "q2", "q3"], models=models, url=url, retries=retries, concurrency=3)
    settings = RunSettings(config_path=tmp_path / "jobs.json", results_path=tmp_path / "results.jsonl",
                           retry_base_seconds=0.01, timeout_seconds=timeout, extras=Extras(stream=stream),
                           echo_outputs=False)

    async def main() -> RunSummary:
        http = build_http_client(timeout, 16)
        try:
            return await Runner(job_config, settings, http).run()
        finally:
            await http.aclose()

    return asyncio.run(main())


@pytest.mark.parametrize("model", ["fault-500x2", "fault-503x1", "fault-429x2", "fault-resetx1",
                                   "fault-badjsonx2", "fault-errorlinex1", "fault-drip"])
def test_transient_faults_are_retried_and_no_result_is_lost(fault_backend: tuple[str, Any], tmp_path: Path,
                                                            model: str) -> None:
    url, _ = fault_backend
    summary = run(url, tmp_path, [model])
    records = read_records(tmp_path / "results.jsonl")
    assert sorted(r.input for r in records) == ["q1", "q2", "q3"]
    assert all(r.status == "success" and r.output == "Paris is the capital. Score: 8/10" for r in records)
    assert summary.items_failed == 0


def test_exhausted_retries_and_client_timeouts_become_item_errors(fault_backend: tuple[str, Any], tmp_path: Path) -> None:
    url, backend = fault_backend
    summary = run(url, tmp_path, ["fault-500x9", "fault-timeoutx1", "fault-404"], timeout=0.5, retries=1)
    by_cell = {c.cell: c for c in summary.cells}
    assert by_cell["fault-500x9"].errored == 3 and by_cell["fault-404"].errored == 3
    assert by_cell["fault-timeoutx1"].succeeded == 3  # one timeout, then the retry succeeds
    records = read_records(tmp_path / "results.jsonl")
    assert len(records) == 9
    errors = {r.cell: r.error for r in records if r.error}
    assert errors["fault-500x9"].attempts == 2 and errors["fault-500x9"].status_code == 500  # type: ignore[union-attr]
    assert errors["fault-404"].type == "ModelNotFound" and errors["fault-404"].attempts == 1  # type: ignore[union-attr]


def test_unreachable_endpoint_fails_items_after_retries(tmp_path: Path) -> None:
    from tests.conftest import free_port

    summary = run(f"http://127.0.0.1:{free_port()}", tmp_path, ["ok"], retries=1)
    records = read_records(tmp_path / "results.jsonl")
    assert summary.items_failed == 3 and {r.error.type for r in records if r.error} <= {"BackendUnreachable", "BackendTimeout"}
