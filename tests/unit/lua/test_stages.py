"""Stage semantics as aip: scopes, flow sentinels per stage, conversions, eras, CTX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aipack_compat.lua.ports.flow_sentinels import flow_kind
from aipack_compat.lua.stages import StageError
from tests.support.lua_stages import make_runner


def test_full_flow_through_every_stage(tmp_path: Path) -> None:
    runner = make_runner(
        tmp_path,
        {
            "before_all": ("return aip.flow.before_all_response({inputs = {'a', 'b', 'c'}, before_all = {n = #inputs}, options = {model = 'other'}})", 2),
            "data": ("if input == 'b' then return aip.flow.skip('b is skipped') end\nreturn aip.flow.data_response({input = input .. '!', data = {seen = before_all.n}, options = {temperature = 0.5}})", 10),
            "output": ("return {input = input, data = data, content = ai_response and ai_response.content}", 20),
            "after_all": ("local n = 0\nfor i, o in ipairs(outputs) do if o ~= null then n = n + 1 end end\nreturn {count = n, len = #outputs, inputs = inputs}", 30),
        },
    )
    before = runner.before_all(["x"])
    assert (before.inputs, before.before_all, before.options) == (["a", "b", "c"], {"n": 1}, {"model": "other"})
    outputs: list[Any] = []
    for task_num, task_input in enumerate(before.inputs or [], 1):
        data = runner.data(task_input, before.before_all, task_num)
        if data.skip:
            assert data.skip_reason == "b is skipped"
            outputs.append(None)
            continue
        assert data.options == {"temperature": 0.5}
        outputs.append(runner.output(data.input, data.data, before.before_all, {"content": "AI"}, task_num))
    assert outputs[0] == {"input": "a!", "data": {"seen": 1}, "content": "AI"}
    assert runner.after_all(before.inputs, outputs, before.before_all) == {"count": 2, "len": 3, "inputs": ["a", "b", "c"]}


def test_plain_return_values_and_nil(tmp_path: Path) -> None:
    runner = make_runner(tmp_path, {"before_all": ("return 42", 1), "data": ("local x = 1", 5), "output": ("return nil", 9)})
    assert runner.before_all(None).before_all == 42
    assert runner.before_all(None).inputs is None
    result = runner.data("in", None, 1)
    assert (result.input, result.data, result.skip) == ("in", None, False)
    assert runner.output("in", None, None, None, 1) is None


def test_absent_stages(tmp_path: Path) -> None:
    runner = make_runner(tmp_path, {"data": ("   \n", 1)})
    assert not runner.has("data") and not runner.has("Before All")
    assert runner.data("x", None, 1).input == "x"
    assert runner.output("x", None, None, {"content": "text"}, 1) == "text"
    assert runner.output("x", None, None, None, 1) is None
    assert runner.after_all([], [], None) is None


def test_conversion_rules_at_the_boundary(tmp_path: Path) -> None:
    code = """
    return {empty = {}, list = {1, 2}, sparse = {[1] = 'a', [3] = 'c'}, mixed = {1, k = 'v'},
            null = null, float = 1.5, int = 3, nested_empty_list = input.empty_list,
            input_null_is_sentinel = input.maybe == null, top_nil_input = input.absent == nil}
    """
    value = make_runner(tmp_path, {"data": (code, 1)}).data({"empty_list": [], "maybe": None}, None, 1).data
    assert value == {
        "empty": {}, "list": [1, 2], "sparse": {"1": "a", "3": "c"}, "mixed": {"1": 1, "k": "v"},
        "null": None, "float": 1.5, "int": 3, "nested_empty_list": [],
        "input_null_is_sentinel": True, "top_nil_input": True,
    }


def test_function_values_cannot_cross(tmp_path: Path) -> None:
    with pytest.raises(StageError, match="cannot become JSON"):
        make_runner(tmp_path, {"data": ("return {f = function() end}", 1)}).data(None, None, 1)


def test_before_all_skip_and_redo(tmp_path: Path) -> None:
    skip = make_runner(tmp_path, {"before_all": ("return aip.flow.skip()", 1)}).before_all(["a"])
    assert skip.skip and skip.skip_reason is None
    assert make_runner(tmp_path, {"before_all": ("return aip.flow.redo_run()", 1)}).before_all(None).redo


@pytest.mark.parametrize(
    "version, expected",
    [("0.8.37", []), ("0.7.16", None)],
)
def test_before_all_empty_inputs_by_era(tmp_path: Path, version: str, expected: list[str] | None) -> None:
    code = "return aip.flow.before_all_response({inputs = {}})"
    assert make_runner(tmp_path, {"before_all": (code, 1)}, aip_version=version).before_all(["a"]).inputs == expected


def test_before_all_empty_inputs_error_before_0_7_15(tmp_path: Path) -> None:
    with pytest.raises(StageError, match="must be an nil or an array"):
        make_runner(tmp_path, {"before_all": ("return aip.flow.before_all_response({inputs = {}})", 1)}, aip_version="0.7.10").before_all(None)


@pytest.mark.parametrize(
    "stage, code, message",
    [
        ("before_all", "return aip.flow.before_all_response({inputs = {'a'}, extra = 1})",
         "Before All Lua block did not return a valid structure.\nCause: aip.flow.before_all_response(arg) - 'arg' can only have `.inputs`, `.options`, `.before_all`). But also contained: extra"),
        ("before_all", "return aip.flow.before_all_response({inputs = {k = 1}})", "must be an nil, array, or empty object"),
        ("before_all", "return aip.flow.data_response({})", "Aipack custom 'DataResponse' not supported at the Before All stage"),
        ("data", "return aip.flow.data_response({data = 1, inputs = {}})", "Data Lua block did not return a valid structure.\nCause: aip.flow.data_response(arg) argumen can can only have `.input`, `.options`). But also contained: inputs"),
        ("data", "return aip.flow.redo_run()", "aip.flow.redo_run() can be returned only from # Before All or # After All stages. Returned from # Data stage."),
        ("data", "return aip.flow.before_all_response({})", "Aipack Custom 'BeforeAllResponse' is not supported at the Data stage"),
        ("data", "return {_aipack_ = {kind = 'Teleport'}}", "_aipack_ kind 'Teleport' is not known."),
        ("output", "return aip.flow.redo_run()", "Returned from # Output stage."),
        ("output", "return aip.flow.data_response({data = 1})", "Aipack custom 'DataResponse' not supported at the Output stage"),
    ],
)
def test_flow_errors_match_aip(tmp_path: Path, stage: str, code: str, message: str) -> None:
    runner = make_runner(tmp_path, {stage: (code, 3)})
    with pytest.raises(StageError) as caught:
        if stage == "before_all":
            runner.before_all(None)
        elif stage == "data":
            runner.data(None, None, 1)
        else:
            runner.output(None, None, None, None, 1)
    assert message in caught.value.message
    assert caught.value.line == 3


def test_output_skip_object_is_the_output(tmp_path: Path) -> None:
    runner = make_runner(tmp_path, {"output": ("return aip.flow.skip('meh')", 1)})
    value = runner.output("x", None, None, None, 1)
    assert flow_kind(value) == "Skip" and value["_aipack_"]["data"] == {"reason": "meh"}
    assert ("skip", "Aipack Skip input at Output stage (Reason: meh)") in runner.events


def test_after_all_redo_is_returned(tmp_path: Path) -> None:
    value = make_runner(tmp_path, {"after_all": ("return aip.flow.redo_run()", 1)}).after_all([], [], None)
    assert flow_kind(value) == "Redo"


def test_data_response_attachments_and_input_kept(tmp_path: Path) -> None:
    code = "return aip.flow.data_response({data = 'd', attachments = {file_source = 'img.png'}})"
    result = make_runner(tmp_path, {"data": (code, 1)}).data({"path": "a"}, None, 1)
    assert (result.input, result.data, result.attachments) == ({"path": "a"}, "d", [{"file_source": "img.png"}])


def test_ctx_and_options(tmp_path: Path) -> None:
    code = "return {CTX.STAGE, CTX.TASK_NUM, CTX.AGENT_FILE_NAME, CTX.AGENT_FILE_STEM, CTX.WORKSPACE_DIR, CTX.AIPACK_VERSION, options.model, CTX.TMP_DIR, CTX.PACK_IDENTITY}"
    runner = make_runner(tmp_path, {"data": (code, 1)}, session_uid="S1", pack={"namespace": "jc", "name": "coder", "dir": str(tmp_path)})
    assert runner.data(None, None, 7).data == [
        "Data", 7, "agent.aip", "agent", str(tmp_path), "0.8.37", "test-model",
        str(tmp_path / ".aipack" / ".session" / "S1" / "tmp"), "jc@coder",
    ]
    uid_code = "return {CTX.TASK_UID, CTX.RUN_UID}"
    first = make_runner(tmp_path, {"data": (uid_code, 1)})
    assert first.data(None, None, 1).data == first.data(None, None, 1).data
    assert make_runner(tmp_path, {"before_all": ("return CTX.TASK_UID == nil", 1)}).before_all(None).before_all is True


def test_null_helpers(tmp_path: Path) -> None:
    code = "return {is_null(nil), is_null(null), is_not_null(0), value_or(nil, null, 'x'), nil_if_null(null) == nil, is_list({1}), is_object({a = 1}), is_table(null)}"
    assert make_runner(tmp_path, {"data": (code, 1)}).data(None, None, 1).data == [True, True, True, "x", True, True, True, False]


def test_eras_legacy_globals(tmp_path: Path) -> None:
    probe = "return {aip ~= nil, utils ~= nil, aipack ~= nil, devai ~= nil, null ~= nil, utils == aip}"
    assert make_runner(tmp_path, {"data": (probe, 1)}).data(None, None, 1).data == [True, True, False, False, True, True]
    assert make_runner(tmp_path, {"data": (probe, 1)}, aip_version="0.7.10").data(None, None, 1).data == [True, True, True, False, False, True]
    old = make_runner(tmp_path, {"data": ("return {aip == nil, utils ~= nil, devai ~= nil}", 1)}, aip_version="0.5.11")
    assert old.data(None, None, 1).data == [True, True, True]


def test_aipack_skip_in_0_7(tmp_path: Path) -> None:
    result = make_runner(tmp_path, {"data": ("return aipack.skip('old')", 1)}, aip_version="0.7.10").data(None, None, 1)
    assert result.skip and result.skip_reason == "old"


def test_devai_sentinel_in_0_5(tmp_path: Path) -> None:
    runner = make_runner(tmp_path, {"before_all": ("return devai.before_all_response({inputs = {'x'}, before_all = 1})", 1)}, aip_version="0.5.11")
    result = runner.before_all(None)
    assert (result.inputs, result.before_all) == (["x"], 1)
    # aip (0.6+) does not know `_devai_`: plain data.
    modern = make_runner(tmp_path, {"data": ("return {_devai_ = {kind = 'Skip'}}", 1)}).data(None, None, 1)
    assert modern.skip is False and modern.data == {"_devai_": {"kind": "Skip"}}


def test_redo_name_by_version(tmp_path: Path) -> None:
    probe = "return {aip.flow.redo ~= nil, aip.flow.redo_run ~= nil}"
    assert make_runner(tmp_path, {"data": (probe, 1)}, aip_version="0.8.20").data(None, None, 1).data == [True, False]
    assert make_runner(tmp_path, {"data": (probe, 1)}).data(None, None, 1).data == [False, True]
