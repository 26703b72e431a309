"""Which aip.* functions the Python runtime provides, and a static scan for the ones it does not.

Pure and light (no lupa import): `validate` and `migrate` use it to tell a user, before running,
which calls in an agent's Lua blocks would fail under aipack-compat. The scanner is a small Lua
lexer (strings, long brackets and comments are skipped), so `"aip.web.get"` inside a string or a
comment is not a call. `SUPPORTED_FUNCTIONS` is kept equal to `registry.MODULES` by a unit test
(importing the registry here would load every binding on the validate path).
"""

from __future__ import annotations

from typing import NamedTuple

_AIP_FUNCTIONS = frozenset(
    {
        # aip.file
        "aip.file.load", "aip.file.save", "aip.file.append", "aip.file.exists", "aip.file.ensure_exists",
        "aip.file.ensure_dir", "aip.file.delete", "aip.file.info", "aip.file.list", "aip.file.list_load",
        "aip.file.first", "aip.file.stats", "aip.file.load_json", "aip.file.load_ndjson",
        "aip.file.append_json_line", "aip.file.append_json_lines", "aip.file.copy", "aip.file.move",
        # aip.path
        "aip.path.exists", "aip.path.is_file", "aip.path.is_dir", "aip.path.resolve", "aip.path.parent",
        "aip.path.split", "aip.path.join", "aip.path.diff", "aip.path.parse", "aip.path.matches_glob",
        # aip.text
        "aip.text.trim", "aip.text.trim_start", "aip.text.trim_end", "aip.text.split_first",
        "aip.text.split_last", "aip.text.split_first_line", "aip.text.split_last_line", "aip.text.ensure",
        "aip.text.ensure_single_trailing_newline", "aip.text.ensure_single_ending_newline",
        "aip.text.remove_first_line", "aip.text.remove_first_lines", "aip.text.remove_last_line",
        "aip.text.remove_last_lines", "aip.text.truncate", "aip.text.escape_decode",
        "aip.text.escape_decode_if_needed", "aip.text.format_size", "aip.text.extract_line_blocks",
        # aip.json, aip.md
        "aip.json.parse", "aip.json.parse_ndjson", "aip.json.stringify", "aip.json.stringify_pretty",
        "aip.json.stringify_to_line",
        "aip.md.extract_blocks", "aip.md.extract_meta", "aip.md.outer_block_content_or_raw",
        # aip.flow (redo is the 0.8.17 - 0.8.21 name of redo_run)
        "aip.flow.before_all_response", "aip.flow.data_response", "aip.flow.skip", "aip.flow.redo_run",
        "aip.flow.redo",
        # small modules
        "aip.run.pin", "aip.run.set_label", "aip.task.pin", "aip.task.set_label",
        "aip.semver.compare", "aip.semver.parse", "aip.semver.is_prerelease", "aip.semver.valid",
        "aip.lua.merge", "aip.lua.merge_deep", "aip.lua.dump",
        "aip.code.comment_line", "aip.hbs.render",
        "aip.tag.extract", "aip.tag.extract_as_map", "aip.tag.extract_as_multi_map",
        "aip.cmd.exec",
        # aip.web (requests unless the run forbids network access), aip.agent (`run` through the
        # executor's sub-agent runner, execute/subagent.py; a bare StageRunner without `run_agent`
        # still raises a clear error)
        "aip.web.parse_url", "aip.web.resolve_href", "aip.web.get", "aip.web.post",
        "aip.web.UA_AIPACK", "aip.web.UA_BROWSER", "aip.agent.extract_options", "aip.agent.run",
        # aip.html and the aip.file HTML helpers built on it (see APPROXIMATE_FUNCTIONS)
        "aip.html.slim", "aip.html.select", "aip.html.to_md", "aip.html.prune_to_content",
        "aip.file.save_html_to_slim", "aip.file.save_html_to_md", "aip.file.load_html_as_slim",
        "aip.file.load_html_as_md",
        # aip.md.extract_refs, aip.hash, aip.file.hash_*
        "aip.md.extract_refs",
        *(f"aip.hash.{a}{s}" for a in ("sha256", "sha512", "blake3") for s in ("", "_b58", "_b64", "_b64u")),
        *(f"aip.file.hash_{a}{s}" for a in ("sha256", "sha512", "blake3") for s in ("", "_b58u", "_b64", "_b64u")),
        # aip.time, aip.uuid
        "aip.time.now_iso_utc", "aip.time.now_iso_local", "aip.time.now_iso_utc_micro",
        "aip.time.now_iso_local_micro", "aip.time.now_utc_micro", "aip.time.today_utc", "aip.time.today_local",
        "aip.time.today_iso_utc", "aip.time.today_iso_local", "aip.time.weekday_utc", "aip.time.weekday_local",
        "aip.time.local_tz_id",
        "aip.uuid.new", "aip.uuid.new_v4", "aip.uuid.new_v7", "aip.uuid.new_v4_b64", "aip.uuid.new_v4_b64u",
        "aip.uuid.new_v4_b58", "aip.uuid.new_v7_b64", "aip.uuid.new_v7_b64u", "aip.uuid.new_v7_b58",
        "aip.uuid.to_time_epoch_ms",
        # aip.toml, aip.yaml and their file loaders
        "aip.toml.parse", "aip.toml.stringify", "aip.file.load_toml",
        "aip.yaml.parse", "aip.yaml.stringify", "aip.yaml.stringify_multi_docs", "aip.file.load_yaml",
        # aip.udiffx (FILE_CHANGES envelopes) and aip.file.save_changes (SEARCH/REPLACE blocks)
        "aip.udiffx.apply_file_changes", "aip.udiffx.load_files_context", "aip.udiffx.file_changes_instruction",
        "aip.file.save_changes",
    }
)

SUPPORTED_FUNCTIONS: frozenset[str] = (
    _AIP_FUNCTIONS
    | frozenset("utils." + name[len("aip.") :] for name in _AIP_FUNCTIONS)
    | frozenset(
        {
            # aipack.* (0.6.0 - 0.8.0) = aip.flow; devai.* (0.5.x) flow helpers.
            "aipack.skip", "aipack.before_all_response", "aipack.data_response", "aipack.redo_run",
            "devai.skip", "devai.before_all_response",
        }
    )
)

_MARKDOWN_DIFFERS = (
    "HTML -> Markdown is our port of htmd's rules (aip uses the Rust `htmd` crate): headings, lists, links, "
    "emphasis and code blocks come out the same, but spacing and escaping on unusual markup may differ"
)
_SLIM_PRUNE_DIFFERS = (
    "`prune_to_content` is slimmed with the 0.7.7+ rules (htmlr 0.1.6); the pre-0.7.7 slimmer kept the `<html>` "
    "element and did not indent, so text may differ in layout"
)

_UDIFFX_APPLY_DIFFERS = (
    "hunk matching follows udiffx 0.1.43 - 0.3.1 (aip 0.8.24+) for every era, so under aip 0.8.12-0.8.23 (earlier "
    "udiffx matchers) a hunk may apply here that aip rejected, or the reverse; FILE_DELETE removes the path (aip moves it to the trash) "
    "and, like every write, stays inside the workspace; an I/O failure's error_msg wording may differ"
)
_UDIFFX_PROMPT_DIFFERS = (
    "the instruction text is the udiffx crate's own prompt when that crate version is in this machine's cargo registry; "
    "otherwise our own description of the same FILE_CHANGES syntax, so the prompt sent to the model differs"
)

# Supported, but the output is not guaranteed byte-identical to aip's (canonical names -> why).
# `validate` reports them as information (AGT202) so nobody is surprised by a diff in `replay`.
APPROXIMATE_FUNCTIONS: dict[str, str] = {
    "aip.html.to_md": _MARKDOWN_DIFFERS,
    "aip.file.save_html_to_md": _MARKDOWN_DIFFERS,
    "aip.file.load_html_as_md": _MARKDOWN_DIFFERS,
    "aip.html.prune_to_content": _SLIM_PRUNE_DIFFERS,
    "aip.udiffx.apply_file_changes": _UDIFFX_APPLY_DIFFERS,
    "aip.udiffx.file_changes_instruction": _UDIFFX_PROMPT_DIFFERS,
}

_ROOTS = ("aip", "utils", "aipack", "devai")


class LuaCall(NamedTuple):
    name: str
    """Fully qualified as written (`utils.file.load`, `aipack.skip`)."""
    line: int
    column: int


def canonical_name(name: str) -> str:
    """`utils.x.y` -> `aip.x.y`, `aipack.x` -> `aip.flow.x`; others unchanged."""
    if name.startswith("utils."):
        return "aip." + name[len("utils.") :]
    if name.startswith("aipack."):
        return "aip.flow." + name[len("aipack.") :]
    return name


def _tokens(code: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, line, column) for identifiers and punctuation; strings/comments skipped."""
    tokens: list[tuple[str, str, int, int]] = []
    index, length, line, line_start = 0, len(code), 1, 0

    def skip_long_bracket(start: int) -> int | None:
        """At `[`: if a long bracket opens here, return the index after its close (or end)."""
        probe = start + 1
        while probe < length and code[probe] == "=":
            probe += 1
        if probe >= length or code[probe] != "[":
            return None
        close = "]" + "=" * (probe - start - 1) + "]"
        end = code.find(close, probe + 1)
        return length if end == -1 else end + len(close)

    while index < length:
        char = code[index]
        if char == "\n":
            line += 1
            index += 1
            line_start = index
            continue
        if char in " \t\r\f\v":
            index += 1
            continue
        start = index
        if code.startswith("--", index):
            end = skip_long_bracket(index + 2) if index + 2 < length and code[index + 2] == "[" else None
            if end is None:
                newline = code.find("\n", index)
                end = length if newline == -1 else newline
        elif char in "\"'":
            end = index + 1
            while end < length and code[end] != char and code[end] != "\n":
                end += 2 if code[end] == "\\" else 1
            end = min(end + 1, length)
        elif char == "[" and (long_end := skip_long_bracket(index)) is not None:
            end = long_end
        elif char.isalpha() or char == "_":
            end = index + 1
            while end < length and (code[end].isalnum() or code[end] == "_"):
                end += 1
            tokens.append(("name", code[index:end], line, index - line_start + 1))
            index = end
            continue
        elif code.startswith("..", index):
            tokens.append(("op", "..", line, index - line_start + 1))
            index += 3 if code.startswith("...", index) else 2
            continue
        else:
            tokens.append(("op", char, line, index - line_start + 1))
            index += 1
            continue
        # strings and comments: advance, counting the newlines they contain
        newlines = code.count("\n", start, end)
        if newlines:
            line += newlines
            line_start = code.rfind("\n", start, end) + 1
        index = end
    return tokens


def scan_lua_calls(code: str) -> list[LuaCall]:
    """Every `aip.m.f` / `utils.m.f` / `aipack.f` / `devai.f` reference, with 1-based line/column."""
    tokens = _tokens(code)
    found: list[LuaCall] = []
    for position, (kind, text, line, column) in enumerate(tokens):
        if kind != "name" or text not in _ROOTS:
            continue
        if position > 0 and tokens[position - 1][1] in (".", ":"):
            continue
        depth = 1 if text in ("aipack", "devai") else 2
        parts = [text]
        cursor = position + 1
        while len(parts) <= depth and cursor + 1 < len(tokens):
            if tokens[cursor][1] != "." or tokens[cursor + 1][0] != "name":
                break
            parts.append(tokens[cursor + 1][1])
            cursor += 2
        if len(parts) == depth + 1:
            found.append(LuaCall(".".join(parts), line, column))
    return found


def approximate_calls(code: str, first_line: int = 1) -> list[LuaCall]:
    """The references whose output may differ from aip's (`APPROXIMATE_FUNCTIONS`), lines mapped."""
    offset = max(first_line, 1) - 1
    return [
        LuaCall(call.name, call.line + offset, call.column)
        for call in scan_lua_calls(code)
        if canonical_name(call.name) in APPROXIMATE_FUNCTIONS
    ]


def unsupported_calls(code: str, first_line: int = 1) -> list[LuaCall]:
    """The references `SUPPORTED_FUNCTIONS` lacks, with lines mapped into the agent file."""
    offset = max(first_line, 1) - 1
    return [
        LuaCall(call.name, call.line + offset, call.column)
        for call in scan_lua_calls(code)
        if call.name not in SUPPORTED_FUNCTIONS
    ]
