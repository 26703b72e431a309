"""JobConfig: what `migrate` writes (aipack-compat.json) and what `run`/`replay` consume.

A JobConfig is self-contained: the agents' prompt parts and stage code are carried inside it,
together with where each piece came from, so the executor never re-reads the legacy files.
Paths inside it are relative to `root` (the directory that was migrated) and use `/`.
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from aipack_compat.model.options import AgentOptions
from aipack_compat.model.versions import DEFAULT_AIP_VERSION

SCHEMA_VERSION: Final = 1


class _Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceLocation(_Contract):
    """Where a construct came from (1-based line/column; 0 = whole file)."""

    path: str
    line: int = 0
    column: int = 0


class OptionProvenance(_Contract):
    """Which layer set an option value, and where."""

    key: str
    value: str | float | int | bool | dict[str, str]
    layer: Literal["default", "user", "base-legacy", "workspace", "agent", "script"]
    source: SourceLocation


class PromptPart(_Contract):
    """One `# System` / `# Instruction` / `# Assistant` section: one chat message once rendered."""

    role: Literal["system", "user", "assistant"]
    heading: str
    """The heading as written, e.g. `Instruction`, `Jedi Trick`."""
    template: str
    """Handlebars source, exactly as aip captures it (lines joined by \\n plus one trailing \\n)."""
    options_fragment: str | None = None
    """The backtick-quoted header options (`cache = true`), lower-cased as aip does."""
    source: SourceLocation


class StageCode(_Contract):
    """The Lua code of one script stage (the first ```lua block; repeated sections concatenated)."""

    stage: Literal["before_all", "data", "output", "after_all"]
    code: str
    source: SourceLocation
    """Location of the first code line, for mapping Lua error lines back to the agent file."""


class AgentSpec(_Contract):
    """One agent file, parsed."""

    name: str
    """Key used by jobs (the agent's path relative to root, without extension)."""
    source: SourceLocation
    options: AgentOptions = Field(default_factory=AgentOptions)
    """The agent's own `# Options` block (layer 4)."""
    prompt_parts: list[PromptPart] = Field(default_factory=list)
    stages: list[StageCode] = Field(default_factory=list)
    era: str = "aipack-0.8"
    """Format era the agent was written for (e.g. `devai-rhai`, `devai-lua`, `aipack-0.6`, `aipack-0.8`)."""


class InputSpec(_Contract):
    """The inputs of one `aip run`: `-f` globs, `-i` strings, or none (one task with input nil)."""

    kind: Literal["none", "files", "literals"] = "none"
    globs: list[str] = Field(default_factory=list)
    """`-f` values as written (aip widens a bare name to `**/name` at run time)."""
    values: list[str] = Field(default_factory=list)
    """`-i` values, always strings."""


class MatrixCell(_Contract):
    """One variant of a job: one model of a model loop, or one combination of a nested sweep
    (`for model …; do for temp …; do`), with the options it overrides. Cells are listed in the
    script's order (outer loop slowest)."""

    label: str
    """Stable, unique name of the cell, used for `{cell}` in output paths and in results.

    When the script's redirect was named after the loop(s), the label is exactly the part of that
    path the loops vary: `${model//:/_}` gives `llama3.2_1b`, `${model//:/_}-t$temp` gives
    `llama3.2_1b-t0.7`, so `results/{cell}.txt` filled in is the file the shell wrote. Otherwise
    it is the loop value (one loop) or `model=llama3.2:1b,temp=0.7` (a nested sweep)."""
    options: AgentOptions = Field(default_factory=AgentOptions)
    """Options this cell sets over the job's effective options (e.g. `model`)."""


class OutputSpec(_Contract):
    """Where a run's output went in the legacy script; `{cell}` and `{job}` are substituted.

    Paths are relative to `JobConfig.root` (not to the job's workdir). A per-file loop
    (`for f in prompts/*.md; do aip run … -f "$f" > "out/$(basename "$f" .md).txt"; done`)
    gives a per-input template: `{input_path}`, `{input_name}`, `{input_stem}` (see `per_input`).
    """

    stdout_path: str | None = None
    """File that received stdout (`> out/{cell}.txt`), or None for the terminal.

    Placeholders: `{cell}` = the matrix cell's label (for a nested sweep the label is the whole part
    of the path its loops vary, e.g. `results/{cell}.txt` with label `llama3.2_1b-t0.7` for the
    shell's `results/${model//:/_}-t$temp.txt`), `{job}` = the job name, and with `per_input`:
    `{input_path}` = the input file's path relative to the job's workdir (the shell's `$f`),
    `{input_name}` = its base name (`$(basename "$f")`, `${f##*/}`), `{input_stem}` = the base name
    without its last extension (`$(basename "$f" .md)`, `${name%.*}`); for a non-file input (`-i`)
    all three are the input's 0-based index (the `input_index` of its run record)."""
    stderr_path: str | None = None
    """File that received stderr; equal to stdout_path for `2>&1`. Same placeholders as stdout_path."""
    append: bool = False
    per_input: bool = False
    """True when the path templates contain `{input_path}`, `{input_name}` or `{input_stem}`: each
    input's output goes to its own file; an input without output (skipped, failed) writes none."""


class RunFlags(_Contract):
    """The `aip run` flags that change behaviour (others are recorded as migration notes)."""

    single_shot: bool = True
    verbose: bool = False
    watch: bool = False
    dry: Literal["req", "res"] | None = None


class JobSpec(_Contract):
    """One `aip run` invocation found in a script (or added by hand), as data."""

    name: str
    agent: str
    """Key into JobConfig.agents."""
    agent_ref: str
    """The agent argument as written (`flows/eval.aip`, `ns@pack/sub`)."""
    workdir: str = "."
    """Directory the command ran in (the `cd` in effect), relative to root."""
    inputs: InputSpec = Field(default_factory=InputSpec)
    options: AgentOptions = Field(default_factory=AgentOptions)
    """The effective options for this job before matrix cells (config layers + agent)."""
    matrix: list[MatrixCell] = Field(default_factory=list)
    """Variants to run; empty means one run with `options` as they are."""
    flags: RunFlags = Field(default_factory=RunFlags)
    timeout_seconds: float | None = None
    """From `timeout 90s aip run ...`; applies to the whole run of one cell."""
    env: dict[str, str] = Field(default_factory=dict)
    """Static environment assignments in effect (`env X=Y aip run`, `export X=Y`)."""
    output: OutputSpec = Field(default_factory=OutputSpec)
    score_pattern: str | None = None
    """Regex the script used to extract a score from the output (`grep -o "Score: [0-9]+/10"`)."""
    source: SourceLocation


class ExecutionSettings(_Contract):
    """How the executor talks to Ollama."""

    ollama_url: str = "http://localhost:11434"
    wire: Literal["ollama", "openai", "aip-compat"] = "ollama"
    """`ollama` = native /api/chat; `openai` = /v1/chat/completions; `aip-compat` = byte-for-byte what aip sends."""
    aip_version: str = DEFAULT_AIP_VERSION
    """The aip version whose wire behaviour `aip-compat` reproduces (endpoint era: /v1 up to 0.8.16)."""
    request_timeout_seconds: float = 300.0
    retries: int = 3


class JobConfig(_Contract):
    """The migrated setup: workspace, agents and jobs."""

    schema_version: Literal[1] = SCHEMA_VERSION
    root: str = "."
    """The migrated directory, relative to this file's directory."""
    workspace_options: AgentOptions = Field(default_factory=AgentOptions)
    """Config layers merged (default -> user -> workspace), before any agent's `# Options`."""
    provenance: list[OptionProvenance] = Field(default_factory=list)
    agents: dict[str, AgentSpec] = Field(default_factory=dict)
    jobs: list[JobSpec] = Field(default_factory=list)
    execution: ExecutionSettings = Field(default_factory=ExecutionSettings)
