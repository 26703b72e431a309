"""aip.path.* (`A:src/script/aip_modules/aip_path.rs@952ad06e`).

Pure path functions work on the string as given (SPath semantics: `/` separators, no
normalisation); `exists`/`is_file`/`is_dir`/`resolve` resolve like the file API.
"""

from __future__ import annotations

import os
import posixpath
from typing import Any

from aipack_compat.lua.api.file.records import file_info
from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, Multi, expect_string, option_string, strings_of
from aipack_compat.lua.ports.globs import glob_matches


def _safe_resolve(host: ApiHost, path: str) -> str | None:
    try:
        return host.resolve(path)
    except ApiError:
        return None


def exists(host: ApiHost, path: Any) -> bool:
    full = _safe_resolve(host, expect_string(path, "aip.path.exists", "path"))
    return full is not None and os.path.exists(full)


def is_file(host: ApiHost, path: Any) -> bool:
    full = _safe_resolve(host, expect_string(path, "aip.path.is_file", "path"))
    return full is not None and os.path.isfile(full)


def is_dir(host: ApiHost, path: Any) -> bool:
    full = _safe_resolve(host, expect_string(path, "aip.path.is_dir", "path"))
    return full is not None and os.path.isdir(full)


def resolve(host: ApiHost, path: Any) -> str:
    return host.resolve(expect_string(path, "aip.path.resolve", "path"))


def parent(host: ApiHost, path: Any) -> str | None:
    """Rust `Path::parent`: None for "" and "/", "" for a bare file name."""
    path = expect_string(path, "aip.path.parent", "path")
    trimmed = path.rstrip("/") if path not in ("", "/") else path
    if trimmed in ("", "/"):
        return None
    head = posixpath.dirname(trimmed)
    if head != "/":
        head = head.rstrip("/")
    return head


def split(host: ApiHost, path: Any) -> Multi:
    path = expect_string(path, "aip.path.split", "path")
    return Multi((parent(host, path) or "", posixpath.basename(path.rstrip("/")) if path.rstrip("/") else ""))


def join(host: ApiHost, base: Any, *parts: Any) -> str:
    """Parts are concatenated first (a table part is joined with `/`), then joined to base."""
    base = expect_string(base, "aip.path.join", "base")
    joined_parts = "".join("/".join(strings_of(part, "aip.path.join")) for part in parts)
    if not joined_parts:
        return base
    if joined_parts.startswith("/"):
        return joined_parts
    if not base:
        return joined_parts
    return base + joined_parts if base.endswith("/") else f"{base}/{joined_parts}"


def diff(host: ApiHost, file_path: Any, base_path: Any) -> str:
    """pathdiff semantics: relative path from base to file, `..` allowed, "" when equal."""
    file_path = os.path.expanduser(expect_string(file_path, "aip.path.diff", "file_path"))
    base_path = os.path.expanduser(expect_string(base_path, "aip.path.diff", "base_path"))
    if os.path.isabs(file_path) != os.path.isabs(base_path):
        return file_path if os.path.isabs(file_path) else ""
    file_norm = posixpath.normpath(file_path) if file_path else "."
    base_norm = posixpath.normpath(base_path) if base_path else "."
    relative = posixpath.relpath(file_norm, base_norm)
    return "" if relative == "." else relative


def parse(host: ApiHost, path: Any) -> dict[str, Any] | None:
    path = option_string(path, "aip.path.parse")
    if path is None:
        return None
    return file_info(host, path, None, with_meta=False)


def matches_glob(host: ApiHost, path: Any, globs: Any) -> bool | None:
    path = option_string(path, "aip.path.matches_glob")
    if path is None:
        return None
    candidate = path[2:] if path.startswith("./") else path
    for glob in strings_of(globs, "aip.path.matches_glob"):
        glob = glob[2:] if glob.startswith("./") else glob
        if glob_matches(glob, candidate):
            return True
    return False


FUNCTIONS: dict[str, ApiFunction] = {
    "exists": ApiFunction(exists),
    "is_file": ApiFunction(is_file),
    "is_dir": ApiFunction(is_dir),
    "resolve": ApiFunction(resolve),
    "parent": ApiFunction(parent),
    "split": ApiFunction(split),
    "join": ApiFunction(join),
    "diff": ApiFunction(diff),
    "parse": ApiFunction(parse),
    "matches_glob": ApiFunction(matches_glob),
}
