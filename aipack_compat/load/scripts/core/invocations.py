"""Pending runs -> frozen `Invocation`s: loops expanded, folded or made a matrix; paths made relative.

Loops that drive a config rewrite or only name output files become the run's matrix, one loop or
a nested sweep (matrix.py); a loop whose variable is a whole `-f` value is folded into one run
over its globs, its names in output paths becoming `{input_*}` (per_input.py); other loops that
change the agent or its inputs are expanded into one invocation per value.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re

from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.matrix import LoopBinding, MatrixPlan, plan_matrix
from aipack_compat.load.scripts.core.per_input import find_input_frame, loop_notes
from aipack_compat.load.scripts.core.posix_regex import grep_to_python
from aipack_compat.load.scripts.core.records import PendingRewrite, PendingRun, has_glob_value, loop_header, root_of
from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE, Value, loop_tokens
from aipack_compat.model.invocation import (
    CELL_PLACEHOLDER,
    INPUT_PLACEHOLDERS,
    ConfigRewrite,
    Invocation,
    ScriptScan,
    Unresolved,
)

MAX_EXPANSION = 64  # cap on invocations generated from one command by loops over agents/inputs


def finish_scan(collector: Collector) -> ScriptScan:
    """The file's scan: every pending run as its invocations, every rewrite frozen."""
    finisher = _Finisher(collector)
    scan = collector.scan
    scan.rewrites = [finisher.freeze_rewrite(r, None, {}) for r in collector.rewrites]
    for run in collector.runs:
        scan.invocations.extend(finisher.of_run(run))
    return scan


class _Finisher:
    def __init__(self, collector: Collector) -> None:
        self.origin = collector.origin
        self.root = collector.root
        self.greps = collector.greps

    def of_run(self, run: PendingRun) -> list[Invocation]:
        parsed = run.parsed
        by_id = {frame.frame_id: frame for frame in run.frames}

        def roots(values: list[Value]) -> set[int]:
            found = {root_of(by_id, fid) for value in values for fid in loop_tokens(value) if fid in by_id}
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
        notes = [note for fid in (*expand_ids, *folded, *matrix_candidates) if (note := by_id[fid].note)]
        invocations = []
        for combo in combos:
            binding = LoopBinding(by_id, run.open_frames, input_frame, glob_loops)
            matrix = plan_matrix(run, by_id, matrix_candidates, binding, combo)
            binding.placeholders = matrix.placeholders() if matrix.axes else {}
            invocations.append(self._build(run, binding, combo, matrix, [*unresolved, *matrix.unresolved],
                                           [*notes, *matrix.notes]))
        return invocations

    def _build(self, run: PendingRun, binding: LoopBinding, combo: dict[int, int], matrix: MatrixPlan,
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
                if LOOP_TOKEN_RE.search(text) and loop_tokens(text) & binding.input_family():
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
            config_rewrites=tuple(self.freeze_rewrite(r, binding, combo) for r in run.rewrites),
            cell_rewrites=tuple(tuple(self.freeze_rewrite(r, binding, {**combo, **cell}) for r in run.rewrites)
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

    def freeze_rewrite(self, rewrite: PendingRewrite, binding: LoopBinding | None, combo: dict[int, int]) -> ConfigRewrite:
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
            kind=rewrite.kind,
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


def _as_glob(path: str) -> str:
    for placeholder in (CELL_PLACEHOLDER, *INPUT_PLACEHOLDERS):
        path = path.replace(placeholder, "*")
    return LOOP_TOKEN_RE.sub("*", path)


def _dedupe(items: list[Unresolved]) -> list[Unresolved]:
    return list(dict.fromkeys(items))
