"""aip.file reading and listing: load, exists, info, list, list_load, first, stats
(`A:src/script/aip_modules/aip_file/file_read.rs@952ad06e`)."""

from __future__ import annotations

import os
from typing import Any

from aipack_compat.lua.api.file.records import file_info, file_record, list_files
from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, expect_string, option_string, options_table, strings_of


def _base_dir(host: ApiHost, options: dict[str, Any], qualified: str) -> str | None:
    base_dir = options.get("base_dir")
    if base_dir is None:
        return None
    if not isinstance(base_dir, str):
        raise ApiError(f"{qualified} options.base_dir must be of type string is present")
    return host.resolve(base_dir)


def load(host: ApiHost, rel_path: Any, options: Any = None) -> dict[str, Any]:
    rel_path = expect_string(rel_path, "aip.file.load", "path")
    base_dir = _base_dir(host, options_table(options, "aip.file.load"), "aip.file.load")
    full_path = host.resolve(rel_path, base_dir)
    host.check_read(full_path)
    return file_record(host, rel_path, full_path)


def exists(host: ApiHost, path: Any) -> bool:
    path = expect_string(path, "aip.file.exists", "path")
    try:
        return os.path.exists(host.resolve(path))
    except ApiError:
        return False


def info(host: ApiHost, path: Any) -> dict[str, Any] | None:
    path = option_string(path, "aip.file.info")
    if path is None or not path.strip():
        return None
    full_path = host.resolve(path)
    if not os.path.isfile(full_path):
        return None
    return file_info(host, path, full_path)


def _list_args(host: ApiHost, globs: Any, options: Any, qualified: str) -> list[tuple[str, str]]:
    opts = options_table(options, qualified)
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


FUNCTIONS: dict[str, ApiFunction] = {
    "load": ApiFunction(load),
    "exists": ApiFunction(exists),
    "info": ApiFunction(info),
    "list": ApiFunction(list_infos),
    "list_load": ApiFunction(list_load),
    "first": ApiFunction(first),
    "stats": ApiFunction(stats),
}
