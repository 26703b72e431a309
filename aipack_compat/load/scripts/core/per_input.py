"""Per-file loops folded into one run, with per-input output names.

    for f in prompts/*.md; do aip run eval -s -f "$f" > "results/$(basename "$f" .md).txt"; done

The shell runs `aip run` once per file; aip runs an agent once per `-f` match anyway, so the loop
is one run over the loop's globs. A redirect named after `$f` becomes a template filled per input
from the file record aip gives each task (aipack-spec §3.8: `path`, `name`, `stem`):
`{input_path}` for `$f`, `{input_name}` for `$(basename "$f")` / `${f##*/}`, `{input_stem}` for
`$(basename "$f" .md)` / `${name%.*}` / `${name%.md}`. Any other shape (`${f%.*}` of the path,
`${f#prompts/}`, `sed`) has no placeholder and stays unresolved, never guessed.
"""

from __future__ import annotations

from aipack_compat.load.scripts.core.records import GLOB_CHARS, LoopFrame, PendingRun, loop_header
from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE, Value, loop_token, loop_tokens
from aipack_compat.model.invocation import (
    INPUT_NAME_PLACEHOLDER, INPUT_PATH_PLACEHOLDER, INPUT_PLACEHOLDERS, INPUT_STEM_PLACEHOLDER,
)


def find_input_frame(run: PendingRun, by_id: dict[int, LoopFrame]) -> LoopFrame | None:
    """The one open loop whose variable is a whole `-f` value of `run` and is used nowhere else.

    A run with other `-f` values, or where anything else depends on the file (the agent, `-i`, env,
    the directory, a config rewrite), is not one run over all files: such loops stay expanded per value.
    """
    parsed = run.parsed
    candidates = {frame.frame_id: frame for frame in by_id.values()
                  if frame.parent is None and frame.shape == () and frame.frame_id in run.open_frames
                  and loop_token(frame.frame_id) in parsed.file_globs}
    if len(candidates) != 1:
        return None  # two per-file loops around one run are a cross product: not one aip run
    frame = next(iter(candidates.values()))
    if not frame.values or any(value is None for value in frame.values):
        return None
    family = {fid for fid, other in by_id.items() if fid == frame.frame_id or other.parent == frame.frame_id}
    elsewhere: list[Value] = [parsed.agent, *parsed.inputs, run.cwd, *run.env.values()]
    if len(parsed.file_globs) != 1:
        return None  # `-f "$f" -f common.md` ran common.md once per file, into each file's output
    elsewhere += [v for rewrite in run.rewrites for v in (rewrite.sed_script, rewrite.content, rewrite.copy_from, rewrite.target)]
    if any(loop_tokens(value) & family for value in elsewhere):
        return None
    return frame


def input_placeholder(frame: LoopFrame, input_frame: LoopFrame) -> str | None:
    """The placeholder a (possibly derived) value of the per-file loop variable stands for."""
    if frame.shape is None:
        return None
    state = "path"
    for step in frame.shape:
        next_state = _apply(state, step, [v or "" for v in input_frame.values or []])
        if next_state is None:
            return None
        state = next_state
    return {"path": INPUT_PATH_PLACEHOLDER, "name": INPUT_NAME_PLACEHOLDER, "stem": INPUT_STEM_PLACEHOLDER}.get(state)


def _apply(state: str, step: tuple[str, ...], values: list[str]) -> str | None:
    """One shell operation on a path / name / stem / trunk (the path without its extension).

    Returns the new state, or None when the result is none of these.
    """
    operator, argument = step[0], (step[1] if len(step) > 1 else "")
    if operator == "basename" or (operator == "##" and argument == "*/"):
        named = {"path": "name", "name": "name", "stem": "stem", "trunk": "stem"}[state]
        if operator == "basename" and argument:
            return "stem" if named == "name" and _strips_extension(argument, values) else None
        return named
    if operator != "%" or state not in ("path", "name"):
        return None
    if argument == ".*":
        # bash removes the shortest `.*` suffix; aip's stem is the name before its last dot
        # (file_record: `rpartition(".")`), the same except for dot-files, which globs skip. On a
        # whole path it is only the trunk when every name has a dot (else it would cut a directory).
        if state == "name":
            return "stem"
        return "trunk" if values and all("." in value.rpartition("/")[2] for value in values) else None
    if _strips_extension(argument, values):
        return "stem" if state == "name" else "trunk"
    return None


def _strips_extension(suffix: str, values: list[str]) -> bool:
    """`%.md` / `basename … .md` is the stem only if every loop value ends in that one extension."""
    if not suffix.startswith(".") or suffix.count(".") != 1 or any(c in suffix for c in (*GLOB_CHARS, "/")):
        return False
    return bool(values) and all(value.endswith(suffix) and not LOOP_TOKEN_RE.search(value[-len(suffix):])
                                for value in values)


def loop_notes(run: PendingRun, frame: LoopFrame, stdout_template: str | None) -> list[str]:
    """What differs between the shell's per-file runs and one run over all files."""
    notes: list[str] = []
    values = [v for v in frame.values or [] if v is not None]
    if not frame.from_listing and any("**" in value for value in values):
        notes.append("bash without `shopt -s globstar` reads `**` as `*` (one directory level); "
                     "aip's glob matches any depth")
    redirected_inside = run.stdout_redirected and frame.outer_stdout != (run.stdout, True)
    if (redirected_inside and not run.append and stdout_template is not None
            and not any(p in stdout_template for p in INPUT_PLACEHOLDERS)):
        notes.append(f"`> {stdout_template}` inside `{loop_header(frame.source_text)}` is truncated for every file, so the "
                     "script kept only the last file's output; the job writes every file's output")
    return notes
