"""Walk a tree-sitter-bash tree like a very small, side-effect-free shell.

Nothing is executed. The walk tracks variables, arrays, `cd`, functions called with arguments,
`for` loops, redirections and config rewrites, and records every `aip run`/`devai run` it meets
(inside `timeout`, `env`, `$(...)`, pipelines, functions, loops, `sh -c '...'` and `trap`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from aipack_compat.load import shell_commands
from aipack_compat.load.aip_argv import looks_like_aip_run, parse_run
from aipack_compat.load.script_collect import Collector, PendingRun
from aipack_compat.load.shell_assignments import AssignmentVisits
from aipack_compat.load.shell_branches import BranchVisits
from aipack_compat.load.shell_loops import LoopVisits
from aipack_compat.load.shell_redirects import Redirects, apply_redirects
from aipack_compat.load.shell_substitutions import known_substitution
from aipack_compat.load.shell_words import LOOP_TOKEN_RE, Scope, Value, WordEvaluator, resolve_path

if TYPE_CHECKING:
    from aipack_compat.load.loop_sources import LoopInput

MAX_CALL_DEPTH = 16
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


class ShellScanner(LoopVisits, BranchVisits, AssignmentVisits):
    def __init__(self, collector: Collector, source: bytes, line_offset: int = 0) -> None:
        self.collector = collector
        self.source = source
        self.line_offset = line_offset
        self.words = WordEvaluator(source, self.visit_substitution, self.derive_loop_value, self._assume_default)
        self.assumptions: list[str] = []  # defaults taken for variables the script never set
        self.functions: dict[str, Any] = {}
        self.called: set[str] = set()
        self.loops: list[Any] = []
        self.depth = 0
        self.active_calls: list[str] = []  # a function already on this stack is recursion: not re-entered
        self.expansions = 0
        self.deferred: list[tuple[Any, str, Scope]] = []  # trap handlers, scanned at the end
        # arrays filled from data (`mapfile -t A < list`): the migration note, or why their values are unknown
        self.array_notes: dict[str, str] = {}
        self.array_problems: dict[str, str] = {}
        self.branches: list[str] = []  # the `if`/`case` conditions around the walk (shell_branches.py)
        self.repeating: list[str] = []  # headers of the `while`/`until` loops (not `read` loops) around the walk
        self.piped_input: "LoopInput | None" = None  # what the pipeline stage being visited reads

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
        from aipack_compat.load.shell_commands import scan_string

        for node, handler, trap_scope in self.deferred:
            scan_string(self, node, handler, trap_scope, Redirects())

    # -- locations --------------------------------------------------------------------------
    def where(self, node: Any) -> Any:
        (row, col), (end_row, end_col) = node.start_point, node.end_point
        return self.collector.location(row + 1 + self.line_offset, col + 1, end_row + 1 + self.line_offset, end_col + 1)

    def text(self, node: Any) -> str:
        return node.text.decode("utf-8", "replace")

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
        handler = getattr(self, "_visit_" + kind, None)
        if handler is not None:
            handler(node, scope, redirects)
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
            self.functions[self.text(name)] = body

    def _visit_redirected_statement(self, node: Any, scope: Scope, redirects: Redirects) -> None:
        body = node.child_by_field_name("body")
        redirects = apply_redirects(self, node, scope, redirects)
        if body is not None and body.type == "command" and self.text(body).strip() == "exec":
            # `exec > log.txt 2>&1`: the rest of the script (this shell) writes there
            scope.exec_redirects = replace(redirects, heredoc=None, heredoc_set=False, stdin=None, stdin_set=False,
                                           note="stdout sent to a file by an earlier `exec >`")
            return
        if body is not None and body.type == "while_statement":
            # `done < models.txt` / `<<EOF` / `<<<`: the loop reads it, the commands inside do not
            from aipack_compat.load.loop_sources import input_from_redirects

            loop_input = input_from_redirects(self, node, scope) or self.piped_input
            inner = replace(redirects, heredoc=None, heredoc_set=False, stdin=None, stdin_set=False)
            self._visit_while_statement(body, scope, inner, loop_input)
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
            argv = self.argv(command, scope)
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

    def derive_loop_value(self, scalar: str, transform: Any, shape: tuple[str, ...]) -> Value:
        """`${model//:/_}`, `${f##*/}`, `$(basename "$f" .md)`: a loop value computed per iteration
        (Collector.derive)."""
        return self.collector.derive(scalar, transform, shape)

    # -- commands ---------------------------------------------------------------------------
    def argv(self, command: Any, scope: Scope) -> list[Value]:
        argv: list[Value] = []
        name = command.child_by_field_name("name")
        if name is not None:
            argv.extend(self.words.fields(name.named_children[0] if name.named_children else name, scope))
        for index, child in enumerate(command.children):
            if command.field_name_for_child(index) == "argument":
                argv.extend(self.words.fields(child, scope))
        return argv

    def _visit_command(self, node: Any, scope: Scope, redirects: Redirects) -> None:
        self._visit_substitutions(node, scope)
        prefix_env: dict[str, Value] = {}
        for child in node.named_children:
            if child.type == "variable_assignment":
                name = child.child_by_field_name("name")
                value = child.child_by_field_name("value")
                if name is not None:
                    prefix_env[self.text(name)] = self.words.value(value, scope) if value is not None else ""
        argv = self.argv(node, scope)
        if not argv:
            for key, value in prefix_env.items():
                scope.variables[key] = value
            return
        self.run_argv(node, argv, scope, redirects, prefix_env)

    def run_argv(self, node: Any, argv: list[Value], scope: Scope, redirects: Redirects, env: dict[str, Value]) -> None:
        unwrapped = shell_commands.unwrap(argv)
        argv, env, timeout = unwrapped.argv, {**env, **unwrapped.env}, unwrapped.timeout
        if not argv:
            return
        parsed = parse_run(argv)
        if parsed is not None and looks_like_aip_run(parsed):
            self._record_run(node, parsed, scope, redirects, env, timeout)
            return
        head = argv[0]
        if _is_item_command(argv):  # `… | xargs -I{} aip run …`, `find … -exec aip run … {} \;`
            from aipack_compat.load.item_commands import run_per_item

            run_per_item(self, node, argv, scope, redirects, env)
            return
        if head is not None and head in self.functions:
            if (self.depth < MAX_CALL_DEPTH and head not in self.active_calls
                    and self.expansions < MAX_FUNCTION_EXPANSIONS):
                self._call(head, argv[1:], scope, redirects)
            return
        shell_commands.dispatch(self, node, argv, scope, redirects, env)

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

    def _shown(self, text: str) -> str:
        """Command text for the report: a loop value pasted into a string (`sh -c`, `parallel '…{}'`) shows
        as the variable it stands for, never as the scanner's internal token."""
        return LOOP_TOKEN_RE.sub(lambda match: _display_token(self.collector, match), text)

    def _record_run(self, node: Any, parsed: Any, scope: Scope, redirects: Redirects,
                    env: dict[str, Value], timeout: float | None) -> None:
        notes = [redirects.note] if redirects.note else []
        if self.repeating:
            notes.append(f"inside `{self.repeating[-1]}`, which the script repeats while its condition holds "
                         "(or retries until it does): the job runs it once, with the executor's retries")
        notes.extend(self.assumptions)
        if self.branches:
            notes.append(f"the script runs this only {'; and '.join(self.branches)}; the job always runs "
                         "(`run --job NAME` picks jobs)")
        if redirects.heredoc_set:
            notes.append("stdin fed from a here-doc (aip does not read stdin)")
        from aipack_compat.load.unquoted_globs import unquoted_file_globs, unquoted_notes

        unquoted = unquoted_file_globs(self, node, scope)
        notes.extend(unquoted_notes(unquoted))
        exported = {k: v for k, v in scope.exported.items() if v is not None}
        self.collector.add_run(PendingRun(
            location=self.where(node),
            command_text=self._shown(" ".join(self.text(node).replace("\\\n", " ").split()))[:240],
            parsed=parsed,
            cwd=scope.cwd,
            env={**exported, **env},
            timeout_seconds=timeout,
            stdout=redirects.stdout,
            stdout_redirected=redirects.stdout_set,
            stderr=redirects.stderr,
            stderr_redirected=redirects.stderr_set,
            append=redirects.append,
            frames=list(self.collector.frames),
            rewrites=list(self.collector.active_rewrites),
            notes=notes,
            unquoted_globs=unquoted,
        ))


_READS_TEMPLATES = frozenset({"sed", "gsed", "envsubst"})  # may write a config from what they read on stdin


def _display_token(collector: Collector, match: Any) -> str:
    frame = collector.frames[int(match.group(1)) - 1]
    return frame.variable if frame.variable.startswith("{") else f"${frame.variable}"


def _is_item_command(argv: list[Value]) -> bool:
    """`xargs …`, `parallel …` or `find … -exec …`: a command run once per listed item (item_commands.py)."""
    head = argv[0].rsplit("/", 1)[-1] if argv and argv[0] else None
    return head in ("xargs", "parallel") or (head == "find" and any(a in ("-exec", "-execdir", "-ok", "-okdir") for a in argv))


def _piped_lines(scanner: ShellScanner, stage: Any, producers: list[Any], scope: Scope) -> "LoopInput | None":
    """What a `while read` stage of a pipeline reads (None when the stage is no such loop)."""
    from aipack_compat.load.loop_sources import input_from_pipeline
    from aipack_compat.load.while_read import reads_lines

    if not producers:
        return None
    head = scanner.argv(stage, scope)[:1] if stage.type == "command" else []
    if reads_lines(stage) or _is_item_command(head) or (head and head[0] in _READS_TEMPLATES):
        return input_from_pipeline(scanner, producers, scope)
    return None


__all__ = ["ShellScanner", "Redirects", "parser"]
