"""Walk a tree-sitter-bash tree like a very small, side-effect-free shell: the shell front-end.

Nothing is executed. The walk tracks variables, arrays, `cd`, functions called with arguments,
`for` loops, redirections and config rewrites, and records every `aip run`/`devai run` it meets
(inside `timeout`, `env`, `$(...)`, pipelines, functions, loops, `sh -c '...'` and `trap`).
Statements and commands are handed to the modules that know them (`_VISITORS`, commands/), which
see this scanner as a `ScannerProtocol`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from aipack_compat.load.scripts.core.aip_argv import looks_like_aip_run, parse_run
from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.loop_input import LoopInput
from aipack_compat.load.scripts.core.records import LoopFrame
from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE, Scope, Value, initial_scope, resolve_path
from aipack_compat.load.scripts.shell.assignments import visit_declaration_command, visit_variable_assignment
from aipack_compat.load.scripts.shell.branches import visit_case_statement, visit_if_statement, visit_list
from aipack_compat.load.scripts.shell.commands.commands import dispatch, unwrap
from aipack_compat.load.scripts.shell.loops.item_commands import run_per_item
from aipack_compat.load.scripts.shell.loops.sources import input_from_pipeline, input_from_redirects
from aipack_compat.load.scripts.shell.loops.statements import (
    visit_c_style_for_statement, visit_for_statement, visit_while_statement,
)
from aipack_compat.load.scripts.shell.loops.while_read import reads_lines
from aipack_compat.load.scripts.shell.redirects import Redirects, apply_redirects
from aipack_compat.load.scripts.shell.runs import record_run
from aipack_compat.load.scripts.shell.substitutions import known_substitution
from aipack_compat.load.scripts.shell.words import WordEvaluator, node_text
from aipack_compat.model.location import Location

MAX_CALL_DEPTH = 16
MAX_NESTED_STRINGS = 8  # `sh -c` inside `sh -c` ...
# Function bodies are re-scanned per call (positional args differ); a fan-out of calls would
# otherwise grow exponentially with depth, so the whole scan gets a budget of expansions.
MAX_FUNCTION_EXPANSIONS = 512
_BLOCKS = frozenset({"program", "compound_statement", "do_group", "subshell", "list", "if_statement",
                     "elif_clause", "else_clause", "case_statement", "case_item", "negated_command",
                     "while_statement", "heredoc_body", "test_command"})
_STATEMENTS = frozenset({"command", "redirected_statement", "pipeline", "list", "variable_assignment",
                         "declaration_command", "function_definition", "for_statement", "while_statement",
                         "if_statement", "case_statement", "subshell", "compound_statement", "comment"})
_PARSER: Any = None


def parser() -> Any:
    global _PARSER
    if _PARSER is None:
        import tree_sitter_bash
        from tree_sitter import Language, Parser

        _PARSER = Parser(Language(tree_sitter_bash.language()))
    return _PARSER


def scan_shell(collector: Collector, text: str, script_path: str, line_offset: int = 0, scope: Scope | None = None) -> None:
    """Scan a shell script (or a recipe line, a CI step) into `collector`; `scope`: the shell state it starts in."""
    scope = scope or initial_scope(script_path)
    ShellScanner(collector, text.encode("utf-8", "surrogatepass"), line_offset).scan(scope)


def scan_command_string(collector: Collector, command: str, scope: Scope, line_offset: int = 0) -> None:
    """A command string another program hands to `sh -c` (Python's `os.system`, `shell=True`): walked
    like `sh -c` inside a script, on a copy of `scope`."""
    scanner = ShellScanner(collector, command.encode("utf-8"), line_offset)
    scanner.depth = 1
    scanner.visit(parser().parse(scanner.source).root_node, scope.copy(), Redirects())


class ShellScanner:
    def __init__(self, collector: Collector, source: bytes, line_offset: int = 0) -> None:
        self.collector = collector
        self.source = source
        self.line_offset = line_offset
        self.words = WordEvaluator(source, self.visit_substitution, self.derive_loop_value, self._assume_default)
        self.assumptions: list[str] = []  # defaults taken for variables the script never set
        self.functions: dict[str, Any] = {}
        self.called: set[str] = set()
        self.loops: list[LoopFrame] = []
        self.depth = 0
        self.active_calls: list[str] = []  # a function already on this stack is recursion: not re-entered
        self.expansions = 0
        self.deferred: list[tuple[Any, str, Scope]] = []  # trap handlers, scanned at the end
        # arrays filled from data (`mapfile -t A < list`): the migration note, or why their values are unknown
        self.array_notes: dict[str, str] = {}
        self.array_problems: dict[str, str] = {}
        self.branches: list[str] = []  # the `if`/`case` conditions around the walk (branches.py)
        self.repeating: list[str] = []  # headers of the `while`/`until` loops (not `read` loops) around the walk
        self.piped_input: LoopInput | None = None  # what the pipeline stage being visited reads

    def scan(self, scope: Scope) -> None:
        tree = parser().parse(self.source)
        root = tree.root_node
        if root.has_error:
            self._report_errors(root)
        self.visit(root, scope, Redirects())
        for name, body in list(self.functions.items()):
            if name not in self.called:  # still look inside: an invocation there is real code
                self.called.add(name)
                inner = scope.copy()
                inner.positional = None
                self.visit(body, inner, Redirects())
        for node, handler, trap_scope in self.deferred:
            self.scan_string(node, handler, trap_scope, Redirects())

    # -- nested sources: strings a shell runs, files it sources ------------------------------------
    def scan_string(self, node: Any, script: str, scope: Scope, redirects: Redirects) -> None:
        nested = self._nested(script.encode("utf-8"), node.start_point[0] + self.line_offset)
        nested.functions = dict(self.functions)
        if nested.depth < MAX_NESTED_STRINGS:
            nested.visit(parser().parse(nested.source).root_node, scope.copy(), redirects)

    def scan_sourced(self, text: str, scope: Scope, redirects: Redirects) -> None:
        nested = self._nested(text.encode("utf-8"), 0)
        nested.functions, nested.assumptions = self.functions, self.assumptions  # this shell's, not copies
        nested.visit(parser().parse(nested.source).root_node, scope, redirects)  # this shell's scope: no copy

    def _nested(self, source: bytes, line_offset: int) -> ShellScanner:
        nested = ShellScanner(self.collector, source, line_offset=line_offset)
        nested.loops = list(self.loops)
        nested.branches, nested.repeating = list(self.branches), list(self.repeating)
        nested.depth = self.depth + 1
        return nested

    # -- locations --------------------------------------------------------------------------
    def where(self, node: Any) -> Location:
        (row, col), (end_row, end_col) = node.start_point, node.end_point
        return self.collector.location(row + 1 + self.line_offset, col + 1, end_row + 1 + self.line_offset, end_col + 1)

    def _report_errors(self, root: Any) -> None:
        """Point at the innermost ERROR (or MISSING) nodes, past the statements that did parse."""
        stack = [root]
        reported = 0
        while stack and reported < 20:
            node = stack.pop()
            if node.is_missing:
                self.collector.problem(self.where(node), f"shell syntax error: missing `{node.type}`")
                reported += 1
                continue
            if node.type == "ERROR":
                nested = [c for c in node.children if c.type == "ERROR" or c.has_error]
                if nested:
                    stack.extend(reversed(nested))
                    continue
                anchor = next((c for c in node.children if not (c.is_named and c.type in _STATEMENTS)), node)
                self.collector.problem(self.where(anchor), "shell syntax error: cannot parse this part")
                reported += 1
                continue
            if node.has_error:
                stack.extend(reversed(node.children))

    # -- visiting ---------------------------------------------------------------------------
    def visit(self, node: Any, scope: Scope, redirects: Redirects) -> None:
        if scope.exec_redirects is not None and not redirects.stdout_set and not redirects.stderr_set:
            redirects = scope.exec_redirects  # after `exec > log.txt`, what is not redirected goes there
        kind = node.type
        handler = _VISITORS.get(kind)
        if handler is not None:
            handler(self, node, scope, redirects)
        elif kind in _BLOCKS or kind == "ERROR":
            for child in node.named_children:
                self.visit(child, scope, redirects)
        else:
            self._visit_substitutions(node, scope)

    def _visit_subshell(self, node: Any, scope: Scope, redirects: Redirects) -> None:
        inner = scope.copy()
        for child in node.named_children:
            self.visit(child, inner, redirects)

    def _visit_function_definition(self, node: Any, scope: Scope, redirects: Redirects) -> None:
        name = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name is not None and body is not None:
            self.functions[node_text(name)] = body

    def _visit_redirected_statement(self, node: Any, scope: Scope, redirects: Redirects) -> None:
        body = node.child_by_field_name("body")
        redirects = apply_redirects(self.words, node, scope, redirects)
        if body is not None and body.type == "command" and node_text(body).strip() == "exec":
            # `exec > log.txt 2>&1`: the rest of the script (this shell) writes there
            scope.exec_redirects = replace(redirects, heredoc=None, heredoc_set=False, stdin=None, stdin_set=False,
                                           note="stdout sent to a file by an earlier `exec >`")
            return
        if body is not None and body.type == "while_statement":
            # `done < models.txt` / `<<EOF` / `<<<`: the loop reads it, the commands inside do not
            loop_input = input_from_redirects(self, node, scope) or self.piped_input
            inner = replace(redirects, heredoc=None, heredoc_set=False, stdin=None, stdin_set=False)
            visit_while_statement(self, body, scope, inner, loop_input)
        elif body is not None:
            self.visit(body, scope, redirects)

    def _visit_pipeline(self, node: Any, scope: Scope, redirects: Redirects) -> None:
        stages = [c for c in node.named_children]
        for index, stage in enumerate(stages):
            stage_redirects = redirects
            if index + 1 < len(stages):
                stage_redirects = self._pipe_target(stages[index + 1], scope, redirects)
            # `cat models.txt | while read m`: the lines the stages before it write, if known
            self.piped_input = _piped_lines(self, stage, stages[:index], scope)
            try:
                self.visit(stage, scope, stage_redirects)
            finally:
                self.piped_input = None

    def _pipe_target(self, consumer: Any, scope: Scope, redirects: Redirects) -> Redirects:
        command = consumer if consumer.type == "command" else None
        if command is not None:
            argv = self.words.argv(command, scope)
            if argv and argv[0] == "tee":
                files = [a for a in argv[1:] if a is None or not a.startswith("-")]
                append = any(a in ("-a", "--append") for a in argv[1:] if a is not None)
                if files:
                    path = resolve_path(scope.cwd, files[0])
                    return replace(redirects, stdout=path, stdout_set=True, append=append, note="stdout also shown (tee)")
            name = argv[0] if argv else None
            return replace(redirects, stdout=None, stdout_set=False, note=f"stdout piped into `{name or '?'}`")
        return replace(redirects, stdout=None, stdout_set=False, note="stdout piped into another command")

    def _visit_substitutions(self, node: Any, scope: Scope) -> None:
        """Look for `$(...)`, backticks and `<(...)` anywhere below a node that is not a command."""
        stack = list(node.children)
        while stack:
            child = stack.pop()
            if child.type in ("command_substitution", "process_substitution"):
                self.visit_substitution(child, scope)
            else:
                stack.extend(child.children)

    def visit_substitution(self, node: Any, scope: Scope) -> Value:
        """Evaluate `$(...)`: the idioms that name a directory are known, the rest is dynamic."""
        inner = scope.copy()
        note = Redirects(note="stdout captured by `$(...)`")
        for child in node.named_children:
            self.visit(child, inner, note)
        return known_substitution(self, node, scope)

    def derive_loop_value(self, scalar: str, transform: Callable[[str], str], shape: tuple[str, ...]) -> Value:
        """`${model//:/_}`, `${f##*/}`, `$(basename "$f" .md)`: a loop value computed per iteration
        (Collector.derive)."""
        return self.collector.derive(scalar, transform, shape)

    # -- commands ---------------------------------------------------------------------------
    def _visit_command(self, node: Any, scope: Scope, redirects: Redirects) -> None:
        self._visit_substitutions(node, scope)
        prefix_env: dict[str, Value] = {}
        for child in node.named_children:
            if child.type == "variable_assignment":
                name = child.child_by_field_name("name")
                value = child.child_by_field_name("value")
                if name is not None:
                    prefix_env[node_text(name)] = self.words.value(value, scope) if value is not None else ""
        argv = self.words.argv(node, scope)
        if not argv:
            for key, value in prefix_env.items():
                scope.variables[key] = value
            return
        self.run_argv(node, argv, scope, redirects, prefix_env)

    def run_argv(self, node: Any, argv: list[Value], scope: Scope, redirects: Redirects, env: dict[str, Value]) -> None:
        unwrapped = unwrap(argv)
        argv, env, timeout = unwrapped.argv, {**env, **unwrapped.env}, unwrapped.timeout
        if not argv:
            return
        parsed = parse_run(argv)
        if parsed is not None and looks_like_aip_run(parsed):
            record_run(self, node, parsed, scope, redirects, env, timeout)
            return
        head = argv[0]
        if _is_item_command(argv):  # `… | xargs -I{} aip run …`, `find … -exec aip run … {} \;`
            run_per_item(self, node, argv, scope, redirects, env)
            return
        if head is not None and head in self.functions:
            if (self.depth < MAX_CALL_DEPTH and head not in self.active_calls
                    and self.expansions < MAX_FUNCTION_EXPANSIONS):
                self._call(head, argv[1:], scope, redirects)
            return
        dispatch(self, node, argv, scope, redirects, env)

    def _call(self, name: str, args: list[Value], scope: Scope, redirects: Redirects) -> None:
        self.called.add(name)
        inner = scope.copy()
        inner.positional = list(args)
        self.depth += 1
        self.expansions += 1
        self.active_calls.append(name)
        try:
            self.visit(self.functions[name], inner, redirects)
        finally:
            self.depth -= 1
            self.active_calls.pop()
        scope.cwd = inner.cwd  # a function body is not a subshell: its `cd` persists
        for key, value in inner.variables.items():
            if key not in scope.variables or scope.variables[key] != value:
                scope.variables.setdefault(key, value)

    def _assume_default(self, name: str, default: Value) -> None:
        source = f"argument {name}" if name.isdigit() else f"`{name}` from the environment"
        taken = f"`{default}`" if default is not None and not LOOP_TOKEN_RE.search(default) else "the default"
        note = f"the script reads {source} when given (`${{{name}:-…}}`); migrate assumed it was not and took {taken}"
        if note not in self.assumptions:
            self.assumptions.append(note)


_READS_TEMPLATES = frozenset({"sed", "gsed", "envsubst"})  # may write a config from what they read on stdin


def _is_item_command(argv: list[Value]) -> bool:
    """`xargs …`, `parallel …` or `find … -exec …`: a command run once per listed item (item_commands.py)."""
    head = argv[0].rsplit("/", 1)[-1] if argv and argv[0] else None
    return head in ("xargs", "parallel") or (head == "find" and any(a in ("-exec", "-execdir", "-ok", "-okdir") for a in argv))


def _piped_lines(scanner: ShellScanner, stage: Any, producers: list[Any], scope: Scope) -> LoopInput | None:
    """What a `while read` stage of a pipeline reads (None when the stage is no such loop)."""
    if not producers:
        return None
    head = scanner.words.argv(stage, scope)[:1] if stage.type == "command" else []
    if reads_lines(stage) or _is_item_command(head) or (head and head[0] in _READS_TEMPLATES):
        return input_from_pipeline(scanner, producers, scope)
    return None


_VISITORS: dict[str, Callable[[ShellScanner, Any, Scope, Redirects], None]] = {
    "subshell": ShellScanner._visit_subshell,
    "function_definition": ShellScanner._visit_function_definition,
    "redirected_statement": ShellScanner._visit_redirected_statement,
    "pipeline": ShellScanner._visit_pipeline,
    "command": ShellScanner._visit_command,
    "for_statement": visit_for_statement,
    "c_style_for_statement": visit_c_style_for_statement,
    "while_statement": visit_while_statement,
    "if_statement": visit_if_statement,
    "case_statement": visit_case_statement,
    "list": visit_list,
    "variable_assignment": visit_variable_assignment,
    "declaration_command": visit_declaration_command,
}
