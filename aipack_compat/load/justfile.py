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

from aipack_compat.load.just_expressions import JustSyntaxError, Token, evaluate, tokenize
from aipack_compat.load.script_collect import Collector
from aipack_compat.load.source_map import MappedText, SourceIndex, add_interpolated, mentions_aip, scan_mapped
from aipack_compat.load.shell_words import Scope

_ASSIGNMENT = re.compile(r"(export[ \t]+)?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:=[ \t]*")
_SETTING = re.compile(r"set[ \t]+([A-Za-z][A-Za-z0-9-]*)(?:[ \t]*:=[ \t]*(.*))?$")
_IGNORED = re.compile(r"(?:alias|unexport|import\??|mod\??)[ \t]")
_INTERPOLATION = re.compile(r"\{\{\{\{|\{\{(.*?)\}\}")
_POSIX_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh"})


@dataclass(slots=True)
class Recipe:
    name: str
    header_line: int  # 0-based
    parameters: list[tuple[str, str | None, bool, bool]]  # (name, default source text, exported, variadic)
    body: list[int]  # 0-based line numbers of the body (blank lines included, trailing ones dropped)
    attributes: list[str] = field(default_factory=list)  # raw text inside `[...]`, one entry per bracket


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
    for recipe in _read_structure(just):
        if any(mentions_aip(just_line(just, n)) for n in recipe.body):
            _scan_recipe(just, recipe)


def just_line(just: _Justfile, number: int) -> str:
    starts = just.source.line_starts
    end = starts[number + 1] - 1 if number + 1 < len(starts) else len(just.text)
    return just.text[starts[number]:end]


def _read_structure(just: _Justfile) -> list[Recipe]:
    recipes: list[Recipe] = []
    attributes: list[str] = []
    lines = just.text.split("\n")
    number = 0
    while number < len(lines):
        line = lines[number].rstrip("\r")
        offset = just.source.line_starts[number]
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or line[:1] in (" ", "\t"):
            number += 1  # stray indented lines (outside a recipe) are ignored, as in just's own lexer
            continue
        if stripped.startswith("["):
            attributes.append(stripped.strip("[]"))
            number += 1
            continue
        assignment = _ASSIGNMENT.match(line)
        setting = _SETTING.match(line)
        if setting:
            just.settings[setting.group(1)] = (setting.group(2) or "true", offset + (setting.start(2) if setting.group(2) else 0))
        elif assignment:
            value_text, number = _continued_value(lines, number, assignment.end())
            just.assignments[assignment.group(2)] = (value_text, offset + assignment.end(), bool(assignment.group(1)))
            attributes = []
            continue
        elif not _IGNORED.match(line):
            recipe = _recipe_header(just, line, number, attributes)
            if recipe is not None:
                number = _collect_body(lines, number + 1, recipe)
                recipes.append(recipe)
                attributes = []
                continue
        attributes = []
        number += 1
    return recipes


def _continued_value(lines: list[str], number: int, start: int) -> tuple[str, int]:
    """An assignment's value; a triple-quoted string or open parenthesis may span lines."""
    text = lines[number][start:]
    while number + 1 < len(lines) and (_open_multiline(text) or text.rstrip().endswith("\\")):
        number += 1
        text += "\n" + lines[number]
    return text, number + 1


def _open_multiline(text: str) -> bool:
    return any(text.count(q) % 2 == 1 for q in ("'''", '"""', "```")) or text.count("(") > text.count(")")


def _recipe_header(just: _Justfile, line: str, number: int, attributes: list[str]) -> Recipe | None:
    offset = just.source.line_starts[number]
    try:
        tokens = tokenize(line)
    except JustSyntaxError as exc:
        just.problem(offset + exc.offset, f"justfile: {exc.message}")
        return None
    index = 1 if tokens and tokens[0].text == "@" else 0
    if index >= len(tokens) or tokens[index].kind != "name":
        just.problem(offset, "justfile: cannot read this line (not a recipe, assignment or setting)")
        return None
    name = tokens[index].text
    index += 1
    parameters: list[tuple[str, str | None, bool, bool]] = []
    while index < len(tokens) and tokens[index].text != ":":
        variadic = exported = False
        while index < len(tokens) and tokens[index].text in ("+", "*", "$"):
            variadic = variadic or tokens[index].text in "+*"
            exported = exported or tokens[index].text == "$"
            index += 1
        if index >= len(tokens) or tokens[index].kind != "name":
            at = tokens[index].start if index < len(tokens) else len(line)
            just.problem(offset + at, f"justfile: cannot read the parameters of recipe `{name}`")
            return None
        parameter = tokens[index].text
        index += 1
        default: str | None = None
        if index < len(tokens) and tokens[index].text == "=":
            end = _default_end(tokens, index + 1)
            default = line[tokens[index + 1].start:tokens[end - 1].end] if end > index + 1 else ""
            index = end
        parameters.append((parameter, default, exported, variadic))
    if index >= len(tokens):
        just.problem(offset, f"justfile: recipe `{name}` has no `:`")
        return None
    return Recipe(name, number, parameters, [], list(attributes))


def _default_end(tokens: list[Token], index: int) -> int:
    """A default is one value: a string, a name, a backtick, or a parenthesized expression."""
    if index < len(tokens) and tokens[index].text == "(":
        depth = 0
        for position in range(index, len(tokens)):
            depth += {"(": 1, ")": -1}.get(tokens[position].text, 0)
            if depth == 0:
                return position + 1
        return len(tokens)
    return min(index + 1, len(tokens))


def _collect_body(lines: list[str], number: int, recipe: Recipe) -> int:
    while number < len(lines) and (not lines[number].strip() or lines[number][:1] in (" ", "\t")):
        recipe.body.append(number)
        number += 1
    while recipe.body and not lines[recipe.body[-1]].strip():
        recipe.body.pop()
    return number


def _scan_recipe(just: _Justfile, recipe: Recipe) -> None:
    defaults_used: dict[str, str] = {}
    parameters: dict[str, str | None] = {}
    for name, default, _, _ in recipe.parameters:
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
        scan_mapped(just.collector, mapped, just.source, just.path, scope, language)
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
            scan_mapped(just.collector, mapped, just.source, just.path, scope.copy())
    for frame in just.collector.frames:
        if frame.token in just.unknown_tokens.values():
            frame.open = False  # a recipe's unknown values do not reach the next recipe
    for run in just.collector.runs[runs_before:]:
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
