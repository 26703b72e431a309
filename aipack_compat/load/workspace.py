"""Where a run's config files are: the workspace aip finds from a directory, and the base layers.

The one answer to "which `.aipack/config.toml` (or `.devai/config.toml`) does this run read?",
per the release that runs it (aipack-spec §1.1, checked against the sources):

| releases             | folder    | found from the run's directory                  | source |
|----------------------|-----------|-------------------------------------------------|--------|
| devai 0.0.2 – 0.1.x  | `.devai/` | the directory itself (`.devai/config.toml` is a path relative to it) | `A:src/agent/agent_locator.rs@5b0f7d5a` |
| devai 0.5.0 – 0.5.12 | `.devai/` | the nearest ancestor holding `.devai/`          | `A:src/run/dir_context/devai_dir.rs@3bb0bef0` (`find_workspace_dir`) |
| aip 0.6.0 – 0.8.28   | `.aipack/`| the nearest ancestor holding `.aipack/`         | `A:src/exec/init/init_wks.rs@fc5d5480` (`find_wks_dir`) |
| aip 0.8.29+          | `.aipack/`| the directory itself; an ancestor's is not adopted | `A:src/exec/init/init_wks.rs@952ad06e` (commit 5d452028) |

When nothing is found the run creates the folder in its own directory (and its config from the
template), so a run always has a workspace; `Workspace.found` says whether the folder was there.
aip never reads `.devai/`, devai never reads `.aipack/`. The base layers (`~/.aipack-base`) are
`base_layers()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from aipack_compat.model.versions import DEFAULT_AIP_VERSION, parse_version

AIPACK_FOLDER = ".aipack"
DEVAI_FOLDER = ".devai"
CONFIG_FILE = "config.toml"
_FOLDERS = (AIPACK_FOLDER, DEVAI_FOLDER)


@dataclass(frozen=True, slots=True)
class WorkspaceEra:
    """How one range of releases finds the workspace of a run."""

    releases: str  # "aip 0.8.29+"
    folder: str  # the workspace folder: `.aipack` or `.devai`
    walks_up: bool  # True: the nearest ancestor holding the folder; False: the run's directory only


ERAS: tuple[tuple[tuple[int, int, int], WorkspaceEra], ...] = (  # (first release, era), newest first
    ((0, 8, 29), WorkspaceEra("aip 0.8.29+", AIPACK_FOLDER, walks_up=False)),
    ((0, 6, 0), WorkspaceEra("aip 0.6.0 - 0.8.28", AIPACK_FOLDER, walks_up=True)),
    ((0, 5, 0), WorkspaceEra("devai 0.5.0 - 0.5.12", DEVAI_FOLDER, walks_up=True)),
    ((0, 0, 0), WorkspaceEra("devai 0.0.2 - 0.1.x", DEVAI_FOLDER, walks_up=False)),
)


def workspace_era(aip_version: str) -> WorkspaceEra:
    version = parse_version(aip_version)
    return next(era for first, era in ERAS if version >= first)


@dataclass(frozen=True, slots=True)
class Workspace:
    """The workspace a run uses: its directory, how it was found, and the config files there."""

    directory: str  # absolute (for `find_workspace`: with symlinks resolved, as the run's cwd is)
    era: WorkspaceEra
    found: bool  # the workspace folder exists (False: the run creates it in its directory)

    @property
    def folder(self) -> str:
        return self.era.folder

    @property
    def config_path(self) -> str:
        """`<directory>/.aipack/config.toml` (or `.devai/`): the workspace config the run reads, if it exists."""
        return os.path.join(self.directory, self.era.folder, CONFIG_FILE)

    @property
    def unread_config_paths(self) -> tuple[str, ...]:
        """The other tool's config in the same directory (`.devai/config.toml` for aip): never read by this run."""
        return tuple(os.path.join(self.directory, folder, CONFIG_FILE) for folder in _FOLDERS if folder != self.era.folder)


def find_workspace(cwd: str, aip_version: str) -> Workspace:
    """The workspace a run started in `cwd` uses under `aip_version` (the table above)."""
    era = workspace_era(aip_version)
    start = os.path.realpath(cwd)  # the run's directory as the OS gives it to aip: symlinks resolved
    for directory in _ancestors(start) if era.walks_up else [start]:
        if os.path.isdir(os.path.join(directory, era.folder)):
            return Workspace(directory, era, found=True)
    return Workspace(start, era, found=False)


def workspace_of(path: str, aip_version: str | None = None) -> Workspace | None:
    """The workspace a file of a project belongs to: the nearest ancestor of its directory holding the
    workspace folder, i.e. the directory a user stands in to run it (None: no such ancestor).

    A release that walks up (`WorkspaceEra.walks_up`) reaches that folder from any directory below it,
    so the search goes up to the filesystem root. A release that reads only the run's own directory
    needs the user to stand in it, and a user runs the files of a repository from inside it: the
    search stops at the repository root (a `.git` entry). With no release named, either tool's
    folder counts, up to the filesystem root (a script may call `aip` or `devai`; its workspace is
    judged by that tool's latest release).
    """
    era = workspace_era(aip_version) if aip_version is not None else None
    folders = (era.folder,) if era is not None else _FOLDERS
    stops_at_repository = era is not None and not era.walks_up
    for directory in _ancestors(os.path.dirname(os.path.abspath(path))):
        for folder in folders:
            if os.path.isdir(os.path.join(directory, folder)):
                return Workspace(directory, era or _latest_era(folder), found=True)
        if stops_at_repository and os.path.lexists(os.path.join(directory, ".git")):
            return None
    return None


def _latest_era(folder: str) -> WorkspaceEra:
    return workspace_era(DEFAULT_AIP_VERSION if folder == AIPACK_FOLDER else "0.5.12")  # devai's last release


def _ancestors(directory: str) -> list[str]:
    out = [directory]
    while (parent := os.path.dirname(out[-1])) != out[-1]:
        out.append(parent)
    return out


def default_base_dir() -> Path:
    """`$HOME/.aipack-base`, as aip computes it (no env var relocates it, spec §1.1)."""
    return Path(os.path.expanduser("~")) / ".aipack-base"


@dataclass(frozen=True, slots=True)
class BaseLayers:
    """The base config files that exist for one base directory, lowest precedence first."""

    base_dir: Path
    default: Path | None  # config-default.toml (0.7.18+)
    user: Path | None  # config-user.toml (0.7.18+)
    legacy: Path | None  # config.toml (0.6.0 - 0.7.17; renamed to config-deprecated.toml by 0.7.18+)


def base_layers(base_dir: str | os.PathLike[str] | None = None) -> BaseLayers:
    base = Path(base_dir) if base_dir is not None else default_base_dir()

    def existing(name: str) -> Path | None:
        candidate = base / name
        return candidate if candidate.is_file() else None

    return BaseLayers(base, existing("config-default.toml"), existing("config-user.toml"), existing("config.toml"))
