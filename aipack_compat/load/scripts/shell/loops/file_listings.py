"""Commands that list files, read as the `-f` globs that list the same files when the job runs.

    for f in $(ls prompts/*.md); do …              ls prompts/*.md | while read -r f; do …
    for f in $(find prompts -name '*.md'); do …    find prompts -type f -name '*.md' | xargs -I{} …
    find prompts -name '*.md' -exec aip run eval -f {} \\;

`ls GLOB` prints what the shell's glob matched, so the glob itself is the listing. `find DIR -name P`
becomes `DIR/**/P` (`-maxdepth N`: one glob per depth). The listing stays a glob, expanded when the
job runs as the script's `find` was, never a list frozen at migrate time. Where find and the glob
disagree today (find also lists hidden files and directories), the note says which paths differ.
Anything else (`-iname`, `-o`, `-newer`, `ls DIR`, `ls -l`) is unknown, with the reason.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import posixpath
from dataclasses import dataclass, field

from aipack_compat.load.scripts.core.scope import LOOP_TOKEN_RE, Value

_GLOB_CHARS = ("*", "?", "[")
# ls flags that change only the order or which hidden entries a directory shows, not the names printed
_LS_ORDER_FLAGS = frozenset("trSXvUcu")
_LS_NEUTRAL_FLAGS = frozenset("1aAdrH") | _LS_ORDER_FLAGS
_FIND_HIDDEN_EXCLUSIONS = {("-path", "*/.*"), ("-name", ".*"), ("-path", "./.*"), ("-wholename", "*/.*")}
MAX_WALK_ENTRIES = 20_000


@dataclass(frozen=True, slots=True)
class Listing:
    """The globs a listing command stands for, or why it cannot be one."""

    described: str  # "`find prompts -name '*.md'`"
    globs: list[str] | None = None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)


def listing_of(argv: list[Value], cwd: Value, shown: str) -> Listing | None:
    """`ls …` / `find …` as globs; None when argv is neither command."""
    head = posixpath.basename(argv[0]) if argv and argv[0] else None
    described = f"`{shown}`"
    if head not in ("ls", "find"):
        return None
    if any(arg is None or LOOP_TOKEN_RE.search(arg) for arg in argv[1:]):
        return Listing(described, problem=f"its arguments depend on run-time values ({described})")
    args = [arg for arg in argv[1:] if arg is not None]
    if head == "ls":
        return _ls(args, cwd, described)
    return _find(args, cwd, described)


def _ls(args: list[str], cwd: Value, described: str) -> Listing:
    operands: list[str] = []
    flags = ""
    for arg in args:
        if arg.startswith("--"):
            if arg.startswith("--color") or arg == "--":
                continue
            return Listing(described, problem=f"`ls {arg}` is not modelled")
        if arg.startswith("-") and len(arg) > 1:
            flags += arg[1:]
        else:
            operands.append(arg)
    unknown = sorted(set(flags) - _LS_NEUTRAL_FLAGS)
    if unknown:
        return Listing(described, problem=f"`ls -{''.join(unknown)}` prints more than the file names")
    if not operands:
        return Listing(described, problem="`ls` without a file or glob prints names without their directory")
    for operand in operands:
        if not any(c in operand for c in _GLOB_CHARS) and "d" not in flags and _is_dir(cwd, operand):
            return Listing(described, problem=f"`ls {operand}` prints the names inside {operand} without the directory")
    notes = []
    if set(flags) & _LS_ORDER_FLAGS:
        notes.append(f"{described} orders files by its flags; the job takes each glob's files in name order")
    shown = ", ".join(operands)
    notes.insert(0, f"{described}, which lists the files of {shown}: the job takes the same glob(s), expanded when it runs")
    return Listing(described, globs=list(operands), notes=notes)


def _find(args: list[str], cwd: Value, described: str) -> Listing:
    index = 0
    while index < len(args) and args[index] in ("-H", "-L", "-P"):
        index += 1
    roots: list[str] = []
    while index < len(args) and not args[index].startswith("-") and args[index] not in ("!", "(", ")"):
        roots.append(args[index])
        index += 1
    roots = roots or ["."]
    files_only = False
    name = "*"
    max_depth: int | None = None
    hides_hidden = False
    expression = args[index:]
    position = 0
    while position < len(expression):
        token = expression[position]
        operand = expression[position + 1] if position + 1 < len(expression) else None
        if token in ("-not", "!") and operand is not None and position + 2 < len(expression):
            if (operand, expression[position + 2]) in _FIND_HIDDEN_EXCLUSIONS:
                hides_hidden = True
                position += 3
                continue
            return Listing(described, problem=f"`find … {token} {operand} …` is not modelled")
        if token == "-print":
            position += 1
            continue
        if operand is None:
            return Listing(described, problem=f"`find … {token}` is not modelled")
        if token == "-type" and operand == "f":
            files_only = True
        elif token == "-name" and name == "*" and "/" not in operand:
            name = operand
        elif token in ("-maxdepth", "-mindepth") and operand.isdigit():
            depth = int(operand)
            if token == "-mindepth" and depth > 1:
                return Listing(described, problem=f"`find -mindepth {depth}` skips files a glob would list")
            if token == "-maxdepth":
                if depth == 0 or depth > 8:
                    return Listing(described, problem=f"`find -maxdepth {depth}` is not modelled")
                max_depth = depth
        else:
            return Listing(described, problem=f"`find … {token} {operand}` is not modelled")
        position += 2
    if any(c in root for root in roots for c in _GLOB_CHARS):
        return Listing(described, problem="`find` starts from a glob")
    if max_depth:
        patterns = ["/".join(["*"] * level + [name]) for level in range(max_depth)]
    else:
        patterns = [f"**/{name}"]
    globs = [_join(root, pattern) for root in roots for pattern in patterns]
    notes = [f"{described}, which lists the files of the glob(s) {', '.join(globs)}: the job expands them when it "
             "runs, as the script's `find` did"]
    notes += _differences(roots, name, files_only, max_depth, hides_hidden, globs, cwd, described)
    return Listing(described, globs=globs, notes=notes)


def _join(root: str, pattern: str) -> str:
    root = root.rstrip("/") if root not in ("/", "") else root
    return f"{root}/{pattern}" if root != "/" else f"/{pattern}"


def _is_dir(cwd: Value, path: str) -> bool:
    absolute = path if posixpath.isabs(path) else (posixpath.join(cwd, path) if cwd else None)
    return absolute is not None and os.path.isdir(absolute)


def _differences(roots: list[str], name: str, files_only: bool, max_depth: int | None, hides_hidden: bool,
                 globs: list[str], cwd: Value, described: str) -> list[str]:
    """What `find` lists today that the globs do not (hidden paths, directories), checked on disk."""
    if cwd is None or not os.path.isdir(cwd):
        return []
    listed = _walk(roots, name, files_only, max_depth, hides_hidden, cwd)
    if listed is None:
        return [f"{described} and the glob were not compared: over {MAX_WALK_ENTRIES:,} entries"]
    globbed: set[str] = set()
    for pattern in globs:
        for match in glob.glob(pattern, root_dir=cwd, recursive=True):
            if os.path.isfile(os.path.join(cwd, match)):
                globbed.add(posixpath.normpath(match))
    only_find = sorted(listed - globbed)
    if not only_find:
        return []
    shown = ", ".join(only_find[:3]) + (", …" if len(only_find) > 3 else "")
    return [f"{described} also lists {len(only_find)} path(s) the glob skips today ({shown}): hidden files and "
            "directories are not glob matches, so the job leaves them out"]


def _walk(roots: list[str], name: str, files_only: bool, max_depth: int | None, hides_hidden: bool,
          cwd: str) -> set[str] | None:
    """The paths `find ROOT… -name NAME [-type f] [-maxdepth N]` prints, normalised; None past the cap."""
    found: set[str] = set()
    seen = 0
    for root in roots:
        base = root if posixpath.isabs(root) else posixpath.join(cwd, root)
        if not os.path.isdir(base):
            continue
        for directory, subdirectories, files in os.walk(base):
            relative_dir = posixpath.relpath(directory, base)
            depth = 0 if relative_dir == "." else relative_dir.count("/") + 1
            seen += len(subdirectories) + len(files)
            if seen > MAX_WALK_ENTRIES:
                return None
            if hides_hidden:
                subdirectories[:] = [d for d in subdirectories if not d.startswith(".")]
            candidates = files + ([] if files_only else subdirectories)
            if max_depth is not None and depth + 1 >= max_depth:
                subdirectories[:] = []  # entries here are at max_depth: list them, go no deeper
            for entry in candidates:
                if hides_hidden and entry.startswith("."):
                    continue
                if fnmatch.fnmatchcase(entry, name):
                    path = posixpath.join(root, relative_dir, entry) if relative_dir != "." else posixpath.join(root, entry)
                    found.add(posixpath.normpath(path))
    return found
