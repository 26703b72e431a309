"""FILE_CHANGES extraction per era: directives, auto-closing, failed directives, fences, never a crash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.lua.ports.udiffx.tags import content_from_raw, extract_file_changes

NOW = (0, 8, 37)
LEGACY = (0, 8, 29)


def envelope(body: str) -> str:
    return f"Before\n[[[UDIFFX_FILE_CHANGES]]]\n{body}[[[/UDIFFX_FILE_CHANGES]]]\nAfter\n"


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
