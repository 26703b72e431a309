"""`xargs` and `find -exec`: a command run once per listed item, read as a loop over the items.

    ls prompts/*.md | xargs -I{} aip run eval -s -f {}
    find prompts -name '*.md' | xargs -n1 aip run eval -s -f
    find prompts -name '*.md' -exec aip run eval -s -f {} \\;

The items are a loop variable (a frame, as in `for`/`while read`), so the `aip run` inside is
recorded with the same folding rules: a per-file `-f` becomes one job over the listing's globs.
A command that receives several items at once (`xargs` without `-n1`/`-L1`/`-I`, `-exec … +`)
gives aip one `-f` value and the rest as extra arguments, which it rejects; it stays unresolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aipack_compat.load.loop_sources import LoopInput, words_note
from aipack_compat.load.shell_loops import close_loop
from aipack_compat.load.shell_words import Value

if TYPE_CHECKING:
    from aipack_compat.load.shell_redirects import Redirects
    from aipack_compat.load.shell_scan import ShellScanner
    from aipack_compat.load.shell_words import Scope

_XARGS_FLAGS_WITHOUT_VALUE = frozenset({"-r", "--no-run-if-empty", "-t", "--verbose", "-x", "--exit"})
_XARGS_IGNORED_VALUES = frozenset({"-s", "--max-chars", "-P", "--max-procs"})
_XARGS_VALUED = frozenset({"-d", "--delimiter", "-a", "--arg-file", "-E", "-e"})  # options modelled as unknown


def run_per_item(scanner: "ShellScanner", node: Any, argv: list[Value], scope: "Scope", redirects: "Redirects",
                 env: dict[str, Value]) -> None:
    """Visit the command `xargs`/`find -exec`/`parallel` runs, inside a loop frame over the items."""
    head = argv[0].rsplit("/", 1)[-1] if argv[0] else ""
    if head == "parallel":
        from aipack_compat.load.gnu_parallel import plan_parallel

        plan = plan_parallel(scanner, argv[1:], scope, scanner.piped_input)
    elif head == "xargs":
        plan = _xargs(argv[1:], scanner.piped_input)
    else:
        plan = _find_exec(scanner, node, argv, scope)
    scanner.piped_input = None
    if not plan.command:
        return
    shown = " ".join(scanner.text(node).split())[:160]
    items, problem = _known_items(plan)
    variable = plan.placeholder if plan.placeholder is not None else f"{head} item"
    frame = scanner.collector.new_frame(variable, items if problem is None else None, scanner.where(node), shown)
    frame.values_problem = problem
    if problem is None and plan.source is not None and items is not None:
        frame.note = words_note(shown, plan.source, items, "lines" if plan.one_per_line or plan.placeholder else "words")
        frame.from_listing = plan.source.listing is not None
    replacements = {plan.placeholder: frame.token} if plan.placeholder is not None else {}
    for text, steps in plan.derived.items():
        token: Value = frame.token
        for transform, shape in steps:
            token = scanner.derive_loop_value(token or "", transform, shape)
        replacements[text] = token or ""

    unknowable: list[str] = []

    def fill(value: Value) -> Value:
        if value is not None and plan.unknown_pattern is not None and plan.unknown_pattern.search(value):
            unknowable.append(value)
            return None  # `{1}`, `{#}`: a value per job this model does not have
        if value is None:
            return None
        for text in sorted(replacements, key=len, reverse=True):  # `{/.}` before `{}`
            value = value.replace(text, replacements[text] or "")
        return value

    used = any(text in (a or "") for a in plan.command for text in replacements)
    appends = plan.placeholder is None or (plan.append_when_unused and not used and not plan.shell_string)
    expanded = [*plan.command, frame.token] if appends else [fill(a) for a in plan.command]
    if unknowable and problem is not None:
        from dataclasses import replace

        redirects = replace(redirects, note="; ".join(filter(None, [redirects.note, f"`{head}`: {problem}"])))
    scanner.loops.append(frame)
    try:
        if plan.shell_string:
            from aipack_compat.load.shell_commands import scan_string

            scan_string(scanner, node, expanded[0] or "", scope, redirects)
        else:
            scanner.run_argv(node, expanded, scope, redirects, env)
    finally:
        scanner.loops.pop()
        close_loop(scanner.collector, frame.frame_id)


@dataclass(slots=True)
class PerItemPlan:
    """How a per-item command gets its items and where each item goes in the command it runs."""

    command: list[Value]
    placeholder: str | None  # the whole item's replacement string (`-I{}`, `{}`); None: appended
    batched: bool  # several items per command line
    source: LoopInput | None
    problem: str | None = None
    one_per_line: bool = False  # items are lines (`-I`, `-L`, listings), else xargs' quoted words
    derived: dict[str, list[tuple[Any, tuple[str, ...]]]] = field(default_factory=dict)  # `{/.}` -> steps
    shell_string: bool = False  # the command is one shell string (`parallel 'aip run … {}' ::: …`)
    append_when_unused: bool = False  # GNU parallel appends the item when the command names no `{…}`
    unknown_pattern: "re.Pattern[str] | None" = None  # replacement strings whose values are unknown


def _known_items(plan: PerItemPlan) -> tuple[list[str] | None, str | None]:
    if plan.problem is not None:
        return None, plan.problem
    source = plan.source
    if source is None:
        return None, "it reads the script's own stdin"
    if source.text is None:
        return None, source.problem
    items = _items(source, plan.one_per_line or plan.placeholder is not None)
    if items is None:
        return None, "its items are quoted in a way xargs would read differently"
    if plan.batched and (len(items) > 1 or source.listing is not None):
        # a listing's item is a glob standing for many files, all given to one command line
        return None, "it passes several items to one command line (aip takes one `-f` value)"
    return items, None


def _xargs(args: list[Value], piped: LoopInput | None) -> PerItemPlan:
    """(command, placeholder, batched, source, problem) of `xargs [options] command…`."""
    placeholder: str | None = None
    per_command: int | None = None
    problem: str | None = None
    index = 0
    while index < len(args):
        token = args[index]
        if token is None:
            return PerItemPlan([], None, False, piped, "an `xargs` option is only known at run time")
        if not token.startswith("-") or token == "-":
            break
        index += 1
        if token == "--":
            break
        following = args[index] if index < len(args) else None
        if token in ("-I", "--replace") or token.startswith(("-I", "--replace=")) or token.startswith("-i"):
            if token in ("-I",):
                placeholder, index = following, index + 1
            else:
                placeholder = token.split("=", 1)[1] if "=" in token else (token[2:] or "{}")
            per_command = 1
        elif token in ("-n", "-L", "--max-args", "--max-lines") or token.startswith(("-n", "-L", "--max-args=", "--max-lines=")):
            value = following if token in ("-n", "-L", "--max-args", "--max-lines") else token.split("=", 1)[-1].lstrip("-nL")
            if token in ("-n", "-L", "--max-args", "--max-lines"):
                index += 1
            if value is None or not value.isdigit():
                return PerItemPlan([], None, False, piped, f"`xargs {token}` has no count")
            per_command = int(value)
        elif token in _XARGS_IGNORED_VALUES:
            index += 1
        elif token.startswith(("-P", "-s", "--max-procs=", "--max-chars=")) or token in _XARGS_FLAGS_WITHOUT_VALUE:
            continue
        else:
            problem = problem or f"`xargs {token}` is not modelled"
            if token in _XARGS_VALUED and following is not None:
                index += 1
    command = args[index:] or ["echo"]
    return PerItemPlan(command, placeholder, per_command != 1, piped, problem, one_per_line=per_command == 1)


def _find_exec(scanner: "ShellScanner", node: Any, argv: list[Value],
               scope: "Scope") -> PerItemPlan:
    from aipack_compat.load.file_listings import listing_of

    position = next(i for i, a in enumerate(argv) if a in ("-exec", "-execdir", "-ok", "-okdir"))
    action = argv[position]
    end = next((i for i in range(position + 1, len(argv)) if argv[i] in (";", "+")), len(argv))
    command = argv[position + 1:end]
    batched = end < len(argv) and argv[end] == "+"
    shown = " ".join(scanner.text(node).split())[:60]
    listed = " ".join(scanner.text(node).split()).split(f" {action} ", 1)[0]
    listing = listing_of(argv[:position], scope.cwd, listed[:60])
    if listing is None or listing.globs is None:
        return PerItemPlan(command, "{}", batched, None, listing.problem if listing else f"`{shown}` is not modelled")
    if action != "-exec":
        where = "in each file's directory" if "dir" in action else "after asking"
        return PerItemPlan(command, "{}", batched, None, f"`find {action}` runs the command {where}")
    source = LoopInput("".join(f"{g}\n" for g in listing.globs), listing.described, None,
                       listing="; ".join(listing.notes))
    return PerItemPlan(command, "{}", batched, source, None)


def _items(source: LoopInput, one_per_line: bool) -> list[str] | None:
    """xargs' items: whole lines with `-I` (leading blanks dropped), else words with its quoting rules."""
    text = source.text or ""
    if source.listing is not None or one_per_line:
        return [line.lstrip(" \t") for line in text.split("\n") if line.strip(" \t")]
    import shlex

    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return None
