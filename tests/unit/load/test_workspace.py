"""The workspace a run reads, per era (spec §1.1), and the base layers.

Nested workspaces as a multi-model repository has them: `root/.aipack/` and `root/sub/.aipack/`,
with runs started in `sub/` and in `sub/deeper/` (which has no workspace folder of its own).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.load.workspace import (
    AIPACK_FOLDER, DEVAI_FOLDER, base_layers, find_workspace, workspace_era, workspace_of,
)

WALKING = ("0.5.0", "0.5.12", "0.6.0", "0.7.17", "0.8.28")  # the nearest ancestor holding the folder
HERE_ONLY = ("0.0.2", "0.1.0", "0.8.29", "0.8.37")  # the run's directory only


def nested(root: Path, folder: str) -> Path:
    """root/<folder>/config.toml, root/sub/<folder>/config.toml, root/sub/deeper/ (no folder)."""
    for directory in (root, root / "sub"):
        (directory / folder).mkdir(parents=True)
        (directory / folder / "config.toml").write_text("[options]\n", encoding="utf-8")
    (root / "sub" / "deeper").mkdir()
    return root


def folder_of(version: str) -> str:
    return DEVAI_FOLDER if version.startswith(("0.0", "0.1", "0.5")) else AIPACK_FOLDER


@pytest.mark.parametrize("version", WALKING + HERE_ONLY)
def test_a_run_in_a_nested_workspace_reads_that_workspace(tmp_path: Path, version: str) -> None:
    root = nested(tmp_path, folder_of(version))
    workspace = find_workspace(str(root / "sub"), version)
    assert (workspace.directory, workspace.found) == (str(root / "sub"), True)
    assert workspace.config_path == os.path.join(root, "sub", folder_of(version), "config.toml")


@pytest.mark.parametrize("version", WALKING)
def test_below_a_workspace_older_releases_walk_up_to_the_nearest(tmp_path: Path, version: str) -> None:
    root = nested(tmp_path, folder_of(version))
    workspace = find_workspace(str(root / "sub" / "deeper"), version)
    assert (workspace.directory, workspace.found) == (str(root / "sub"), True)
    assert workspace.era.walks_up


@pytest.mark.parametrize("version", HERE_ONLY)
def test_below_a_workspace_devai_0_1_and_aip_0_8_29_use_the_directory_itself(tmp_path: Path, version: str) -> None:
    root = nested(tmp_path, folder_of(version))
    workspace = find_workspace(str(root / "sub" / "deeper"), version)
    assert (workspace.directory, workspace.found) == (str(root / "sub" / "deeper"), False)
    assert not os.path.exists(workspace.config_path)  # the run creates it from the template


@pytest.mark.parametrize(("version", "ignored"), [("0.8.28", DEVAI_FOLDER), ("0.5.12", AIPACK_FOLDER)])
def test_each_tool_walks_past_the_other_tools_folder(tmp_path: Path, version: str, ignored: str) -> None:
    root = nested(tmp_path, folder_of(version))
    (root / "sub" / "deeper" / ignored).mkdir()
    workspace = find_workspace(str(root / "sub" / "deeper"), version)
    assert workspace.directory == str(root / "sub")
    assert workspace.unread_config_paths == (os.path.join(root, "sub", ignored, "config.toml"),)


@pytest.mark.parametrize(("walks", "stays"), [("0.8.28", "0.8.29"), ("0.5.0", "0.1.0")])
def test_the_era_boundaries(walks: str, stays: str) -> None:
    assert workspace_era(walks).walks_up and not workspace_era(stays).walks_up
    assert workspace_era(walks).folder == workspace_era(stays).folder


def test_the_workspace_of_a_file_is_its_nearest_workspace_whatever_the_era(tmp_path: Path) -> None:
    root = nested(tmp_path, AIPACK_FOLDER)
    agent = root / "sub" / "deeper" / "flows" / "eval.aip"
    for version in ("0.8.28", "0.8.37", None):
        workspace = workspace_of(str(agent), version)
        assert workspace is not None and workspace.directory == str(root / "sub")


def test_the_workspace_of_a_file_stays_in_its_repository_for_a_release_that_does_not_walk_up(tmp_path: Path) -> None:
    (tmp_path / AIPACK_FOLDER).mkdir()
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    agent = tmp_path / "repo" / "flows" / "eval.aip"
    assert workspace_of(str(agent), "0.8.37") is None  # a user runs it from inside the checkout
    for version in ("0.8.28", None):  # any directory of the checkout walks up to it
        walked = workspace_of(str(agent), version)
        assert walked is not None and walked.directory == str(tmp_path)


def test_base_layers_lists_only_existing_files(tmp_path: Path) -> None:
    (tmp_path / "config-default.toml").write_text("")
    layers = base_layers(tmp_path)
    assert layers.default == tmp_path / "config-default.toml"
    assert layers.user is None and layers.legacy is None


# A tree of directories d0/d1/…, each holding `.aipack/`, `.devai/`, both or neither: the finder must
# answer as aip's own loop does, read here from the tree's description rather than the disk.
_LEVEL = st.sets(st.sampled_from([AIPACK_FOLDER, DEVAI_FOLDER]))


@settings(max_examples=40, deadline=None)
@given(levels=st.lists(_LEVEL, min_size=1, max_size=5), version=st.sampled_from(WALKING + HERE_ONLY))
def test_the_finder_answers_as_aips_loop(tmp_path_factory: pytest.TempPathFactory, levels: list[set[str]],
                                         version: str) -> None:
    top = tmp_path_factory.mktemp("tree")
    directories = [top]
    for index, folders in enumerate(levels):
        directory = directories[-1] / f"d{index}"
        directory.mkdir()
        for folder in folders:
            (directory / folder).mkdir()
        directories.append(directory)
    era = workspace_era(version)
    candidates = list(enumerate(levels))[::-1] if era.walks_up else [(len(levels) - 1, levels[-1])]
    expected = next((directories[index + 1] for index, folders in candidates if era.folder in folders), None)
    workspace = find_workspace(str(directories[-1]), version)
    if expected is None and era.walks_up and workspace.found:
        assert not workspace.directory.startswith(str(top))  # a workspace above the test's own tree
        return
    assert workspace.found == (expected is not None)
    assert workspace.directory == str(expected or directories[-1])
