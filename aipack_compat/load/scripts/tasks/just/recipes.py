"""The structure of a justfile: settings, assignments and recipes (headers, parameters, dependencies, bodies).

Read line by line as just's own lexer does (just.systems/man/en): a recipe header is
`[@]NAME PARAMETER… : DEPENDENCY…`, a parameter may have a default (`model="llama3"`), and a
dependency may be called with arguments (`all: (eval "qwen3") (eval "llama3")`), which is how a
justfile sweeps one recipe over several values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from aipack_compat.load.scripts.core.source_map import SourceIndex
from aipack_compat.load.scripts.tasks.just.expressions import JustSyntaxError, Token, tokenize

_ASSIGNMENT = re.compile(r"(export[ \t]+)?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:=[ \t]*")
_SETTING = re.compile(r"set[ \t]+([A-Za-z][A-Za-z0-9-]*)(?:[ \t]*:=[ \t]*(.*))?$")
_IGNORED = re.compile(r"(?:alias|unexport|import\??|mod\??)[ \t]")


@dataclass(slots=True)
class Recipe:
    name: str
    header_line: int  # 0-based
    parameters: list[tuple[str, str | None, bool, bool]]  # (name, default source text, exported, variadic)
    body: list[int]  # 0-based line numbers of the body (blank lines included, trailing ones dropped)
    attributes: list[str] = field(default_factory=list)  # raw text inside `[...]`, one entry per bracket
    dependencies: list[tuple[str, list[str]]] = field(default_factory=list)  # (recipe, argument expressions)


@dataclass(slots=True)
class JustfileSyntax:
    """What a justfile declares, in file order."""

    settings: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (value text, offset)
    assignments: dict[str, tuple[str, int, bool]] = field(default_factory=dict)  # name -> (source, offset, exported)
    recipes: list[Recipe] = field(default_factory=list)


@dataclass(slots=True)
class _Reader:
    text: str
    source: SourceIndex
    problem: Callable[[int, str], None]  # (offset, message): a located problem in the justfile
    syntax: JustfileSyntax = field(default_factory=JustfileSyntax)


def read_justfile(text: str, source: SourceIndex, problem: Callable[[int, str], None]) -> JustfileSyntax:
    """Settings, assignments and recipes; a line that is none of them is reported through `problem`."""
    just = _Reader(text, source, problem)
    recipes = just.syntax.recipes
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
            just.syntax.settings[setting.group(1)] = (setting.group(2) or "true", offset + (setting.start(2) if setting.group(2) else 0))
        elif assignment:
            value_text, number = _continued_value(lines, number, assignment.end())
            just.syntax.assignments[assignment.group(2)] = (value_text, offset + assignment.end(), bool(assignment.group(1)))
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
    return just.syntax


def _continued_value(lines: list[str], number: int, start: int) -> tuple[str, int]:
    """An assignment's value; a triple-quoted string or open parenthesis may span lines."""
    text = lines[number][start:]
    while number + 1 < len(lines) and (_open_multiline(text) or text.rstrip().endswith("\\")):
        number += 1
        text += "\n" + lines[number]
    return text, number + 1


def _open_multiline(text: str) -> bool:
    return any(text.count(q) % 2 == 1 for q in ("'''", '"""', "```")) or text.count("(") > text.count(")")


def _recipe_header(just: _Reader, line: str, number: int, attributes: list[str]) -> Recipe | None:
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
    return Recipe(name, number, parameters, [], list(attributes), _dependencies(line, tokens, index + 1))


def _default_end(tokens: list[Token], index: int) -> int:
    """One value (a parameter default, a dependency argument): a string, a name, a backtick, or a
    parenthesized expression."""
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


def dependency_calls(recipes: list[Recipe]) -> dict[str, list[list[str]]]:
    """Recipe -> the distinct argument lists other recipes call it with (`(eval "qwen3")`)."""
    calls: dict[str, list[list[str]]] = {}
    for recipe in recipes:
        for name, arguments in recipe.dependencies:
            if arguments and arguments not in calls.setdefault(name, []):
                calls[name].append(arguments)
    return calls


def _dependencies(line: str, tokens: list[Token], index: int) -> list[tuple[str, list[str]]]:
    """`: a (b "x" y) && c`: the recipes after the colon, with the source text of each argument."""
    found: list[tuple[str, list[str]]] = []
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "name":
            found.append((token.text, []))
            index += 1
        elif token.text == "(" and index + 1 < len(tokens) and tokens[index + 1].kind == "name":
            name, index, arguments = tokens[index + 1].text, index + 2, []
            while index < len(tokens) and tokens[index].text != ")":
                end = _default_end(tokens, index)
                arguments.append(line[tokens[index].start:tokens[end - 1].end])
                index = end
            found.append((name, arguments))
            index += 1
        else:
            index += 1  # `&&` and anything just would reject
    return found
