"""Our own wording of the FILE_CHANGES instructions, used by `aip.udiffx.file_changes_instruction`
when the udiffx crate's prompt file is not on this machine (see `api/udiffx.installed_crate_prompt`).

It describes the syntax the era's parser accepts (`tags`), so a model following it
produces changes `apply_file_changes` applies; the text is not aip's (AGT202 says so).
"""

from __future__ import annotations

from aipack_compat.lua.ports.udiffx.tags import BRACKET_TAGS_SINCE, FILE_APPEND_SINCE, FILE_COPY_SINCE, Version


def _tag(bracket: bool, body: str, closing: bool = False, self_closing: bool = False) -> str:
    if bracket:
        return f"[[[{'/' if closing else ''}{body}{' /' if self_closing else ''}]]]"
    return f"<{'/' if closing else ''}{body}{' /' if self_closing else ''}>"


def fallback_instruction(version: Version) -> str:
    bracket = version >= BRACKET_TAGS_SINCE
    envelope = "UDIFFX_FILE_CHANGES" if bracket else "FILE_CHANGES"
    sections = [
        "# File Changes Instructions",
        "",
        f"To create, modify, move or delete files, answer with exactly one `{envelope}` block. Each tag sits on its "
        "own line. Text before or after the block is allowed; file changes outside it are ignored.",
        "",
        "```",
        _tag(bracket, envelope),
        "_file directives_",
        _tag(bracket, envelope, closing=True),
        "```",
        "",
        "## Directives",
        "",
        "Create or overwrite a file with its complete content:",
        "",
        "```",
        _tag(bracket, 'FILE_NEW file_path="path/to/file"'),
        "_complete file content_",
        _tag(bracket, "FILE_NEW", closing=True),
        "```",
        "",
        "Modify an existing file with unified-diff hunks. Each hunk starts with a bare `@@` line (no line numbers); "
        "lines start with ` ` (unchanged context), `-` (removed) or `+` (added). Give two or three context lines "
        "copied exactly from the file so the hunk can be located; use several hunks for several places.",
        "",
        "```",
        _tag(bracket, 'FILE_PATCH file_path="path/to/file"'),
        "@@",
        " context line",
        "-removed line",
        "+added line",
        " context line",
        _tag(bracket, "FILE_PATCH", closing=True),
        "```",
    ]
    if version >= FILE_APPEND_SINCE:
        sections += [
            "",
            "Add content at the end of a file (created when missing); prefer this to a patch for appends:",
            "",
            "```",
            _tag(bracket, 'FILE_APPEND file_path="path/to/file"'),
            "_content to append_",
            _tag(bracket, "FILE_APPEND", closing=True),
            "```",
        ]
    if version >= FILE_COPY_SINCE:
        sections += ["", "Copy a file:", "", "```", _tag(bracket, 'FILE_COPY from_path="a" to_path="b"', self_closing=True), "```"]
    sections += [
        "",
        "Rename or move a file or directory:",
        "",
        "```",
        _tag(bracket, 'FILE_RENAME from_path="old/path" to_path="new/path"', self_closing=True),
        "```",
        "",
        "Delete a file or directory:",
        "",
        "```",
        _tag(bracket, 'FILE_DELETE file_path="path/to/obsolete"', self_closing=True),
        "```",
        "",
        "All paths are relative to the project base directory. Content may be wrapped in one ``` code fence.",
        "",
    ]
    return "\n".join(sections)
