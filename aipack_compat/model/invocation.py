"""What the script scanner found: `aip run` / `devai run` invocations, as plain frozen dataclasses.

This is on the `validate` path, so it stays free of pydantic. `migrate/to_job.py` turns these
records into `JobSpec`s. Every string that came from a loop variable carries the placeholder
`{cell}` (the model-matrix variable) instead of a guessed value (nested sweeps: `{cell:VAR}` per
loop in `config_rewrites`, and `cell_rewrites` holds every cell's rewrites with the values filled in); an output path named after the
file of a per-file loop (`for f in prompts/*.md; ... > "out/$(basename "$f" .md).txt"`) carries
`{input_path}` / `{input_name}` / `{input_stem}` instead. Values that could not be resolved
statically are listed in `unresolved` with their location, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from aipack_compat.model.location import Location

CELL_PLACEHOLDER = "{cell}"
# Per-input output names, filled from each input's file record (`path` relative to the job's
# workdir, as the shell's `$f` was; `name` = `$(basename "$f")`; `stem` = `$(basename "$f" .md)`).
INPUT_PATH_PLACEHOLDER = "{input_path}"
INPUT_NAME_PLACEHOLDER = "{input_name}"
INPUT_STEM_PLACEHOLDER = "{input_stem}"
INPUT_PLACEHOLDERS = (INPUT_PATH_PLACEHOLDER, INPUT_NAME_PLACEHOLDER, INPUT_STEM_PLACEHOLDER)

ScriptOrigin = Literal["shell", "makefile", "ci-yaml", "python", "justfile", "package-json", "editor-tasks", "taskfile"]
RewriteKind = Literal["sed", "heredoc", "copy", "write"]


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A value the scanner could not determine without running the script."""

    what: str  # "agent", "loop values", "output path", "workdir", "-f value", ...
    text: str  # the source text, e.g. `$AGENT` or `$(ls models)`
    location: Location


@dataclass(frozen=True, slots=True)
class ConfigRewrite:
    """A per-iteration (or one-off) rewrite of a config file before `aip run`.

    aip has no model flag (aipack-spec §4.2), so scripts that compare models rewrite
    `.aipack/config.toml` between runs; this records how.
    """

    kind: RewriteKind
    target: str  # config path, relative to the migrated root, `/`-separated
    location: Location
    sed_script: str | None = None  # kind == "sed": the `s/…/…/` expression as sed sees it
    content: str | None = None  # kind in ("heredoc", "write"): the new file text
    copy_from: str | None = None  # kind == "copy": source path (relative to root)
    backup_suffix: str | None = None  # `sed -i.bak` -> ".bak"
    restored: bool = False  # a later `mv/cp X.bak X`, `git checkout/restore X` puts it back
    extended_regex: bool = False  # `sed -E` / `sed -r`


@dataclass(frozen=True, slots=True)
class MatrixAxis:
    """One loop of a model matrix (a nested sweep has one per loop, outer loop first)."""

    variable: str
    values: tuple[str, ...]
    header: str  # the loop's first line, e.g. `for temp in 0 0.7; do` or `while IFS= read -r model; do`
    line: int  # where the loop starts in its script


@dataclass(frozen=True, slots=True)
class Invocation:
    """One `aip run` (or `devai run`) found in a script, with everything resolved statically."""

    location: Location
    origin: ScriptOrigin
    program: str  # "aip" or "devai"
    command_text: str  # the source text of the command (one line, trimmed)
    agent_ref: str | None  # None when missing or dynamic (see `unresolved`)
    file_globs: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    single_shot: bool = False
    watch: bool = False
    verbose: bool = False
    dry: str | None = None
    flags: tuple[str, ...] = ()  # every option token as written (`-s`, `--not-interactive`, ...)
    unknown_flags: tuple[str, ...] = ()  # options aip's `run` never had in any version
    stdout_path: str | None = None  # relative to root; may contain {cell} and {input_path|name|stem}
    stderr_path: str | None = None
    append: bool = False
    workdir: str | None = "."  # the `cd` in effect, relative to root; None when dynamic
    env: tuple[tuple[str, str], ...] = ()
    timeout_seconds: float | None = None
    # the loop variable bound to {cell}; a nested sweep: its loops' variables, outer first, joined by `,`
    matrix_variable: str | None = None
    # one per cell: the loop value `{cell}` stands for in `config_rewrites` (a nested sweep: the
    # cell's loop values joined by `,`, outer first; its rewrites use `{cell:VAR}` per loop instead)
    matrix_values: tuple[str, ...] = ()
    # parallel: the cell labels, i.e. what `{cell}` means in output paths. With an output path named
    # after the loop(s) it is exactly the part of the path the loops vary (`${m//:/_}`,
    # `${model//:/_}-t$temp`), so the filled template is the file the shell wrote.
    matrix_labels: tuple[str, ...] = ()
    matrix_location: Location | None = None
    matrix_axes: tuple[MatrixAxis, ...] = ()  # the loops of the matrix, outer first (cross product, outer slowest)
    config_rewrites: tuple[ConfigRewrite, ...] = ()
    # parallel to matrix_labels: each cell's config rewrites with every loop value filled in
    cell_rewrites: tuple[tuple[ConfigRewrite, ...], ...] = ()
    input_loop: str | None = None  # header of the per-file loop folded into this one run (`for f in a/*.md; do`)
    score_pattern: str | None = None  # Python regex, converted from the script's grep
    unresolved: tuple[Unresolved, ...] = ()
    notes: tuple[str, ...] = field(default=())  # assumptions made while resolving (for the report)
    # `-f prompts/*.md` unquoted in a shell: (pattern, files it matched when migrating); the shell
    # expands it, so with 2+ files aip got extra arguments and stopped (validate SH012)
    unquoted_globs: tuple[tuple[str, int], ...] = ()


@dataclass(slots=True)
class ScriptScan:
    """Everything one script yielded: invocations plus problems met while reading it."""

    path: str
    origin: ScriptOrigin
    invocations: list[Invocation] = field(default_factory=list)
    rewrites: list[ConfigRewrite] = field(default_factory=list)  # all config rewrites seen
    parse_problems: list[Location] = field(default_factory=list)  # syntax errors (partial results kept)
    problem_messages: list[str] = field(default_factory=list)  # parallel to parse_problems
