"""aip.file HTML helpers (`A:src/script/aip_modules/aip_file/file_html.rs@952ad06e`), on
`ports/htmlr.py` as aip.html. Reads are confined like `load`; writes go through `check_write`
like `save` (aip itself writes these without its save-protection check: we stay within the
workspace regardless).
"""

from __future__ import annotations

import os
from typing import Any

from aipack_compat.files import write_atomic
from aipack_compat.lua.api.file.records import file_info, read_workspace_text
from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost
from aipack_compat.lua.ports.htmlr import html_to_md, slim_html


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
        default_name = f"{stem}{default_suffix or ''}.{target_ext}"
        return os.path.join(parent, default_name) if parent else default_name
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
        write_atomic(full_dest, content, force=True)
    except OSError as exc:
        raise ApiError(f"Failed to write {what} file '{rel_dest}'.\nCause: {exc}") from None
    host.emit("file_save", os.path.relpath(full_dest, host.workspace_dir))
    return file_info(host, rel_dest, full_dest)


def save_html_to_slim(host: ApiHost, html_path: Any, dest: Any = None) -> dict[str, Any]:
    rel_src, html = _read_html(host, html_path, "aip.file.save_html_to_slim")
    rel_dest = _dest_path(rel_src, dest, "html", "-slim")
    return _save_derived(host, rel_dest, slim_html(html), "slimmed HTML")


def save_html_to_md(host: ApiHost, html_path: Any, dest: Any = None) -> dict[str, Any]:
    rel_src, html = _read_html(host, html_path, "aip.file.save_html_to_md")
    rel_dest = _dest_path(rel_src, dest, "md", None)
    slim = host.aip_version >= SAVE_HTML_TO_MD_SLIMS_SINCE
    if isinstance(dest, dict) and isinstance(dest.get("slim"), bool):
        slim = dest["slim"]
    return _save_derived(host, rel_dest, html_to_md(slim_html(html) if slim else html), "Markdown")


def load_html_as_slim(host: ApiHost, html_path: Any) -> str:
    return slim_html(_read_html(host, html_path, "aip.file.load_html_as_slim")[1])


def load_html_as_md(host: ApiHost, html_path: Any, options: Any = None) -> str:
    html = _read_html(host, html_path, "aip.file.load_html_as_md")[1]
    opts = options if isinstance(options, dict) else {}
    trim = opts.get("trim") if isinstance(opts.get("trim"), bool) else opts.get("slim")
    return html_to_md(slim_html(html) if trim is not False else html)


FUNCTIONS: dict[str, ApiFunction] = {
    "save_html_to_slim": ApiFunction(save_html_to_slim),
    "save_html_to_md": ApiFunction(save_html_to_md),
    "load_html_as_slim": ApiFunction(load_html_as_slim),
    "load_html_as_md": ApiFunction(load_html_as_md),
}
