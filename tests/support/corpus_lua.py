"""The Lua a corpus agent runs: its stages plus the `lua/` modules it requires, transitively."""

from __future__ import annotations

import re
from pathlib import Path

from aipack_compat.load.agent import parse_agent

REQUIRE = re.compile(r"""require\s*\(?\s*["']([\w./-]+)["']""")


def lua_dirs(agent: Path, corpus: Path) -> list[Path]:
    """The agent's dir and its pack's dir (nearest ancestor with pack.toml), as the runtime's `require`."""
    dirs = [agent.parent]
    for parent in agent.parents:
        if parent == corpus or corpus not in parent.parents:
            break
        if (parent / "pack.toml").is_file():
            dirs.append(parent)
            break
    return dirs


def agent_lua_sources(agent: Path, corpus: Path) -> list[str]:
    document = parse_agent(str(agent), agent.read_text(encoding="utf-8"))
    sources = [stage.code for stage in document.stages.values() if stage.code]
    seen: set[Path] = set()
    index = 0
    while index < len(sources):
        for name in REQUIRE.findall(sources[index]):
            relative = name.replace(".", "/")
            for base in lua_dirs(agent, corpus):
                for candidate in (base / "lua" / f"{relative}.lua", base / "lua" / relative / "init.lua"):
                    if candidate.is_file() and candidate not in seen:
                        seen.add(candidate)
                        sources.append(candidate.read_text(encoding="utf-8"))
        index += 1
    return sources
