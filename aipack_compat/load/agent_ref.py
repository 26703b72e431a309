"""Resolve the agent argument of `aip run <ref>` / `devai run <name>` to a file, per era (spec §4.3).

Mirrors, without running anything:
- devai 0.0.x – 0.1.0: `*.md` stems (or their initials) in `./.devai/customs`, then `./.devai/defaults`
  (`A:src/agent/agent_locator.rs@5b0f7d5a`).
- devai 0.5.x: a path ending in `.devai`, else `**/*.devai` under the agent dirs, matched by stem
  (0.5.0 – 0.5.4) or by relative path / per-segment initials (0.5.5+), then `<name>/main` (0.5.10+;
  the spec says 0.5.4, but `{name}/main` first appears in `A:src/agent/agent_locator.rs@99bfe316`).
- aip 0.6+: any `@` makes a pack ref `ns@name[$scope][/sub]`, otherwise a local path tried as
  `<p>` (if `.aip`), `<p>/main.aip` (if it ends in `/`), else `<p>.aip` then `<p>/main.aip`
  (`A:src/agent/agent_locator.rs@952ad06e`, `A:src/types/pack_ref.rs@952ad06e`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from aipack_compat.model.agent import parse_aip_version

_IDENTIFIER = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_-]*$")
_ERA_VERSIONS = {"devai-rhai": "0.1.0", "devai-lua": "0.5.12", "aipack": "0.8.37"}


@dataclass(frozen=True, slots=True)
class AgentRefResolution:
    """`path` is the agent file aip would load, or None; `reason` says how it was found or why not."""

    path: str | None
    reason: str
    candidates: tuple[str, ...] = ()  # every file tried, in order

    def __iter__(self) -> Iterator[str | None]:
        """Allow `path, reason = resolve_agent_ref(...)`."""
        return iter((self.path, self.reason))


def resolve_agent_ref(
    ref: str,
    cwd: str,
    workspace: str,
    base_dir: str | None,
    era: str,
    *,
    home: str | None = None,
) -> AgentRefResolution:
    """Resolve `ref` as the given aip version (or era name: devai-rhai, devai-lua, aipack) would.

    `cwd` is where the command runs, `workspace` the directory holding `.aipack/` (or `.devai/`),
    `base_dir` the calling agent's directory for `aip.agent.run` (0.6.14+), `home` the user's home
    (for `~/.aipack-base`, `~/.devai-base`; defaults to `$HOME`).
    """
    version = parse_aip_version(_ERA_VERSIONS.get(era, era))
    home = home if home is not None else os.path.expanduser("~")
    if version < (0, 5, 0):
        return _resolve_devai_rhai(ref, cwd)
    if version < (0, 6, 0):
        return _resolve_devai_lua(ref, cwd, workspace, home, version)
    if "@" in ref:
        return _resolve_pack_ref(ref, workspace, home, version)
    if os.path.isabs(ref):
        full = ref
    elif base_dir is not None and version >= (0, 6, 14):
        full = os.path.join(base_dir, ref)
    else:
        full = os.path.join(cwd, ref)
    candidates = possible_aip_paths(full, as_dir=False)
    for candidate in candidates:
        if os.path.exists(candidate):
            return AgentRefResolution(candidate, f"local path '{ref}'", tuple(candidates))
    reason = f"No agent found for local path: '{ref}'\n   (full path: {full})"
    if ref.endswith((".devai", ".md")):
        reason += f"\n   aip 0.6+ runs only .aip files: rename '{ref}' to '{os.path.splitext(ref)[0]}.aip'"
    return AgentRefResolution(None, reason, tuple(candidates))


def possible_aip_paths(path: str, as_dir: bool) -> list[str]:
    """`possible_aip_paths`: a `.aip` path as is; a dir gets `main.aip`; else `<p>.aip`, `<p>/main.aip`."""
    if path.endswith(".aip"):
        return [path]
    if as_dir or path.endswith("/"):
        return [os.path.join(path, "main.aip")]
    return [f"{path}.aip", os.path.join(path, "main.aip")]


def _resolve_pack_ref(ref: str, workspace: str, home: str, version: tuple[int, int, int]) -> AgentRefResolution:
    parsed = parse_pack_ref(ref, version)
    if isinstance(parsed, str):
        return AgentRefResolution(None, parsed)
    namespace, name, sub_path = parsed
    repos = [
        ("workspace custom", os.path.join(workspace, ".aipack", "pack", "custom")),
        ("base custom", os.path.join(home, ".aipack-base", "pack", "custom")),
        ("base installed", os.path.join(home, ".aipack-base", "pack", "installed")),
    ]
    hits: list[tuple[str, str, str]] = []  # (repo label, namespace, pack dir)
    for label, repo in repos:
        if not os.path.isdir(repo):
            continue
        if namespace is not None:
            pack_dir = os.path.join(repo, namespace, name)
            if os.path.isdir(pack_dir):
                hits.append((label, namespace, pack_dir))
                break  # `find_pack_dirs`: a direct match stops at the first repo
        else:
            for ns in sorted(os.listdir(repo)):
                if os.path.isdir(os.path.join(repo, ns, name)):
                    hits.append((label, ns, os.path.join(repo, ns, name)))
    if not hits:
        return AgentRefResolution(None, f"No aipack matches for {ref}.")
    if len({ns for _, ns, _ in hits}) > 1:
        listing = ", ".join(f"{ns}@{name}" for _, ns, _ in hits)
        return AgentRefResolution(None, f"{ref} matches multiple AI packs across different namespaces: {listing}")
    label, ns, pack_dir = hits[0]
    target = os.path.join(pack_dir, sub_path) if sub_path else pack_dir
    candidates = possible_aip_paths(target, as_dir=sub_path is None)
    for candidate in candidates:
        if os.path.exists(candidate):
            return AgentRefResolution(candidate, f"pack {ns}@{name} ({label})", tuple(candidates))
    return AgentRefResolution(None, f"No agent files  matches for {ref}", tuple(candidates))


def parse_pack_ref(ref: str, version: tuple[int, int, int]) -> tuple[str | None, str, str | None] | str:
    """`PackRef::from_str` → (namespace, name, sub_path), or the error text aip prints."""
    parts = ref.split("@")
    if len(parts) > 2:
        return f"Invalid pack reference format: '{ref}'. Too many '@' symbols."
    namespace: str | None = parts[0]
    rest = parts[1]
    if not namespace:
        if version >= (0, 7, 7):  # `9fe07058`
            return f"Invalid pack reference format: '{ref}'. Namespace cannot be empty when '@' is present."
        namespace = None  # 0.6.0 – 0.7.6: search every namespace
    if not rest:
        return f"Invalid pack reference format: '{ref}'. Pack name/path part cannot be empty after '@'."
    if namespace is not None and not _IDENTIFIER.match(namespace):
        return f"Invalid namespace '{namespace}': Pack namespace can only contain alphanumeric characters, hyphens, and underscores, and cannot start with a number."
    name_part, _, sub = rest.partition("/")
    sub_path = sub or None
    name, dollar, scope = name_part.partition("$")
    if dollar:
        if not name:
            return f"Invalid pack reference format: '{ref}'. Pack name cannot be empty before '$'."
        if scope not in ("base", "workspace"):
            return f"Invalid pack reference scope in '{ref}'. Expected '$base' or '$workspace', found '${scope}'."
    if not name.strip() or not _IDENTIFIER.match(name):
        return f"Invalid pack name '{name}': Pack name can only contain alphanumeric characters, hyphens, and underscores, and cannot start with a number."
    if sub_path is not None:
        if "$" in sub_path:
            return f"Invalid pack reference format: '{ref}'. Character '$' is not allowed in the sub-path."
        if ".." in sub_path.split("/"):
            return f"Invalid pack reference format: '{ref}'. Sub-path cannot contain '..'."
    return namespace, name, sub_path


def initials(stem: str, per_segment: bool) -> str:
    """`get_initials`: first letter of each `-` part (leading `_` ignored); 0.5.5+ keeps `/` segments."""
    segments = stem.split("/") if per_segment else [stem]
    return "/".join("".join(part.lstrip("_")[:1] for part in segment.split("-")) for segment in segments)


def _resolve_devai_rhai(ref: str, cwd: str) -> AgentRefResolution:
    tried: list[str] = []
    for folder in (".devai/customs", ".devai/defaults"):
        directory = os.path.join(cwd, folder)
        for file_name in _sorted_files(directory):
            if not file_name.endswith(".md"):
                continue
            stem = file_name[: -len(".md")]
            tried.append(os.path.join(directory, file_name))
            if ref == stem or ref == initials(stem, per_segment=False):
                return AgentRefResolution(os.path.join(directory, file_name), f"devai agent '{stem}' in {folder}", tuple(tried))
    return AgentRefResolution(None, f"Agent '{ref}' not found.", tuple(tried))


def _resolve_devai_lua(ref: str, cwd: str, workspace: str, home: str, version: tuple[int, int, int]) -> AgentRefResolution:
    if ref.endswith(".devai"):
        full = ref if os.path.isabs(ref) else os.path.join(cwd, ref)
        if os.path.isfile(full):
            return AgentRefResolution(full, f"direct .devai path '{ref}'", (full,))
        return AgentRefResolution(None, f"Agent '{ref}' not found.", (full,))
    devai = os.path.join(workspace, ".devai")
    if version < (0, 5, 4):
        dirs = [os.path.join(devai, "custom", "command-agent"), os.path.join(devai, "default", "command-agent")]
    else:
        dirs = [os.path.join(devai, "custom", "agent")]
        base_custom = os.path.join(home, ".devai-base", "custom", "agent")
        if os.path.isdir(base_custom):
            dirs.append(base_custom)
        dirs.append(os.path.join(devai, "default", "agent"))
    tried: list[str] = []
    by_path = version >= (0, 5, 5)
    for directory in dirs:
        files = _devai_files(directory)
        tried.extend(os.path.join(directory, rel) for rel in files)
        for rel in files:
            key = rel[: -len(".devai")] if by_path else os.path.basename(rel)[: -len(".devai")]
            if ref == key or ref == initials(key, per_segment=by_path):
                return AgentRefResolution(os.path.join(directory, rel), f"devai agent '{key}'", tuple(tried))
        if version >= (0, 5, 10):
            main_name = f"{ref}/main"
            for rel in files:
                key = rel[: -len(".devai")]
                if os.path.basename(key) == "main" and (main_name == key or main_name == initials(key, per_segment=True)):
                    return AgentRefResolution(os.path.join(directory, rel), f"devai agent '{key}'", tuple(tried))
    return AgentRefResolution(None, f"Agent '{ref}' not found.", tuple(tried))


def _devai_files(directory: str) -> list[str]:
    """`**/*.devai` under `directory`, as `/`-separated relative paths."""
    found: list[str] = []
    for root, subdirs, files in os.walk(directory):
        subdirs.sort()
        for file_name in sorted(files):
            if file_name.endswith(".devai"):
                found.append(os.path.relpath(os.path.join(root, file_name), directory).replace(os.sep, "/"))
    return found


def _sorted_files(directory: str) -> list[str]:
    try:
        return sorted(entry for entry in os.listdir(directory) if os.path.isfile(os.path.join(directory, entry)))
    except OSError:
        return []
