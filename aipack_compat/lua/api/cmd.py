"""aip.cmd.* (`A:src/script/aip_modules/aip_cmd.rs@952ad06e`).

`exec` runs a program as the user, as aip does; `ApiHost.allow_commands = False` refuses it.
"""

from __future__ import annotations

import subprocess
from typing import Any

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, expect_string, strings_of


def exec_command(host: ApiHost, command: Any, args: Any = None, options: Any = None) -> dict[str, Any]:
    """Runs the program directly (no shell), like aip's `cross_command`; cwd defaults to the workspace."""
    command = expect_string(command, "aip.cmd.exec", "cmd_name")
    if not host.allow_commands:
        raise ApiError(f"aip.cmd.exec is disabled for this run (would execute: {command})")
    argv = [command, *(strings_of(args, "command args") if args is not None else [])]
    cwd = host.workspace_dir
    if isinstance(options, dict) and isinstance(options.get("cwd"), str):
        cwd = host.resolve(options["cwd"])
    try:
        completed = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=600, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ApiError(f"Fail to execute: {' '.join(argv)}\nWorking directory: {cwd}\nCause:\n{exc}") from None
    return {
        "stdout": completed.stdout.decode("utf-8", errors="replace"),
        "stderr": completed.stderr.decode("utf-8", errors="replace"),
        "exit": completed.returncode if completed.returncode >= 0 else -1,
    }


FUNCTIONS: dict[str, ApiFunction] = {"exec": ApiFunction(exec_command)}
