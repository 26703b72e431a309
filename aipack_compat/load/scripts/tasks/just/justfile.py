"""justfiles (`just`): recipes whose lines call `aip run`, read as just would hand them to the shell.

Facts from the just manual (just.systems/man/en): recipes run from the justfile's directory unless
`set working-directory := '…'`, the `[working-directory: '…']` / `[working-directory('…')]`
attribute (relative to that default), or `[no-cd]` / `set no-cd` (the invocation directory: only
known at run time). Each recipe line runs in its own shell (`sh -cu` unless `set shell`), like
make, after `{{expr}}` interpolation (`{{{{` is a literal `{{`) and after the `@` (quiet) and `-`
(ignore errors) prefixes are removed; a line ending in `\\` continues on the next. A body whose
first line is `#!` (a shebang recipe) or a `[script]` recipe runs as one script. Parameters with a
default are taken at that default (noted); without one their value is reported as unknown.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from aipack_compat.load.scripts.core.aip_argv import mentions_aip
from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.scope import Scope
from aipack_compat.load.scripts.core.source_map import MappedText, SourceIndex, add_interpolated, scan_mapped
from aipack_compat.load.scripts.python.calls import scan_python
from aipack_compat.load.scripts.shell.scanner import scan_shell
from aipack_compat.load.scripts.tasks.just.expressions import JustSyntaxError, evaluate
from aipack_compat.load.scripts.tasks.just.recipes import Recipe, dependency_calls, read_justfile

_INTERPOLATION = re.compile(r"\{\{\{\{|\{\{(.*?)\}\}")
_POSIX_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh"})


@dataclass(slots=True)
class _Justfile:
    path: str
    directory: str
    text: str
    source: SourceIndex
    collector: Collector
    assignments: dict[str, tuple[str, int, bool]] = field(default_factory=dict)  # name -> (source, offset, exported)
    settings: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (value text, offset)
    cache: dict[str, str | None] = field(default_factory=dict)
    unknown_tokens: dict[tuple[str, str], str] = field(default_factory=dict)  # (recipe, expression) -> loop token

    def problem(self, offset: int, message: str) -> None:
        line, column = self.source.position(offset)
        self.collector.problem(self.collector.location(line, column), message)

    def variable(self, name: str, parameters: dict[str, str | None], active: frozenset[str] = frozenset()) -> str | None:
        if name in parameters:
            return parameters[name]
        if name in self.cache:
            return self.cache[name]
        if name not in self.assignments or name in active:
            return None  # undefined (just refuses to run) or a cycle
        expression, offset, _ = self.assignments[name]
        try:
            value = evaluate(expression, lambda other: self.variable(other, {}, active | {name}), self.directory)
        except JustSyntaxError as exc:
            self.problem(offset + exc.offset, f"justfile: {exc.message} in the value of `{name}`")
            value = None
        self.cache[name] = value
        return value


def scan_justfile(collector: Collector, text: str, justfile_path: str) -> None:
    just = _Justfile(justfile_path, posixpath.dirname(justfile_path), text, SourceIndex(text), collector)
    syntax = read_justfile(text, just.source, just.problem)
    just.settings, just.assignments = syntax.settings, syntax.assignments
    recipes = syntax.recipes
    calls = dependency_calls(recipes)
    for recipe in recipes:
        if not any(mentions_aip(just_line(just, n)) for n in recipe.body):
            continue
        required = any(default is None for _, default, _, _ in recipe.parameters)
        argument_sets = calls.get(recipe.name, [])
        if not (required and argument_sets):
            _scan_recipe(just, recipe)  # as `just NAME` runs it: defaults, or unknown values
        for arguments in argument_sets:  # `all: (eval "qwen3") (eval "llama3")`: once per call, with its values
            _scan_recipe(just, recipe, arguments)


def just_line(just: _Justfile, number: int) -> str:
    starts = just.source.line_starts
    end = starts[number + 1] - 1 if number + 1 < len(starts) else len(just.text)
    return just.text[starts[number]:end]


def _scan_recipe(just: _Justfile, recipe: Recipe, arguments: list[str] | None = None) -> None:
    """One way the recipe runs: `arguments` (expressions from a dependency call) fill its parameters
    in order; without them, defaults are taken and the rest is unknown."""
    defaults_used: dict[str, str] = {}
    parameters: dict[str, str | None] = {}
    given = list(arguments or [])
    called_with: dict[str, str] = {}
    for position, (name, default, _, _) in enumerate(recipe.parameters):
        if position < len(given):
            try:
                parameters[name] = evaluate(given[position], lambda other: just.variable(other, {}), just.directory)
            except JustSyntaxError:
                parameters[name] = None
            if parameters[name] is None:
                parameters[name] = _unknown_parameter(just, recipe, name)
            else:
                called_with[name] = str(parameters[name])
            continue
        if default is None:
            parameters[name] = _unknown_parameter(just, recipe, name)
            continue
        try:
            parameters[name] = evaluate(default, lambda other: just.variable(other, parameters), just.directory)
        except JustSyntaxError as exc:
            just.problem(just.source.line_starts[recipe.header_line], f"justfile: {exc.message} in the default of `{name}`")
            parameters[name] = None
        if parameters[name] is not None:
            defaults_used[name] = str(parameters[name])
    scope = Scope(cwd=_working_directory(just, recipe), script_path=just.path)  # cwd None: `[no-cd]`
    _export(just, recipe, parameters, scope)
    body = recipe.body
    first = just_line(just, body[0]).strip() if body else ""
    script_interpreter = _script_interpreter(just, recipe, first)
    runs_before = len(just.collector.runs)
    if script_interpreter is not None:
        language = _language(script_interpreter)
        if language is None:
            just.problem(just.source.line_starts[recipe.header_line],
                         f"justfile: recipe `{recipe.name}` runs `{script_interpreter}`; its `aip` calls are not scanned")
            return
        mapped = MappedText()
        for number in body:
            _add_line(just, mapped, number, recipe, parameters, strip_prefixes=False)
            mapped.add("\n", just.source.line_starts[number] + len(just_line(just, number)))

        def scan_script(text: str) -> None:
            if language == "python":
                scan_python(just.collector, text, just.path)
            else:
                scan_shell(just.collector, text, just.path, scope=scope)

        scan_mapped(just.collector, mapped, just.source, scan_script)
    else:
        shell = _shell_program(just)
        if shell not in _POSIX_SHELLS:
            just.problem(just.source.line_starts[recipe.header_line],
                         f"justfile: recipe lines run by `{shell}` (set shell); its `aip` calls are not scanned")
            return
        for group in _logical_lines(just, body):
            mapped = MappedText()
            for position, number in enumerate(group):
                _add_line(just, mapped, number, recipe, parameters, strip_prefixes=position == 0)
                if position + 1 < len(group):
                    mapped.add("\n", just.source.line_starts[number] + len(just_line(just, number)))
            line_scope = scope.copy()
            scan_mapped(just.collector, mapped, just.source,
                        lambda text: scan_shell(just.collector, text, just.path, scope=line_scope))
    for frame in just.collector.frames:
        if frame.token in just.unknown_tokens.values():
            frame.open = False  # a recipe's unknown values do not reach the next recipe
    for run in just.collector.runs[runs_before:]:
        if called_with:
            shown = ", ".join(f"{name}={value}" for name, value in called_with.items())
            run.notes.append(f"just recipe `{recipe.name}` as a dependency calls it ({shown})")
        run.notes.extend(f"just recipe `{recipe.name}`: parameter `{name}` taken at its default `{value}` "
                         f"(`just {recipe.name} VALUE` runs another value)" for name, value in defaults_used.items())


def _unknown_parameter(just: _Justfile, recipe: Recipe, name: str) -> str:
    """A parameter without a default is given on the `just` command line: a value the scan cannot know.

    It becomes a loop with unknown values (as a CI matrix token does in ci_yaml.py), so it survives
    any quoting in the recipe line and is reported, never guessed.
    """
    return _unknown_token(just, recipe, name, just.source.line_starts[recipe.header_line],
                          just_line(just, recipe.header_line).strip(), f"a parameter of just recipe `{recipe.name}` without a default")


def _unknown_token(just: _Justfile, recipe: Recipe, name: str, offset: int, source_text: str, why: str) -> str:
    key = (recipe.name, name)
    if key not in just.unknown_tokens:
        line, column = just.source.position(offset)
        frame = just.collector.new_frame(name, None, just.collector.location(line, column), source_text)
        frame.values_problem = why
        just.unknown_tokens[key] = frame.token
    return just.unknown_tokens[key]


def _working_directory(just: _Justfile, recipe: Recipe) -> str | None:
    directory: str | None = just.directory
    chosen = None
    for attribute in recipe.attributes:
        for part in _split_attributes(attribute):
            if part == "no-cd":
                return None
            match = re.fullmatch(r"working-directory\s*(?::\s*|\(\s*)(.*?)\s*\)?", part)
            if match:
                chosen = match.group(1)
    if chosen is None and "working-directory" in just.settings:
        chosen = just.settings["working-directory"][0]
    elif chosen is None and just.settings.get("no-cd", ("false", 0))[0].strip() == "true":
        return None
    if chosen is not None:
        try:
            value = evaluate(chosen, lambda name: just.variable(name, {}), just.directory)
        except JustSyntaxError:
            value = None
        directory = None if value is None else posixpath.normpath(posixpath.join(just.directory, value))
    return directory


def _split_attributes(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _export(just: _Justfile, recipe: Recipe, parameters: dict[str, str | None], scope: Scope) -> None:
    export_all = just.settings.get("export", ("false", 0))[0].strip() == "true"
    for name, (_, _, exported) in just.assignments.items():
        if exported or export_all:
            value = just.variable(name, {})
            scope.variables[name] = value
            scope.exported[name] = value
    for name, _, exported, _ in recipe.parameters:
        if exported or export_all:
            value = parameters.get(name)
            scope.variables[name] = value
            scope.exported[name] = value


def _script_interpreter(just: _Justfile, recipe: Recipe, first_line: str) -> str | None:
    if first_line.startswith("#!"):
        words = first_line[2:].split()
        words = [w for w in words if w not in ("-S",)]
        if words and posixpath.basename(words[0]) == "env" and len(words) > 1:
            return words[1]
        return posixpath.basename(words[0]) if words else "sh"
    for attribute in recipe.attributes:
        for part in _split_attributes(attribute):
            match = re.fullmatch(r"script\s*(?:\(\s*(.*?)\s*\))?", part)
            if match:
                arguments = re.findall(r"'([^']*)'|\"([^\"]*)\"", match.group(1) or "")
                program = next((a or b for a, b in arguments), None)
                default = _list_head(just.settings.get("script-interpreter", ("['sh']", 0))[0]) or "sh"
                return program or default
    return None


def _language(interpreter: str) -> str | None:
    name = posixpath.basename(interpreter).rstrip("0123456789.")
    if name in _POSIX_SHELLS:
        return "shell"
    if name == "python":
        return "python"
    return None


def _shell_program(just: _Justfile) -> str:
    value = just.settings.get("shell", ("['sh', '-cu']", 0))[0]
    head = _list_head(value) or "sh"
    return posixpath.basename(head).rstrip("0123456789.") or "sh"


def _list_head(value: str) -> str | None:
    match = re.search(r"""\[\s*(?:'([^']*)'|"([^"]*)")""", value)
    return (match.group(1) or match.group(2)) if match else None


def _logical_lines(just: _Justfile, body: list[int]) -> list[list[int]]:
    """Body lines grouped by `\\` continuations; blank and comment-only lines run nothing."""
    groups: list[list[int]] = []
    current: list[int] = []
    for number in body:
        line = just_line(just, number)
        if not current and not line.strip():
            continue
        current.append(number)
        if not line.rstrip("\r").endswith("\\"):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _add_line(just: _Justfile, mapped: MappedText, number: int, recipe: Recipe, parameters: dict[str, str | None],
              strip_prefixes: bool) -> None:
    line = just_line(just, number).rstrip("\r")
    start = just.source.line_starts[number]
    # just removes the recipe's indentation (that of its first line), keeping any deeper indentation
    # (a heredoc inside a shebang recipe keeps its shape)
    indent = min(_indentation(just, recipe), len(line) - len(line.lstrip(" \t")))
    body = line[indent:]
    skipped = indent
    if strip_prefixes:
        while body[:1] in ("@", "-") and body:
            body = body[1:]
            skipped += 1
    opened = body.find("{{")
    if opened >= 0 and "}}" not in body[opened:] and not body.startswith("{{{{", opened):
        just.problem(start + skipped + opened, f"justfile: unterminated `{{{{` interpolation in recipe `{recipe.name}`")

    def interpolate(match: re.Match[str]) -> str:
        if match.group(0) == "{{{{":
            return "{{"
        try:
            value = evaluate(match.group(1), lambda name: just.variable(name, parameters), just.directory)
        except JustSyntaxError as exc:
            just.problem(start + skipped + match.start(1) + exc.offset, f"justfile: {exc.message} in `{{{{{match.group(1).strip()}}}}}`")
            value = None
        return value if value is not None else _dynamic_value(just, recipe, match, start + skipped)

    offsets = list(range(start + skipped, start + skipped + len(body)))
    add_interpolated(mapped, body, offsets, _INTERPOLATION, interpolate)


def _indentation(just: _Justfile, recipe: Recipe) -> int:
    for number in recipe.body:
        line = just_line(just, number)
        if line.strip():
            return len(line) - len(line.lstrip(" \t"))
    return 0


def _dynamic_value(just: _Justfile, recipe: Recipe, match: re.Match[str], line_offset: int) -> str:
    """An interpolation whose value only exists when just runs (a backtick, env(), an `if`)."""
    expression = match.group(1).strip()
    return _unknown_token(just, recipe, expression, line_offset + match.start(), match.group(0),
                          f"computed by just when recipe `{recipe.name}` runs")
