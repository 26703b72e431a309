"""aip.udiffx.* (`A:src/script/aip_modules/aip_udiffx.rs@952ad06e`), on our port of the udiffx crate
(`ports/udiffx/`); the file-system side (guards, reads, writes) is here.

- `apply_file_changes(content, base_dir?, {extrude = "content"}?)` -> status[, remaining]: the first
  FILE_CHANGES envelope (syntax per era, see `ports/udiffx/tags.py`) applied under `base_dir` (workspace-
  relative, "" or nil = the workspace). The status table is aip's `IntoLua for W<ApplyChangesStatus>`:
  success/total_count/success_count/fail_count/items{file_path, kind, success, error_msg?,
  error_hunks?{hunk_body, cause}} (error_hunks from aip 0.8.21, `A:5c781a63`).
- `load_files_context(globs, {base_dir?, absolute?}?)` -> `<FILE_CONTENT path="..">` blocks or nil.
- `file_changes_instruction()` -> the crate's LLM instructions (`udiffx::prompt_file_changes`).

Paths stay inside the base dir or the workspace (udiffx `fs_guard` with aip's
`SecurityPolicy::trusted_cwd()`, the workspace standing for aip's cwd), checked component-wise and
through symlinks; every write goes through `files.write_atomic`.
"""

from __future__ import annotations

import glob
import os
import shutil
from typing import Any

from aipack_compat.files import write_atomic
from aipack_compat.lua.api.file.records import list_files
from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, Multi, expect_string, strings_of
from aipack_compat.lua.ports.udiffx.hunks import apply_patch
from aipack_compat.lua.ports.udiffx.prompt import fallback_instruction
from aipack_compat.lua.ports.udiffx.tags import Directive, Version, extract_file_changes

ERROR_HUNKS_SINCE: Version = (0, 8, 21)

# aip's pinned udiffx requirement per era (aip Cargo.toml at each tag); the prompt text is the crate's.
_UDIFFX_REQUIREMENT: tuple[tuple[Version, Version], ...] = (
    ((0, 8, 32), (0, 3, 0)), ((0, 8, 31), (0, 3, 0)), ((0, 8, 29), (0, 2, 2)), ((0, 8, 28), (0, 2, 1)),
    ((0, 8, 27), (0, 2, 0)), ((0, 8, 24), (0, 1, 43)), ((0, 8, 23), (0, 1, 41)), ((0, 8, 22), (0, 1, 40)),
    ((0, 8, 20), (0, 1, 32)), ((0, 8, 19), (0, 1, 24)), ((0, 8, 18), (0, 1, 19)), ((0, 8, 17), (0, 1, 17)),
)
_KIND_NAMES = {
    "FILE_NEW": "New", "FILE_PATCH": "Patch", "FILE_APPEND": "Append", "FILE_COPY": "Copy",
    "FILE_RENAME": "Rename", "FILE_DELETE": "Delete",
}


class _DirectiveFailure(Exception):
    """One directive failed; the message is udiffx's error display."""


def _io_cause(exc: OSError) -> str:
    """Rust's `io::Error` display: `<description> (os error N)`."""
    return f"{exc.strerror} (os error {exc.errno})" if exc.errno is not None and exc.strerror else str(exc)


def _within(path: str, root: str) -> bool:
    root = root.rstrip(os.sep) or os.sep
    return path == root or path.startswith(root + os.sep) or root == os.sep


class _Applier:
    """udiffx `apply_file_changes` for one call: `base` is absolute, inside the workspace."""

    def __init__(self, host: ApiHost, base: str) -> None:
        self.host = host
        self.base = base
        self.workspace = os.path.normpath(host.workspace_dir)

    def guarded(self, relative: str) -> str:
        """`base_dir.join(path)`, refused outside the base dir or the workspace (udiffx `fs_guard`)."""
        joined = os.path.join(self.base, relative)
        collapsed = os.path.normpath(joined)
        if not (_within(collapsed, self.base) or _within(collapsed, self.workspace)):
            raise _DirectiveFailure(f"Security violation, target '{joined}' is outside base dir '{self.base}'")
        try:
            self.host.check_write(collapsed)  # symlinks resolved: a link out of the workspace is refused too
        except ApiError as exc:
            raise _DirectiveFailure(str(exc)) from None
        return collapsed

    def read_text(self, full_path: str, relative: str) -> str:
        """simple_fs `read_to_string`, its errors shown with the joined (uncollapsed) path as udiffx does."""
        shown = os.path.join(self.base, relative)
        if not os.path.isfile(full_path):
            raise _DirectiveFailure(f"simple_fs error: File not found at path: '{shown}'")
        try:
            with open(full_path, encoding="utf-8", newline="") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            cause = _io_cause(exc) if isinstance(exc, OSError) else "stream did not contain valid UTF-8"
            raise _DirectiveFailure(f"simple_fs error: Cannot read path '{shown}'\nCause: {cause}") from None

    def write(self, full_path: str, content: str | bytes, creating: bool) -> None:
        try:
            write_atomic(full_path, content, force=True)
        except OSError as exc:
            what = "Create" if creating else "Write"
            raise _DirectiveFailure(f"{what} file failed: {full_path}, cause: {_io_cause(exc)}") from None
        self.host.emit("file_save", os.path.relpath(full_path, self.workspace))

    def apply(self, directive: Directive, item: dict[str, Any]) -> None:
        if directive.error_msg is not None:
            raise _DirectiveFailure(directive.error_msg)
        handler = getattr(self, "_" + directive.kind.lower())
        handler(directive, item)

    def _file_new(self, directive: Directive, item: dict[str, Any]) -> None:
        full_path = self.guarded(directive.file_path or "")
        exists = os.path.exists(full_path)
        if exists and self.read_text(full_path, directive.file_path or "") == directive.content:
            raise _DirectiveFailure(f"No changes applied to '{directive.file_path}'")
        self.write(full_path, directive.content, creating=not exists)

    def _file_patch(self, directive: Directive, item: dict[str, Any]) -> None:
        full_path = self.guarded(directive.file_path or "")
        exists = os.path.exists(full_path)
        original = self.read_text(full_path, directive.file_path or "") if exists else ""
        result = apply_patch(original, directive.content)
        item["error_hunks"] = [{"hunk_body": body, "cause": cause} for body, cause in result.hunk_errors]
        if result.new_content == original and exists:
            raise _DirectiveFailure(f"No changes applied to '{directive.file_path}'")
        self.write(full_path, result.new_content, creating=not exists)
        if result.hunk_errors:
            raise _DirectiveFailure(
                f"{len(result.hunk_errors)} of {result.total_hunks} hunks failed to apply for '{directive.file_path}'"
            )

    def _file_append(self, directive: Directive, item: dict[str, Any]) -> None:
        full_path = self.guarded(directive.file_path or "")
        if not directive.content:
            raise _DirectiveFailure(f"No changes applied to '{directive.file_path}'")
        exists = os.path.exists(full_path)
        existing = self.read_text(full_path, directive.file_path or "") if exists else ""
        self.write(full_path, existing + directive.content, creating=False)

    def _file_copy(self, directive: Directive, item: dict[str, Any]) -> None:
        source, target = self.guarded(directive.from_path or ""), self.guarded(directive.to_path or "")
        if not os.path.exists(source):
            raise _DirectiveFailure(f"Path not found for copy source: {directive.from_path}")
        if os.path.isdir(source):
            raise _DirectiveFailure(f"copy source is not a file: {directive.from_path}")
        try:
            with open(source, "rb") as handle:
                payload = handle.read()
        except OSError as exc:
            raise _DirectiveFailure(f"Read file failed: {source}, cause: {_io_cause(exc)}") from None
        self.write(target, payload, creating=False)

    def _file_rename(self, directive: Directive, item: dict[str, Any]) -> None:
        source, target = self.guarded(directive.from_path or ""), self.guarded(directive.to_path or "")
        if not os.path.exists(source):
            raise _DirectiveFailure(f"Path not found for rename source: {directive.from_path}")
        self._refuse_root(source, directive.from_path or "")
        try:
            os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
            os.rename(source, target)
        except OSError as exc:
            raise _DirectiveFailure(f"Rename path failed: {source} -> {target}, cause: {_io_cause(exc)}") from None

    def _file_delete(self, directive: Directive, item: dict[str, Any]) -> None:
        # udiffx moves the path to the trash without a guard; we delete, inside the guard only.
        full_path = self.guarded(directive.file_path or "")
        if not os.path.lexists(full_path):
            raise _DirectiveFailure(f"Path not found for delete: {directive.file_path}")
        self._refuse_root(full_path, directive.file_path or "")
        try:
            if os.path.isdir(full_path) and not os.path.islink(full_path):
                shutil.rmtree(full_path)
            else:
                os.remove(full_path)
        except OSError as exc:
            kind = "Delete dir failed" if os.path.isdir(full_path) else "Delete file failed"
            raise _DirectiveFailure(f"{kind}: {full_path}, cause: {_io_cause(exc)}") from None

    def _refuse_root(self, full_path: str, shown: str) -> None:
        if full_path in (self.base, self.workspace):
            raise _DirectiveFailure(f"Security violation, target '{shown}' is the base dir '{self.base}' itself")


def _status_table(items: list[dict[str, Any]]) -> dict[str, Any]:
    fail_count = sum(1 for item in items if not item["success"])
    return {
        "success": fail_count == 0,
        "total_count": len(items),
        "success_count": len(items) - fail_count,
        "fail_count": fail_count,
        "items": items,
    }


def apply_file_changes(host: ApiHost, content: Any, base_dir: Any = None, options: Any = None) -> Any:
    content = expect_string(content, "aip.udiffx.apply_file_changes", "content")
    if base_dir is not None:
        base_dir = expect_string(base_dir, "aip.udiffx.apply_file_changes", "base_dir")
    extrude = options.get("extrude") if isinstance(options, dict) else None
    if extrude is not None and extrude != "content":
        raise ApiError("md_extract_blocks extrude must be = to 'content' for now")  # aip's shared Extrude message
    directives, remaining = extract_file_changes(content, extrude == "content", host.aip_version)
    base = host.resolve(base_dir or "")
    workspace = os.path.normpath(host.workspace_dir)
    if not _within(base, workspace):
        raise ApiError(f"Security violation, target '{base}' is outside base dir '{workspace}'")
    applier = _Applier(host, base)
    items: list[dict[str, Any]] = []
    for directive in directives:
        kind = _KIND_NAMES[directive.kind] if directive.error_msg is None else "Fail"
        item: dict[str, Any] = {"file_path": "unknown" if directive.file_path is None else directive.file_path, "kind": kind, "success": False}
        try:
            applier.apply(directive, item)
            item["success"] = True
        except _DirectiveFailure as failure:
            item["error_msg"] = str(failure)
        if not item.get("error_hunks") or host.aip_version < ERROR_HUNKS_SINCE:
            item.pop("error_hunks", None)
        items.append(item)
    status = _status_table(items)
    return Multi((status, remaining or "")) if remaining is not None else status


def load_files_context(host: ApiHost, include_globs: Any, options: Any = None) -> str | None:
    qualified = "aip.udiffx.load_files_context"
    opts = options if isinstance(options, dict) else {}
    base_dir = opts.get("base_dir")
    if base_dir is not None and not isinstance(base_dir, str):
        raise ApiError(f"{qualified} options.base_dir must be of type string is present")
    files = list_files(host, strings_of(include_globs, qualified), base_dir, bool(opts.get("absolute", False)))
    blocks: list[str] = []
    for shown, full_path in files:
        try:
            with open(full_path, encoding="utf-8", newline="") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise ApiError(f"{qualified} failed to read '{shown}'.\nCause: {exc}") from None
        blocks.append(f'<FILE_CONTENT path="{shown}">\n{text}{"" if text.endswith(chr(10)) else chr(10)}</FILE_CONTENT>\n')
    return "\n".join(blocks) if blocks else None


def udiffx_requirement(version: Version) -> Version:
    return next((crate for since, crate in _UDIFFX_REQUIREMENT if version >= since), _UDIFFX_REQUIREMENT[-1][1])


def installed_crate_prompt(requirement: Version) -> str | None:
    """The crate's own `src/prompt/prompt-file-changes.md` from this machine's cargo registry, if
    a semver-compatible udiffx (>= the requirement, same 0.minor) is there. Read, never copied."""
    cargo_home = os.environ.get("CARGO_HOME") or os.path.join(os.path.expanduser("~"), ".cargo")
    best: tuple[Version, str] | None = None
    for directory in glob.glob(os.path.join(cargo_home, "registry", "src", "*", "udiffx-*")):
        core = os.path.basename(directory)[len("udiffx-") :].split("-")[0].split("+")[0]
        try:
            found = tuple(int(part) for part in core.split("."))
        except ValueError:
            continue
        if len(found) != 3 or found[:2] != requirement[:2] or found < requirement:
            continue
        prompt = os.path.join(directory, "src", "prompt", "prompt-file-changes.md")
        if os.path.isfile(prompt) and (best is None or found > best[0]):
            best = (found, prompt)
    if best is None:
        return None
    with open(best[1], encoding="utf-8") as handle:
        return handle.read()


def file_changes_instruction(host: ApiHost) -> str:
    return installed_crate_prompt(udiffx_requirement(host.aip_version)) or fallback_instruction(host.aip_version)


FUNCTIONS: dict[str, ApiFunction] = {
    "apply_file_changes": ApiFunction(apply_file_changes),
    "load_files_context": ApiFunction(load_files_context),
    "file_changes_instruction": ApiFunction(file_changes_instruction),
}
