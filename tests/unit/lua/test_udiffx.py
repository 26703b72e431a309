"""aip.udiffx.* and the FILE_CHANGES port: parsing per era, hunk application, guards, Lua shapes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.lua.api.udiffx_hunks import apply_patch
from aipack_compat.lua.api.udiffx_patch import line_matches, split_raw_hunks, RESILIENT, FUZZY, STRICT
from aipack_compat.lua.api.udiffx_tags import content_from_raw, extract_file_changes

NOW = (0, 8, 37)
LEGACY = (0, 8, 29)


def envelope(body: str) -> str:
    return f"Before\n[[[UDIFFX_FILE_CHANGES]]]\n{body}[[[/UDIFFX_FILE_CHANGES]]]\nAfter\n"


# -- parsing


def test_bracket_era_parses_every_directive_and_extrudes_the_rest() -> None:
    text = envelope(
        '[[[FILE_NEW file_path="src/a.rs"]]]\nfn a() {}\n[[[/FILE_NEW]]]\n'
        '[[[FILE_PATCH file_path="src/b.rs"]]]\n@@\n-x\n+y\n[[[/FILE_PATCH]]]\n'
        '[[[FILE_APPEND file_path="log.md"]]]\n- more\n[[[/FILE_APPEND]]]\n'
        '[[[FILE_COPY from_path="a" to_path="b" /]]]\n'
        '[[[FILE_RENAME from_path="c" to_path="d" /]]]\n'
        '[[[FILE_DELETE file_path="e" /]]]\n'
    )
    directives, remaining = extract_file_changes(text, True, NOW)
    assert [(d.kind, d.file_path, d.from_path, d.content) for d in directives] == [
        ("FILE_NEW", "src/a.rs", None, "fn a() {}\n"),
        ("FILE_PATCH", "src/b.rs", None, "@@\n-x\n+y\n"),
        ("FILE_APPEND", "log.md", None, "- more\n"),
        ("FILE_COPY", "b", "a", ""),
        ("FILE_RENAME", "d", "c", ""),
        ("FILE_DELETE", "e", None, ""),
    ]
    assert remaining == "Before\n\nAfter\n"


def test_bracket_era_auto_closes_and_accepts_double_bracket_close() -> None:
    text = envelope('[[[FILE_NEW file_path="a"]]]\nA\n[[[FILE_NEW file_path="b"]]\nB\n[[[/FILE_NEW]]\n')
    directives, remaining = extract_file_changes(text, False, NOW)
    assert [(d.file_path, d.content) for d in directives] == [("a", "A\n"), ("b", "B\n")]
    assert remaining is None


def test_missing_attribute_becomes_a_failed_directive() -> None:
    directives, _ = extract_file_changes(envelope('[[[FILE_NEW path="x"]]]\nx\n[[[/FILE_NEW]]]\n[[[FILE_COPY to_path="t" /]]]\n'), False, NOW)
    assert [(d.kind, d.file_path, d.error_msg) for d in directives] == [
        ("FILE_NEW", None, "Missing attribute 'file_path' for tag 'FILE_NEW'"),
        ("FILE_COPY", "t", "Missing attribute 'from_path' for tag 'FILE_COPY'"),
    ]


def test_legacy_era_uses_xml_tags_and_expands_self_closing_ones() -> None:
    text = '<FILE_CHANGES>\n<FILE_NEW file_path="a.txt">\nA\n</FILE_NEW>\n<FILE_DELETE file_path="old.txt" />\n</FILE_CHANGES>\n'
    directives, _ = extract_file_changes(text, False, LEGACY)
    assert [(d.kind, d.file_path) for d in directives] == [("FILE_NEW", "a.txt"), ("FILE_DELETE", "old.txt")]
    assert extract_file_changes(text, False, NOW)[0] == []  # 0.8.31+ only reads bracket tags
    # FILE_APPEND exists from aip 0.8.19 (udiffx 0.1.24): an older crate does not see it.
    append = '<FILE_CHANGES>\n<FILE_APPEND file_path="a">\nx\n</FILE_APPEND>\n</FILE_CHANGES>'
    assert extract_file_changes(append, False, (0, 8, 18))[0] == []
    assert len(extract_file_changes(append, False, (0, 8, 19))[0]) == 1


def test_code_fences_are_unwrapped_once() -> None:
    assert content_from_raw("\n```rust\n\nfn a() {}\n```\n") == "fn a() {}\n"
    assert content_from_raw("\n```\n```") == ""
    assert content_from_raw("\nplain\n") == "plain\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("[]</>=\"' \n@+-~`*abFILE_NEWPATCHCOPYUDIFXDRTAfile_path")), max_size=300),
       st.sampled_from([NOW, LEGACY, (0, 8, 12)]), st.booleans())
def test_parser_never_crashes_on_arbitrary_text(text: str, version: tuple[int, int, int], extrude: bool) -> None:
    directives, remaining = extract_file_changes(text, extrude, version)
    assert (remaining is not None) == extrude
    assert all(d.kind.startswith("FILE_") for d in directives)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\t#;,`'\"")), max_size=80),
       st.text(alphabet=st.sampled_from(list("@ +-~ab\n\t#;*")), max_size=120))
def test_patch_application_never_crashes(original: str, patch: str) -> None:
    result = apply_patch(original, patch)
    assert result.total_hunks == len(split_raw_hunks(patch))
    assert len(result.hunk_errors) <= result.total_hunks


# -- hunk matching and application


ORIGINAL = "use std::io;\n\nfn main() {\n    let x = 1_000;\n    println!(\"Hello\");\n}\n"


def test_exact_resilient_and_fuzzy_hunks_apply() -> None:
    exact = apply_patch(ORIGINAL, "@@\n fn main() {\n-    let x = 1_000;\n+    let x = 2;\n")
    assert "let x = 2;" in exact.new_content and exact.hunk_errors == []
    # whitespace drift in the context: Resilient tier, the file's own lines are kept
    resilient = apply_patch(ORIGINAL, "@@\nfn main() {\n-let x = 1_000;\n+    let x = 3;\n")
    assert resilient.new_content.startswith("use std::io;\n\nfn main() {\n    let x = 3;\n")
    fuzzy = apply_patch(ORIGINAL, "@@\n FN MAIN() {\n-    LET X = 1000;\n+    let x = 4;\n")
    assert "let x = 4;" in fuzzy.new_content and fuzzy.hunk_errors == []
    assert line_matches("  a  b", "a b", RESILIENT) and not line_matches("  a  b", "a b", STRICT)
    assert line_matches("Foo;", "foo", FUZZY) and not line_matches("Foo;", "foo", RESILIENT)


def test_context_mismatch_fails_that_hunk_only() -> None:
    patch = "@@\n-not in the file\n+x\n@@\n-    println!(\"Hello\");\n+    println!(\"Bye\");\n"
    result = apply_patch(ORIGINAL, patch)
    assert "Bye" in result.new_content and result.total_hunks == 2
    assert result.hunk_errors == [(
        "@@\n-not in the file\n+x\n",
        "patch completion error: Could not find patch context in original file (starting search from line 1)",
    )]


def test_tilde_range_removes_the_lines_between_anchors() -> None:
    original = "".join(f"line {i}\n" for i in range(12))
    result = apply_patch(original, "@@\n-line 2\n-line 3\n~\n-line 8\n-line 9\n+between\n")
    assert result.new_content == "line 0\nline 1\nbetween\nline 10\nline 11\n"
    bad = apply_patch(original, "@@\n-line 2\n~\n-line 8\n-line 9\n")
    assert "requires at least 2 removal lines above, found 1" in bad.hunk_errors[0][1]


def test_append_hunk_crlf_and_empty_original() -> None:
    assert apply_patch("a\n\n", "@@\n+\n+b\n").new_content == "a\n\nb\n"  # the trailing blank line is reused
    assert apply_patch("a\r\nb\r\n", "@@\n a\n-b\n+c\n").new_content == "a\nc\n"  # udiffx saves LF
    assert apply_patch("", "@@\n ctx\n-old\n+new\n").new_content == "ctx\nold\nnew\n"


# -- through Lua: shapes, guards, eras


def _status(lua_eval: Callable[..., Any], content: str, base_dir: str | None = None, version: str = "0.8.37") -> Any:
    code = "local s, rest = aip.udiffx.apply_file_changes(input.content, input.base_dir, {extrude = 'content'})\nreturn {s = s, rest = rest}"
    return lua_eval(code, {"content": content, "base_dir": base_dir}, aip_version=version)


def test_apply_file_changes_return_shape_and_files(lua_eval: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.txt").write_text("one\ntwo\n")
    content = envelope(
        '[[[FILE_NEW file_path="n.txt"]]]\nnew\n[[[/FILE_NEW]]]\n'
        '[[[FILE_PATCH file_path="m.txt"]]]\n@@\n-two\n+TWO\n@@\n-absent\n+x\n[[[/FILE_PATCH]]]\n'
        '[[[FILE_DELETE file_path="ghost.txt" /]]]\n'
    )
    result = _status(lua_eval, content, "pkg")
    status = result["s"]
    assert {k: status[k] for k in ("success", "total_count", "success_count", "fail_count")} == {
        "success": False, "total_count": 3, "success_count": 1, "fail_count": 2}
    new, patch, delete = status["items"]
    assert new == {"file_path": "n.txt", "kind": "New", "success": True}
    assert patch["error_msg"] == "1 of 2 hunks failed to apply for 'm.txt'" and patch["kind"] == "Patch"
    assert patch["error_hunks"][0]["hunk_body"] == "@@\n-absent\n+x\n"
    assert delete["error_msg"] == "Path not found for delete: ghost.txt"
    assert result["rest"] == "Before\n\nAfter\n"
    assert (tmp_path / "pkg" / "m.txt").read_text() == "one\nTWO\n" and (tmp_path / "pkg" / "n.txt").read_text() == "new\n"


def test_error_hunks_only_from_aip_0_8_21_and_module_from_0_8_12(lua_eval: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "m.txt").write_text("a\n")
    content = '<FILE_CHANGES>\n<FILE_PATCH file_path="m.txt">\n@@\n-zzz\n+y\n</FILE_PATCH>\n</FILE_CHANGES>'
    item = _status(lua_eval, content, None, "0.8.20")["s"]["items"][0]
    assert item["error_msg"] == "No changes applied to 'm.txt'" and "error_hunks" not in item
    assert lua_eval("return aip.udiffx == nil and aip.file.save_changes ~= nil", aip_version="0.8.11") is True
    assert lua_eval("return aip.udiffx.file_changes_instruction == nil", aip_version="0.8.16") is True


def test_path_escapes_are_refused(lua_eval: Callable[..., Any], tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    os.symlink(outside, tmp_path / "link")
    content = envelope(
        '[[[FILE_NEW file_path="../../escape.txt"]]]\nx\n[[[/FILE_NEW]]]\n'
        '[[[FILE_NEW file_path="link/through.txt"]]]\nx\n[[[/FILE_NEW]]]\n'
        '[[[FILE_DELETE file_path="." /]]]\n'
    )
    items = _status(lua_eval, content)["s"]["items"]
    assert items[0]["error_msg"].startswith("Security violation, target ") and not items[0]["success"]
    assert "Save file protection" in items[1]["error_msg"]
    assert "is the base dir" in items[2]["error_msg"]
    assert list(outside.iterdir()) == [] and not (tmp_path.parent.parent / "escape.txt").exists()
    failed = lua_eval("local ok, err = pcall(aip.udiffx.apply_file_changes, 'x', '../elsewhere')\nreturn tostring(err)")
    assert "Security violation" in failed


def test_load_files_context_and_instruction(lua_eval: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A")
    (tmp_path / "b.txt").write_text("B\n")
    context = lua_eval('return aip.udiffx.load_files_context("*.txt")')
    assert context == '<FILE_CONTENT path="a.txt">\nA\n</FILE_CONTENT>\n\n<FILE_CONTENT path="b.txt">\nB\n</FILE_CONTENT>\n'
    assert lua_eval('return aip.udiffx.load_files_context("*.none") == nil') is True
    instruction = lua_eval("return aip.udiffx.file_changes_instruction()")
    assert "UDIFFX_FILE_CHANGES" in instruction and "FILE_PATCH" in instruction
    legacy = lua_eval("return aip.udiffx.file_changes_instruction()", aip_version="0.8.29")
    assert "FILE_CHANGES" in legacy and "UDIFFX_FILE_CHANGES" not in legacy
