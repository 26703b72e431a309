"""Static support check: scanner, supported list kept equal to the runtime, AGT201 diagnostics."""

from __future__ import annotations

from aipack_compat.check.lua_support import check_lua_support
from aipack_compat.rules.agt import RULES, UNSUPPORTED_AIP_FUNCTION
from aipack_compat.rules import all_rules
from aipack_compat.model.diagnostic import Severity
from aipack_compat.lua.registry import CONSTANTS, MODULES
from aipack_compat.lua.support import (
    APPROXIMATE_FUNCTIONS, SUPPORTED_FUNCTIONS, approximate_calls, canonical_name, scan_lua_calls,
    unsupported_calls,
)


def test_supported_list_matches_the_runtime_tables() -> None:
    runtime = {f"aip.{module}.{name}" for module, functions in MODULES.items() for name in functions}
    runtime |= {f"aip.{module}.{name}" for module, values in CONSTANTS.items() for name in values}
    # `aip.flow.redo` is the 0.8.17 - 0.8.21 name, installed only for those versions.
    declared = {name for name in SUPPORTED_FUNCTIONS if name.startswith("aip.")} - {"aip.flow.redo"}
    assert declared == runtime
    assert {"utils." + name[4:] for name in declared} <= SUPPORTED_FUNCTIONS


def test_spec_packs_jc_list_is_covered() -> None:
    # spec §5.2: every function used in packs-jc except the sub-agent call.
    packs_jc = """aip.text.trim aip.file.save aip.file.load aip.run.pin aip.file.exists aip.path.join aip.text.split_first
    aip.cmd.exec aip.text.trim_end aip.file.list aip.file.ensure_dir aip.text.extract_line_blocks aip.json.parse
    aip.file.ensure_exists aip.file.delete aip.file.append aipack.skip aip.path.diff aip.flow.before_all_response
    utils.file.load aip.text.trim_start aip.text.ensure aip.task.pin aip.semver.compare aip.run.set_label
    aip.path.exists aip.md.extract_meta aip.md.extract_blocks aip.code.comment_line utils.text.split_first
    utils.text.ensure utils.path.exists utils.file.ensure_exists utils.code.comment_line utils.cmd.exec
    aipack.before_all_response aip.tag.extract aip.path.is_dir aip.flow.skip""".split()
    assert [name for name in packs_jc if name not in SUPPORTED_FUNCTIONS] == []


def test_scanner_skips_strings_and_comments() -> None:
    code = (
        'local x = aip.file.load("a") -- aip.web.get("x")\n'
        'local s = "aip.web.get" .. aip.web.get("u")\n'
        "--[==[ aip.zip.create\n]==] utils.text.trim(x); aipack.skip(); t.aip.file.load()\n"
        "local y = [[ aip.pdf.x ]] return aip.agent.run('x'), aip.flow"
    )
    assert scan_lua_calls(code) == [
        ("aip.file.load", 1, 11),
        ("aip.web.get", 2, 28),
        ("utils.text.trim", 4, 6),
        ("aipack.skip", 4, 26),
        ("aip.agent.run", 5, 34),
    ]
    assert unsupported_calls(code, first_line=10) == []  # aip.web.get requests; aip.agent.run: run supplies it
    assert canonical_name("utils.file.load") == "aip.file.load" and canonical_name("aipack.skip") == "aip.flow.skip"


def test_check_lua_support_reports_located_diagnostics() -> None:
    stages = {"data": ('local r = aip.zip.create("u")\nreturn r', 12), "output": ("return aip.text.trim(ai_response.content)", 30)}
    diagnostics = check_lua_support("agent.aip", stages)
    assert [(d.code, d.line, d.column, d.end_column) for d in diagnostics] == [("AGT201", 12, 11, 25)]
    assert "`aip.zip.create` (# Data)" in diagnostics[0].message
    assert UNSUPPORTED_AIP_FUNCTION in RULES
    assert check_lua_support("agent.aip", {"data": ("", 1)}) == []


def test_approximate_calls_are_supported_and_located() -> None:
    assert set(APPROXIMATE_FUNCTIONS) <= SUPPORTED_FUNCTIONS
    code = 'local md = aip.html.to_md(h) -- aip.html.to_md\nutils.file.save_html_to_md("a.html")\naip.html.select(h, "a")'
    assert approximate_calls(code, first_line=5) == [("aip.html.to_md", 5, 12), ("utils.file.save_html_to_md", 6, 1)]
    assert unsupported_calls(code) == []
    rule = all_rules()["AGT202"]
    assert (rule.name, rule.severity) == ("aip-function-output-may-differ", Severity.INFO)
