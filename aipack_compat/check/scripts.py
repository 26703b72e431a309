"""Script findings as diagnostics: the scanner's invocations checked against the workspace and era.

`check_script_text(path, text, workspace_root)` is what `validate` calls for every script;
it returns the invocations too, so callers (migrate) do not scan twice.
"""

from __future__ import annotations

import os
import posixpath
from typing import TYPE_CHECKING

from aipack_compat.load.scripts.core.aip_argv import RUN_FLAGS
from aipack_compat.model.diagnostic import Diagnostic
from aipack_compat.model.eras import AIP_RENAME, LAST_DEVAI_RELEASE, LAST_RHAI_DEVAI_RELEASE, SINGLE_SHOT_FLAG
from aipack_compat.model.invocation import Invocation, ScriptScan
from aipack_compat.model.versions import version_text
from aipack_compat.rules import sh

if TYPE_CHECKING:
    from aipack_compat.load.agent_ref import AgentRefResolution

# canonical flag -> (first version, last version or None); aipack-spec §4.2
FLAG_ERAS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int] | None]] = {
    "on-files": ((0, 0, 2), None),
    "watch": ((0, 0, 9), None),
    "verbose": ((0, 0, 10), None),
    "dry": ((0, 5, 0), None),
    "input": ((0, 5, 0), None),
    "open": ((0, 5, 0), None),
    "not-interactive": ((0, 5, 10), (0, 6, 18)),
    "ni": ((0, 5, 10), None),
    "single-shot": (SINGLE_SHOT_FLAG, None),
    "xp-tui": ((0, 7, 15), None),  # ignored from 0.8.0 but still parsed
    "old-term": ((0, 8, 0), None),
    "help": ((0, 0, 2), None),
}


def check_script_text(path: str, text: str, workspace_root: str | None, *,
                      aip_version: str | None = None) -> tuple[list[Invocation], list[Diagnostic]]:
    from aipack_compat.load.scripts.scan import default_root, scan_script_text

    root = workspace_root if workspace_root is not None else default_root(path)
    scan = scan_script_text(path, text, root)
    return scan.invocations, check_scan(scan, root, aip_version)


def check_scan(scan: ScriptScan, root: str, aip_version: str | None = None) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    for location, message in zip(scan.parse_problems, scan.problem_messages):
        diagnostics.append(sh.SCRIPT_SYNTAX.at(location, message))
    layout = _layout(root)
    for invocation in scan.invocations:
        version = era_version(invocation.program, root)
        # an explicit --aip-version describes the `aip` binary; a `devai run` line keeps its own era
        # unless the version given is itself a devai one (< 0.6.0)
        if aip_version and (invocation.program != "devai" or _is_devai_version(aip_version)):
            version = aip_version
        diagnostics.extend(_check_invocation(invocation, root, version, layout))
    diagnostics.extend(_check_rewrites(scan, root))
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def _is_devai_version(version: str) -> bool:
    from aipack_compat.model.agent import parse_aip_version

    return parse_aip_version(version) < AIP_RENAME


def era_version(program: str, root: str) -> str:
    """The aip version a call is judged against: devai by binary/layout, else the current aip."""
    from aipack_compat.model.versions import DEFAULT_AIP_VERSION

    if program == "devai":
        legacy_dirs = (os.path.join(root, ".devai", "customs"), os.path.join(root, ".devai", "defaults"))
        return LAST_RHAI_DEVAI_RELEASE if any(os.path.isdir(d) for d in legacy_dirs) else LAST_DEVAI_RELEASE
    return DEFAULT_AIP_VERSION


def _layout(root: str) -> str:
    if os.path.isdir(os.path.join(root, ".aipack")):
        return "aipack"
    if os.path.isdir(os.path.join(root, ".devai")):
        return "devai"
    return "none"


def _check_invocation(invocation: Invocation, root: str, version: str, layout: str) -> list[Diagnostic]:
    from aipack_compat.model.agent import parse_aip_version

    where = invocation.location
    parsed_version = parse_aip_version(version)
    out: list[Diagnostic] = []
    if invocation.agent_ref is None and not any(u.what == "agent" for u in invocation.unresolved):
        out.append(sh.MISSING_AGENT.at(where, f"`{invocation.program} run` without an agent argument"))
    for flag in invocation.unknown_flags:
        hint = "aip has no model flag: migrate the loop into a job matrix" if "model" in flag else None
        out.append(sh.UNKNOWN_RUN_FLAG.at(where, f"`{flag}` is not an option of `{invocation.program} run` in any version",
                                          hint=hint))
    for spelling in invocation.flags:
        entry = RUN_FLAGS.get(spelling)
        if entry is None:
            continue
        first, last = FLAG_ERAS[entry[0]]
        if parsed_version < first or (last is not None and parsed_version > last):
            span = f"{version_text(first)}–{version_text(last)}" if last else f"{version_text(first)}+"
            out.append(sh.FLAG_NOT_IN_ERA.at(where, f"`{spelling}` exists in {span}, not in {invocation.program} {version}",
                                             hint="use `-s` (0.7.0+) instead" if entry[0] == "not-interactive" else None))
    if invocation.dry is not None and invocation.dry not in ("req", "res"):
        out.append(sh.UNKNOWN_RUN_FLAG.at(where, f"`--dry {invocation.dry}`: the value must be `req` or `res`"))
    for pattern, count in invocation.unquoted_globs:
        if count > 1:
            message = f"`-f {pattern}` is not quoted: the shell expands it to {count} files and aip stops at the second"
        elif count == 1:
            message = f"`-f {pattern}` is not quoted: the shell passes only the one file it matches today"
        else:
            message = f"`-f {pattern}` is not quoted: once it matches two or more files, aip stops with `unexpected argument`"
        out.append(sh.UNQUOTED_FILE_GLOB.at(where, message, hint=f'quote it: -f "{pattern}"'))
    if invocation.file_globs and invocation.inputs:
        out.append(sh.FILES_AND_INPUTS.at(where, "aip refuses `-f` together with `-i` (Cannot use both --on-inputs and --on-files)"))
    if not invocation.single_shot and not invocation.watch and parsed_version >= (0, 5, 0):
        # the one-shot flag by era (spec §4.2): none before 0.5.10, `--ni` 0.5.10+, `-s` 0.7.0+
        if parsed_version >= SINGLE_SHOT_FLAG:
            advice = "add `-s`"
        elif parsed_version >= (0, 5, 10):
            advice = "add `--ni` (`--not-interactive`; it became `-s` in aip 0.7.0)"
        else:
            advice = f"{invocation.program} {version} has no one-shot flag; run it from a terminal or upgrade"
        out.append(sh.INTERACTIVE_RUN.at(where,
                                         f"`{invocation.program} run` without a one-shot flag waits for the terminal in a script",
                                         hint=advice))
    if invocation.program == "devai" and layout == "aipack":
        out.append(sh.DEVAI_BINARY.at(where, "`devai run` in a workspace that has `.aipack/` (devai reads only `.devai/`)"))
    out.extend(_check_agent(invocation, root, version))
    for item in dict.fromkeys(invocation.unresolved):
        out.append(sh.DYNAMIC_VALUE.at(item.location, f"{item.what} is only known at run time: `{item.text[:80]}`"))
    return out


def _check_agent(invocation: Invocation, root: str, version: str) -> list[Diagnostic]:
    ref = invocation.agent_ref
    if ref is None or invocation.workdir is None:
        return []
    if ref.startswith("~") or ref.startswith("$"):
        return [sh.DYNAMIC_VALUE.at(invocation.location, f"agent `{ref}` depends on the user's home directory")]
    resolution = resolve_agent(ref, invocation.workdir, root, version)
    if resolution.path is not None:
        return []
    if "@" in ref and not resolution.reason.startswith("Invalid"):
        return []  # an installed pack lives in ~/.aipack-base of the machine that runs it
    return [sh.AGENT_NOT_FOUND.at(invocation.location, resolution.reason.split("\n", 1)[0])]


def resolve_agent(ref: str, workdir: str, root: str, version: str) -> AgentRefResolution:
    """`load.agent_ref.resolve_agent_ref` from the invocation's directory."""
    from aipack_compat.load.agent_ref import resolve_agent_ref

    cwd = posixpath.normpath(posixpath.join(root, workdir))
    return resolve_agent_ref(ref, cwd, root, None, version)


def _check_rewrites(scan: ScriptScan, root: str) -> list[Diagnostic]:
    from aipack_compat.load.scripts.shell.commands.sed_script import apply_substitutions, parse_substitutions

    out: list[Diagnostic] = []
    reported_targets: set[str] = set()
    for rewrite in scan.rewrites:
        target = posixpath.normpath(posixpath.join(root, rewrite.target))
        if rewrite.kind == "sed" and rewrite.sed_script is not None and os.path.isfile(target):
            subs = parse_substitutions(rewrite.sed_script)
            try:
                with open(target, encoding="utf-8") as handle:
                    config_text = handle.read()
            except (OSError, UnicodeDecodeError):
                config_text = None
            if subs and config_text is not None:
                _, matched = apply_substitutions(subs, config_text, rewrite.extended_regex)
                for sub, hit in zip(subs, matched):
                    if not hit:
                        out.append(sh.REWRITE_MATCHES_NOTHING.at(
                            rewrite.location, f"`s/{sub.pattern}/…/` matches no line of {rewrite.target}",
                            hint="the loop would run every model with the unchanged config"))
        if not rewrite.restored and rewrite.target not in reported_targets:
            reported_targets.add(rewrite.target)
            backup = f" (the `{rewrite.backup_suffix}` backup is never moved back)" if rewrite.backup_suffix else ""
            out.append(sh.REWRITE_NOT_RESTORED.at(rewrite.location, f"{rewrite.target} is rewritten and never restored{backup}"))
    return out


