"""The extracted facts against the real `aip` binaries (0.8.37 from `cargo install`, 0.8.16 legacy build).

`aip init-base` with an empty private HOME writes `~/.aipack-base/config-default.toml` and `config-user.toml`,
and `aip init` in an empty directory writes `.aipack/config.toml`: each must equal, byte for byte, the file the
generator copied out of that release's crate. The clap side: every `aip run` spelling the data lists is accepted
(`aip run <flag> --help` exits 0), the `--help` listings name the same options and commands.
Never runs against the real HOME. A binary that is not installed skips, loudly.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import pytest

from aipack_compat.model.aip_facts import AipFacts, facts_for
from aipack_compat.model.versions import parse_version

pytestmark = pytest.mark.aip

CANDIDATES = {
    "0.8.37": [shutil.which("aip"), str(Path.home() / ".cargo" / "bin" / "aip")],
    "0.8.16": [os.environ.get("AIPACK_COMPAT_AIP_LEGACY"),
               str(Path.home() / ".cache" / "aipack-compat" / "aip-0.8.16" / "bin" / "aip")],
}


def _loud_skip(reason: str) -> NoReturn:
    banner = "!" * 72
    print(f"\n{banner}\n!!! AIP CONFORMANCE SKIPPED: {reason}\n{banner}", file=sys.stderr)
    pytest.skip(reason)


def _run(binary: str, args: list[str], home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.endswith("_API_KEY")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_DATA_HOME=str(home / ".local" / "share"), NO_COLOR="1", TERM="dumb")
    return subprocess.run([binary, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(params=sorted(CANDIDATES), ids=lambda version: f"aip-{version}")
def aip(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, AipFacts, Path]:
    """(binary, the facts of exactly its version, an empty private HOME)."""
    wanted = request.param
    binary = next((path for path in CANDIDATES[wanted] if path and Path(path).is_file()), None)
    if binary is None:
        _loud_skip(f"aip {wanted} is not installed (looked at {[p for p in CANDIDATES[wanted] if p]})")
    home = tmp_path / "home"
    home.mkdir()
    reported = _run(binary, ["--version"], home, tmp_path).stdout.strip()
    if parse_version(reported) != parse_version(wanted):
        _loud_skip(f"{binary} reports `{reported}`, not aip {wanted}")
    facts = facts_for(wanted)
    assert facts is not None and facts.exact, f"aip {wanted} has no extracted facts"
    return binary, facts, home


def test_init_base_writes_the_extracted_base_configs(aip: tuple[str, AipFacts, Path], tmp_path: Path) -> None:
    binary, facts, home = aip
    result = _run(binary, ["init-base"], home, tmp_path)
    assert result.returncode == 0, result.stderr
    base = home / ".aipack-base"
    default_name = facts.shipped_default_config_path().split("/", 1)[1]
    written = (base / default_name).read_text(encoding="utf-8")
    assert written == facts.shipped_default_config()
    for path, layer in facts.shipped_config_paths().items():
        if path.startswith("base/"):
            assert (base / path.removeprefix("base/")).read_text(encoding="utf-8") == facts.shipped_config(path), layer


def test_init_writes_the_extracted_workspace_config(aip: tuple[str, AipFacts, Path], tmp_path: Path) -> None:
    binary, facts, home = aip
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    result = _run(binary, ["init"], home, workspace)
    assert result.returncode == 0, result.stderr
    assert "workspace/config.toml" in facts.shipped_config_paths()
    written = (workspace / ".aipack" / "config.toml").read_text(encoding="utf-8")
    assert written == facts.shipped_config("workspace/config.toml")


def test_every_extracted_run_spelling_parses(aip: tuple[str, AipFacts, Path], tmp_path: Path) -> None:
    binary, facts, home = aip
    values = {f"--{arg.long}": (arg.possible_values or ("x",))[0] for arg in facts.command_args("run")
              if arg.long and arg.takes_value}
    for spelling, (canonical, takes_value) in facts.run_flags().items():
        if canonical == "help":
            continue
        value = values.get(f"--{canonical}", "x")
        args = ["run", spelling, *([value] if takes_value else []), "--help"]
        result = _run(binary, args, home, tmp_path)
        assert result.returncode == 0, (spelling, result.stderr)
    rejected = _run(binary, ["run", "--no-such-flag-here", "--help"], home, tmp_path)
    assert rejected.returncode != 0


def test_help_lists_the_extracted_options_and_commands(aip: tuple[str, AipFacts, Path], tmp_path: Path) -> None:
    binary, facts, home = aip
    run_help = _run(binary, ["run", "--help"], home, tmp_path).stdout
    options = run_help.split("Options:", 1)[1]
    listed = {(match.group(1), match.group(2), bool(match.group(3)))
              for match in re.finditer(r"^\s+(?:-(\w), )?--([\w-]+)( <[^>]+>)?", options, re.M)}
    declared = {(arg.short, arg.long, arg.takes_value) for arg in facts.command_args("run") if arg.long}
    assert listed == declared
    top_help = _run(binary, ["--help"], home, tmp_path).stdout
    commands = top_help.split("Commands:", 1)[1].split("Options:", 1)[0]
    names = set(re.findall(r"^  ([a-z][\w-]*)\s", commands, re.M)) - {"help"}
    assert names == set(facts.commands())
