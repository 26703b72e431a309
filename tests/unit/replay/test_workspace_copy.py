from __future__ import annotations

import tomllib
from pathlib import Path

from aipack_compat.model.job import AgentSpec, PromptPart, SourceLocation, StageCode
from aipack_compat.model.options import AgentOptions
from aipack_compat.replay.cases import options_toml
from aipack_compat.replay.workspace_copy import (
    agent_text,
    copy_workspace,
    file_state,
    files_written,
    resolve_local_agent,
    write_case_config,
)

SRC = SourceLocation(path="x")


def test_agent_text_reproduces_each_part_byte_for_byte() -> None:
    agent = AgentSpec(
        name="legacy",
        source=SRC,
        era="devai-lua",
        options=AgentOptions(model="smollm2", temperature=0.0),
        prompt_parts=[
            PromptPart(role="system", heading="System", template="\nBe terse.\n\n", source=SRC),
            PromptPart(role="user", heading="Instruction", template="\nSay hi to {{input}}.\n", source=SRC),
        ],
        stages=[StageCode(stage="data", code="return input", source=SRC)],
    )
    text = agent_text(agent)
    assert "# System\n\nBe terse.\n\n# Instruction\n\nSay hi to {{input}}.\n" in text
    assert text.endswith("\n") and "```lua\nreturn input\n```" in text
    options = text.split("```toml\n", 1)[1].split("```", 1)[0]
    assert tomllib.loads(options) == {"model": "smollm2", "temperature": 0.0}


def test_options_toml_round_trips_through_a_toml_parser() -> None:
    options = AgentOptions(model='we"ird\\name', temperature=1.0, top_p=0.5, input_concurrency=2,
                           allow_run_on_task_fail=True, model_aliases={"fast": "smollm2"})
    parsed = tomllib.loads(options_toml(options))["options"]
    assert AgentOptions(**parsed) == options


def test_case_config_and_copy_leave_the_source_alone(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / ".git").mkdir(parents=True)
    (source / ".aipack").mkdir()
    (source / ".aipack" / "config.toml").write_text("[options]\nmodel = \"orig\"\n")
    (source / "out").mkdir()
    copy = tmp_path / "copy"
    copy_workspace(source, copy, exclude=source / "out")
    assert not (copy / ".git").exists() and not (copy / "out").exists()
    write_case_config(copy, AgentOptions(model="smollm2:135m"))
    assert tomllib.loads((copy / ".aipack" / "config.toml").read_text())["options"]["model"] == "smollm2:135m"
    assert "orig" in (source / ".aipack" / "config.toml").read_text()


def test_files_written_sees_new_and_changed_files(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("a")
    (tmp_path / "edit.txt").write_text("a")
    before = file_state(tmp_path)
    (tmp_path / "edit.txt").write_text("bb")
    (tmp_path / "new.bin").write_bytes(b"\xff\x00")
    written = {f.path: f for f in files_written(tmp_path, before)}
    assert set(written) == {"edit.txt", "new.bin"}
    assert written["edit.txt"].text == "bb" and written["new.bin"].text is None


def test_local_agent_resolution_follows_aip(tmp_path: Path) -> None:
    (tmp_path / "a.aip").write_text("")
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "main.aip").write_text("")
    assert resolve_local_agent(tmp_path, "a") == tmp_path / "a.aip"
    assert resolve_local_agent(tmp_path, "pack/") == tmp_path / "pack" / "main.aip"
    assert resolve_local_agent(tmp_path, "pack") == tmp_path / "pack" / "main.aip"
    assert resolve_local_agent(tmp_path, "x.devai") is None
    assert resolve_local_agent(tmp_path, "ns@pack") is None


def test_only_matches_exact_ids_and_globs() -> None:
    from aipack_compat.replay.cases import selected

    assert selected("loop[smollm2:135m]", "loop", ["loop[smollm2:135m]"])
    assert selected("loop[smollm2:135m]", "loop", ["loop"])
    assert selected("greet-07", "greet-07", ["greet-*"])
    assert not selected("loop[smollm2]", "loop", ["loop[smollm2:135m]", "other*"])


def test_agent_text_tolerates_headings_stored_with_their_marker() -> None:
    part = PromptPart(role="user", heading="# Instruction", template="\nDo it.\n", source=SRC)
    assert agent_text(AgentSpec(name="a", source=SRC, prompt_parts=[part])) == "# Instruction\n\nDo it.\n"
