"""Static support check: aip.* calls in an agent's Lua stages that aipack-compat cannot run.

Used by `validate` (through `checker.py`) and `migrate`. Pure and light: scanning is a small Lua
lexer in `aipack_compat.lua.support`; nothing is executed and lupa is not imported.
"""

from __future__ import annotations

from aipack_compat.model.diagnostic import Diagnostic
from aipack_compat.rules.agt import AIP_FUNCTION_OUTPUT_MAY_DIFFER, UNSUPPORTED_AIP_FUNCTION

_UNSUPPORTED_HINT = "see docs/lua-api.md for the supported functions; keep this job on `aip` or rewrite the call"
_STAGE_TITLES = {"before_all": "# Before All", "data": "# Data", "output": "# Output", "after_all": "# After All"}


def check_lua_support(path: str, stages: dict[str, tuple[str, int]]) -> list[Diagnostic]:
    """Diagnostics for unsupported aip.* references; `stages` maps stage -> (code, first code line)."""
    from aipack_compat.lua.support import (
        APPROXIMATE_FUNCTIONS, approximate_calls, canonical_name, unsupported_calls,
    )

    found: list[Diagnostic] = []
    for stage, (code, first_line) in stages.items():
        if not code:
            continue
        title = _STAGE_TITLES.get(stage, stage)
        for call in unsupported_calls(code, first_line):
            found.append(
                UNSUPPORTED_AIP_FUNCTION.diagnostic(
                    path,
                    f"`{call.name}` ({title}) is not supported by aipack-compat's Lua runtime",
                    line=call.line,
                    column=call.column,
                    end_column=call.column + len(call.name),
                    hint=_UNSUPPORTED_HINT,
                )
            )
        for call in approximate_calls(code, first_line):
            found.append(
                AIP_FUNCTION_OUTPUT_MAY_DIFFER.diagnostic(
                    path,
                    f"`{call.name}` ({title}) is supported, but its output may differ from aip's",
                    line=call.line,
                    column=call.column,
                    end_column=call.column + len(call.name),
                    hint=APPROXIMATE_FUNCTIONS[canonical_name(call.name)],
                )
            )
    return found
