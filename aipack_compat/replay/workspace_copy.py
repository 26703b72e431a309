"""Isolated copies of the user's workspace for one case, and what a run wrote into them.

Legacy scripts rewrite configs (`sed -i` in model loops) and agents write outputs, so every case runs
in a fresh temporary copy with its own HOME: the user's tree and `~/.aipack-base` are never touched.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

from aipack_compat.model.job import AgentSpec, JobConfig
from aipack_compat.model.options import AgentOptions
from aipack_compat.model.report import FileSnapshot
from aipack_compat.replay.cases import options_toml

COPY_IGNORED = (".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", ".session", ".aipack-compat-cache")
MAX_TEXT_SNAPSHOT = 64 * 1024
MATERIALISED_DIR = ".aipack-replay"
HEADING_BY_ROLE = {"system": "System", "user": "Instruction", "assistant": "Assistant"}
HEADING_BY_STAGE = {"before_all": "Before All", "data": "Data", "output": "Output", "after_all": "After All"}

FileState = dict[str, tuple[int, int]]


def copy_workspace(root: Path, destination: Path, exclude: Path | None = None) -> None:
    """Copy `root` to `destination` (which must not exist), skipping VCS dirs, caches and `exclude`."""
    # os.path.realpath, not Path.resolve: a symlink loop in the user's tree must not end the replay
    # (Path.resolve raises RuntimeError on loops in Python 3.11).
    excluded = os.path.realpath(exclude) if exclude is not None else None

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = {name for name in names if name in COPY_IGNORED or _special(os.path.join(directory, name))}
        if excluded is not None:
            skipped |= {name for name in names if os.path.realpath(os.path.join(directory, name)) == excluded}
        return skipped

    shutil.copytree(root, destination, symlinks=True, ignore=ignore)


def _special(path: str) -> bool:
    """FIFOs, sockets and devices: copying a FIFO blocks until someone writes to it, and neither aip
    nor the executor reads them from a workspace. Symlinks are copied as links (never followed)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode))


def file_state(root: Path) -> FileState:
    state: FileState = {}
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d not in (".git",)]
        for name in files:
            path = Path(directory) / name
            try:
                info = path.lstat()
            except OSError:
                continue
            state[path.relative_to(root).as_posix()] = (info.st_size, info.st_mtime_ns)
    return state


def snapshot(root: Path, relative: str) -> FileSnapshot:
    data = (root / relative).read_bytes()
    text: str | None = None
    if len(data) <= MAX_TEXT_SNAPSHOT:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    return FileSnapshot(path=relative, sha256=hashlib.sha256(data).hexdigest(), size=len(data), text=text)


def files_written(root: Path, before: FileState) -> list[FileSnapshot]:
    """Files created or changed since `before` (size or mtime moved), content-hashed."""
    after = file_state(root)
    changed = sorted(path for path, facts in after.items() if before.get(path) != facts)
    snapshots = []
    for relative in changed:
        try:
            snapshots.append(snapshot(root, relative))
        except OSError:
            continue
    return snapshots


def write_case_config(workdir: Path, options: AgentOptions) -> Path:
    """Put the invocation's config state in `<cwd>/.aipack/config.toml` (aip 0.8.29+ reads `.aipack/`
    only in the current directory, A:src/exec/init/init_wks.rs@952ad06e). Any legacy `.devai/` is left
    alone: aip never reads it (spec §1.1). This file lives in the temporary copy only."""
    from aipack_compat.files import write_atomic

    target = workdir / ".aipack" / "config.toml"
    header = "# Written by aipack-compat replay: the config state this invocation saw.\n"
    write_atomic(target, header + options_toml(options), force=True)
    return target


def agent_text(agent: AgentSpec) -> str:
    """A current-format `.aip` file equivalent to a parsed agent of any era.

    Each part's template is what aip captured (body lines joined by `\\n` plus one trailing `\\n`,
    A:src/agent/agent_doc.rs@952ad06e), so `heading line + template` re-parses to the same bytes.
    """
    chunks: list[str] = []
    options = options_toml(agent.options, table=None)
    if options.strip():
        chunks.append(f"# Options\n\n```toml\n{options}```\n\n")
    stages = {stage.stage: stage.code for stage in agent.stages}
    if "before_all" in stages:
        chunks.append(_stage_block("before_all", stages["before_all"]))
    if "data" in stages:
        chunks.append(_stage_block("data", stages["data"]))
    for part in agent.prompt_parts:
        # Tolerate a heading stored with its `# ` marker; the contract says without (model/job.py).
        heading = part.heading.lstrip("#").strip() or HEADING_BY_ROLE[part.role]
        fragment = f" `{part.options_fragment}`" if part.options_fragment else ""
        chunks.append(f"# {heading}{fragment}\n{part.template}")
    for stage in ("output", "after_all"):
        if stage in stages:
            chunks.append(_stage_block(stage, stages[stage]))
    return "".join(chunks)


def _stage_block(stage: str, code: str) -> str:
    body = code if code.endswith("\n") else code + "\n"
    return f"# {HEADING_BY_STAGE[stage]}\n\n```lua\n{body}```\n\n"


def resolve_local_agent(workdir: Path, reference: str) -> Path | None:
    """aip 0.6+ local-path resolution (spec §4.3): `x.aip` as is, `x/` -> `x/main.aip`, else `x.aip` then `x/main.aip`."""
    if "@" in reference:
        return None
    base = workdir / reference
    if reference.endswith(".aip"):
        candidates = [base]
    elif reference.endswith("/"):
        candidates = [base / "main.aip"]
    else:
        candidates = [Path(f"{base}.aip"), base / "main.aip"]
    return next((c for c in candidates if c.is_file()), None)


def agent_argument(config: JobConfig, agent_key: str, reference: str, workdir: Path) -> str:
    """The agent argument for `aip run` in the copy: the reference as written when current aip can run
    it, otherwise a materialised `.aip` of the parsed agent (legacy `.devai`/`.md` agents, packs that
    live only in the user's home)."""
    agent = config.agents.get(agent_key)
    if resolve_local_agent(workdir, reference) is not None and (agent is None or agent.era.startswith("aipack")):
        return reference
    if agent is None:
        return reference  # aip will say it cannot find it; that message is the case's failure
    relative = f"{MATERIALISED_DIR}/{agent_key.replace('/', '__')}.aip"
    from aipack_compat.files import write_atomic

    write_atomic(workdir / relative, agent_text(agent), force=True)
    return relative
