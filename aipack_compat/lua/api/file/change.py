"""aip.file.save_changes (0.7.11+, `A:src/script/aip_modules/aip_file/file_change.rs@952ad06e`):
SEARCH/REPLACE blocks (`ports/change_blocks.py`) applied to a workspace file and written back."""

from __future__ import annotations

import os
from typing import Any

from aipack_compat.files import write_atomic
from aipack_compat.lua.api.file.records import file_info
from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, Multi, expect_string
from aipack_compat.lua.ports.change_blocks import ChangesOutcome, MalformedChanges, apply_changes


SAVE_CHANGES_RETURNS_INFO_SINCE = (0, 7, 17)  # `A:b8e71194`: FileInfo returned (nothing before)
SAVE_CHANGES_RETURNS_CHANGES_SINCE = (0, 8, 8)  # `A:12a7da19`: FileInfo, ChangesInfo


def save_changes(host: ApiHost, rel_path: Any, changes: Any) -> Any:
    """`A:src/script/aip_modules/aip_file/file_change.rs@952ad06e`: SEARCH/REPLACE blocks applied to
    the file (or the whole content replaced, see `ports/change_blocks.py`), written back."""
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
        write_atomic(full_path, outcome.content, force=True)
    except OSError as exc:
        raise ApiError(f"Fail to save file {rel_path}.\nCause {exc}") from None
    host.emit("file_save", os.path.relpath(full_path, host.workspace_dir))
    if host.aip_version < SAVE_CHANGES_RETURNS_INFO_SINCE:
        return None
    info = file_info(host, rel_path, full_path)
    if host.aip_version < SAVE_CHANGES_RETURNS_CHANGES_SINCE:
        return info
    return Multi((info, outcome.info_table()))


FUNCTIONS: dict[str, ApiFunction] = {"save_changes": ApiFunction(save_changes)}
