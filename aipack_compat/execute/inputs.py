"""`-f` globs and `-i` strings -> the task inputs, exactly as aip builds them (aipack-spec.md §3.8).

- `-i` values are strings, never decoded (A:src/exec/exec_cmd_run.rs@952ad06e).
- `-f`: a value with no `*` that does not start with `./` or `/` is widened to `**/<value>`
  (A:src/run/run_types/run_top_agent_params.rs@952ad06e, since 0.0.2); globs are listed from the
  command's directory; each file becomes a record with its path relative to the workspace root
  (pathdiff: files outside come out as `../…`); the record's fields depend on the aip version.
- no flag: inputs are absent (`None`), which is not the same as an empty list (§3.9).
"""

from __future__ import annotations

import glob
import mimetypes
import os
from pathlib import Path
from typing import Any

from aipack_compat.model.eras import LUA_DEVAI
from aipack_compat.model.job import InputSpec
from aipack_compat.model.versions import at_least

# Extensions aip's `is_likely_text` treats as text beyond `text/*` mime types (0.8.18+,
# A:src/types/file_info.rs@54e2ba0d); an approximation of its mime-based check.
_TEXT_EXTENSIONS = {
    "md", "txt", "aip", "toml", "json", "yaml", "yml", "lua", "rs", "py", "js", "ts", "tsx", "jsx",
    "html", "css", "csv", "xml", "sh", "c", "h", "cpp", "go", "java", "rb", "sql", "ini", "cfg",
}


def widen_glob(value: str) -> str:
    """aip's rule: a bare name (no `*`, no `./` or `/` prefix) matches at any depth."""
    if "*" not in value and not value.startswith(("./", "/")):
        return f"**/{value}"
    return value


def list_files(globs: list[str], cwd: Path) -> list[Path]:
    """Files matched by the globs from `cwd`, first occurrence kept, each glob's matches sorted."""
    seen: dict[str, Path] = {}
    for value in globs:
        pattern = widen_glob(value)
        if os.path.isabs(pattern):
            matches = glob.glob(pattern, recursive=True)
        else:
            matches = [os.path.join(cwd, m) for m in glob.glob(pattern, root_dir=cwd, recursive=True)]
        for match in sorted(matches):
            try:
                resolved = Path(match).resolve(strict=True)
            except OSError:
                continue  # aip drops entries it cannot canonicalize (0.5.4+, A:src/exec/exec_run.rs@6f90adb7)
            if resolved.is_file():
                seen.setdefault(str(resolved), resolved)
    return list(seen.values())


def file_record(path: Path, workspace_root: Path, aip_version: str) -> dict[str, Any]:
    """The FileRef / FileMeta / FileInfo object for one `-f` match, per era (§3.8 table)."""
    relative = os.path.relpath(path, workspace_root).replace(os.sep, "/")
    name = path.name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    record: dict[str, Any] = {"path": relative}
    if at_least(aip_version, "0.5.10"):
        record["dir"] = relative.rpartition("/")[0]
    record.update(name=name, stem=stem, ext=ext)
    if at_least(aip_version, "0.7.7"):
        info = path.stat()
        created = getattr(info, "st_birthtime", info.st_ctime)
        # epoch microseconds, despite the "seconds" comment in aip (A:src/types/file_info.rs)
        if at_least(aip_version, "0.7.15"):
            record["ctime"] = int(created * 1_000_000)
            record["mtime"] = int(info.st_mtime * 1_000_000)
        else:
            record["created_epoch_us"] = int(created * 1_000_000)
            record["modified_epoch_us"] = int(info.st_mtime * 1_000_000)
        record["size"] = info.st_size
    if at_least(aip_version, "0.8.18"):
        mime = mimetypes.guess_type(name)[0] or ""
        record["is_likely_text"] = mime.startswith("text/") or ext.lower() in _TEXT_EXTENSIONS
    if at_least(aip_version, "0.7.19"):
        record["_type"] = "FileInfo"
        record["_display"] = relative  # added by run_agent (A:src/run/run_agent.rs@9da5b4a5)
    return record


def resolve_inputs(spec: InputSpec, cwd: Path, workspace_root: Path, aip_version: str) -> list[Any] | None:
    """The inputs of one run: None when absent, else a (possibly empty) list."""
    if spec.kind == "literals":
        return list(spec.values)
    if spec.kind == "files":
        return [file_record(path, workspace_root, aip_version) for path in list_files(spec.globs, cwd)]
    return None


def task_inputs(inputs: list[Any] | None, has_task_stage: bool, aip_version: str) -> list[Any]:
    """How many tasks run, and on what (aipack-spec.md §3.9)."""
    if not at_least(aip_version, LUA_DEVAI):
        return [None] if inputs is None else list(inputs)
    if not at_least(aip_version, "0.7.17"):
        # 0.5.0-0.7.16: absent -> one nil task; an empty list -> zero tasks.
        return [None] if inputs is None else list(inputs)
    # 0.7.17+: tasks run when inputs are non-empty or the agent has a task stage; then absent or
    # empty inputs give one nil task (A:src/run/run_agent.rs@952ad06e, commit 4a3bf9a2).
    if inputs:
        return list(inputs)
    return [None] if has_task_stage else []
