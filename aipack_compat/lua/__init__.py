"""Lua stage runtime (lupa, Lua 5.4 as aip embeds it through mlua) and the Python-backed aip.* API.

`stages.StageRunner` runs an agent's `# Before All` / `# Data` / `# Output` / `# After All` code,
with the `aip` table `registry` builds from the bindings in `api/` (which call `ports/` for what
aip gets from its crates); `support` lists what the API covers and scans Lua source for calls it
does not (no lupa needed).
"""
