"""What the parts of one run share: the settings, the workspace, the client, the cache and the sinks.

The Runner builds one RunContext per run and hands it to the sub-agent service (execute/subagent.py)
and the output writers (execute/outputs.py): they need these and nothing else of the Runner, so
neither imports runner.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from aipack_compat.execute.cache import ResponseCache
from aipack_compat.execute.client import OllamaClient
from aipack_compat.execute.progress import Progress
from aipack_compat.execute.wire import Extras, WireMode


@dataclass(frozen=True, slots=True)
class RunSettings:
    config_path: Path
    results_path: Path
    job_names: tuple[str, ...] = ()
    ollama_urls: tuple[str, ...] = ()
    """Empty: the config's `execution.ollama_url`."""
    concurrency: int | None = None
    """Overrides every job's `input_concurrency`."""
    per_endpoint_limit: int | None = None
    resume: bool = False
    cache_dir: Path | None = None
    """None disables the cache."""
    wire: WireMode | None = None
    aip_version: str | None = None
    timeout_seconds: float | None = None
    retries: int | None = None
    retry_base_seconds: float = 0.5
    extras: Extras = Extras()
    dry: str | None = None
    force_outputs: bool = False
    echo_outputs: bool = True
    outputs_dir: Path | None = None
    """Write the jobs' output files under this directory instead of the migrated workspace."""


@dataclass(slots=True)
class RunContext:
    settings: RunSettings
    root: Path
    """The migrated workspace: job paths (agents, inputs, outputs, workdirs) are relative to it."""
    aip_version: str
    """The aip release whose eras apply (wire, inputs, Lua); `--aip-version` over the config's."""
    wire: WireMode
    session_uid: str
    client: OllamaClient
    cache: ResponseCache | None
    progress: Progress
    out: TextIO
    """Where cell outputs are echoed when the job names no output file."""
    written_outputs: set[Path] = field(default_factory=set)
    """Output files this run has written: a second write appends (outputs.py)."""
