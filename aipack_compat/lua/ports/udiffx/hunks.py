"""Locating and applying one udiffx hunk (`U:src/patch_completer/complete.rs`, `U:src/applier.rs`,
diffy 0.5 `apply.rs`), on top of the line matchers in `line_match`."""

from __future__ import annotations

from dataclasses import dataclass, field

from aipack_compat.lua.ports.rust_str import rust_lines, rust_trim, split_inclusive
from aipack_compat.lua.ports.udiffx.line_match import (
    FUZZY, MAX_PROXIMITY_FROM_START, RESILIENT, STRICT, TILDE_MIN_ANCHOR_LINES, HunkFailure, PatchResult,
    collect_raw_hunks, has_uniform_indent, is_tilde, is_wrapper_meta_line, line_body, line_matches,
    sanitize_wrapper_lines, split_raw_hunks,
)


@dataclass(slots=True)
class _TildeRange:
    top: list[int]
    tilde: int
    bottom: list[int]


@dataclass(slots=True)
class _Candidate:
    start: int
    tier: int
    overhang: list[int] = field(default_factory=list)
    converted_to_add: list[int] = field(default_factory=list)
    matched: list[tuple[int, int]] = field(default_factory=list)
    skipped_blanks: list[int] = field(default_factory=list)
    exact_count: int = 0
    uniform_indent: bool = False


@dataclass(slots=True)
class _Bounds:
    old_start: int
    lines: list[str]
    """Completed hunk lines, each prefixed by ' ', '-' or '+'."""


def _completion_error(cause: str) -> HunkFailure:
    return HunkFailure(f"patch completion error: {cause}")


def _tilde_ranges(hunk: list[str]) -> list[_TildeRange]:
    ranges: list[_TildeRange] = []
    for tilde in (index for index, line in enumerate(hunk) if is_tilde(line)):
        top: list[int] = []
        probe = tilde - 1
        while probe >= 0 and hunk[probe].startswith("-"):
            top.insert(0, probe)
            probe -= 1
        bottom: list[int] = []
        probe = tilde + 1
        while probe < len(hunk) and hunk[probe].startswith("-"):
            bottom.append(probe)
            probe += 1
        for side, anchors in (("above", top), ("below", bottom)):
            if len(anchors) < TILDE_MIN_ANCHOR_LINES:
                raise _completion_error(
                    f"Tilde range-remove `~` at hunk line {tilde + 1} requires at least {TILDE_MIN_ANCHOR_LINES} "
                    f"removal lines {side}, found {len(anchors)}"
                )
        ranges.append(_TildeRange(top, tilde, bottom))
    return ranges


def _match_at(orig: list[str], hunk: list[str], start: int, tier: int, ranges: list[_TildeRange]) -> _Candidate | None:
    """`search_candidates_for_tier`'s body for one start line."""
    candidate = _Candidate(start, tier)
    offset = 0
    first_bottoms = {r.bottom[0]: r for r in ranges}
    for hunk_index, hunk_line in enumerate(hunk):
        if hunk_line.startswith("+") or is_tilde(hunk_line):
            continue
        patch_line = line_body(hunk_line)
        target = start + offset
        if tier >= RESILIENT and rust_trim(patch_line):
            while target < len(orig) and not rust_trim(orig[target]):
                candidate.skipped_blanks.append(target)
                target += 1
                offset += 1
        if not rust_trim(patch_line):
            if target < len(orig) and not rust_trim(orig[target]):
                candidate.matched.append((hunk_index, target))
                offset += 1
            else:  # a cosmetic blank line, or one at/after EOF: kept as an addition
                candidate.converted_to_add.append(hunk_index)
        elif target < len(orig):
            if hunk_index in first_bottoms:
                tilde_range = first_bottoms[hunk_index]
                for search in range(target, len(orig)):
                    if not line_matches(orig[search], patch_line, tier):
                        continue
                    if all(search + k < len(orig) and line_matches(orig[search + k], line_body(hunk[anchor]), tier)
                           for k, anchor in enumerate(tilde_range.bottom)):
                        offset += search - target
                        candidate.exact_count += orig[search] == patch_line
                        candidate.matched.append((hunk_index, search))
                        offset += 1
                        break
                else:
                    return None
            elif line_matches(orig[target], patch_line, tier):  # non-first bottom anchors included
                candidate.exact_count += orig[target] == patch_line
                candidate.matched.append((hunk_index, target))
                offset += 1
            else:
                return None
        else:
            if hunk_line.startswith("-"):
                return None
            candidate.overhang.append(hunk_index)
    if not candidate.matched:
        return None
    significant = sum(1 for hunk_index, _ in candidate.matched if rust_trim(hunk[hunk_index]))
    if significant == 0:
        return None
    if candidate.overhang and (significant < 2 or len(candidate.overhang) >= significant):
        return None
    candidate.uniform_indent = has_uniform_indent(orig, hunk, candidate.matched)
    return candidate


def _best_candidate(orig: list[str], hunk: list[str], ranges: list[_TildeRange]) -> _Candidate | None:
    for tier in (STRICT, RESILIENT, FUZZY):
        best: _Candidate | None = None
        best_score: tuple[int, int] | None = None
        for start in range(len(orig) + 1):
            if tier > STRICT and start > MAX_PROXIMITY_FROM_START:
                break
            candidate = _match_at(orig, hunk, start, tier, ranges)
            if candidate is None:
                continue
            score = (candidate.exact_count, (1000 if candidate.uniform_indent else 0) - start)
            if best_score is None or score >= best_score:  # Rust `max_by` keeps the last of equals
                best, best_score = candidate, score
        if best is not None:
            return best
    return None


def _append_bounds(orig: list[str], hunk: list[str]) -> _Bounds:
    """A hunk of additions only: appended at the end, reusing the file's trailing blank lines."""

    def blank_addition(line: str) -> bool:
        return line.startswith("+") and not rust_trim(line_body(line))

    def run_length(items: list[str], predicate: object) -> int:
        count = 0
        for item in items:
            if not predicate(item):  # type: ignore[operator]
                break
            count += 1
        return count

    trailing_blank = run_length(list(reversed(orig)), lambda line: not rust_trim(line))
    overlap = min(trailing_blank, run_length(hunk, blank_addition))
    trailing_overlap = min(max(trailing_blank - overlap, 0), run_length(list(reversed(hunk)), blank_addition))
    lines = []
    for index, line in enumerate(hunk):
        converted = index < overlap or (trailing_overlap > 0 and index >= len(hunk) - trailing_overlap)
        lines.append(" " if converted else line)
    if overlap > 0:
        old_start = len(orig) - min(max(overlap + trailing_overlap, trailing_blank), trailing_blank) + 1
    elif trailing_overlap > 0:
        old_start = len(orig) - trailing_overlap + 1
    else:
        old_start = len(orig) + 1
    return _Bounds(old_start, lines)


def _hunk_bounds(orig: list[str], hunk: list[str]) -> _Bounds:
    ranges = _tilde_ranges(hunk)
    if all(not rust_trim(line) for line in orig) and any(not line.startswith("+") for line in hunk):
        # Empty original: every line becomes an addition (a FILE_PATCH that creates the file).
        return _Bounds(1, [line if line.startswith("+") else "+" + line_body(line) for line in hunk])
    if all(line.startswith("+") for line in hunk):
        return _append_bounds(orig, hunk)
    best = _best_candidate(orig, hunk, ranges)
    if best is None:
        raise _completion_error("Could not find patch context in original file (starting search from line 1)")
    matched = dict(best.matched)
    if ranges:
        return _Bounds(best.start + 1, _expand_tilde(orig, hunk, ranges, matched, best.start))
    lines: list[str] = []
    last_orig: int | None = None
    for hunk_index, line in enumerate(hunk):
        if hunk_index in best.overhang:
            continue
        if hunk_index in best.converted_to_add:
            lines.append("+")
            continue
        if hunk_index in matched:
            orig_index = matched[hunk_index]
            for skipped in best.skipped_blanks:
                if skipped < orig_index and (last_orig is None or skipped > last_orig):
                    lines.append(" " + orig[skipped])
            lines.append(("-" if line.startswith("-") else " ") + orig[orig_index])
            last_orig = orig_index
        elif line.startswith("+"):
            lines.append(line)
    return _Bounds(best.start + 1, lines)


def _expand_tilde(orig: list[str], hunk: list[str], ranges: list[_TildeRange], matched: dict[int, int], start: int) -> list[str]:
    expanded: list[str] = []
    by_tilde = {r.tilde: r for r in ranges}
    for index, line in enumerate(hunk):
        tilde_range = by_tilde.get(index)
        if tilde_range is None:
            expanded.append(line)
            continue
        if tilde_range.top[-1] not in matched:
            raise _completion_error("Tilde range-remove: could not find original index for last top anchor line")
        if tilde_range.bottom[0] not in matched:
            raise _completion_error("Tilde range-remove: could not find original index for first bottom anchor line")
        expanded.extend("-" + orig[k] for k in range(matched[tilde_range.top[-1]] + 1, matched[tilde_range.bottom[0]]))
    lines: list[str] = []
    offset = 0
    for line in expanded:
        if line.startswith("+"):
            lines.append(line)
        elif start + offset < len(orig):
            lines.append(("-" if line.startswith("-") else " ") + orig[start + offset])
            offset += 1
    return lines


def complete_hunk(content: str, hunk_text: str) -> _Bounds | None:
    """`complete` for the one-hunk text the applier passes; None when no actionable hunk is left."""
    content, hunk_text = content.replace("\r\n", "\n"), hunk_text.replace("\r\n", "\n")
    orig = rust_lines(content)
    hunks = collect_raw_hunks(hunk_text) or collect_raw_hunks(sanitize_wrapper_lines(hunk_text))
    if not hunks:
        return None
    try:
        return _hunk_bounds(orig, hunks[0])
    except HunkFailure:
        if not any(is_wrapper_meta_line(rust_trim(line)) for line in rust_lines(hunk_text)):
            raise
        sanitized = collect_raw_hunks(hunk_text, skip_wrapper_lines=True)
        if len(sanitized) != len(hunks):
            raise
        try:
            return _hunk_bounds(orig, sanitized[0])
        except HunkFailure:
            pass
        raise


def diffy_apply(content: str, bounds: _Bounds) -> str:
    """diffy `apply` of one hunk: the exact pre-image searched from the hunk start, then outwards."""
    image = split_inclusive(content)
    pre = [line[1:] + "\n" for line in bounds.lines if line[0] in " -"]
    post = [line[1:] + "\n" for line in bounds.lines if line[0] in " +"]
    pos = min(max(bounds.old_start - 1, 0), len(image))
    backward, forward = list(range(pos - 1, -1, -1)), list(range(pos + 1, len(image)))
    order = [pos]
    for index in range(max(len(backward), len(forward))):
        order.extend(side[index] for side in (backward, forward) if index < len(side))
    for start in order:
        if start + len(pre) <= len(image) and image[start : start + len(pre)] == pre:
            return "".join(image[:start] + post + image[start + len(pre) :])
    raise HunkFailure("diffy apply error: error applying hunk #1")


def apply_patch(original: str, patch: str) -> PatchResult:
    """`apply_patch_incremental`: LF-normalised, a trailing newline ensured, hunk by hunk; the result
    stays LF (udiffx `CRLF_SAVE_TO_LDF`)."""
    working = original.replace("\r\n", "\n")
    if working and not working.endswith("\n"):
        working += "\n"
    hunks = split_raw_hunks(patch)
    result = PatchResult(working, total_hunks=len(hunks))
    for hunk_text in hunks:
        try:
            bounds = complete_hunk(result.new_content, hunk_text)
            if bounds is None:
                raise HunkFailure("Hunk produced empty completed patch")
            result.new_content = diffy_apply(result.new_content, bounds)
        except HunkFailure as failure:
            result.hunk_errors.append((hunk_text, str(failure)))
    return result
