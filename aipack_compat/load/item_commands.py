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
    """Visit the command `xargs`/`find -exec` runs, inside a loop frame over the items."""
    head = argv[0].rsplit("/", 1)[-1] if argv[0] else ""
    if head == "xargs":
        command, placeholder, batched, source, problem = _xargs(argv[1:], scanner.piped_input)
        scanner.piped_input = None
    else:
        command, placeholder, batched, source, problem = _find_exec(scanner, node, argv, scope)
    if not command:
        return
    shown = " ".join(scanner.text(node).split())[:160]
    items: list[str] | None = None
    if problem is None:
        if source is None:
            problem = "it reads the script's own stdin"
        elif source.text is None:
            problem = source.problem
        else:
            items = _items(source, placeholder is not None)
            if items is None:
                problem = "its items are quoted in a way xargs would read differently"
            elif batched and (len(items) > 1 or source.listing is not None):
                # a listing's item is a glob standing for many files, all given to one command line
                problem = "it passes several items to one command line (aip takes one `-f` value)"
    variable = placeholder if placeholder is not None else f"{head} item"
    frame = scanner.collector.new_frame(variable, items if problem is None else None, scanner.where(node), shown)
    frame.values_problem = problem
    if problem is None and source is not None and items is not None:
        frame.note = words_note(shown, source, items)
        frame.from_listing = source.listing is not None
    token = frame.token
    if placeholder is not None:
        expanded: list[Value] = [a.replace(placeholder, token) if a is not None else None for a in command]
    else:
        expanded = [*command, token]
    scanner.loops.append(frame)
    try:
        scanner.run_argv(node, expanded, scope, redirects, env)
    finally:
        scanner.loops.pop()
        close_loop(scanner.collector, frame.frame_id)


def _xargs(args: list[Value], piped: LoopInput | None) -> tuple[list[Value], str | None, bool, LoopInput | None, str | None]:
    """(command, placeholder, batched, source, problem) of `xargs [options] command…`."""
    placeholder: str | None = None
    per_command: int | None = None
    problem: str | None = None
    index = 0
    while index < len(args):
        token = args[index]
        if token is None:
            return [], None, False, piped, "an `xargs` option is only known at run time"
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
                return [], None, False, piped, f"`xargs {token}` has no count"
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
    return command, placeholder, per_command != 1, piped, problem


def _find_exec(scanner: "ShellScanner", node: Any, argv: list[Value],
               scope: "Scope") -> tuple[list[Value], str | None, bool, LoopInput | None, str | None]:
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
        return command, "{}", batched, None, listing.problem if listing else f"`{shown}` is not modelled"
    if action != "-exec":
        return command, "{}", batched, None, f"`find {action}` runs the command {'in each file’s directory' if 'dir' in action else 'after asking'}"
    source = LoopInput("".join(f"{g}\n" for g in listing.globs), listing.described, None,
                       listing="; ".join(listing.notes))
    return command, "{}", batched, source, None


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
