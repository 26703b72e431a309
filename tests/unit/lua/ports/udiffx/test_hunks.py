"""udiffx hunk matching and application: tiers, failed hunks, tilde ranges, never a crash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.lua.ports.udiffx.hunks import apply_patch
from aipack_compat.lua.ports.udiffx.line_match import FUZZY, RESILIENT, STRICT, line_matches, split_raw_hunks


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\t#;,`'\"")), max_size=80),
       st.text(alphabet=st.sampled_from(list("@ +-~ab\n\t#;*")), max_size=120))


def test_patch_application_never_crashes(original: str, patch: str) -> None:
    result = apply_patch(original, patch)
    assert result.total_hunks == len(split_raw_hunks(patch))
    assert len(result.hunk_errors) <= result.total_hunks


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
