"""Python <-> Lua conversion: JSON values survive a round trip (property test)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.lua.convert import JSON_NULL, LuaConverter
from aipack_compat.lua.runtime import LuaSandbox

_SANDBOX = LuaSandbox()
_CONVERTER = LuaConverter(_SANDBOX.lua)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**62), 2**62) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=5),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_round_trip_preserves_json_values(value: Any) -> None:
    assert _CONVERTER.to_python(_CONVERTER.to_lua(value)) == value


def test_nested_none_becomes_the_null_sentinel() -> None:
    table = _CONVERTER.to_lua({"a": None, "b": [None, 1]})
    assert table["a"] is JSON_NULL and table["b"][1] is JSON_NULL
    assert _CONVERTER.to_lua(None) is None
