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

from dataclasses import replace
from typing import Any

from aipack_compat.load.scripts.core.loop_input import LoopInput
from aipack_compat.load.scripts.core.scope import Scope, Value
from aipack_compat.load.scripts.shell.loops.file_listings import listing_of
from aipack_compat.load.scripts.shell.loops.gnu_parallel import plan_parallel
from aipack_compat.load.scripts.shell.loops.item_plan import PerItemPlan, known_items
from aipack_compat.load.scripts.shell.loops.sources import words_note
from aipack_compat.load.scripts.shell.protocol import ScannerProtocol
from aipack_compat.load.scripts.shell.redirects import Redirects
from aipack_compat.load.scripts.shell.words import node_text

_XARGS_FLAGS_WITHOUT_VALUE = frozenset({"-r", "--no-run-if-empty", "-t", "--verbose", "-x", "--exit"})
_XARGS_IGNORED_VALUES = frozenset({"-s", "--max-chars", "-P", "--max-procs"})
_XARGS_VALUED = frozenset({"-d", "--delimiter", "-a", "--arg-file", "-E", "-e"})  # options modelled as unknown


def run_per_item(scanner: ScannerProtocol, node: Any, argv: list[Value], scope: Scope, redirects: Redirects,
                 env: dict[str, Value]) -> None:
    """Visit the command `xargs`/`find -exec`/`parallel` runs, inside a loop frame over the items."""
    head = argv[0].rsplit("/", 1)[-1] if argv[0] else ""
    if head == "parallel":
        plan = plan_parallel(scanner.collector.root, argv[1:], scope, scanner.piped_input)
    elif head == "xargs":
        plan = _xargs(argv[1:], scanner.piped_input)
    else:
        plan = _find_exec(scanner, node, argv, scope)
    scanner.piped_input = None
    if not plan.command:
        return
    shown = " ".join(node_text(node).split())[:160]
    items, problem = known_items(plan)
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
        redirects = replace(redirects, note="; ".join(filter(None, [redirects.note, f"`{head}`: {problem}"])))
    scanner.loops.append(frame)
    try:
        if plan.shell_string:
            scanner.scan_string(node, expanded[0] or "", scope, redirects)
        else:
            scanner.run_argv(node, expanded, scope, redirects, env)
    finally:
        scanner.loops.pop()
        scanner.collector.close_loop(frame.frame_id)


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


def _find_exec(scanner: ScannerProtocol, node: Any, argv: list[Value],
               scope: Scope) -> PerItemPlan:
    position = next(i for i, a in enumerate(argv) if a in ("-exec", "-execdir", "-ok", "-okdir"))
    action = argv[position] or ""
    end = next((i for i in range(position + 1, len(argv)) if argv[i] in (";", "+")), len(argv))
    command = argv[position + 1:end]
    batched = end < len(argv) and argv[end] == "+"
    shown = " ".join(node_text(node).split())[:60]
    listed = " ".join(node_text(node).split()).split(f" {action} ", 1)[0]
    listing = listing_of(argv[:position], scope.cwd, listed[:60])
    if listing is None or listing.globs is None:
        return PerItemPlan(command, "{}", batched, None, listing.problem if listing else f"`{shown}` is not modelled")
    if action != "-exec":
        where = "in each file's directory" if "dir" in action else "after asking"
        return PerItemPlan(command, "{}", batched, None, f"`find {action}` runs the command {where}")
    source = LoopInput("".join(f"{g}\n" for g in listing.globs), listing.described, None,
                       listing="; ".join(listing.notes))
    return PerItemPlan(command, "{}", batched, source, None)
