"""aip.file writing: save, append, ensure_exists, ensure_dir, delete, copy, move
(`A:src/script/aip_modules/aip_file/file_write.rs@952ad06e`)."""

from __future__ import annotations

import os
import shutil
from typing import Any

from aipack_compat.files import write_atomic
from aipack_compat.lua.api.file.records import file_info
from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, expect_string, option_string, options_table


def save(host: ApiHost, rel_path: Any, content: Any, options: Any = None) -> dict[str, Any]:
    rel_path = expect_string(rel_path, "aip.file.save", "path")
    if content is None:
        content = ""
    content = expect_string(content, "aip.file.save", "content")
    opts = options_table(options, "aip.file.save")
    if opts.get("trim_start"):
        content = content.lstrip()
    if opts.get("trim_end"):
        content = content.rstrip()
    if opts.get("single_trailing_newline"):
        content = content.rstrip("\n") + "\n"
    full_path = host.resolve(rel_path)
    host.check_write(full_path)
    try:
        write_atomic(full_path, content, force=True)
    except OSError as exc:
        raise ApiError(f"Fail to save file {rel_path}.\nCause {exc}") from None
    host.emit("file_save", os.path.relpath(full_path, host.workspace_dir))
    # aip builds this FileInfo from the full path (`file_write.rs`, `FileInfo::new(.., full_path, true)`).
    return file_info(host, full_path, full_path)


def append(host: ApiHost, rel_path: Any, content: Any) -> dict[str, Any]:
    rel_path = expect_string(rel_path, "aip.file.append", "path")
    content = expect_string(content, "aip.file.append", "content")
    full_path = host.resolve(rel_path)
    host.check_write(full_path)
    os.makedirs(os.path.dirname(full_path) or ".", exist_ok=True)
    with open(full_path, "a", encoding="utf-8") as handle:
        handle.write(content)
    return file_info(host, full_path, full_path)


def ensure_exists(host: ApiHost, path: Any, content: Any = None, options: Any = None) -> dict[str, Any]:
    path = expect_string(path, "aip.file.ensure_exists", "path")
    content = option_string(content, "aip.file.ensure_exists") or ""
    opts = options_table(options, "aip.file.ensure_exists")
    full_path = host.resolve(path)
    host.check_write(full_path)
    if not os.path.exists(full_path):
        write_atomic(full_path, content, force=True)
    elif opts.get("content_when_empty") and _is_blank_file(full_path):
        write_atomic(full_path, content, force=True)
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


def _copy_or_move(host: ApiHost, src: Any, dest: Any, options: Any, qualified: str, move: bool) -> dict[str, Any]:
    src = expect_string(src, qualified, "src_path")
    dest = expect_string(dest, qualified, "dest_path")
    overwrite = bool(options_table(options, qualified).get("overwrite", False))
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


FUNCTIONS: dict[str, ApiFunction] = {
    "save": ApiFunction(save),
    "append": ApiFunction(append),
    "ensure_exists": ApiFunction(ensure_exists),
    "ensure_dir": ApiFunction(ensure_dir),
    "delete": ApiFunction(delete),
    "copy": ApiFunction(copy),
    "move": ApiFunction(move),
}
