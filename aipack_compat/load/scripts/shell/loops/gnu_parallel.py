"""GNU parallel: a command run once per argument, read as a loop over the arguments.

    parallel -j4 aip run eval -s -f {} ::: prompts/*.md
    parallel 'aip run eval -s -f {} > out/{/.}.txt' ::: prompts/*.md
    parallel aip run eval -s -i {} :::: questions.txt
    ls prompts/*.md | parallel aip run eval -s -f

One argument source (`:::` words, `::::` a workspace file, `-a FILE`, or stdin) is one loop; the
replacement strings `{}`, `{/}`, `{.}`, `{/.}` and `{//}` are that loop's value and values derived
from it (so a per-file output name becomes `{input_stem}` etc.), and a command that names none of
them gets the argument appended, as parallel does. A command given as one quoted string is a
shell line, scanned like `sh -c`. Several sources (a cross product), `:::+`, `{1}`, `-n2`,
`--colsep` and `-X`/`-m` stay unresolved with the reason.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from aipack_compat.load.scripts.core.loop_input import LoopInput, read_workspace_file
from aipack_compat.load.scripts.core.scope import Scope, Value
from aipack_compat.load.scripts.shell.loops.item_plan import PerItemPlan
from aipack_compat.load.scripts.shell.substitutions import basename

_VALUED_OPTIONS = frozenset({
    "-j", "--jobs", "-P", "--max-procs", "--joblog", "--results", "--res", "--halt", "--delay", "--timeout",
    "--retries", "--tmpdir", "--tagstring", "--env", "--load", "--memfree", "--nice", "--workdir", "--wd",
    "-S", "--sshlogin", "--sshloginfile", "--slf", "--shuf-seed", "--termseq", "--block", "--limit",
})
_NEUTRAL_FLAGS = frozenset({
    "-k", "--keep-order", "--bar", "--eta", "--progress", "--line-buffer", "--lb", "--group", "-u", "--ungroup",
    "--will-cite", "--no-notice", "-v", "--verbose", "--tag", "--halt-on-error", "--nonall", "--silent",
    "--no-run-if-empty", "-r", "--shuf", "--joblog-append",
})
_UNMODELLED = frozenset({"-X", "-m", "--xargs", "-n", "-N", "--max-args", "--colsep", "-C", "--dry-run", "--pipe",
                         "--pipepart", "--header", "--transfer", "--return", "--cleanup", "--trc", "-d", "--delimiter",
                         "-E", "--eof", "--link", "--xapply", "-0", "--null"})
_NUMBERED_RE = re.compile(r"\{\d+[./]*\}|\{#\}|\{%\}|\{=.*?=\}")


def _trunk(value: str) -> str:
    """parallel's `{.}`: the path without the last name's extension."""
    head, _, name = value.rpartition("/")
    stem = name.rpartition(".")[0] if "." in name.lstrip(".") else name
    return f"{head}/{stem}" if head else stem


def _dirname(value: str) -> str:
    return posixpath.dirname(value) or "."


# replacement string -> the operations from the argument to it (core/per_input.py reads the shapes)
_DERIVED: dict[str, list[tuple[Any, tuple[str, ...]]]] = {
    "{/}": [(basename, ("basename", ""))],
    "{.}": [(_trunk, ("%", ".*"))],
    "{/.}": [(basename, ("basename", "")), (_trunk, ("%", ".*"))],
    "{//}": [(_dirname, ("dirname",))],
}


def plan_parallel(root: str, args: list[Value], scope: Scope, piped: LoopInput | None) -> PerItemPlan:
    """The loop `parallel [options] command [::: args | :::: files]` stands for."""
    index = 0
    arg_file: Value = None
    problem: str | None = None
    while index < len(args):
        token = args[index]
        if token is None or not token.startswith("-") or token in (":::", "::::"):
            break
        index += 1
        name, has_inline = (token.split("=", 1)[0], "=" in token)
        if name in ("-a", "--arg-file", "--arg_file"):
            arg_file, index = (token.split("=", 1)[1], index) if has_inline else (args[index] if index < len(args) else None, index + 1)
        elif name in _UNMODELLED or (name[:2] in ("-n", "-N") and name[2:].isdigit()):
            problem = problem or f"`parallel {name}` is not modelled"
            if name in ("-n", "-N", "--max-args", "--colsep", "-C", "-d", "--delimiter", "-E", "--eof") and not has_inline:
                index += 1
        elif name in _VALUED_OPTIONS:
            index += 0 if has_inline else 1
        elif name in _NEUTRAL_FLAGS or re.fullmatch(r"-j\d+|-P\d+|--jobs=\S+", token):
            continue
        else:
            problem = problem or f"`parallel {name}` is not modelled"
    separator = next((i for i in range(index, len(args)) if args[i] in (":::", "::::", ":::+", "::::+")), len(args))
    command = args[index:separator]
    groups = _source_groups(args[separator:])
    if any(kind.endswith("+") for kind, _ in groups):
        problem = problem or "`:::+` links argument lists: not modelled"
    sources = len(groups) + (arg_file is not None)
    if sources > 1:
        problem = problem or f"it combines {sources} argument lists (a cross product): not modelled"
    numbered = any(value is not None and _NUMBERED_RE.search(value) for value in command)
    if numbered:
        problem = problem or "it uses numbered or computed replacement strings (`{1}`, `{#}`, `{= … =}`)"
    source: LoopInput | None
    if groups:
        kind, values = groups[0]
        source = _words_source(values) if kind == ":::" else _files_source(root, values, scope)
    elif arg_file is not None:
        source = read_workspace_file(root, arg_file, scope.cwd)
    else:
        source = piped
    shell_string = len(command) == 1 and command[0] is not None and any(c in command[0] for c in " \t|;&><")
    return PerItemPlan(command, "{}", False, source, problem, one_per_line=True, derived=dict(_DERIVED),
                       shell_string=shell_string, append_when_unused=not numbered, unknown_pattern=_NUMBERED_RE)


def _source_groups(args: list[Value]) -> list[tuple[str, list[Value]]]:
    groups: list[tuple[str, list[Value]]] = []
    for token in args:
        if token in (":::", "::::", ":::+", "::::+"):
            groups.append((token, []))
        elif groups:
            groups[-1][1].append(token)
    return groups


def _words_source(values: list[Value]) -> LoopInput:
    """`::: a b c`: the words as the shell gave them (a glob stays a glob, as in `for f in *.md`)."""
    if any(v is None or "\n" in v for v in values):
        return LoopInput(None, "its `:::` arguments", "its `:::` arguments depend on run-time values")
    return LoopInput("".join(f"{v}\n" for v in values), "its `:::` arguments")


def _files_source(root: str, values: list[Value], scope: Scope) -> LoopInput:
    """`:::: FILE…`: the lines of workspace files, read as data."""
    parts = [read_workspace_file(root, value, scope.cwd) for value in values]
    failed = next((p for p in parts if p.text is None), None)
    if failed is not None or not parts:
        return failed or LoopInput(None, "`::::`", "`::::` names no file")
    first = parts[0]
    return LoopInput("".join(p.text or "" for p in parts), ", ".join(p.described for p in parts), None,
                     first.file if len(parts) == 1 else None, first.digest if len(parts) == 1 else None)
