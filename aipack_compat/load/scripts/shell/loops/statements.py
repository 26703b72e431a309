"""The loop statements of the shell scanner: `for`, `for ((…))`, `while`/`until` (a mixin of ShellScanner).

Each loop the walk enters is a frame (script_collect.LoopFrame) whose values are known or not, with
the reason; runs recorded inside carry the frames that are open. A body is visited once, so what
the body changes per pass (loop_bodies.py) is unknown inside it, and a loop whose number of passes
is unknown (`while`, `until`, an unwalkable counter) adds a note to each run inside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aipack_compat.load.script_collect import Collector

if TYPE_CHECKING:
    from aipack_compat.load.loop_sources import LoopInput
    from aipack_compat.load.shell_redirects import Redirects
    from aipack_compat.load.shell_scan import ShellScanner
    from aipack_compat.load.shell_words import Scope


class LoopVisits:
    def _visit_for_statement(self: "ShellScanner", node: Any, scope: "Scope", redirects: "Redirects") -> None:
        variable = node.child_by_field_name("variable")
        body = node.child_by_field_name("body")
        if variable is None or body is None:
            return
        value_nodes = [c for i, c in enumerate(node.children) if node.field_name_for_child(i) == "value"]
        header = self.text(node).split("\n", 1)[0][:160]
        if value_nodes:
            from aipack_compat.load.loop_sources import for_loop_words

            words = for_loop_words(self, value_nodes, scope, header)
            frame = self.collector.new_frame(self.text(variable), words.values, self.where(node), header)
            frame.values_problem, frame.note, frame.from_listing = words.problem, words.note, words.from_listing
            frame.globbed = words.globbed or words.from_listing
            from aipack_compat.load.loop_jumps import apply_skips

            apply_skips(self, frame, body, scope)
        else:
            values = list(scope.positional) if scope.positional is not None else None
            frame = self.collector.new_frame(self.text(variable), values, self.where(node), header)
        self._walk_loop(frame, self.text(variable), body, scope, redirects)

    def _visit_c_style_for_statement(self: "ShellScanner", node: Any, scope: "Scope", redirects: "Redirects") -> None:
        """`for ((i=0; i<3; i++))`: a loop over the counter's values when its bounds are known."""
        from aipack_compat.load.loop_bodies import c_style_values

        body = node.child_by_field_name("body")
        if body is None:
            return
        variable, values, problem = c_style_values(self, node, scope)
        header = self.text(node).split("\n", 1)[0][:160]
        frame = self.collector.new_frame(variable or "((…))", values, self.where(node), header)
        frame.values_problem = problem
        if values is None:
            self.repeating.append(_shown_header(header))  # how often it runs is unknown, like a `while` loop
        try:
            self._walk_loop(frame, variable, body, scope, redirects)
        finally:
            if values is None:
                self.repeating.pop()

    def _walk_loop(self: "ShellScanner", frame: Any, variable: str | None, body: Any, scope: "Scope", redirects: "Redirects") -> None:
        from aipack_compat.load.loop_bodies import assigned_in

        for name in assigned_in(self, body) - {variable}:
            scope.variables[name] = None  # another value on the next pass: unknown inside the body
        frame.outer_stdout = (redirects.stdout, redirects.stdout_set)
        if variable is not None:
            scope.variables[variable] = frame.token
        self.loops.append(frame)
        try:
            self.visit(body, scope, redirects)
        finally:
            self.loops.pop()
            close_loop(self.collector, frame.frame_id)

    def _visit_while_statement(self: "ShellScanner", node: Any, scope: "Scope", redirects: "Redirects",
                               loop_input: "LoopInput | None" = None) -> None:
        """`while read NAME…`: the names are loop variables, with values when the lines are known."""
        from aipack_compat.load.while_read import bind_read_loop

        from aipack_compat.load.loop_bodies import assigned_in

        loop_input = loop_input or self.piped_input
        self.piped_input = None  # a loop nested in this body reads this loop's stdin only if it says so
        body = node.child_by_field_name("body")
        # the condition runs on every pass too (`until aip run …; do sleep 5; done` retries the run)
        self.repeating.append(_shown_header(self.text(node)))
        for name in assigned_in(self, body) if body is not None else ():
            scope.variables[name] = None  # another value on the next pass: unknown inside the loop
        try:
            for index, child in enumerate(node.children):
                if node.field_name_for_child(index) == "condition":
                    self.visit(child, scope, redirects)
        finally:
            self.repeating.pop()
        root = bind_read_loop(self, node, scope, loop_input)
        if root is not None:
            self.loops.append(root)
        else:
            self.repeating.append(_shown_header(self.text(node)))
        try:
            if body is not None:
                self.visit(body, scope, redirects)
        finally:
            if root is not None:
                self.loops.pop()
                close_loop(self.collector, root.frame_id)
            else:
                self.repeating.pop()


def _shown_header(text: str) -> str:
    """`until aip run …; do` out of a loop's text, for the repetition note."""
    from aipack_compat.load.per_input import loop_header

    header = loop_header(text.split("\n", 1)[0])
    return header if len(header) <= 160 else header[:157] + "…"


def close_loop(collector: Collector, frame_id: int) -> None:
    """Leaving a loop: it and the values derived from it keep their last iteration's value."""
    for frame in collector.frames:
        if frame.frame_id == frame_id or frame.parent == frame_id:
            frame.open = False
