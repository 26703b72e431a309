"""Loops around one `aip run` that become its model matrix: one loop, or a nested sweep of up to 3.

    for model in llama3.2:1b qwen2.5:0.5b; do
      for temp in 0 0.7; do
        sed -i "s/^model = .*/model = \\"$model\\"/; s/^temperature = .*/temperature = $temp/" .aipack/config.toml
        aip run eval -s > "results/${model//:/_}-t$temp.txt"
      done
    done

Loops that drive config rewrites and/or output names (not the agent or its inputs) are the
matrix's axes; the cells are their cross product in the shell's order (outer loop slowest). A
cell's label is the part of the output path the loops vary (`${model//:/_}-t$temp`, filled:
`llama3.2_1b-t0`), so `results/{cell}.txt` filled with a label is the file the shell wrote. When
the output names no loop, or not every loop (the shell then overwrote files), the label is the
loop value (one loop) or `model=…,temp=…` (a sweep).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from aipack_compat.load.scripts.core.per_input import input_placeholder
from aipack_compat.load.scripts.core.records import LoopFrame, PendingRun, loop_header, root_of
from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE, Value, loop_tokens
from aipack_compat.model.invocation import CELL_PLACEHOLDER, MatrixAxis, Unresolved
from aipack_compat.model.location import Location

MAX_AXES = 3  # eval sweeps nest model × temperature × prompt variant at most
MAX_CELLS = 512


@dataclass(slots=True)
class LoopBinding:
    """How loop tokens become text: a value of this invocation or cell, a placeholder, or left in place."""

    by_id: dict[int, LoopFrame]
    open_frames: set[int]
    input_frame: LoopFrame | None = None  # the per-file loop folded into the run (see per_input.py)
    glob_loops: set[int] = field(default_factory=set)
    placeholders: dict[int, str] = field(default_factory=dict)  # matrix axis root -> `{cell}` / `{cell:VAR}`

    def roots(self, value: str) -> set[int]:
        return {root_of(self.by_id, fid) for fid in loop_tokens(value) if fid in self.by_id}

    def input_family(self) -> set[int]:
        if self.input_frame is None:
            return set()
        root = self.input_frame.frame_id
        return {fid for fid, frame in self.by_id.items() if fid == root or frame.parent == root}

    def substitute(self, value: str, combo: dict[int, int], inputs: bool = False) -> str:
        """`combo`: loop root -> value index; `inputs`: the per-file loop's values become `{input_*}`."""
        def replace(match: re.Match[str]) -> str:
            fid = int(match.group(1))
            frame = self.by_id.get(fid)
            if frame is None:
                return match.group(0)
            root = root_of(self.by_id, fid)
            if self.input_frame is not None and root == self.input_frame.frame_id:
                placeholder = input_placeholder(frame, self.input_frame) if inputs else None
                return placeholder or match.group(0)
            if root not in self.open_frames and frame.values and frame.values[-1] is not None:
                return frame.values[-1]  # the loop is over: its last value stayed behind
            if root in combo and frame.values is not None and combo[root] < len(frame.values):
                item = frame.values[combo[root]]
                return item if item is not None else match.group(0)
            if root in self.placeholders:
                return self.placeholders[root]
            return match.group(0)

        return LOOP_TOKEN_RE.sub(replace, value)


@dataclass(slots=True)
class MatrixPlan:
    axes: list[LoopFrame] = field(default_factory=list)
    cells: list[dict[int, int]] = field(default_factory=list)  # per cell: axis root -> value index
    labels: list[str] = field(default_factory=list)
    stdout: Value = None  # the run's redirect with the loops' part replaced by `{cell}`
    stderr: Value = None
    unresolved: list[Unresolved] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unknown: LoopFrame | None = None  # a matrix loop whose values are not known (kept for the report)

    def axis_records(self) -> tuple[MatrixAxis, ...]:
        return tuple(MatrixAxis(f.variable, tuple(v or "" for v in f.values or []), loop_header(f.source_text),
                                f.location.line) for f in self.axes)

    def placeholders(self) -> dict[int, str]:
        if len(self.axes) == 1:
            return {self.axes[0].frame_id: CELL_PLACEHOLDER}
        return {f.frame_id: "{cell:" + f.variable + "}" for f in self.axes}

    @property
    def location(self) -> Location | None:
        frame = self.axes[0] if self.axes else self.unknown
        return frame.location if frame is not None else None


def plan_matrix(run: PendingRun, by_id: dict[int, LoopFrame], candidates: list[int], binding: LoopBinding,
                combo: dict[int, int]) -> MatrixPlan:
    """The matrix of `run` from its candidate loops (roots, any order), for one expansion `combo`."""
    plan = MatrixPlan(stdout=run.stdout, stderr=run.stderr)
    for position, fid in enumerate(sorted(candidates)):  # frames are numbered as the walk meets them: outer first
        frame = by_id[fid]
        if position >= MAX_AXES:
            plan.unresolved.append(Unresolved(f"loop variable `{frame.variable}` (a sweep of more than {MAX_AXES} "
                                              "nested loops)", frame.source_text, frame.location))
        elif frame.values is None or any(v is None for v in frame.values) or not frame.values:
            why = frame.values_problem or ("it has no values: the script never runs this" if frame.values == [] else None)
            plan.unresolved.append(Unresolved(f"values of loop variable `{frame.variable}`" + (f" ({why})" if why else ""),
                                              frame.source_text, frame.location))
            plan.unknown = plan.unknown or frame
        else:
            plan.axes.append(frame)
    count = 1
    for frame in plan.axes:
        count *= len(frame.values or [])
    if count > MAX_CELLS:
        outer = plan.axes[0]
        plan.unresolved.append(Unresolved(f"loop variable `{outer.variable}` (a sweep of {count} cells, over {MAX_CELLS})",
                                          outer.source_text, outer.location))
        plan.axes = []
    if not plan.axes:
        return plan
    ids = [f.frame_id for f in plan.axes]
    plan.cells = [dict(zip(ids, indexes)) for indexes in itertools.product(*(range(len(f.values or [])) for f in plan.axes))]
    _label_cells(run, plan, binding, combo)
    if len(plan.axes) > 1:
        headers = " × ".join(f"`{loop_header(f.source_text)}` (line {f.location.line})" for f in plan.axes)
        shown = ", ".join(plan.labels) if len(plan.labels) <= 6 else ", ".join(plan.labels[:5]) + f", …, {plan.labels[-1]}"
        plan.notes.append(f"nested loops {headers} are one job of {len(plan.cells)} matrix cells, in the script's order "
                          f"(outer loop slowest); cells: {shown}")
    return plan


def _label_cells(run: PendingRun, plan: MatrixPlan, binding: LoopBinding, combo: dict[int, int]) -> None:
    axis_ids = {f.frame_id for f in plan.axes}
    named = run.stdout if run.stdout_redirected and _names_axes(run.stdout, axis_ids, binding) else None
    if named is None and run.stderr_redirected and _names_axes(run.stderr, axis_ids, binding):
        named = run.stderr
    span = _axis_span(named, axis_ids, binding) if named is not None else None
    if named is not None and span is not None:
        start, end = span
        text = named[start:end]
        labels = [binding.substitute(text, {**combo, **cell}) for cell in plan.cells]
        covered = binding.roots(text) & axis_ids
        if not any(LOOP_TOKEN_RE.search(label) for label in labels):
            # the same span becomes `{cell}` in both redirects
            plan.stdout, plan.stderr = _replace_span(run.stdout, text), _replace_span(run.stderr, text)
            if len(set(labels)) == len(labels):
                plan.labels = labels
                return
            missing = [f.variable for f in plan.axes if f.frame_id not in covered]
            if missing:
                plan.notes.append(f"the output path does not name `{'`, `'.join(missing)}`: the script overwrote each "
                                  "file for every value of it, keeping the last; the job writes one file per cell")
            else:
                plan.notes.append("the output path names some cells alike: the script overwrote those files, keeping "
                                  "the last; the job writes one file per cell")
    plan.labels = _generic_labels(plan)


def _names_axes(value: Value, axis_ids: set[int], binding: LoopBinding) -> bool:
    return value is not None and bool(binding.roots(value) & axis_ids)


def _axis_span(value: str, axis_ids: set[int], binding: LoopBinding) -> tuple[int, int] | None:
    """From the first to the last token of a matrix loop in `value` (None if the per-file loop sits between)."""
    matches = [m for m in LOOP_TOKEN_RE.finditer(value)
               if int(m.group(1)) in binding.by_id and root_of(binding.by_id, int(m.group(1))) in axis_ids]
    if not matches:
        return None
    start, end = matches[0].start(), matches[-1].end()
    if loop_tokens(value[start:end]) & binding.input_family():
        return None
    return start, end


def _replace_span(value: Value, span_text: str) -> Value:
    if value is None or span_text not in value:
        return value
    return value.replace(span_text, CELL_PLACEHOLDER, 1)


def _generic_labels(plan: MatrixPlan) -> list[str]:
    if len(plan.axes) == 1:
        frame = plan.axes[0]
        labels = [(frame.values or [])[cell[frame.frame_id]] or "" for cell in plan.cells]
    else:
        labels = [",".join(f"{f.variable}={(f.values or [])[cell[f.frame_id]]}" for f in plan.axes) for cell in plan.cells]
    seen: dict[str, int] = {}
    unique: list[str] = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label}#{seen[label]}")
    return unique
