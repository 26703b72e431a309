"""FileInfo / FileRecord tables and glob listing, shared by aip.file, aip.path and aip.udiffx.

FileInfo fields follow `A:src/types/file_info.rs@952ad06e` (`_type`, path, dir, name, stem, ext,
ctime/mtime in epoch microseconds, size, is_likely_text). Listing follows
`A:src/script/aip_modules/support/support_list.rs@952ad06e`: paths relative to the base dir
(absolute when outside it), special folders excluded unless a glob names them
(`A:src/support/files/file_common.rs@952ad06e`), results ordered by the first glob they match.
"""

from __future__ import annotations

import os
from pathlib import PurePosixPath
from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiHost, expect_string
from aipack_compat.lua.ports.globs import glob_matches

SPECIAL_FOLDER_EXCLUDES = (".aipack/", ".git/", "target/", "node_modules/", ".build/", "__pycache__/")
ALWAYS_EXCLUDED = ("**/.DS_Store", ".DS_Store", "**/Thumbs.db", "**/*.swp")
_TEXT_EXTENSIONS = frozenset(
    "txt md markdown aip devai lua rs py js ts tsx jsx json jsonc toml yaml yml html htm css scss xml csv tsv "
    "sh bash zsh fish c h cpp hpp java kt go rb php sql ini cfg conf env svg gitignore lock mdx rst tex".split()
)


def read_workspace_text(host: ApiHost, path: Any, qualified: str, argument: str, failure: str) -> tuple[str, str]:
    """(path as given, UTF-8 text) of a workspace file; `failure` is aip's message for that function,
    with `{path}` in it (aip words each loader's error differently)."""
    path = expect_string(path, qualified, argument)
    full_path = host.resolve(path)
    host.check_read(full_path)
    try:
        with open(full_path, encoding="utf-8") as handle:
            return path, handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ApiError(failure.format(path=path) + f"\nCause: {exc}") from None


def file_info(host: ApiHost, shown_path: str, full_path: str | None, with_meta: bool = True) -> dict[str, Any]:
    """A FileInfo table; `shown_path` is what aip puts in `path` (as given, or workspace-relative)."""
    shown = host.display_path(shown_path) if os.path.isabs(shown_path) else shown_path
    pure = PurePosixPath(shown.replace(os.sep, "/"))
    parent = str(pure.parent) if str(pure.parent) != "." else ""
    name = pure.name
    info: dict[str, Any] = {
        "_type": "FileInfo",
        "path": shown,
        "dir": parent,
        "name": name,
        "stem": _stem(name),
        "ext": _ext(name),
    }
    if with_meta and full_path is not None:
        try:
            stat = os.stat(full_path)
        except OSError:
            stat = None
        if stat is not None:
            info["ctime"] = stat.st_ctime_ns // 1000
            info["mtime"] = stat.st_mtime_ns // 1000
            info["size"] = stat.st_size
    info["is_likely_text"] = is_likely_text(full_path, name)
    return info


def file_record(host: ApiHost, shown_path: str, full_path: str) -> dict[str, Any]:
    """FileInfo + content (`A:src/types/file_record.rs@952ad06e`); `_type = "FileRecord"`."""
    try:
        with open(full_path, encoding="utf-8") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise ApiError(f"Fail to read {full_path}\nCause: No such file or directory (os error 2)") from None
    except IsADirectoryError:
        raise ApiError(f"Fail to read {full_path}\nCause: Is a directory (os error 21)") from None
    except UnicodeDecodeError:
        raise ApiError(f"Fail to read {full_path}\nCause: stream did not contain valid UTF-8") from None
    record = file_info(host, shown_path, full_path, with_meta=True)
    record["_type"] = "FileRecord"
    record["content"] = content
    return record


def _stem(name: str) -> str:
    if name.startswith(".") and name.count(".") == 1:
        return name
    return name.rsplit(".", 1)[0] if "." in name else name


def _ext(name: str) -> str:
    if name.startswith(".") and name.count(".") == 1:
        return ""
    return name.rsplit(".", 1)[1] if "." in name else ""


def is_likely_text(full_path: str | None, name: str) -> bool:
    if full_path is not None and os.path.isfile(full_path):
        try:
            with open(full_path, "rb") as handle:
                head = handle.read(4096)
        except OSError:
            return False
        if b"\x00" in head:
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            return exc.start >= len(head) - 3
        return True
    return _ext(name).lower() in _TEXT_EXTENSIONS


def list_files(host: ApiHost, include_globs: list[str], base_dir: str | None, absolute: bool) -> list[tuple[str, str]]:
    """(shown_path, full_path) for each file matched, ordered by first matching glob then path."""
    base = host.resolve(base_dir) if base_dir else os.path.normpath(host.workspace_dir)
    host.check_read(base)
    excludes = set(SPECIAL_FOLDER_EXCLUDES)
    normalized: list[str] = []
    for glob in include_globs:
        glob = glob.strip().replace("\\", "/")
        for folder in SPECIAL_FOLDER_EXCLUDES:
            if folder in glob:
                excludes.discard(folder)
        if glob.startswith("../") or glob.startswith("./.."):
            raise ApiError(f"Glob '{glob}' starting with '../'.\nStarting glob with '../' is not supported at the moment.")
        normalized.append(glob[2:] if glob.startswith("./") else glob)
    excluded_globs = [f"**/{folder}**" for folder in SPECIAL_FOLDER_EXCLUDES if folder in excludes] + list(ALWAYS_EXCLUDED)
    found: list[tuple[int, str, str, str]] = []
    for glob_index, glob in enumerate(normalized):
        root = base
        pattern = glob
        if os.path.isabs(glob):
            root, pattern = _static_prefix(glob)
        for full_path in _walk(root, {folder.rstrip("/") for folder in excludes}):
            relative = os.path.relpath(full_path, root).replace(os.sep, "/")
            if not glob_matches(pattern, relative):
                continue
            if any(glob_matches(exclude, relative) for exclude in excluded_globs):
                continue
            if not _is_readable_root(host, full_path):
                continue
            found.append((glob_index, relative, full_path, root))
    seen: set[str] = set()
    result: list[tuple[str, str]] = []
    for _, _, full_path, _ in sorted(found, key=lambda item: (item[0], item[1])):
        if full_path in seen:
            continue
        seen.add(full_path)
        relative_to_base = os.path.relpath(full_path, base)
        if absolute or relative_to_base.startswith(".."):
            shown = full_path
        else:
            shown = relative_to_base.replace(os.sep, "/")
        result.append((shown, full_path))
    return result


def _is_readable_root(host: ApiHost, full_path: str) -> bool:
    try:
        host.check_read(full_path)
    except ApiError:
        return False
    return True


def _static_prefix(glob: str) -> tuple[str, str]:
    parts = glob.split("/")
    static: list[str] = []
    for part in parts:
        if any(char in part for char in "*?[{"):
            break
        static.append(part)
    root = "/".join(static) or "/"
    rest = "/".join(parts[len(static) :])
    return os.path.normpath(root), rest


def _walk(root: str, pruned_names: set[str]) -> list[str]:
    files: list[str] = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(name for name in subdirs if name not in pruned_names)
        for name in sorted(names):
            files.append(os.path.join(directory, name))
    return files
