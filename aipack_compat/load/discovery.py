"""Discover the AIPACK files under the paths a user names: configs, agents, scripts, packs.

Classification is by path shape only (no file is opened here), so discovery stays cheap for a
pre-commit hook. Which config a run reads (its workspace, the base layers in `~/.aipack-base`) is
workspace.py's question.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "target", ".venv", "venv", "__pycache__", ".mypy_cache",
     ".pytest_cache", ".tox", ".session", ".cache", "dist", "build"}
)

SCRIPT_SUFFIXES = (".sh", ".bash", ".zsh")
CI_YAML_SUFFIXES = (".yml", ".yaml")
JUSTFILE_NAMES = ("justfile", "Justfile", ".justfile", "JUSTFILE")
TASKFILE_NAME = re.compile(r"[Tt]askfile(?:\.dist)?\.ya?ml")
_AIP_WORD = re.compile(rb"(?<![\w.-])(?:aip|devai)(?![\w.-])")
# Files that can call aip but that no front-end reads: a run found in them is reported, not lost.
UNREAD_SCRIPTS: dict[str, str] = {
    ".ps1": "PowerShell script", ".psm1": "PowerShell module", ".bat": "batch file", ".cmd": "batch file",
    ".fish": "fish script", ".nu": "Nushell script", ".xsh": "xonsh script",
}
UNREAD_NAMES: dict[str, str] = {"Dockerfile": "Dockerfile", "Containerfile": "Containerfile",
                                "Makefile.toml": "cargo-make file", "Earthfile": "Earthfile"}
_RUN_CALL = re.compile(rb"(?<![\w.-])(?:aip|devai)(?:\.exe)?[ \t]+run(?![\w-])")


@dataclass(frozen=True, slots=True)
class DiscoveredFiles:
    """Files found under the requested paths, grouped by what they are."""

    workspace_configs: list[str] = field(default_factory=list)  # <wks>/.aipack/config.toml
    legacy_configs: list[str] = field(default_factory=list)  # <wks>/.devai/config.toml
    base_configs: list[str] = field(default_factory=list)  # config-default.toml / config-user.toml / base config.toml
    agents: list[str] = field(default_factory=list)  # *.aip, *.devai, .devai/{customs,defaults}/*.md
    pack_tomls: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)  # shell, Makefile, CI YAML, Python callers
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    # (path, line, column, what it is): files that call `aip run` in a language no front-end reads
    unread_scripts: list[tuple[str, int, int, str]] = field(default_factory=list)


def classify(path: str) -> str | None:
    """What kind of AIPACK file `path` is, judged from its path alone (None: not ours)."""
    p = Path(path)
    name = p.name
    parent = p.parent.name
    if name == "config.toml" and parent == ".aipack":
        return "workspace_config"
    if name == "config.toml" and parent == ".devai":
        return "legacy_config"
    if name in ("config-default.toml", "config-user.toml") or (
        name == "config.toml" and parent == ".aipack-base"
    ):
        return "base_config"
    if name.endswith((".aip", ".devai")):
        return "agent"
    if name.endswith(".md") and parent in ("customs", "defaults") and p.parent.parent.name == ".devai":
        return "agent"
    if name == "pack.toml":
        return "pack_toml"
    if name.endswith(SCRIPT_SUFFIXES) or name in ("Makefile", "makefile", "GNUmakefile") or name.endswith(".mk"):
        return "script"
    if name in JUSTFILE_NAMES or name.endswith(".just") or TASKFILE_NAME.fullmatch(name):
        return "script"
    if name in ("package.json", "tasks.json"):
        return "maybe_script"  # only if it names aip/devai (most package.json files do not)
    if name.endswith(CI_YAML_SUFFIXES) and (".github" in p.parts or name.startswith(".gitlab-ci")):
        return "script"
    if name.endswith(".py"):
        return "maybe_script"  # only if it mentions aip/devai; decided by the scanner
    if "." not in name:
        return "maybe_script"  # extension-less file: a shell script if it has a sh/bash shebang
    return None


_KIND_TO_FIELD = {
    "workspace_config": "workspace_configs",
    "legacy_config": "legacy_configs",
    "base_config": "base_configs",
    "agent": "agents",
    "pack_toml": "pack_tomls",
    "script": "scripts",
}


def discover(paths: list[str], include_maybe_scripts: bool = True) -> DiscoveredFiles:
    """Walk the given files/directories and group AIPACK files. Symlink loops are not followed."""
    found = DiscoveredFiles()
    seen: set[str] = set()
    for root in paths or ["."]:
        if os.path.isdir(root):
            candidates = _walk(root, found)
        elif os.path.lexists(root):
            candidates = [root]
        else:
            found.unreadable.append((root, "no such file or directory"))
            continue
        for candidate in candidates:
            norm = os.path.normpath(candidate)
            if norm in seen:
                continue
            seen.add(norm)
            _add(found, norm, explicit=not os.path.isdir(root), include_maybe=include_maybe_scripts)
    for name in _KIND_TO_FIELD.values():
        getattr(found, name).sort()
    return found


def _add(found: DiscoveredFiles, path: str, explicit: bool, include_maybe: bool) -> None:
    name = os.path.basename(path)
    what = UNREAD_NAMES.get(name) or next((label for suffix, label in UNREAD_SCRIPTS.items()
                                            if name.lower().endswith(suffix)), None)
    if what is not None:
        where = _first_run_call(path)
        if where is not None:
            found.unread_scripts.append((path, where[0], where[1], what))
        return
    kind = classify(path)
    if kind == "maybe_script":
        if include_maybe and _looks_like_aip_caller(path):
            found.scripts.append(path)
        return
    if kind is None:
        if explicit:  # a file named on the command line: treat by content sniffing
            if _looks_like_aip_caller(path):
                found.scripts.append(path)
        return
    getattr(found, _KIND_TO_FIELD[kind]).append(path)


def _walk(root: str, found: DiscoveredFiles) -> list[str]:
    out: list[str] = []
    visited: set[tuple[int, int]] = set()

    def onerror(exc: OSError) -> None:
        found.unreadable.append((exc.filename or root, exc.strerror or type(exc).__name__))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in visited:  # symlink loop or a directory reached twice
            dirnames[:] = []
            continue
        visited.add(key)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        out.extend(os.path.join(dirpath, f) for f in sorted(filenames))
    return out


def _looks_like_aip_caller(path: str) -> bool:
    """Cheap sniff: a sh/bash shebang, or a Python file mentioning `aip`/`devai` as a word."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or device would block the read
            return False
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError:
        return False
    if head.startswith(b"#!") and any(sh in head.split(b"\n", 1)[0] for sh in (b"sh", b"bash", b"zsh")):
        return True
    if os.path.basename(path) in ("package.json", "tasks.json"):
        return _AIP_WORD.search(head) is not None
    if path.endswith(".py"):
        return b'"aip"' in head or b"'aip'" in head or b"devai" in head or b"aip run" in head
    return False


def _first_run_call(path: str) -> tuple[int, int] | None:
    """(line, column) of the first `aip run`/`devai run` in the file's first 1 MB, if any."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            head = handle.read(1024 * 1024)
    except OSError:
        return None
    match = _RUN_CALL.search(head)
    if match is None:
        return None
    line_start = head.rfind(b"\n", 0, match.start()) + 1
    return head.count(b"\n", 0, match.start()) + 1, len(head[line_start:match.start()].decode("utf-8", "replace")) + 1
