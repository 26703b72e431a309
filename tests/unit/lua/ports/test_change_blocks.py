"""SEARCH/REPLACE change blocks: first occurrences, eras, malformed input."""

from __future__ import annotations

import pytest

from aipack_compat.lua.ports.change_blocks import MalformedChanges, apply_changes, parse_blocks

BLOCKS = "<<<<<<< SEARCH\ntwo\n=======\nTWO\n>>>>>>> REPLACE\n\n<<<<<<< SEARCH\nmissing\n=======\nx\n>>>>>>> REPLACE\n"


def test_blocks_replace_first_occurrences_and_report_failures() -> None:
    outcome = apply_changes("one\ntwo\ntwo\n", BLOCKS, (0, 8, 37))
    assert outcome.content == "one\nTWO\ntwo\n"
    assert outcome.info_table() == {
        "changed_count": 1,
        "failed_changes": [{"search": "missing", "replace": "x", "reason": "Search block not found in content"}],
    }
    assert apply_changes("old", "brand new", (0, 8, 37)).info_table() == {"changed_count": 1}


def test_empty_replacement_removes_the_line_from_0_8_8() -> None:
    removal = "<<<<<<< SEARCH\ntwo\n=======\n>>>>>>> REPLACE\n"
    assert apply_changes("one\ntwo\nthree\n", removal, (0, 8, 8)).content == "one\nthree\n"
    assert apply_changes("one\ntwo\nthree\n", removal, (0, 8, 7)).content == "one\n\nthree\n"
    assert apply_changes("one\ntwo", removal, (0, 8, 37)).content == "one"


def test_crlf_retry_from_0_8_4() -> None:
    change = "<<<<<<< SEARCH\na\nb\n=======\nc\n>>>>>>> REPLACE\n"
    assert apply_changes("a\r\nb\r\n", change, (0, 8, 4)).content == "c\n"
    assert apply_changes("a\r\nb\r\n", change, (0, 8, 3)).content == "a\r\nb\r\n"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ("junk\n" + BLOCKS, "Found text outside of a valid block structure. Line: 'junk'"),
        ("<<<<<<< SEARCH\nx\n", "Ended in search pattern. Missing separator marker '======='."),
        ("<<<<<<< SEARCH\nx\n=======\ny\n", "Ended in replace pattern. Missing end marker '>>>>>>> REPLACE'."),
    ],
)


def test_malformed_changes_name_the_problem(changes: str, message: str) -> None:
    with pytest.raises(MalformedChanges, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_blocks(changes)
