"""aip.file.* (`A:src/script/aip_modules/aip_file/*.rs@952ad06e`).

Reads resolve like aip (`~`, `ns@pack/`, relative to the workspace) and are confined to the
workspace, `~/.aipack-base`, the agent's and the pack's dirs. Writes follow aip's
`check_access_write`: workspace or `.aipack-base` only. Writes replace the file atomically via
`aipack_compat.files.write_atomic(force=True)` because overwriting is what `aip.file.save` means.
"""

from __future__ import annotations

import json as _json
import os
import shutil
from typing import Any

from aipack_compat.lua.api import ApiError, ApiFunction, ApiHost, expect_string, option_string, strings_of
from aipack_compat.lua.api.fsutil import file_info, file_record, list_files, read_workspace_text
from aipack_compat.lua.api.json import parse_relaxed_json


def _write(full_path: str, content: str) -> None:
    from aipack_compat.files import write_atomic

    write_atomic(full_path, content, force=True)


def _options(value: Any, qualified: str) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and not value:
        return {}
    raise ApiError(f"{qualified} - options must be a table")


def _base_dir(host: ApiHost, options: dict[str, Any], qualified: str) -> str | None:
    base_dir = options.get("base_dir")
    if base_dir is None:
        return None
    if not isinstance(base_dir, str):
        raise ApiError(f"{qualified} options.base_dir must be of type string is present")
    return host.resolve(base_dir)


def load(host: ApiHost, rel_path: Any, options: Any = None) -> dict[str, Any]:
    rel_path = expect_string(rel_path, "aip.file.load", "path")
    base_dir = _base_dir(host, _options(options, "aip.file.load"), "aip.file.load")
    full_path = host.resolve(rel_path, base_dir)
    host.check_read(full_path)
    return file_record(host, rel_path, full_path)


def save(host: ApiHost, rel_path: Any, content: Any, options: Any = None) -> dict[str, Any]:
    rel_path = expect_string(rel_path, "aip.file.save", "path")
    if content is None:
        content = ""
    content = expect_string(content, "aip.file.save", "content")
    opts = _options(options, "aip.file.save")
    if opts.get("trim_start"):
        content = content.lstrip()
    if opts.get("trim_end"):
        content = content.rstrip()
    if opts.get("single_trailing_newline"):
        content = content.rstrip("\n") + "\n"
    full_path = host.resolve(rel_path)
    host.check_write(full_path)
    try:
        _write(full_path, content)
    except OSError as exc:
        raise ApiError(f"Fail to save file {rel_path}.\nCause {exc}") from None
    host.emit("file_save", os.path.relpath(full_path, host.workspace_dir))
    # aip builds this FileInfo from the full path (`file_write.rs`, `FileInfo::new(.., full_path, true)`).
    return file_info(host, full_path, full_path)


SAVE_CHANGES_RETURNS_INFO_SINCE = (0, 7, 17)  # `A:b8e71194`: FileInfo returned (nothing before)
SAVE_CHANGES_RETURNS_CHANGES_SINCE = (0, 8, 8)  # `A:12a7da19`: FileInfo, ChangesInfo


def save_changes(host: ApiHost, rel_path: Any, changes: Any) -> Any:
    """`A:src/script/aip_modules/aip_file/file_change.rs@952ad06e`: SEARCH/REPLACE blocks applied to
    the file (or the whole content replaced, see `file_change_blocks`), written back."""
    from aipack_compat.lua.api import Multi
    from aipack_compat.lua.api.file_change_blocks import ChangesOutcome, MalformedChanges, apply_changes

    rel_path = expect_string(rel_path, "aip.file.save_changes", "rel_path")
    changes = expect_string(changes, "aip.file.save_changes", "changes")
    full_path = host.resolve(rel_path)
    host.check_write(full_path)
    if os.path.exists(full_path):
        try:
            with open(full_path, encoding="utf-8", newline="") as handle:
                original = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise ApiError(f"Fail to read {full_path}\nCause: {exc}") from None
        try:
            outcome = apply_changes(original, changes, host.aip_version)
        except MalformedChanges as exc:
            raise ApiError(str(exc)) from None
    else:
        outcome = ChangesOutcome(changes, changed_count=1)
    try:
        _write(full_path, outcome.content)
    except OSError as exc:
        raise ApiError(f"Fail to save file {rel_path}.\nCause {exc}") from None
    host.emit("file_save", os.path.relpath(full_path, host.workspace_dir))
    if host.aip_version < SAVE_CHANGES_RETURNS_INFO_SINCE:
        return None
    info = file_info(host, rel_path, full_path)
    if host.aip_version < SAVE_CHANGES_RETURNS_CHANGES_SINCE:
        return info
    return Multi((info, outcome.info_table()))


def append(host: ApiHost, rel_path: Any, content: Any) -> dict[str, Any]:
    rel_path = expect_string(rel_path, "aip.file.append", "path")
    content = expect_string(content, "aip.file.append", "content")
    full_path = host.resolve(rel_path)
    host.check_write(full_path)
    os.makedirs(os.path.dirname(full_path) or ".", exist_ok=True)
    with open(full_path, "a", encoding="utf-8") as handle:
        handle.write(content)
    return file_info(host, full_path, full_path)


def exists(host: ApiHost, path: Any) -> bool:
    path = expect_string(path, "aip.file.exists", "path")
    try:
        return os.path.exists(host.resolve(path))
    except ApiError:
        return False


def ensure_exists(host: ApiHost, path: Any, content: Any = None, options: Any = None) -> dict[str, Any]:
    path = expect_string(path, "aip.file.ensure_exists", "path")
    content = option_string(content, "aip.file.ensure_exists") or ""
    opts = _options(options, "aip.file.ensure_exists")
    full_path = host.resolve(path)
    host.check_write(full_path)
    if not os.path.exists(full_path):
        _write(full_path, content)
    elif opts.get("content_when_empty") and _is_blank_file(full_path):
        _write(full_path, content)
    return file_info(host, path, full_path)


def _is_blank_file(full_path: str) -> bool:
    with open(full_path, encoding="utf-8", errors="replace") as handle:
        return not handle.read().strip()


def ensure_dir(host: ApiHost, path: Any) -> bool:
    path = expect_string(path, "aip.file.ensure_dir", "path")
    full_path = host.resolve(path)
    host.check_write(full_path)
    if os.path.exists(full_path):
        if not os.path.isdir(full_path):
            raise ApiError(f"Ensure dir failed - Path `{path}` already exists and is not a directory")
        return False
    os.makedirs(full_path, exist_ok=True)
    return True


def delete(host: ApiHost, path: Any) -> bool:
    """aip moves the file to the trash (0.8.11+); we delete it, inside the workspace only."""
    path = expect_string(path, "aip.file.delete", "path")
    full_path = host.resolve(path)
    workspace = os.path.realpath(host.workspace_dir)
    real = os.path.realpath(full_path)
    if not real.startswith(workspace + os.sep):
        raise ApiError(f"aip.file.delete - The path `{path}` is not inside the workspace dir `{workspace}`; delete is forbidden")
    if not os.path.exists(full_path):
        return False
    if os.path.isdir(full_path):
        raise ApiError(f"aip.file.delete - `{path}` is a directory")
    os.remove(full_path)
    return True


def info(host: ApiHost, path: Any) -> dict[str, Any] | None:
    path = option_string(path, "aip.file.info")
    if path is None or not path.strip():
        return None
    full_path = host.resolve(path)
    if not os.path.isfile(full_path):
        return None
    return file_info(host, path, full_path)


def _list_args(host: ApiHost, globs: Any, options: Any, qualified: str) -> list[tuple[str, str]]:
    opts = _options(options, qualified)
    base_dir = opts.get("base_dir")
    if base_dir is not None and not isinstance(base_dir, str):
        raise ApiError(f"{qualified} options.base_dir must be of type string is present")
    return list_files(host, strings_of(globs, qualified), base_dir, bool(opts.get("absolute", False)))


def list_infos(host: ApiHost, globs: Any, options: Any = None) -> list[dict[str, Any]]:
    return [file_info(host, shown, full) for shown, full in _list_args(host, globs, options, "aip.file.list")]


def list_load(host: ApiHost, globs: Any, options: Any = None) -> list[dict[str, Any]]:
    return [file_record(host, shown, full) for shown, full in _list_args(host, globs, options, "aip.file.list_load")]


def first(host: ApiHost, globs: Any, options: Any = None) -> dict[str, Any] | None:
    found = _list_args(host, globs, options, "aip.file.first")
    return file_info(host, *found[0]) if found else None


def stats(host: ApiHost, globs: Any, options: Any = None) -> dict[str, Any] | None:
    if globs is None:
        return None
    infos = [file_info(host, shown, full) for shown, full in _list_args(host, globs, options, "aip.file.stats")]
    ctimes = [item.get("ctime", 0) for item in infos]
    mtimes = [item.get("mtime", 0) for item in infos]
    return {
        "_type": "FileStats",
        "total_size": sum(item.get("size", 0) for item in infos),
        "number_of_files": len(infos),
        "ctime_first": min(ctimes, default=0),
        "ctime_last": max(ctimes, default=0),
        "mtime_first": min(mtimes, default=0),
        "mtime_last": max(mtimes, default=0),
    }


def load_json(host: ApiHost, path: Any) -> Any:
    path = option_string(path, "aip.file.load_json")
    if path is None:
        return None
    record = load(host, path)
    return parse_relaxed_json(record["content"], f"aip.file.load_json - Failed to parse JSON from file '{path}'")


def load_ndjson(host: ApiHost, path: Any) -> list[Any] | None:
    path = option_string(path, "aip.file.load_ndjson")
    if path is None:
        return None
    content = load(host, path)["content"]
    return [parse_relaxed_json(line, f"aip.file.load_ndjson - invalid line in '{path}'") for line in content.splitlines() if line.strip()]


def append_json_line(host: ApiHost, path: Any, data: Any) -> dict[str, Any]:
    return append(host, path, _json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def append_json_lines(host: ApiHost, path: Any, data: Any) -> dict[str, Any]:
    if not isinstance(data, list):
        raise ApiError("aip.file.append_json_lines - data must be a list")
    lines = "".join(_json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n" for item in data)
    return append(host, path, lines)


def _copy_or_move(host: ApiHost, src: Any, dest: Any, options: Any, qualified: str, move: bool) -> dict[str, Any]:
    src = expect_string(src, qualified, "src_path")
    dest = expect_string(dest, qualified, "dest_path")
    overwrite = bool(_options(options, qualified).get("overwrite", False))
    src_full, dest_full = host.resolve(src), host.resolve(dest)
    host.check_write(src_full) if move else host.check_read(src_full)
    host.check_write(dest_full)
    if not os.path.isfile(src_full):
        raise ApiError(f"{qualified} - source file `{src}` does not exist")
    if os.path.exists(dest_full) and not overwrite:
        raise ApiError(f"{qualified} - destination `{dest}` already exists (use {{overwrite = true}})")
    os.makedirs(os.path.dirname(dest_full) or ".", exist_ok=True)
    (shutil.move if move else shutil.copyfile)(src_full, dest_full)
    return file_info(host, dest, dest_full)


def copy(host: ApiHost, src: Any, dest: Any, options: Any = None) -> dict[str, Any]:
    return _copy_or_move(host, src, dest, options, "aip.file.copy", move=False)


def move(host: ApiHost, src: Any, dest: Any, options: Any = None) -> dict[str, Any]:
    return _copy_or_move(host, src, dest, options, "aip.file.move", move=True)


# -- HTML helpers (`A:src/script/aip_modules/aip_file/file_html.rs@952ad06e`), on top of aip.html.
# Reads are confined like `load`; writes go through `check_write` like `save` (aip itself writes
# these without its save-protection check: we stay within the workspace regardless).

SAVE_HTML_TO_MD_SLIMS_SINCE = (0, 8, 0)  # CHANGELOG 0.8.0: "save_html_to_md - slim by default"


def _read_html(host: ApiHost, html_path: Any, qualified: str) -> tuple[str, str]:
    return read_workspace_text(host, html_path, qualified, "html_path", "Failed to read HTML file '{path}'.")


def _dest_path(src_rel: str, dest: Any, target_ext: str, default_suffix: str | None) -> str:
    """aip's `resolve_dest_path` (`A:src/script/aip_modules/support/common.rs@952ad06e`)."""
    if isinstance(dest, str):
        return dest
    if dest is not None and not isinstance(dest, (dict, list)):
        raise ApiError(
            "Failed to parse destination options.\nCause: Destination Options argument can be nil, a string path, "
            "or { base_dir?, file_name?, suffix?, slim? }"
        )
    parent, name = os.path.split(src_rel)
    stem = os.path.splitext(name)[0]  # Rust `Path::file_stem` (`.bashrc` stays whole, as here)
    if not stem:
        raise ApiError(f"Source path '{src_rel}' has no file stem.")
    opts = dest if isinstance(dest, dict) else {}
    if dest is None:
        file_name = f"{stem}{default_suffix or ''}.{target_ext}"
        return os.path.join(parent, file_name) if parent else file_name
    base_dir, file_name, suffix = (opts.get(key) if isinstance(opts.get(key), str) else None
                                   for key in ("base_dir", "file_name", "suffix"))
    if file_name is None:
        if suffix is not None:
            effective = f"{stem}{suffix}"
        elif default_suffix is not None and base_dir is None:
            effective = f"{stem}{default_suffix}"
        else:  # with a base_dir, the default `-slim` suffix is dropped (aip's comment: "as per slim requirement")
            effective = stem
        file_name = f"{effective}.{target_ext}"
    if base_dir is not None:
        return os.path.join(base_dir, file_name) if base_dir else file_name
    return os.path.join(parent, file_name) if parent else file_name


def _save_derived(host: ApiHost, rel_dest: str, content: str, what: str) -> dict[str, Any]:
    full_dest = host.resolve(rel_dest)
    host.check_write(full_dest)
    try:
        _write(full_dest, content)
    except OSError as exc:
        raise ApiError(f"Failed to write {what} file '{rel_dest}'.\nCause: {exc}") from None
    host.emit("file_save", os.path.relpath(full_dest, host.workspace_dir))
    return file_info(host, rel_dest, full_dest)


def save_html_to_slim(host: ApiHost, html_path: Any, dest: Any = None) -> dict[str, Any]:
    from aipack_compat.lua.api.html import slim_html

    rel_src, html = _read_html(host, html_path, "aip.file.save_html_to_slim")
    rel_dest = _dest_path(rel_src, dest, "html", "-slim")
    return _save_derived(host, rel_dest, slim_html(html), "slimmed HTML")


def save_html_to_md(host: ApiHost, html_path: Any, dest: Any = None) -> dict[str, Any]:
    from aipack_compat.lua.api.html import html_to_md, slim_html

    rel_src, html = _read_html(host, html_path, "aip.file.save_html_to_md")
    rel_dest = _dest_path(rel_src, dest, "md", None)
    slim = host.aip_version >= SAVE_HTML_TO_MD_SLIMS_SINCE
    if isinstance(dest, dict) and isinstance(dest.get("slim"), bool):
        slim = dest["slim"]
    return _save_derived(host, rel_dest, html_to_md(slim_html(html) if slim else html), "Markdown")


def load_html_as_slim(host: ApiHost, html_path: Any) -> str:
    from aipack_compat.lua.api.html import slim_html

    return slim_html(_read_html(host, html_path, "aip.file.load_html_as_slim")[1])


def load_html_as_md(host: ApiHost, html_path: Any, options: Any = None) -> str:
    from aipack_compat.lua.api.html import html_to_md, slim_html

    html = _read_html(host, html_path, "aip.file.load_html_as_md")[1]
    opts = options if isinstance(options, dict) else {}
    trim = opts.get("trim") if isinstance(opts.get("trim"), bool) else opts.get("slim")
    return html_to_md(slim_html(html) if trim is not False else html)


FUNCTIONS: dict[str, ApiFunction] = {
    "save_html_to_slim": ApiFunction(save_html_to_slim),
    "save_html_to_md": ApiFunction(save_html_to_md),
    "load_html_as_slim": ApiFunction(load_html_as_slim),
    "load_html_as_md": ApiFunction(load_html_as_md),
    "load": ApiFunction(load),
    "save": ApiFunction(save),
    "save_changes": ApiFunction(save_changes),
    "append": ApiFunction(append),
    "exists": ApiFunction(exists),
    "ensure_exists": ApiFunction(ensure_exists),
    "ensure_dir": ApiFunction(ensure_dir),
    "delete": ApiFunction(delete),
    "info": ApiFunction(info),
    "list": ApiFunction(list_infos),
    "list_load": ApiFunction(list_load),
    "first": ApiFunction(first),
    "stats": ApiFunction(stats),
    "load_json": ApiFunction(load_json),
    "load_ndjson": ApiFunction(load_ndjson),
    "append_json_line": ApiFunction(append_json_line),
    "append_json_lines": ApiFunction(append_json_lines),
    "copy": ApiFunction(copy),
    "move": ApiFunction(move),
}
