"""What the helpers of the shell walk may use of the scanner: `ScannerProtocol` (scanner.py implements it).

The scanner hands tree-sitter nodes to the modules that know a statement (loops/, branches.py,
assignments.py) or a command (commands/); they read and extend the walk's context through this
protocol and never import the scanner, so every import among them runs one way, down to here.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.loop_input import LoopInput
from aipack_compat.load.scripts.core.records import LoopFrame
from aipack_compat.load.scripts.core.scope import Scope, Value
from aipack_compat.load.scripts.shell.redirects import Redirects
from aipack_compat.load.scripts.shell.words import WordEvaluator
from aipack_compat.model.location import Location


class ScannerProtocol(Protocol):
    collector: Collector  # where runs, rewrites, loops and problems are recorded
    words: WordEvaluator  # evaluates the words of this scanner's source
    line_offset: int  # lines before this source in the file (a Makefile recipe, a sourced string)
    depth: int  # nesting of calls, `sh -c` strings and sourced files

    # -- the context the walk is in (read by what records a run, extended by the statements) ----
    loops: list[LoopFrame]  # the loops around the current node, innermost last
    branches: list[str]  # the `if`/`case` conditions around it
    repeating: list[str]  # headers of the `while`/`until` loops around it (not `read` loops)
    functions: dict[str, Any]  # function name -> body node
    assumptions: list[str]  # notes on defaults taken for variables the script never set
    array_notes: dict[str, str]  # arrays filled from data: the migration note
    array_problems: dict[str, str]  # ... or why their values are unknown
    piped_input: LoopInput | None  # what the pipeline stage being visited reads on stdin
    deferred: list[tuple[Any, str, Scope]]  # trap handlers, scanned once the walk is over

    def where(self, node: Any) -> Location:
        """The node's location in the file."""

    def visit(self, node: Any, scope: Scope, redirects: Redirects) -> None:
        """Walk a node (a statement, a body, a list)."""

    def visit_substitution(self, node: Any, scope: Scope) -> Value:
        """Walk `$(...)` for the runs inside it, and evaluate it when it is a known idiom."""

    def derive_loop_value(self, scalar: str, transform: Callable[[str], str], shape: tuple[str, ...]) -> Value:
        """A loop value computed per iteration from one loop's value (`Collector.derive`)."""

    def run_argv(self, node: Any, argv: list[Value], scope: Scope, redirects: Redirects, env: dict[str, Value]) -> None:
        """Run a command given as words (what `xargs`/`parallel` run per item)."""

    def scan_string(self, node: Any, script: str, scope: Scope, redirects: Redirects) -> None:
        """A string a shell runs (`sh -c`, a trap, `parallel '…'`), located at `node`, on a copy of `scope`."""

    def scan_sourced(self, text: str, scope: Scope, redirects: Redirects) -> None:
        """A file run in this shell (`source`): walked in `scope` itself, sharing this shell's functions."""
