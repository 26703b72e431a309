"""`continue` and `break` in a `for` loop: which values reach the runs inside it.

    for m in a b c; do [ "$m" = b ] && continue; …            (b is skipped: the matrix has a and c)
    for f in prompts/*.md; do [[ $f == *draft* ]] && continue; …   (no single glob says that: reported)
    for f in prompts/*.md; do [ -f "$f" ] || continue; …      (the no-match guard: what the job does anyway)
    for m in a b c; do aip run … || break; done                (stops at the first failure: noted)

Static skip tests are evaluated on known values as for `while read` lists (filters.py). A
loop over file globs cannot drop single files, so a skip test there leaves its values unknown,
except the existence guard scripts put around a glob that may match nothing. A `break` that only
follows a failing run is noted (the job runs every value); any other `continue`/`break` leaves
the values unknown, never guessed.
"""

from __future__ import annotations

import re
from typing import Any

from aipack_compat.load.scripts.core.records import LoopFrame, has_glob_value, loop_header
from aipack_compat.load.scripts.core.scope import Scope
from aipack_compat.load.scripts.shell.loops.filters import skip_tests
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.words import node_text

_RUNNERS = ("aip", "devai")


def apply_skips(scanner: ScannerProtocol, frame: LoopFrame, body: Any, scope: Scope) -> None:
    variable = frame.variable
    globbed = has_glob_value(frame)
    header = loop_header(frame.source_text)

    def accounted_for(statement: Any) -> bool:
        return (globbed and _existence_guard(statement, variable)) or _stops_on_failure(statement)

    skips = skip_tests(scanner, body, (variable,), scope, ignore=accounted_for)
    stops = [s for s in body.named_children if _stops_on_failure(s)]
    if stops:
        note = (f"`{header}` stops at the first failing run (`{' '.join(node_text(stops[0]).split())[:60]}`); "
                "the job runs every value and reports each failure")
        frame.note = f"{frame.note}; {note}" if frame.note else note
    if skips.problem is not None:
        frame.values, frame.values_problem = None, frame.values_problem or skips.problem
        return
    if not skips.tests or frame.values is None:
        return
    shown = "; ".join(f"`{text}`" for text, _ in skips.tests)
    if globbed:
        frame.values = None
        frame.values_problem = frame.values_problem or f"it skips some files with {shown}, which one glob cannot carry"
        return
    kept = [value for value in frame.values if value is None or not skips.skips({variable: value})]
    if len(kept) != len(frame.values):
        note = f"`{header}` skips {len(frame.values) - len(kept)} of {len(frame.values)} value(s) with {shown}"
        frame.note = f"{frame.note}; {note}" if frame.note else note
    frame.values = kept


def _existence_guard(statement: Any, variable: str) -> bool:
    """`[ -f "$f" ] || continue` / `[[ -e $f ]] || continue`: skips only a glob that matched nothing."""
    text = " ".join(node_text(statement).split())
    name = re.escape(variable)
    return re.fullmatch(rf'(\[\[?|test) -[efrs] "?\$\{{?{name}\}}?"?( \]\]?)? \|\| continue;?', text) is not None


def _stops_on_failure(statement: Any) -> bool:
    """`aip run … || break` / `… || exit 1`: the loop ends when a run fails."""
    if statement.type != "list" or len(statement.children) != 3 or node_text(statement.children[1]) != "||":
        return False
    first, last = statement.children[0], statement.children[2]
    runs = any(word in _RUNNERS for word in node_text(first).split()[:4])
    stop = node_text(last).split()
    return runs and bool(stop) and stop[0] in ("break", "exit", "return")
