"""The smaller aip modules: run/task (UI pins, recorded as events), semver, lua, code, hbs, tag,
cmd (`A:src/script/aip_modules/aip_{run,task,semver,lua,code,hbs,tag,cmd}.rs@952ad06e`).
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

from aipack_compat.lua.api import ApiError, ApiFunction, ApiHost, Multi, expect_string, strings_of

# -- run / task: TUI-only in aip; we record them so a run summary can show them.


def _pin(host: ApiHost, scope: str, iden: Any, *rest: Any) -> None:
    iden = expect_string(iden, f"aip.{scope}.pin", "iden")
    priority: float | None = None
    if len(rest) >= 2 and isinstance(rest[0], (int, float)) and not isinstance(rest[0], bool):
        priority, content = rest[0], rest[1]
    elif rest:
        content = rest[0]
    else:
        raise ApiError(f"aip.{scope}.pin - content is required: pin(iden, [priority,] content)")
    if not isinstance(content, (str, dict, int, float)):
        raise ApiError(f"aip.{scope}.pin - content must be a string or {{label?, content}}")
    if scope == "task" and host.stage not in ("data", "output"):
        raise ApiError("aip.task.pin can only be called in # Data or # Output stages")
    host.emit(f"{scope}_pin", {"iden": iden, "priority": priority, "content": content})


def run_pin(host: ApiHost, iden: Any, *rest: Any) -> None:
    _pin(host, "run", iden, *rest)


def task_pin(host: ApiHost, iden: Any, *rest: Any) -> None:
    _pin(host, "task", iden, *rest)


def run_set_label(host: ApiHost, label: Any) -> None:
    host.emit("run_label", expect_string(label, "aip.run.set_label", "label"))


def task_set_label(host: ApiHost, label: Any) -> None:
    host.emit("task_label", expect_string(label, "aip.task.set_label", "label"))


# -- semver (the `semver` crate's ordering: pre-release < release, identifiers compared per spec)

_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$")


def _parse_semver(text: Any) -> tuple[int, int, int, str | None, str | None]:
    text = expect_string(text, "aip.semver", "version")
    match = _SEMVER.match(text.strip())
    if match is None:
        raise ApiError(f"Invalid version: {text}")
    major, minor, patch, pre, build = match.groups()
    return int(major), int(minor), int(patch), pre, build


def _semver_key(version: tuple[int, int, int, str | None, str | None]) -> tuple[Any, ...]:
    major, minor, patch, pre, _ = version
    if pre is None:
        return (major, minor, patch, 1, ())
    identifiers = tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in pre.split("."))
    return (major, minor, patch, 0, identifiers)


def semver_compare(host: ApiHost, left: Any, operator: Any, right: Any) -> bool:
    left_key, right_key = _semver_key(_parse_semver(left)), _semver_key(_parse_semver(right))
    comparisons = {
        "<": left_key < right_key,
        "<=": left_key <= right_key,
        "=": left_key == right_key,
        "==": left_key == right_key,
        ">=": left_key >= right_key,
        ">": left_key > right_key,
        "!=": left_key != right_key,
        "~=": left_key != right_key,
    }
    if operator not in comparisons:
        raise ApiError(f"Invalid operator: {operator}")
    return comparisons[operator]


def semver_parse(host: ApiHost, version: Any) -> dict[str, Any]:
    major, minor, patch, pre, build = _parse_semver(version)
    return {"major": major, "minor": minor, "patch": patch, "prerelease": pre, "build": build}


def semver_is_prerelease(host: ApiHost, version: Any) -> bool:
    return _parse_semver(version)[3] is not None


def semver_valid(host: ApiHost, version: Any) -> bool:
    return isinstance(version, str) and _SEMVER.match(version.strip()) is not None


# -- lua helpers (raw: they work on the Lua tables themselves)


def _is_table(host: ApiHost, value: Any) -> bool:
    from lupa.lua54 import lua_type

    return lua_type(value) == "table"


def lua_merge(host: ApiHost, target: Any, *objects: Any) -> Any:
    if not _is_table(host, target):
        raise ApiError("aip.lua.merge - target must be a table (cannot be nil/null)")
    for obj in objects:
        if _is_table(host, obj):
            for key, value in list(obj.items()):
                target[key] = value
    return target


def lua_merge_deep(host: ApiHost, target: Any, *objects: Any) -> Any:
    if not _is_table(host, target):
        raise ApiError("aip.lua.merge_deep - target must be a table (cannot be nil/null)")
    for obj in objects:
        if _is_table(host, obj):
            _merge_deep_into(host, target, obj)
    return target


def _merge_deep_into(host: ApiHost, target: Any, source: Any) -> None:
    for key, value in list(source.items()):
        existing = target[key]
        if _is_table(host, value) and _is_table(host, existing):
            _merge_deep_into(host, existing, value)
        else:
            target[key] = value


def lua_dump(host: ApiHost, value: Any) -> str:
    """`aip_lua::dump`: strings quoted, tables as `{\\n  key = value,\\n}` (pairs order)."""
    return _dump(host, value, 0)


def _dump(host: ApiHost, value: Any, indent: int) -> str:
    from lupa.lua54 import lua_type

    from aipack_compat.lua.convert import JsonNull

    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, JsonNull):
        return "NULL"
    kind = lua_type(value)
    if kind == "table":
        entries = []
        for key, item in value.items():
            key_text = key if isinstance(key, str) else _dump(host, key, 0)
            entries.append(f"{'  ' * (indent + 1)}{key_text} = {_dump(host, item, indent + 1)}")
        if not entries:
            return "{}"
        return "{\n" + ",\n".join(entries) + "\n" + "  " * indent + "}"
    if kind == "function":
        return "<function <anonymous>>"
    if kind == "thread":
        return "<Thread>"
    return "<UserData>"


# -- code, hbs


def code_comment_line(host: ApiHost, lang_ext: Any, content: Any) -> str:
    ext = expect_string(lang_ext, "aip.code.comment_line", "lang_ext").strip().lower()
    content = expect_string(content, "aip.code.comment_line", "comment_content")
    if ext in ("lua", "sql"):
        return f"-- {content}"
    if ext == "html":
        return f"<!-- {content} -->"
    if ext in ("css", "pcss"):
        return f"/* {content} */"
    if ext == "py":
        return f"# {content}"
    return f"// {content}"


def hbs_render(host: ApiHost, content: Any, data: Any = None) -> str:
    from aipack_compat.template import RenderFailure, render

    content = expect_string(content, "aip.hbs.render", "content")
    context = data if isinstance(data, dict) else {}
    try:
        return render(content, context)
    except RenderFailure as exc:
        raise ApiError(f"aip.hbs.render failed: {exc.error.message} (line {exc.error.line}, column {exc.error.column})") from None


# -- tag (markex-style `<TAG attr="v">content</TAG>`)

_ATTR = re.compile(r"""([A-Za-z_:][\w:.-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _extract_tags(content: str, names: list[str], extrude: bool) -> tuple[list[dict[str, Any]], str | None]:
    alternatives = "|".join(re.escape(name) for name in names)
    pattern = re.compile(rf"<({alternatives})(\s[^>]*)?>(.*?)</\1>", re.DOTALL)
    elems: list[dict[str, Any]] = []
    outside: list[str] = []
    position = 0
    for match in pattern.finditer(content):
        outside.append(content[position : match.start()])
        position = match.end()
        elem: dict[str, Any] = {"tag": match.group(1), "content": match.group(3)}
        raw_attrs = (match.group(2) or "").strip()
        if raw_attrs:
            attrs = {}
            for attr in _ATTR.finditer(raw_attrs):
                attrs[attr.group(1)] = next((g for g in attr.group(2, 3, 4) if g is not None), "")
            elem["attrs"] = attrs
        elems.append(elem)
    outside.append(content[position:])
    return elems, ("".join(outside) if extrude else None)


def _tag_args(content: Any, tag_names: Any, options: Any) -> tuple[str, list[str], bool]:
    content = expect_string(content, "aip.tag.extract", "content")
    if tag_names is None:
        raise ApiError("aip.tag.extract requires tag_names")
    names = [name.strip() for name in strings_of(tag_names, "aip.tag.extract tag_names")]
    if any(not name for name in names):
        raise ApiError("tag_names cannot contain empty entries after trimming")
    if not names:
        raise ApiError("tag_names list must not be empty")
    extrude = isinstance(options, dict) and options.get("extrude") == "content"
    return content, names, extrude


def tag_extract(host: ApiHost, content: Any, tag_names: Any, options: Any = None) -> Any:
    elems, extruded = _extract_tags(*_tag_args(content, tag_names, options))
    return Multi((elems, extruded)) if extruded is not None else elems


def tag_extract_as_map(host: ApiHost, content: Any, tag_names: Any, options: Any = None) -> Any:
    elems, extruded = _extract_tags(*_tag_args(content, tag_names, options))
    mapping = {elem["tag"]: elem for elem in elems}
    return Multi((mapping, extruded)) if extruded is not None else mapping


def tag_extract_as_multi_map(host: ApiHost, content: Any, tag_names: Any, options: Any = None) -> Any:
    elems, extruded = _extract_tags(*_tag_args(content, tag_names, options))
    mapping: dict[str, list[dict[str, Any]]] = {}
    for elem in elems:
        mapping.setdefault(elem["tag"], []).append(elem)
    return Multi((mapping, extruded)) if extruded is not None else mapping


# -- cmd


def cmd_exec(host: ApiHost, command: Any, args: Any = None, options: Any = None) -> dict[str, Any]:
    """Runs the program directly (no shell), like aip's `cross_command`; cwd defaults to the workspace."""
    command = expect_string(command, "aip.cmd.exec", "cmd_name")
    if not host.allow_commands:
        raise ApiError(f"aip.cmd.exec is disabled for this run (would execute: {command})")
    argv = [command, *(strings_of(args, "command args") if args is not None else [])]
    cwd = host.workspace_dir
    if isinstance(options, dict) and isinstance(options.get("cwd"), str):
        cwd = host.resolve(options["cwd"])
    try:
        completed = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=600, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ApiError(f"Fail to execute: {' '.join(argv)}\nWorking directory: {cwd}\nCause:\n{exc}") from None
    return {
        "stdout": completed.stdout.decode("utf-8", errors="replace"),
        "stderr": completed.stderr.decode("utf-8", errors="replace"),
        "exit": completed.returncode if completed.returncode >= 0 else -1,
    }


MODULES: dict[str, dict[str, ApiFunction]] = {
    "run": {"pin": ApiFunction(run_pin), "set_label": ApiFunction(run_set_label)},
    "task": {"pin": ApiFunction(task_pin), "set_label": ApiFunction(task_set_label)},
    "semver": {
        "compare": ApiFunction(semver_compare),
        "parse": ApiFunction(semver_parse),
        "is_prerelease": ApiFunction(semver_is_prerelease),
        "valid": ApiFunction(semver_valid),
    },
    "lua": {
        "merge": ApiFunction(lua_merge, raw=True),
        "merge_deep": ApiFunction(lua_merge_deep, raw=True),
        "dump": ApiFunction(lua_dump, raw=True),
    },
    "code": {"comment_line": ApiFunction(code_comment_line)},
    "hbs": {"render": ApiFunction(hbs_render)},
    "tag": {
        "extract": ApiFunction(tag_extract),
        "extract_as_map": ApiFunction(tag_extract_as_map),
        "extract_as_multi_map": ApiFunction(tag_extract_as_multi_map),
    },
    "cmd": {"exec": ApiFunction(cmd_exec)},
}

