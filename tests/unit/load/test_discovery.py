"""Discovery: which files under the named paths are AIPACK files, judged by their path."""

import os

from aipack_compat.load.discovery import classify, discover


def test_classify_by_path_shape():
    assert classify("w/.aipack/config.toml") == "workspace_config"
    assert classify("w/.devai/config.toml") == "legacy_config"
    assert classify("/h/.aipack-base/config-default.toml") == "base_config"
    assert classify("/h/.aipack-base/config.toml") == "base_config"
    assert classify("x/config.toml") is None
    assert classify("a/b.aip") == "agent"
    assert classify("a/b.devai") == "agent"
    assert classify("w/.devai/customs/review.md") == "agent"
    assert classify("w/docs/review.md") is None
    assert classify("p/pack.toml") == "pack_toml"
    assert classify("run.sh") == "script"
    assert classify("Makefile") == "script"
    assert classify(".github/workflows/ci.yml") == "script"
    assert classify("docker-compose.yml") is None


def test_discover_groups_files_skips_vendor_dirs_and_survives_symlink_loops(tmp_path):
    (tmp_path / ".aipack").mkdir()
    (tmp_path / ".aipack" / "config.toml").write_text("[options]\n")
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "a.aip").write_text("# Instruction\nhi\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "b.aip").write_text("")
    (tmp_path / "run").write_text("#!/usr/bin/env bash\naip run agents/a.aip\n")
    (tmp_path / "notes").write_text("plain text\n")
    os.symlink(tmp_path, tmp_path / "agents" / "loop")
    found = discover([str(tmp_path)])
    assert found.workspace_configs == [str(tmp_path / ".aipack" / "config.toml")]
    assert found.agents == [str(tmp_path / "agents" / "a.aip")]
    assert found.scripts == [str(tmp_path / "run")]


def test_missing_path_is_reported_not_raised(tmp_path):
    found = discover([str(tmp_path / "nope")])
    assert found.unreadable and found.unreadable[0][1] == "no such file or directory"


def test_fifos_in_a_walked_tree_do_not_block_discovery(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    os.mkfifo(tmp_path / "tool.py")
    found = discover([str(tmp_path)])
    assert found.scripts == []
