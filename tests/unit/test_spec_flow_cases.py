"""aipack-spec §6 edge cases 37–47 (inputs, tasks, flow), each by number, through our executor's
input building and agent flow (the same code `run` and `replay` use)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aipack_compat.execute.flow import AgentFlow, FlowContext, TaskFailed
from aipack_compat.execute.inputs import file_record, list_files, resolve_inputs, task_inputs, widen_glob
from aipack_compat.migrate.sources import read_agent
from aipack_compat.model.job import AgentSpec, InputSpec
from aipack_compat.model.options import AgentOptions


def agent_from(tmp_path: Path, text: str, name: str = "agent.aip") -> AgentSpec:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    spec = read_agent(str(tmp_path), str(path), "0.8.37", [], [])
    assert spec is not None
    return spec


def flow(tmp_path: Path, text: str, version: str = "0.8.37", dry: str | None = None) -> AgentFlow:
    agent = agent_from(tmp_path, text)
    context = FlowContext(str(tmp_path), str(tmp_path / "agent.aip"), version, "session", "run", dry=dry)
    return AgentFlow(agent, AgentOptions(model="m"), context)


def run_all(agent_flow: AgentFlow, inputs, ai_text: str = "AI!"):
    """Before all -> tasks (data, render, a fake AI reply, output) -> after all, as the runner sequences them."""
    before = agent_flow.before_all(inputs)
    if before.skip:
        return "run skipped", [], None
    outputs, calls = [], 0
    tasks = agent_flow.tasks(before.inputs)
    for index, task_input in enumerate(tasks):
        task = agent_flow.prepare_task(index, task_input, before.value)
        if task.skip:
            outputs.append(None)
            continue
        response = None
        if agent_flow.wants_ai_call(task):
            calls += 1
            response = {"content": ai_text}
        outputs.append(agent_flow.finish_task(task, response, before.value))
    return outputs, calls, agent_flow.after_all(tasks, outputs, before.value)


def test_case37_bare_name_widens_to_any_depth(tmp_path):
    assert widen_glob("README.md") == "**/README.md"
    assert widen_glob("./README.md") == "./README.md"
    assert widen_glob("src/*.rs") == "src/*.rs"
    (tmp_path / "a" / "b").mkdir(parents=True)
    for where in ("README.md", "a/README.md", "a/b/README.md"):
        (tmp_path / where).write_text("x")
    assert len(list_files(["README.md"], tmp_path)) == 3
    assert [p.name for p in list_files(["./README.md"], tmp_path)] == ["README.md"]


def test_case38_no_match_runs_once_with_nil_from_0_7_17(tmp_path):
    assert task_inputs([], has_task_stage=True, aip_version="0.8.37") == [None]
    assert task_inputs([], has_task_stage=False, aip_version="0.8.37") == []
    assert task_inputs([], has_task_stage=True, aip_version="0.7.16") == []
    assert task_inputs(None, has_task_stage=True, aip_version="0.7.16") == [None]


def test_case40_inputs_are_always_strings(tmp_path):
    values = resolve_inputs(InputSpec(kind="literals", values=['{"a":1}', "2"]), tmp_path, tmp_path, "0.8.37")
    assert values == ['{"a":1}', "2"]
    assert resolve_inputs(InputSpec(), tmp_path, tmp_path, "0.8.37") is None


def test_case41_file_inputs_have_no_content_and_workspace_relative_paths(tmp_path):
    (tmp_path / "docs").mkdir()
    target = tmp_path / "docs" / "a.md"
    target.write_text("hello")
    record = file_record(target, tmp_path, "0.8.37")
    assert "content" not in record
    assert (record["path"], record["dir"], record["name"], record["stem"], record["ext"]) == (
        "docs/a.md", "docs", "a.md", "a", "md")
    assert record["_type"] == "FileInfo" and record["_display"] == "docs/a.md"
    assert record["mtime"] > 10**15  # epoch microseconds
    outside = file_record(target, tmp_path / "docs" / "sub", "0.8.37")
    assert outside["path"] == "../a.md"
    assert "_type" not in file_record(target, tmp_path, "0.7.18")
    assert set(file_record(target, tmp_path, "0.5.0")) == {"path", "name", "stem", "ext"}


def test_case42_skip_in_before_all_skips_the_run_and_in_data_skips_the_task(tmp_path):
    whole = flow(tmp_path, "# Before All\n```lua\nreturn aip.flow.skip('nope')\n```\n# Instruction\nhi\n")
    assert run_all(whole, ["a"])[0] == "run skipped"
    per_task = flow(tmp_path, (
        "# Data\n```lua\nif input == 'b' then return aip.flow.skip() end\nreturn {}\n```\n"
        "# Instruction\nhi {{input}}\n"
        "# After All\n```lua\nlocal seen = {}\n"
        "for i = 1, 3 do table.insert(seen, type(outputs[i]) .. ':' .. tostring(is_null(outputs[i]))) end\n"
        "return table.concat(seen, ',') .. ' len=' .. #outputs\n```\n"
    ))
    outputs, calls, after = run_all(per_task, ["a", "b", "c"])
    assert outputs == ["AI!", None, "AI!"] and calls == 2
    # Observed with the real aip 0.8.37: a skipped task's slot is the `null` sentinel (userdata), not a
    # Lua nil, so `#outputs` stays aligned with `inputs` (the spec's "nil entries" means JSON null).
    assert after == "string:false,userdata:true,string:false len=3"


def test_case43_extra_keys_in_flow_responses_are_fatal(tmp_path):
    agent = flow(tmp_path, "# Before All\n```lua\nreturn aip.flow.before_all_response({inputs = {'x'}, extra = 1})\n```\n")
    with pytest.raises(TaskFailed) as caught:
        agent.before_all(["a"])
    assert "did not return a valid structure" in str(caught.value) and "extra" in str(caught.value)
    empty = flow(tmp_path, "# Before All\n```lua\nreturn aip.flow.before_all_response({inputs = {}})\n```\n# Instruction\nhi\n")
    assert empty.before_all(["a"]).inputs == []  # an empty table is an empty list from 0.7.17


def test_case44_flow_objects_in_the_wrong_stage_are_fatal(tmp_path):
    agent = flow(tmp_path, "# Data\n```lua\nreturn aip.flow.before_all_response({})\n```\n# Instruction\nhi\n")
    with pytest.raises(TaskFailed) as caught:
        agent.prepare_task(0, "a", None)
    assert "not supported at the Data stage" in str(caught.value)


def test_case45_without_output_stage_the_output_is_the_ai_text(tmp_path):
    outputs, calls, _ = run_all(flow(tmp_path, "# Instruction\nSay {{input}}\n"), ["a"])
    assert outputs == ["AI!"] and calls == 1
    no_prompt = flow(tmp_path, "# Data\n```lua\nreturn 1\n```\n")
    assert run_all(no_prompt, ["a"])[:2] == ([None], 0)  # no message -> no AI call, output nil


def test_case47_dry_req_runs_output_without_a_call_and_dry_res_skips_output(tmp_path):
    text = "# Instruction\nhi\n# Output\n```lua\nreturn ai_response == nil and 'no ai' or ai_response.content\n```\n"
    assert run_all(flow(tmp_path, text, dry="req"), ["a"])[:2] == (["no ai"], 0)
    assert run_all(flow(tmp_path, text, dry="res"), ["a"])[:2] == ([None], 1)
    assert run_all(flow(tmp_path, text, version="0.7.14", dry="req"), ["a"])[:2] == ([None], 0)


def test_case39_inputs_with_files_is_flagged_as_aip_refuses_it(tmp_path):
    from aipack_compat.check.scripts import check_script_text

    (tmp_path / ".aipack").mkdir()
    (tmp_path / "a.aip").write_text("# Instruction\nhi\n")
    script = tmp_path / "run.sh"
    script.write_text('#!/bin/sh\naip run a.aip -f "*.md" -i x\n')
    _, diagnostics = check_script_text(str(script), script.read_text(), str(tmp_path))
    flagged = [d for d in diagnostics if "Cannot use both --on-inputs and --on-files" in d.message]
    assert flagged and flagged[0].line == 2
