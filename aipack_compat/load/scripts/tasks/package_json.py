"""package.json `scripts`: each value is one shell line, run by npm as `sh -c` from the package.json's
directory (npm docs, "scripts"); `pre`/`post` hooks are ordinary entries. Only scripts that name
`aip`/`devai` (themselves or through `npm run X`) are scanned.
"""

from __future__ import annotations

import posixpath
import re

from aipack_compat.load.scripts.core.aip_argv import mentions_aip
from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.scope import initial_scope
from aipack_compat.load.scripts.core.source_map import MappedText, SourceIndex, scan_mapped
from aipack_compat.load.scripts.shell.scanner import scan_shell
from aipack_compat.load.scripts.tasks.json_source import compose_json, problem_at
from aipack_compat.load.scripts.tasks.jsonc import JObject, JString


def scan_package_json(collector: Collector, text: str, path: str) -> None:
    source = SourceIndex(text)
    document = compose_json(collector, text, source, "package.json")
    if document is None:
        return
    if not isinstance(document, JObject):
        problem_at(collector, source, document, "package.json: the top level is not an object")
        return
    scripts = document.get("scripts")
    if scripts is None:
        return
    if not isinstance(scripts, JObject):
        problem_at(collector, source, scripts, "package.json: `scripts` is not an object")
        return
    commands: dict[str, JString] = {}
    for key, member in scripts.members:
        if not isinstance(member, JString):
            problem_at(collector, source, member, f"package.json: script `{key.value}` is not a string")
            continue
        commands[key.value] = member
    for name, value in commands.items():
        mapped = MappedText()
        _add_with_npm_runs(mapped, value, commands, {name})
        if not mentions_aip(mapped.text):
            continue
        scope = initial_scope(path, posixpath.dirname(path))
        scan_mapped(collector, mapped, source, lambda text: scan_shell(collector, text, path, scope=scope))


# `npm run NAME`, `npm run-script NAME`, `yarn [run] NAME`, `pnpm [run] NAME`: another script of this file
_NPM_RUN = re.compile(r"\b(?:npm\s+(?:run|run-script)|yarn(?:\s+run)?|pnpm(?:\s+run)?)\s+([\w:.@/-]+)")


def _add_with_npm_runs(mapped: MappedText, value: JString, commands: dict[str, JString], active: set[str]) -> None:
    """The script's command line, with each `npm run X` replaced by X's own line in a subshell (X's
    characters keep their own positions), so a chain like `npm run set:llama && npm run eval` is one
    script: the config rewrite in one step reaches the run in the next."""
    position = 0
    text = value.value
    for match in _NPM_RUN.finditer(text):
        target = commands.get(match.group(1))
        if target is None or match.group(1) in active or len(active) > 8:
            continue
        mapped.add_mapped(text[position:match.start()], value.offsets[position:match.start()])
        mapped.add_generated("( ", value.offsets[match.start()] if match.start() < len(value.offsets) else value.start)
        _add_with_npm_runs(mapped, target, commands, active | {match.group(1)})
        mapped.add_generated(" )", value.offsets[match.end() - 1] if match.end() - 1 < len(value.offsets) else value.start)
        position = match.end()
    mapped.add_mapped(text[position:], value.offsets[position:])
