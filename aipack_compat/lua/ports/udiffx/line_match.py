"""FILE_PATCH application: udiffx's tolerant hunk completion + diffy's hunk apply, ported.

udiffx (`U:src/applier.rs` `apply_patch_incremental`, `U:src/patch_completer/*`, identical from
0.1.43 to 0.3.1: the crate of aip 0.8.24+) applies a patch one hunk at a time: each numberless `@@` hunk is located
in the current text by a tiered search (Strict: exact lines; Resilient: trimmed / whitespace-
normalised / suffix / `;,`-tolerant / comment-body matches, skipping extra blank lines; Fuzzy: the
same case-insensitively plus backtick, quote, trailing-punctuation, numeric-underscore and
all-whitespace tolerance), rebuilt from the file's own lines, then applied with diffy's
`find_position` (exact pre-image, searched outward from the hunk's start). A failed hunk is
recorded and the others still apply. Because the completer only ever sees one hunk, its
multi-hunk state (presorting, adjacent hints, line deltas) never engages and is not ported.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from aipack_compat.lua.ports.rust_str import RUST_WHITESPACE, rust_lines, rust_trim, split_inclusive

STRICT, RESILIENT, FUZZY = 0, 1, 2
MAX_PROXIMITY_FROM_START = 5000  # `search_from == 0` proximity for lenient tiers (complete.rs)
SUFFIX_MATCH_MIN_LEN = 10
TILDE_MIN_ANCHOR_LINES = 2
_WHITESPACE_RUN = re.compile(f"[{re.escape(RUST_WHITESPACE)}]+")
_ASCII_PUNCTUATION = string.punctuation


class HunkFailure(Exception):
    """A hunk that cannot be applied; the message is udiffx's `cause` string."""


@dataclass(slots=True)
class PatchResult:
    new_content: str
    hunk_errors: list[tuple[str, str]] = field(default_factory=list)
    """(hunk_body, cause) for each failed hunk."""
    total_hunks: int = 0


def line_body(line: str) -> str:
    return line[1:] if len(line) > 1 else ""


def is_tilde(line: str) -> bool:
    return rust_trim(line) == "~"


def normalize_ws(text: str) -> str:
    return " ".join(piece for piece in _WHITESPACE_RUN.split(text) if piece)


# -- hunk splitting (`parse.rs`)


def is_wrapper_meta_line(trimmed: str) -> bool:
    return trimmed in ("*** Begin Patch", "*** End Patch") or trimmed.startswith("*** Update File:")


def _is_malformed_wrapper_terminator(line: str) -> bool:
    if line[:1] in (" ", "+", "-"):
        return False
    trimmed = rust_trim(line)
    if not trimmed.startswith("***"):
        return False
    expected = iter("endpatch")
    for char in trimmed[3:]:
        if char.isascii() and char.isalpha():
            if next(expected, None) != char.lower():
                return False
        elif not (char in " \t\n\x0c\r" or char in _ASCII_PUNCTUATION):
            return False
    return next(expected, None) is None


def _remove_final_malformed_terminator(patch: str) -> str:
    offset, final_line = 0, None
    for segment in split_inclusive(patch):
        line = segment[:-1] if segment.endswith("\n") else segment
        if rust_trim(line):
            final_line = (offset, line)
        offset += len(segment)
    if final_line is not None and _is_malformed_wrapper_terminator(final_line[1]):
        return patch[: final_line[0]]
    return patch


def collect_raw_hunks(patch: str, skip_wrapper_lines: bool = False) -> list[list[str]]:
    lines = rust_lines(_remove_final_malformed_terminator(patch))
    hunks: list[list[str]] = []
    index = 0
    while index < len(lines):
        trimmed = rust_trim(lines[index])
        index += 1
        if skip_wrapper_lines and is_wrapper_meta_line(trimmed):
            continue
        if not trimmed.startswith("@@"):
            continue
        body: list[str] = []
        while index < len(lines) and not rust_trim(lines[index]).startswith("@@"):
            if not (skip_wrapper_lines and is_wrapper_meta_line(rust_trim(lines[index]))):
                body.append(lines[index])
            index += 1
        while body and not rust_trim(body[-1]):
            body.pop()
        if any(line.startswith(("+", "-")) or is_tilde(line) for line in body):
            hunks.append(body)
    return hunks


def sanitize_wrapper_lines(patch: str) -> str:
    kept = [line for line in rust_lines(_remove_final_malformed_terminator(patch)) if not is_wrapper_meta_line(rust_trim(line))]
    return "".join(line + "\n" for line in kept)


def split_raw_hunks(patch: str) -> list[str]:
    """Each actionable hunk as its own `@@\\n...` text (wrapper lines like `*** End Patch` retried away)."""
    patch = patch.replace("\r\n", "\n")
    hunks = collect_raw_hunks(patch) or collect_raw_hunks(sanitize_wrapper_lines(patch))
    return ["@@\n" + "".join(line + "\n" for line in hunk) for hunk in hunks]


# -- line matching (`matchers.rs`)


def _is_comment_marker_prefix(prefix: str) -> bool:
    return (prefix.startswith("//") or prefix.startswith("<!--")
            or (prefix.startswith("#") and not prefix.startswith("#!") and not prefix.startswith("##")))


def _strip_comment_marker(trimmed: str) -> str | None:
    if trimmed.startswith("//"):
        return rust_trim(trimmed[2:])
    if trimmed.startswith("#") and not trimmed.startswith("#!") and not trimmed.startswith("##"):
        return rust_trim(trimmed[1:])
    if trimmed.startswith("<!--"):
        rest = rust_trim(trimmed[4:])
        return rust_trim(rest[:-3] if rest.endswith("-->") else rest)
    return None


def _strip_numeric_underscores(text: str) -> str:
    hexdigits = string.hexdigits
    return "".join(
        char for i, char in enumerate(text)
        if not (char == "_" and 0 < i < len(text) - 1 and text[i - 1] in hexdigits and text[i + 1] in hexdigits)
    )


def _strip_all_ws(text: str) -> str:
    return "".join(char for char in text if char not in RUST_WHITESPACE)


def _inline_fuzzy(text: str) -> str:
    return text.replace("`", "").replace('"', "'")


def _suffix_match(original: str, patch: str, case_insensitive: bool) -> bool:
    orig_norm, patch_norm = normalize_ws(original), normalize_ws(patch)
    if case_insensitive:
        orig_norm, patch_norm = orig_norm.lower(), patch_norm.lower()
    for longer, shorter in ((orig_norm, patch_norm), (patch_norm, orig_norm)):
        # Rust compares byte lengths (`len() >= 10`)
        if len(shorter.encode("utf-8")) >= SUFFIX_MATCH_MIN_LEN and longer.endswith(shorter):
            prefix = rust_trim(longer[: len(longer) - len(shorter)])
            return not (prefix and _is_comment_marker_prefix(prefix))
    return False


def _heading_body(trimmed: str) -> str:
    return normalize_ws(trimmed.lstrip("#").lstrip(RUST_WHITESPACE))


def line_matches(original: str, patch: str, tier: int) -> bool:
    if tier == STRICT:
        return original == patch
    o_t, p_t = rust_trim(original), rust_trim(patch)
    if not o_t or not p_t:
        return o_t == p_t
    if tier == RESILIENT:
        if o_t == p_t or normalize_ws(o_t) == normalize_ws(p_t):
            return True
        if o_t.startswith("#") and p_t.startswith("#") and _heading_body(o_t) == _heading_body(p_t):
            return True
        if _suffix_match(o_t, p_t, False):
            return True
        o_s, p_s = o_t.rstrip(",;"), p_t.rstrip(",;")
        if o_s and p_s and (o_s != o_t or p_s != p_t) and (o_s == p_s or normalize_ws(o_s) == normalize_ws(p_s)):
            return True
        o_c, p_c = _strip_comment_marker(o_t), _strip_comment_marker(p_t)
        return bool(o_c and p_c and normalize_ws(o_c) == normalize_ws(p_c))
    o_l, p_l = o_t.lower(), p_t.lower()
    if o_l == p_l or normalize_ws(o_l) == normalize_ws(p_l):
        return True
    if o_t.startswith("#") and p_t.startswith("#") and _heading_body(o_t).lower() == _heading_body(p_t).lower():
        return True
    if _suffix_match(o_t, p_t, True):
        return True
    if o_l.replace("`", "") == p_l.replace("`", "") or normalize_ws(o_l.replace("`", "")) == normalize_ws(p_l.replace("`", "")):
        return True
    o_n, p_n = _inline_fuzzy(o_l), _inline_fuzzy(p_l)
    if rust_trim(o_n) and rust_trim(p_n) and (o_n == p_n or normalize_ws(o_n) == normalize_ws(p_n)):
        return True
    if o_l.rstrip(_ASCII_PUNCTUATION) == p_l.rstrip(_ASCII_PUNCTUATION):
        return True
    o_p, p_p = o_n.rstrip(_ASCII_PUNCTUATION), p_n.rstrip(_ASCII_PUNCTUATION)
    if rust_trim(o_p) and rust_trim(p_p) and o_p == p_p:
        return True
    if normalize_ws(_strip_numeric_underscores(o_l)) == normalize_ws(_strip_numeric_underscores(p_l)):
        return True
    stripped = _strip_all_ws(o_l)
    return bool(o_l) and stripped == _strip_all_ws(p_l) and len(stripped.encode("utf-8")) >= 4


def _leading_ws_len(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def has_uniform_indent(orig_lines: list[str], hunk: list[str], matches: list[tuple[int, int]]) -> bool:
    delta: int | None = None
    for hunk_index, orig_index in matches:
        patch_line = line_body(hunk[hunk_index])
        if not rust_trim(patch_line):
            continue
        current = _leading_ws_len(orig_lines[orig_index]) - _leading_ws_len(patch_line)
        if delta is None:
            delta = current
        elif delta != current:
            return False
    return True
