"""An `aip run` the shell walk meets, recorded with what its context tells the user.

The notes say where the job differs from the script: a run repeated by a `while`/`until` loop,
run only in one branch, after the scanner took a default for an unset variable, fed a here-doc,
or given an unquoted `-f` glob the shell expands (unquoted_globs.py).
"""

from __future__ import annotations

import re
from typing import Any

from aipack_compat.load.scripts.core.aip_argv import ParsedRun
from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.records import PendingRun
from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE, Scope, Value
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.redirects import Redirects
from aipack_compat.load.scripts.shell.unquoted_globs import unquoted_file_globs, unquoted_notes
from aipack_compat.load.scripts.shell.words import node_text


def record_run(scanner: ScannerProtocol, node: Any, parsed: ParsedRun, scope: Scope, redirects: Redirects,
               env: dict[str, Value], timeout: float | None) -> None:
    notes = [redirects.note] if redirects.note else []
    if scanner.repeating:
        notes.append(f"inside `{scanner.repeating[-1]}`, which the script repeats while its condition holds "
                     "(or retries until it does): the job runs it once, with the executor's retries")
    notes.extend(scanner.assumptions)
    if scanner.branches:
        notes.append(f"the script runs this only {'; and '.join(scanner.branches)}; the job always runs "
                     "(`run --job NAME` picks jobs)")
    if redirects.heredoc_set:
        notes.append("stdin fed from a here-doc (aip does not read stdin)")
    unquoted = unquoted_file_globs(scanner.words, node, scope)
    notes.extend(unquoted_notes(unquoted))
    exported = {k: v for k, v in scope.exported.items() if v is not None}
    collector = scanner.collector
    collector.add_run(PendingRun(
        location=scanner.where(node),
        command_text=_shown(collector, " ".join(node_text(node).replace("\\\n", " ").split()))[:240],
        parsed=parsed,
        cwd=scope.cwd,
        env={**exported, **env},
        timeout_seconds=timeout,
        stdout=redirects.stdout,
        stdout_redirected=redirects.stdout_set,
        stderr=redirects.stderr,
        stderr_redirected=redirects.stderr_set,
        append=redirects.append,
        frames=list(collector.frames),
        rewrites=list(collector.active_rewrites),
        notes=notes,
        unquoted_globs=unquoted,
    ))


def _shown(collector: Collector, text: str) -> str:
    """Command text for the report: a loop value pasted into a string (`sh -c`, `parallel '…{}'`) shows
    as the variable it stands for, never as the scanner's internal token."""
    return LOOP_TOKEN_RE.sub(lambda match: _display_token(collector, match), text)


def _display_token(collector: Collector, match: re.Match[str]) -> str:
    frame = collector.frames[int(match.group(1)) - 1]
    return frame.variable if frame.variable.startswith("{") else f"${frame.variable}"
