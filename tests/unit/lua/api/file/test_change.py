"""aip.file.save_changes through Lua: return shapes per era, catchable errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

BLOCKS = "<<<<<<< SEARCH\ntwo\n=======\nTWO\n>>>>>>> REPLACE\n\n<<<<<<< SEARCH\nmissing\n=======\nx\n>>>>>>> REPLACE\n"


def test_save_changes_return_values_by_era(lua_eval: Callable[..., Any], tmp_path: Path) -> None:
    code = (
        'aip.file.save("a.txt", "one\\ntwo\\n")\n'
        "local info, changes = aip.file.save_changes('a.txt', input)\n"
        "return {info = info, changes = changes, content = aip.file.load('a.txt').content}"
    )
    now = lua_eval(code, BLOCKS)
    assert now["content"] == "one\nTWO\n" and now["info"]["path"] == "a.txt" and now["info"]["_type"] == "FileInfo"
    assert now["changes"]["changed_count"] == 1 and len(now["changes"]["failed_changes"]) == 1
    older = lua_eval(code, BLOCKS, aip_version="0.8.7")
    assert older["info"]["name"] == "a.txt" and older.get("changes") is None
    assert lua_eval(code, BLOCKS, aip_version="0.7.16") == {"content": "one\nTWO\n"}
    created = lua_eval("local i, c = aip.file.save_changes('new/b.txt', 'whole')\nreturn {c, aip.file.load('new/b.txt').content}")
    assert created == [{"changed_count": 1}, "whole"]


def test_save_changes_errors_are_catchable(lua_eval: Callable[..., Any]) -> None:
    code = "local ok, err = pcall(aip.file.save_changes, input, 'x')\nreturn tostring(err)"
    assert "Save file protection" in lua_eval(code, "../outside.txt")
    malformed = "aip.file.save('a.txt', 'x')\nlocal ok, err = pcall(aip.file.save_changes, 'a.txt', input)\nreturn tostring(err)"
    assert lua_eval(malformed, "junk\n" + BLOCKS).startswith("Malformed changes: Expected '<<<<<<< SEARCH'")
