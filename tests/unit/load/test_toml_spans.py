"""toml_spans: data from tomllib, positions from the scanner, never an exception."""

from __future__ import annotations

import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.load.toml_spans import parse_toml
from aipack_compat.model.location import Location

CONFIG = """# comment
[options]
model = "fast"   # trailing comment
temperature=0.2
"quoted key".x = [1, 2,
  {a = 1},
]

[options.model_aliases]
fast = "gemma3:4b"
'lit' = 'x'

[[packs]]
name = "a"
[[packs]]
name = \"\"\"multi
line\"\"\"
[packs.sub]
k = {x.y = 1, z = "q"}
"""


def test_data_matches_tomllib() -> None:
    document = parse_toml(CONFIG)
    assert document.error is None
    assert document.data == tomllib.loads(CONFIG)


def test_key_and_value_spans_of_plain_dotted_and_table_keys() -> None:
    document = parse_toml(CONFIG)
    assert document.key_span(("options",)) == Location("", 2, 1, 2, 10)
    assert document.key_span(("options", "model")) == Location("", 3, 1, 3, 6)
    assert document.value_span(("options", "model")) == Location("", 3, 9, 3, 15)
    assert document.value_span(("options", "temperature")) == Location("", 4, 13, 4, 16)
    assert document.key_span(("options", "model_aliases", "fast")) == Location("", 10, 1, 10, 5)
    assert document.value_span(("options", "model_aliases", "lit")) == Location("", 11, 9, 11, 12)
    # a multi-line array value spans its lines; its inline-table item keys are indexed
    assert document.value_span(("options", "quoted key", "x")) == Location("", 5, 18, 7, 2)
    assert document.key_span(("options", "quoted key", "x", 2, "a")) == Location("", 6, 4, 6, 5)


def test_array_tables_get_indexes_and_sub_tables_attach_to_the_last_element() -> None:
    document = parse_toml(CONFIG)
    assert document.key_span(("packs", 0, "name")).line == 14
    assert document.key_span(("packs", 1, "name")).line == 16
    assert document.value_span(("packs", 1, "name")) == Location("", 16, 8, 17, 8)
    assert document.key_span(("packs", 1, "sub", "k", "x", "y")).line == 19
    assert document.value_span(("packs", 1, "sub", "k", "z")) == Location("", 19, 19, 19, 22)


def test_syntax_error_is_data_with_line_and_column() -> None:
    document = parse_toml('[options]\nmodel = "unterminated\n')
    assert document.data is None
    assert document.error is not None
    assert (document.error.line, document.error.column) == (2, 22)
    assert "at line" not in document.error.message


def test_duplicate_keys_and_tables_are_located_with_both_definitions() -> None:
    document = parse_toml("[options]\nmodel = 'a'\nmodel = 'b'\n[options]\n")
    assert document.data is None  # tomllib refuses duplicates, like aip's toml crate
    found = {d.path: (d.first.line, d.span.line) for d in document.duplicates}
    assert found == {("options", "model"): (2, 3), ("options",): (1, 4)}


def test_line_offset_shifts_spans_errors_and_duplicates() -> None:
    document = parse_toml("model = 1\nmodel = 2\n", line_offset=10)
    assert document.error is not None and document.error.line == 12
    assert document.duplicates[0].span.line == 12 and document.duplicates[0].first.line == 11
    assert parse_toml("a = 1\n", line_offset=4).key_span(("a",)) == Location("", 5, 1, 5, 2)


def test_crlf_and_nearest_ancestor_lookup() -> None:
    document = parse_toml("[a.b]\r\nc = 1\r\n")
    assert document.key_span(("a", "b", "c")) == Location("", 2, 1, 2, 2)
    assert document.nearest(("a", "b", "missing")) == Location("", 1, 1, 1, 6)
    assert document.key_span(("a",)) == Location("", 1, 1, 1, 6)  # implicit parent table points at the header


TOML_PIECES = st.sampled_from(
    ["[", "]", "[[", "]]", "=", ".", ",", "{", "}", '"', "'", '"""', "'''", "#", "\n", "\r\n", " ", "\\",
     "a", "model", "options", "1", "2.0", "true", "1979-05-27", "-", "_", "é", "\t", "\x00"]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(TOML_PIECES, max_size=60).map("".join)))
def test_never_raises_and_agrees_with_tomllib(text: str) -> None:
    document = parse_toml(text)
    try:
        expected = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assert document.data is None and document.error is not None
    else:
        assert document.data == expected and document.error is None


def test_regression_unclosed_nested_arrays_with_inline_tables_terminate():
    # Found by the hypothesis property under CI's derandomised profile: this input used to loop
    # forever (and eat memory) because a scalar scan stepped back before its start.
    text = "items_concurrency = [[genai]\n[[{ a = 1 }[options.model_aliases]\n[[1{ a = 1 }model_aliases = "
    document = parse_toml(text)
    assert document.error is not None
