"""Rewrite legacy config shapes into the current `[options]` table, keeping comments (tomlkit).

Shapes and their lifetimes: aipack-spec §1.5. `[genai] model/temperature` and `[runtime]
input_concurrency` were read up to 0.7.9 (fallback from 0.5.10) and are ignored silently since
0.7.10; `[runtime] items_concurrency` was read only by devai 0.0.x – 0.1.0; `[default_options]`
is soft-deprecated since 0.7.10 and `[default-options]` is refused since 0.5.10.
"""

from __future__ import annotations

import difflib
import posixpath
from dataclasses import dataclass, field
from typing import Any

# legacy table -> {legacy key: current key}
LEGACY_KEYS: dict[str, dict[str, str]] = {
    "genai": {"model": "model", "temperature": "temperature"},
    "runtime": {"input_concurrency": "input_concurrency", "items_concurrency": "input_concurrency",
                "inputs_concurrency": "input_concurrency"},
}
RENAMED_TABLES = ("default_options", "default-options")


@dataclass(slots=True)
class Upgrade:
    text: str  # the upgraded text (equal to the input when nothing changed)
    changes: list[str] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)  # things we do not rewrite ourselves

    @property
    def changed(self) -> bool:
        return bool(self.changes)


class UpgradeFailure(Exception):
    """The file is not valid TOML; the message names the location."""


def upgrade_config_text(path: str, text: str) -> Upgrade:
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        document = tomlkit.parse(text)
    except ParseError as exc:
        raise UpgradeFailure(f"{path}:{exc.line}:{exc.col}: not valid TOML ({str(exc).split(' at line')[0]})") from exc
    upgrade = Upgrade(text)
    _layout_advice(path, upgrade)
    has_options = "options" in document
    legacy_tables = [name for name in (*RENAMED_TABLES, "genai", "runtime") if name in document]
    if not legacy_tables:
        _top_level_aliases_advice(document, upgrade)
        return upgrade
    if has_options and any(name in RENAMED_TABLES for name in legacy_tables):
        upgrade.advice.append("[default_options] is ignored when [options] exists (aip never merges them); "
                              "merge its keys by hand if you rely on them")
        legacy_tables = [name for name in legacy_tables if name not in RENAMED_TABLES]
    if not legacy_tables:
        return upgrade
    if has_options:
        upgrade.advice.append("[genai]/[runtime] are not read when [options] exists in aip 0.5.10+; left as they are")
        _top_level_aliases_advice(document, upgrade)
        return upgrade
    rebuilt = _rebuild(document, legacy_tables, upgrade)
    _top_level_aliases_advice(document, upgrade)
    upgrade.text = tomlkit.dumps(rebuilt)
    return upgrade


def _rebuild(document: Any, legacy_tables: list[str], upgrade: Upgrade) -> Any:
    """A new document: the first legacy table's position gets `[options]`, the rest keep their place."""
    import tomlkit

    options = tomlkit.table()
    rebuilt = tomlkit.document()
    placed = False
    for key, item in document.body:
        name = key.key if key is not None else None
        if name not in legacy_tables:
            if key is None:
                rebuilt.body.append((None, item))
            else:
                rebuilt.append(key, item)
            continue
        _move_into(options, name, item, upgrade)
        if not placed:
            rebuilt.append("options", options)
            placed = True
    return rebuilt


def _move_into(options: Any, table_name: str, table: Any, upgrade: Upgrade) -> None:
    import tomlkit

    renames = LEGACY_KEYS.get(table_name)
    for key, item in table.value.body:
        if key is None:
            options.add(item)  # comments and blank lines travel with the keys they describe
            continue
        legacy = key.key
        if renames is None:  # [default_options] / [default-options]: same keys, new table name
            options.append(legacy, item)
            continue
        current = renames.get(legacy)
        if current is None:
            options.add(tomlkit.comment(f"{legacy} = {item.as_string().strip()}  (was [{table_name}] {legacy}; aip never read it)"))
            upgrade.changes.append(f"[{table_name}] {legacy}: unknown to aip, kept as a comment")
            continue
        if current in options:
            upgrade.changes.append(f"[{table_name}] {legacy}: dropped, options.{current} is already set")
            continue
        options.append(current, item)
        upgrade.changes.append(f"[{table_name}] {legacy} -> [options] {current}")
    if renames is None:
        upgrade.changes.append(f"[{table_name}] -> [options]")


def _layout_advice(path: str, upgrade: Upgrade) -> None:
    normalized = path.replace("\\", "/")
    if posixpath.basename(posixpath.dirname(normalized)) == ".devai":
        upgrade.advice.append("aip 0.6+ never reads .devai/: move this file to .aipack/config.toml "
                              "(and agents from .devai/customs|defaults or *.devai to *.aip files)")


def _top_level_aliases_advice(document: Any, upgrade: Upgrade) -> None:
    if "model_aliases" in document:
        upgrade.advice.append("top-level [model_aliases] is ignored by aip; it must be [options.model_aliases] "
                              "(not moved automatically: moving it changes which model runs)")


def unified_diff(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=f"a/{path}", tofile=f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
