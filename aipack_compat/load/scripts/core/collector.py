"""Shared bookkeeping for the script front-ends (bash, Makefile, CI YAML, Python).

Front-ends record what they see while walking (runs, config rewrites, greps, loops) as
mutable records; `Collector.finish()` turns them into frozen `Invocation`s. Loops that drive a
config rewrite or only name output files become the run's matrix, one loop or a nested sweep
(loop_matrix.py); a loop whose variable is a whole `-f` value is folded into one run over its
globs, its names in output paths becoming `{input_*}` (per_input.py); other loops that change
the agent or its inputs are expanded into one invocation per value.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from aipack_compat.load.aip_argv import ParsedRun
from aipack_compat.load.loop_matrix import Binding, MatrixPlan, plan_matrix, root_of, tokens
from aipack_compat.load.per_input import find_input_frame, has_glob_value, loop_header, loop_notes
from aipack_compat.load.shell_words import LOOP_TOKEN_RE, Value, loop_token
from aipack_compat.model.invocation import (
    CELL_PLACEHOLDER,
    INPUT_PLACEHOLDERS,
    ConfigRewrite,
    Invocation,
    ScriptLocation,
    ScriptOrigin,
    ScriptScan,
    Unresolved,
)

MAX_EXPANSION = 64  # cap on invocations generated from one command by loops over agents/inputs


@dataclass(slots=True)
class LoopFrame:
    frame_id: int
    variable: str
    values: list[Value] | None  # None: the values are only known at run time
    location: ScriptLocation
    source_text: str
    parent: int | None = None  # derived per iteration from this frame (`${model//:/_}`)
    open: bool = True  # False once the walk has left the loop body (the last value then sticks)
    # Derived frames: the operations from the loop variable to this value (`(("##", "*/"),)` for
    # `${f##*/}`); () for the variable itself; None when the value is not a function of it alone.
    shape: tuple[tuple[str, ...], ...] | None = ()
    outer_stdout: tuple[Value, bool] | None = None  # stdout redirect in effect where the loop starts
    values_problem: str | None = None  # why `values` is None, for the report (`models.txt does not exist`)
    note: str | None = None  # migration note for runs using this loop (`while read` values read from a file)
    from_listing: bool = False  # the values are globs standing for `ls`/`find`/Python glob output, not bash globs
    # whether the values are file globs: set where the quoting is known (`for f in *.md` yes,
    # `for q in "Why?"` no); None: judged from the text (per_input.has_glob_value)
    globbed: bool | None = None

    @property
    def token(self) -> str:
        return loop_token(self.frame_id)


@dataclass(slots=True)
class PendingRewrite:
    kind: str
    target: str  # absolute path
    location: ScriptLocation
    sed_script: Value = None
    content: Value = None
    copy_from: Value = None
    backup_suffix: str | None = None
    extended_regex: bool = False
    restored: bool = False
    dynamic: bool = False  # the new content could not be determined


@dataclass(slots=True)
class PendingRun:
    location: ScriptLocation
    command_text: str
    parsed: ParsedRun
    cwd: Value
    env: dict[str, Value]
    timeout_seconds: float | None
    stdout: Value
    stdout_redirected: bool
    stderr: Value
    stderr_redirected: bool
    append: bool
    frames: list[LoopFrame]
    rewrites: list[PendingRewrite]
    notes: list[str] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    open_frames: set[int] = field(default_factory=set)  # loops the run is inside (set by Collector.add_run)
    unquoted_globs: list[tuple[str, int]] = field(default_factory=list)  # see Invocation.unquoted_globs


@dataclass(slots=True)
class GrepUse:
    pattern: str
    extended: bool
    files: list[Value]  # absolute paths (may contain loop tokens or globs)
    location: ScriptLocation


class Collector:
    """Accumulates one file's findings; `finish()` resolves loops and paths."""

    def __init__(self, path: str, origin: ScriptOrigin, root: str) -> None:
        self.path = path
        self.origin = origin
        self.root = root
        self.frames: list[LoopFrame] = []
        self.runs: list[PendingRun] = []
        self.rewrites: list[PendingRewrite] = []
        self.active_rewrites: list[PendingRewrite] = []
        self.greps: list[GrepUse] = []
        self.scan = ScriptScan(path=path, origin=origin)
        # (line, column) in the scanned text -> in the original file; set while a front-end scans
        # text it generated (source_map.scan_mapped), None when the text is the file itself
        self.translate: Callable[[int, int], tuple[int, int]] | None = None

    def new_frame(self, variable: str, values: list[Value] | None, location: ScriptLocation, text: str,
                  parent: int | None = None) -> LoopFrame:
        frame = LoopFrame(len(self.frames) + 1, variable, values, location, text, parent)
        self.frames.append(frame)
        return frame

    def derive(self, scalar: str, transform: Any, shape: tuple[str, ...]) -> Value:
        """A new loop value computed per iteration from one loop's value (`${f##*/}`, `Path(f).stem`).

        `shape` says which operation it was; the chain of shapes from the loop variable itself is
        kept (`LoopFrame.shape`) so a per-file loop's output name can become `{input_name}` etc.
        """
        ids = {int(m.group(1)) for m in LOOP_TOKEN_RE.finditer(scalar)}
        if len(ids) != 1:
            return None
        frame = self.frames[ids.pop() - 1]
        values: list[Value] | None = None
        if frame.values is not None and all(v is not None for v in frame.values):
            values = [transform(scalar.replace(frame.token, v or "")) for v in frame.values]
        derived = self.new_frame(frame.variable, values, frame.location, frame.source_text,
                                 parent=frame.parent or frame.frame_id)
        # only an operation on the whole value (`${f%.*}`, not `${prefix_$f%.*}`) keeps a known shape
        derived.shape = (*frame.shape, shape) if scalar == frame.token and frame.shape is not None else None
        return derived.token

    def add_run(self, run: PendingRun) -> None:
        run.open_frames = {f.frame_id for f in self.frames if f.open}
        self.runs.append(run)

    def add_rewrite(self, rewrite: PendingRewrite) -> None:
        self.rewrites.append(rewrite)
        self.active_rewrites = [r for r in self.active_rewrites if not _replaces(rewrite, r)]
        self.active_rewrites.append(rewrite)

    def restore(self, target: str) -> None:
        """`mv cfg.bak cfg` and friends: the rewrites of `target` so far are undone."""
        for rewrite in self.rewrites:
            if rewrite.target == target:
                rewrite.restored = True
        self.active_rewrites = [r for r in self.active_rewrites if r.target != target]

    def problem(self, location: ScriptLocation, message: str) -> None:
        self.scan.parse_problems.append(location)
        self.scan.problem_messages.append(message)

    def location(self, line: int, column: int, end_line: int = 0, end_column: int = 0) -> ScriptLocation:
        end_line, end_column = end_line or line, end_column or column
        if self.translate is not None:  # text a runner built from another file (justfile, tasks.json)
            (line, column), (end_line, end_column) = self.translate(line, column), self.translate(end_line, end_column)
        return ScriptLocation(self.path, line, column, end_line, end_column)

    # -- finishing --------------------------------------------------------------------------
    def finish(self) -> ScriptScan:
        frozen_rewrites = {id(r): self._freeze_rewrite(r, None, {}) for r in self.rewrites}
        self.scan.rewrites = [frozen_rewrites[id(r)] for r in self.rewrites]
        for run in self.runs:
            self.scan.invocations.extend(self._finish_run(run))
        return self.scan

    def _finish_run(self, run: PendingRun) -> list[Invocation]:
        parsed = run.parsed
        by_id = {frame.frame_id: frame for frame in run.frames}

        def roots(values: list[Value]) -> set[int]:
            found = {root_of(by_id, fid) for value in values for fid in tokens(value) if fid in by_id}
            return found & run.open_frames

        input_frame = find_input_frame(run, by_id)
        folded = {input_frame.frame_id} if input_frame is not None else set()
        expand_ids = sorted(roots([parsed.agent, *parsed.file_globs, *parsed.inputs]) - folded)
        rewrite_ids = roots([v for r in run.rewrites for v in (r.sed_script, r.content, r.copy_from)])
        output_ids = roots([run.stdout, run.stderr])
        matrix_candidates = sorted((rewrite_ids | output_ids) - set(expand_ids) - folded)
        unresolved = list(run.unresolved)
        combos: list[dict[int, int]] = [{}]
        for fid in expand_ids:
            frame = by_id[fid]
            if frame.values is None or any(v is None for v in frame.values):
                why = f" ({frame.values_problem})" if frame.values_problem else ""
                unresolved.append(Unresolved(f"values of loop variable `{frame.variable}`{why}", frame.source_text, frame.location))
                continue
            combos = [{**combo, fid: index} for combo in combos for index in range(len(frame.values))][:MAX_EXPANSION]
        # expanding a loop over globs gives each run the glob text, not a file: no output name from it
        glob_loops = {fid for fid in expand_ids if has_glob_value(by_id[fid])}
        notes = [by_id[fid].note for fid in (*expand_ids, *folded, *matrix_candidates) if by_id[fid].note]
        invocations = []
        for combo in combos:
            binding = Binding(by_id, run.open_frames, input_frame, glob_loops)
            matrix = plan_matrix(run, by_id, matrix_candidates, binding, combo)
            binding.placeholders = matrix.placeholders() if matrix.axes else {}
            invocations.append(self._build(run, binding, combo, matrix, [*unresolved, *matrix.unresolved],
                                           [*notes, *matrix.notes]))
        return invocations

    def _build(self, run: PendingRun, binding: Binding, combo: dict[int, int], matrix: MatrixPlan,
               unresolved: list[Unresolved], extra_notes: list[str]) -> Invocation:
        parsed = run.parsed
        where = run.location

        def concrete(value: Value, what: str) -> str | None:
            if value is None:
                unresolved.append(Unresolved(what, run.command_text, where))
                return None
            if what != "-f value" and binding.roots(value) & binding.glob_loops:
                # a loop over globs expanded per value gives the glob text, not each file's name
                unresolved.append(Unresolved(f"{what} (named after each file of a loop that cannot be one run)",
                                             run.command_text, where))
                return None
            text = binding.substitute(value, combo)
            if LOOP_TOKEN_RE.search(text):
                unresolved.append(Unresolved(what, run.command_text, where))
                return None
            return text

        agent = concrete(parsed.agent, "agent") if (parsed.agent is not None or parsed.agent_dynamic) else None
        input_frame = binding.input_frame
        file_values = [item for value in parsed.file_globs
                       for item in (input_frame.values or [] if input_frame and value == input_frame.token else [value])]
        globs = tuple(dict.fromkeys(g for g in (concrete(v, "-f value") for v in file_values) if g is not None))
        inputs = tuple(i for i in (concrete(v, "-i value") for v in parsed.inputs) if i is not None)
        workdir = self._relative(run.cwd)
        if workdir is None:
            unresolved.append(Unresolved("working directory", run.command_text, where))

        def output(value: Value, redirected: bool, what: str) -> str | None:
            if not redirected or value == "/dev/null":
                return None
            if value is not None and input_frame is not None:
                text = binding.substitute(value, combo, inputs=True)
                if LOOP_TOKEN_RE.search(text) and tokens(text) & binding.input_family():
                    unresolved.append(Unresolved(f"{what} (a form of `${input_frame.variable}` other than "
                                                 "{input_path}/{input_name}/{input_stem})", run.command_text, where))
                    return None
                value = text
            return self._relative(concrete(value, what))

        stdout = output(matrix.stdout, run.stdout_redirected, "stdout path")
        stderr = output(matrix.stderr, run.stderr_redirected, "stderr path")
        notes = list(run.notes) + extra_notes
        if input_frame is not None:
            notes.extend(loop_notes(run, input_frame, stdout))
        env = tuple(sorted((k, v) for k, v in ((k, concrete(v, f"env {k}")) for k, v in run.env.items()) if v is not None))
        axes = matrix.axes
        if len(axes) == 1:
            matrix_values = tuple(str((axes[0].values or [])[cell[axes[0].frame_id]]) for cell in matrix.cells)
        else:
            matrix_values = tuple(",".join(str((f.values or [])[cell[f.frame_id]]) for f in axes) for cell in matrix.cells)
        variable = ",".join(f.variable for f in axes) or (matrix.unknown.variable if matrix.unknown else None)
        return Invocation(
            location=where,
            origin=self.origin,
            program=parsed.program,
            command_text=run.command_text,
            agent_ref=agent,
            file_globs=globs,
            inputs=inputs,
            single_shot=parsed.has("single-shot") or parsed.has("not-interactive") or parsed.has("ni"),
            watch=parsed.has("watch"),
            verbose=parsed.has("verbose"),
            dry=parsed.dry,
            flags=tuple(parsed.spellings),
            unknown_flags=tuple(parsed.unknown),
            stdout_path=stdout,
            stderr_path=stderr,
            append=run.append,
            workdir=workdir,
            env=env,
            timeout_seconds=run.timeout_seconds,
            matrix_variable=variable,
            matrix_values=matrix_values,
            matrix_labels=tuple(matrix.labels),
            matrix_location=matrix.location,
            matrix_axes=matrix.axis_records(),
            config_rewrites=tuple(self._freeze_rewrite(r, binding, combo) for r in run.rewrites),
            cell_rewrites=tuple(tuple(self._freeze_rewrite(r, binding, {**combo, **cell}) for r in run.rewrites)
                                for cell in matrix.cells),
            input_loop=loop_header(input_frame.source_text) if input_frame is not None else None,
            score_pattern=self._score_pattern(stdout),
            unresolved=tuple(_dedupe(unresolved)),
            notes=tuple(dict.fromkeys(notes)),
            unquoted_globs=tuple(run.unquoted_globs),
        )

    def _relative(self, absolute: Value) -> str | None:
        if absolute is None:
            return None
        if not posixpath.isabs(absolute):
            return absolute
        relative = posixpath.relpath(absolute, self.root)
        return relative

    def _freeze_rewrite(self, rewrite: PendingRewrite, binding: Binding | None, combo: dict[int, int]) -> ConfigRewrite:
        """The rewrite with this invocation's (or cell's) loop values in; one still naming a loop
        nobody can fill (values only known at run time) has no static content."""
        unknown = False

        def text(value: Value) -> str | None:
            nonlocal unknown
            if value is None or binding is None:
                return value
            filled = binding.substitute(value, combo)
            unknown = unknown or bool(LOOP_TOKEN_RE.search(filled))
            return filled

        copy_from = text(rewrite.copy_from)
        sed_script, content = text(rewrite.sed_script), text(rewrite.content)
        if unknown:
            sed_script = content = copy_from = None
        return ConfigRewrite(
            kind=rewrite.kind,  # type: ignore[arg-type]
            target=self._relative(rewrite.target) or rewrite.target,
            location=rewrite.location,
            sed_script=sed_script,
            content=None if rewrite.dynamic else content,
            copy_from=self._relative(copy_from) if copy_from else None,
            backup_suffix=rewrite.backup_suffix,
            restored=rewrite.restored,
            extended_regex=rewrite.extended_regex,
        )

    def _score_pattern(self, stdout: str | None) -> str | None:
        """The grep a script runs over this run's output file, as a Python regex."""
        if not self.greps:
            return None
        if stdout is not None:
            wanted = _as_glob(stdout)
            for grep in self.greps:
                for file in grep.files:
                    if file is None:
                        continue
                    candidate = _as_glob(self._relative(file) or file)
                    if fnmatch.fnmatchcase(wanted, candidate) or fnmatch.fnmatchcase(candidate, wanted):
                        return grep_to_python(grep.pattern, grep.extended)
        patterns = {grep_to_python(g.pattern, g.extended) for g in self.greps if re.search(r"(?i)score", g.pattern)}
        return patterns.pop() if len(patterns) == 1 else None


def _replaces(new: PendingRewrite, old: PendingRewrite) -> bool:
    """A whole-file write supersedes earlier rewrites of the same file."""
    return new.target == old.target and new.kind in ("heredoc", "copy", "write")


def _as_glob(path: str) -> str:
    for placeholder in (CELL_PLACEHOLDER, *INPUT_PLACEHOLDERS):
        path = path.replace(placeholder, "*")
    return LOOP_TOKEN_RE.sub("*", path)


def _dedupe(items: list[Unresolved]) -> list[Unresolved]:
    return list(dict.fromkeys(items))


def grep_to_python(pattern: str, extended: bool) -> str:
    """POSIX BRE (grep default) or ERE (-E/-P) to Python `re` syntax.

    In a BRE, `\\+ \\? \\| \\( \\) \\{ \\}` are the operators and the bare characters are
    literals (GNU grep manual, "Basic vs Extended Regular Expressions").
    """
    classes = {"[:digit:]": r"\d", "[:alpha:]": "a-zA-Z", "[:alnum:]": "a-zA-Z0-9", "[:space:]": r"\s",
               "[:upper:]": "A-Z", "[:lower:]": "a-z"}
    for posix, python in classes.items():
        pattern = pattern.replace(posix, python)
    if extended:
        return pattern
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            nxt = pattern[index + 1]
            out.append(nxt if nxt in "+?|(){}" else "\\" + nxt)
            index += 2
            continue
        out.append("\\" + char if char in "+?|(){}" else char)
        index += 1
    return "".join(out)

