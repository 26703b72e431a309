"""Where a `while read` loop's lines (or a `for` loop's words) come from, when known without running anything.

`done < FILE` (a file of the migrated workspace, read as data: core/loop_input.py), `done <<EOF`
/ `done <<< "$LIST"`, and pipelines of `cat FILE`, `grep [-v] PATTERN [FILE]`, `printf '%s\\n' …`
or `echo …` into the loop. `ls GLOB` and `find DIR -name P` produce the globs that list the same
files (file_listings.py). The same sources feed `for x in $(…)` and `… | xargs`. Anything else
gives the reason it is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aipack_compat.load.scripts.core.loop_input import LoopInput, read_workspace_file
from aipack_compat.load.scripts.core.posix_regex import grep_to_python
from aipack_compat.load.scripts.core.records import loop_header
from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE, Scope, Value
from aipack_compat.load.scripts.shell.loops.file_listings import listing_of
from aipack_compat.load.scripts.shell.loops.jq_paths import jq_lines
from aipack_compat.load.scripts.shell.loops.read_semantics import DEFAULT_IFS
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.redirects import Redirects, apply_redirects
from aipack_compat.load.scripts.shell.words import node_text


@dataclass(frozen=True, slots=True)
class LoopWords:
    """The values of a `for` loop's word list, with why they are unknown or where they were read."""

    values: list[Value] | None
    problem: str | None = None
    note: str | None = None
    from_listing: bool = False
    globbed: bool = False  # an unquoted word with glob characters: the shell expanded it to files


def input_from_redirects(scanner: ScannerProtocol, node: Any, scope: Scope) -> LoopInput | None:
    """`done < FILE`, `done <<EOF`, `done <<< "$LIST"` on the redirected `while` statement."""
    found: LoopInput | None = None
    for child in node.children:
        if child.type == "file_redirect":
            operator = next((node_text(c) for c in child.children if not c.is_named), "")
            descriptor = child.child_by_field_name("descriptor")
            destination = child.child_by_field_name("destination")
            if operator == "<" and (descriptor is None or node_text(descriptor) == "0") and destination is not None:
                if destination.type == "process_substitution":
                    found = _process_substitution(scanner, destination, scope)
                else:
                    found = read_workspace_file(scanner.collector.root, scanner.words.value(destination, scope), scope.cwd)
        elif child.type == "heredoc_redirect":
            text = apply_redirects(scanner.words, node, scope, Redirects()).heredoc
            found = _literal(text, "its here-doc", "its here-doc expands run-time values")
        elif child.type == "herestring_redirect":
            values = [scanner.words.value(c, scope) for c in child.named_children]
            text = values[-1] + "\n" if values and values[-1] is not None else None
            found = _literal(text, "its here-string", "its here-string expands run-time values")
    return found


def _process_substitution(scanner: ScannerProtocol, node: Any, scope: Scope) -> LoopInput:
    """`< <(grep -v '^#' models.txt)`: the lines its command writes, when that command is known."""
    inner = [child for child in node.named_children if child.type != "comment"]
    stages = inner[0].named_children if len(inner) == 1 and inner[0].type == "pipeline" else inner
    if len(inner) == 1 and stages and all(stage.type == "command" for stage in stages):
        return input_from_pipeline(scanner, stages, scope)
    shown = " ".join(node_text(node).split())[:60]
    return LoopInput(None, f"`{shown}`", f"its lines come from `{shown}`")


def input_from_pipeline(scanner: ScannerProtocol, stages: list[Any], scope: Scope) -> LoopInput:
    """`cat F | grep -v '^#' | while read m`: the lines the producer stages write, or why unknown."""
    if not stages or stages[0].type != "command":
        return LoopInput(None, "a pipeline", "its lines come from a command")
    argv = scanner.words.argv(stages[0], scope)
    shown = " ".join(node_text(stages[0]).split())[:60]
    source = _producer(scanner, argv, scope, shown)
    for stage in stages[1:]:
        if source.text is None:
            return source
        if source.listing is not None:
            shown = " ".join(node_text(stage).split())[:60]
            return LoopInput(None, source.described, f"the file names it lists go through `{shown}`")
        stage_argv = scanner.words.argv(stage, scope) if stage.type == "command" else []
        grep = _grep_filter(stage_argv) if stage_argv and stage_argv[0] == "grep" else None
        if grep is None:
            shown = " ".join(node_text(stage).split())[:60]
            return LoopInput(None, source.described, f"its lines go through `{shown}`")
        shown = " ".join(node_text(stage).split())[:60]
        source = LoopInput(_grep_lines(source.text, grep), f"{source.described} through `{shown}`", None,
                           source.file, source.digest)
    return source


def _producer(scanner: ScannerProtocol, argv: list[Value], scope: Scope, shown: str) -> LoopInput:
    head, args = (argv[0], argv[1:]) if argv else (None, [])
    if any(a is None for a in args):
        return LoopInput(None, f"`{shown}`", "its lines depend on run-time values")
    operands = [a for a in args if a is not None]
    if head == "cat" and operands and not any(a.startswith("-") and a != "-" for a in operands) and "-" not in operands:
        parts = [read_workspace_file(scanner.collector.root, operand, scope.cwd) for operand in operands]
        failed = next((p for p in parts if p.text is None), None)
        if failed is not None:
            return failed
        first = parts[0]
        return LoopInput("".join(p.text or "" for p in parts), ", ".join(p.described for p in parts), None,
                         first.file if len(parts) == 1 else None, first.digest if len(parts) == 1 else None)
    if head == "grep":
        grep = _grep_filter([head, *operands], with_files=True)
        if grep is not None and grep[3]:
            source = _producer(scanner, ["cat", *grep[3]], scope, shown)
            if source.text is None:
                return source
            return LoopInput(_grep_lines(source.text, grep), f"{source.described} through `{shown}`", None,
                             source.file, source.digest)
    listing = listing_of(argv, scope.cwd, shown)
    if listing is not None:
        if listing.globs is None:
            return LoopInput(None, listing.described, listing.problem)
        return LoopInput("".join(f"{g}\n" for g in listing.globs), listing.described, None,
                         listing="; ".join(listing.notes))
    if head == "seq":
        return _seq(operands, shown)
    if head == "jq":
        return jq_lines(scanner.collector.root, operands, scope.cwd, shown)
    if head == "printf" and operands and operands[0] == "%s\\n":
        return _literal("".join(f"{a}\n" for a in operands[1:]), "its `printf` list", "")
    if head == "echo" and operands and not operands[0].startswith("-"):
        return _literal(" ".join(operands) + "\n", "its `echo`", "")
    return LoopInput(None, f"`{shown}`", f"its lines come from `{shown}`")


def _seq(operands: list[str], shown: str) -> LoopInput:
    """`seq [-w] [FIRST [STEP]] LAST` over integers; GNU and BSD print fractions differently."""
    width = "-w" in operands
    numbers = [o for o in operands if o != "-w"]
    if any(o.startswith("-") and not o.lstrip("-").isdigit() for o in numbers) or not 1 <= len(numbers) <= 3:
        return LoopInput(None, f"`{shown}`", f"its words come from `{shown}`")
    if not all(re.fullmatch(r"-?\d+", o) for o in numbers):
        return LoopInput(None, f"`{shown}`", f"`{shown}` prints fractions differently with GNU seq (0.0 0.5) and BSD seq (0 0.5)")
    first, step, last = (1, 1, int(numbers[0])) if len(numbers) == 1 else \
        (int(numbers[0]), 1, int(numbers[1])) if len(numbers) == 2 else tuple(int(n) for n in numbers)
    if step == 0 or (last - first) // step > 512:
        return LoopInput(None, f"`{shown}`", f"`{shown}` prints more than 512 numbers (or never stops)")
    values = list(range(first, last + (1 if step > 0 else -1), step))
    digits = max((len(str(v)) for v in values), default=0)
    return _literal("".join((f"{v:0{digits}d}" if width else str(v)) + "\n" for v in values), f"`{shown}`", "")


def _literal(text: Value, described: str, problem: str) -> LoopInput:
    if text is None or LOOP_TOKEN_RE.search(text):
        return LoopInput(None, described, problem or "its lines depend on run-time values")
    return LoopInput(text, described)


GrepFilter = tuple[list[re.Pattern[str]], bool, bool, list[str]]  # patterns, invert, whole line, files


def _grep_filter(argv: list[Value], with_files: bool = False) -> GrepFilter | None:
    """`grep [-v] [-E|-F] [-x] [-i] [-e P]… P [FILE…]` as a line filter; other options: None."""
    patterns: list[str] = []
    operands: list[str] = []
    invert = extended = fixed = whole = ignore_case = False
    index = 1
    while index < len(argv):
        token = argv[index]
        index += 1
        if token is None:
            return None
        if token in ("-e", "--regexp"):
            if index >= len(argv) or argv[index] is None:
                return None
            patterns.append(argv[index] or "")
            index += 1
        elif token.startswith("-") and len(token) > 1 and not token.startswith("--"):
            if any(flag not in "vEFxi" for flag in token[1:]):
                return None
            invert, extended = invert or "v" in token, extended or "E" in token
            fixed, whole, ignore_case = fixed or "F" in token, whole or "x" in token, ignore_case or "i" in token
        elif token.startswith("--"):
            return None
        else:
            operands.append(token)
    if not patterns:
        if not operands:
            return None
        patterns.append(operands.pop(0))
    if operands and not with_files:
        return None
    flags = re.IGNORECASE if ignore_case else 0
    try:
        compiled = [re.compile(re.escape(p) if fixed else grep_to_python(p, extended), flags)
                    for pattern in patterns for p in pattern.split("\n")]
    except re.error:
        return None
    return compiled, invert, whole, operands


def _grep_lines(text: str, grep: GrepFilter) -> str:
    patterns, invert, whole, _ = grep
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    kept = []
    for line in lines:
        hit = any((p.fullmatch(line) if whole else p.search(line)) is not None for p in patterns)
        if hit != invert:
            kept.append(line + "\n")  # grep ends every line it prints with a newline
    return "".join(kept)


_ARRAY_EXPANSION_RE = re.compile(r'"?\$\{!?([A-Za-z_][A-Za-z0-9_]*)\[[@*]\]\}"?')


def for_loop_words(scanner: ScannerProtocol, value_nodes: list[Any], scope: Scope, header: str) -> LoopWords:
    """`for x in a "$B" $(cat list) $(find …)`: each word node's fields, a substitution's read as data."""
    values: list[Value] = []
    problems: list[str] = []
    notes: list[str] = []
    from_listing = False
    globbed = False
    for value_node in value_nodes:
        if value_node.type != "command_substitution":
            array = _ARRAY_EXPANSION_RE.fullmatch(node_text(value_node))
            if array is not None and array.group(1) in scanner.array_notes:
                notes.append(scanner.array_notes[array.group(1)])
            elif array is not None and array.group(1) in scanner.array_problems:
                problems.append(scanner.array_problems[array.group(1)])
            fields = scanner.words.fields(value_node, scope)
            quoted = value_node.type in ("string", "raw_string", "ansi_c_string", "translated_string")
            globbed = globbed or (not quoted and any(f is not None and any(c in f for c in "*?[") for f in fields))
            values.extend(fields)
            continue
        scanner.visit_substitution(value_node, scope)  # what runs inside it, for its own findings
        words, source = substitution_words(scanner, value_node, scope)
        from_listing = from_listing or source.listing is not None
        if words is None:
            problems.append(source.problem or "its words come from a command")
            values.append(None)
        else:
            values.extend(words)
            notes.append(words_note(loop_header(header), source, words))
    known = None if any(v is None for v in values) else values
    return LoopWords(known, problems[0] if problems else None, "; ".join(notes) or None, from_listing, globbed)


def substitution_words(scanner: ScannerProtocol, node: Any, scope: Scope) -> tuple[list[str] | None, LoopInput]:
    """`for x in $(cat models.txt)` / `$(ls a/*.md)` / `$(find …)`: the words the loop walks, or why unknown.

    The substitution's output is split on IFS (whitespace, or newlines with `IFS=$'\\n'`); a word
    with glob characters would then be expanded by the shell, so only listings (whose words are
    the globs) may carry them.
    """
    inner = [child for child in node.named_children if child.type != "comment"]
    stages = inner[0].named_children if len(inner) == 1 and inner[0].type == "pipeline" else inner
    shown = " ".join(node_text(node).split())[:60]
    if len(inner) != 1 or not stages or any(stage.type != "command" for stage in stages):
        return None, LoopInput(None, f"`{shown}`", f"its words come from `{shown}`")
    source = input_from_pipeline(scanner, stages, scope)
    if source.text is None:
        problem = (source.problem or "").replace("its lines", "its words")
        return None, LoopInput(None, source.described, problem)
    ifs = scope.variables.get("IFS", DEFAULT_IFS)
    if ifs == DEFAULT_IFS or ifs == " \n" or ifs == "\n":
        words = source.text.split() if ifs != "\n" else [w for w in source.text.split("\n") if w]
    else:
        return None, LoopInput(None, source.described, "IFS is set to something other than whitespace or newlines")
    if source.listing is not None and any(len(w.split()) > 1 for w in source.text.split("\n")):
        return None, LoopInput(None, source.described, "the shell splits its file names at spaces")
    if source.listing is None and any(c in word for word in words for c in "*?["):
        return None, LoopInput(None, source.described, "a word of it has glob characters the shell would expand")
    return words, source


def words_note(header: str, source: LoopInput, words: list[str], unit: str = "words") -> str:
    """The migration note for a loop whose words (or lines) were known at migrate time."""
    if source.listing is not None:
        return f"`{header}` walks the output of {source.listing}"
    shown = ", ".join(words[:6]) + (", …" if len(words) > 6 else "")
    if source.file is not None:
        return (f"`{header}` walks the {unit} of {source.described}: {source.file} was read at migrate time (sha256 "
                f"{source.digest}) and its {len(words)} value(s) ({shown}) are frozen into the job; "
                f"migrate again when {source.file} changes")
    return f"`{header}` walks the {unit} of {source.described}: {len(words)} value(s) ({shown})"
