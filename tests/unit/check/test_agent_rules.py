"""AGT rules: what each aip version does with an agent (spec §6 cases 22–36, 54)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.check.agent import check_agent
from aipack_compat.load.agent import parse_agent
from aipack_compat.load.options_table import read_agent_options
from aipack_compat.model.diagnostic import Diagnostic, Severity
from aipack_compat.rules import agt

CORPUS = (Path(__file__).parents[3] / "../shared/corpus").resolve()


def run(text: str, version: str = "0.8.37", path: str = "agent.aip") -> list[Diagnostic]:
    document = parse_agent(path, text, version)
    options = read_agent_options(document)
    return check_agent(document, version, options.document.data if options else None)


def codes(text: str, version: str = "0.8.37", path: str = "agent.aip") -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in run(text, version, path)]


GOOD = "# Data\n```lua\nreturn {x = 1}\n```\n# System\nBe terse.\n# Instruction\nSay {{data.x}} for {{input}}\n"


def test_clean_agent_has_no_findings() -> None:
    assert run(GOOD) == []


def test_rules_are_registered_with_unique_codes() -> None:
    assert len({rule.code for rule in agt.RULES}) == len(agt.RULES)
    assert all(rule.name == rule.name.lower() and " " not in rule.name for rule in agt.RULES)


def test_case_23_ignored_heading_and_truncation() -> None:
    found = run("# Description\nnotes\n# Instruction\nkeep\n#!/bin/sh\nlost\n")
    assert [(d.code, d.line, d.severity) for d in found] == [
        ("AGT001", 1, Severity.INFO),
        ("AGT002", 5, Severity.WARNING),
    ]
    assert "ignored" in found[0].message and "text below it" in found[0].message


def test_case_24_config_by_version() -> None:
    text = "# Config\n```toml\nmodel = 'a'\n```\n# Options\n```toml\nmodel = 'b'\n```\n# Instruction\nx\n"
    assert ("AGT008", 1) in codes(text, "0.6.6")
    latest = run(text)
    assert [d.code for d in latest] == ["AGT007"]
    assert "model" in latest[0].message and "ignored silently" in latest[0].message
    assert codes("# Config\n```toml\n[genai]\nmodel = 'a'\n```\n# Instruction\nx\n", "0.5.9") == [("AGT007", 1)]


def test_case_25_user_heading_before_0_6_7() -> None:
    assert codes("# User\nhello\n", "0.6.6") == [("AGT006", 1), ("AGT009", 1)]
    assert codes("# User\nhello\n", "0.6.7") == []


def test_case_26_extra_block_and_repeated_section() -> None:
    text = "# Data\n```lua\na = 1\n```\n```lua\nb = 2\n```\n# Data\n```lua\nc = 3\n```\n"
    assert codes(text) == [("AGT004", 5), ("AGT005", 8)]


def test_case_27_empty_block() -> None:
    assert codes("# Instruction\nx\n# Output\n```lua\n```\n") == [("AGT017", 4)]


@pytest.mark.parametrize("opener", ["```Lua", "``` lua"])
def test_case_28_unusable_opener(opener: str) -> None:
    found = run(f"# Instruction\nx\n# Data\n{opener}\nreturn 1\n```\n")
    assert [(d.code, d.line) for d in found] == [("AGT003", 4)]
    assert "captures nothing" in found[0].message


def test_case_28_section_without_block() -> None:
    assert codes("# Instruction\nx\n# Output\nreturn 1\n") == [("AGT003", 3)]


def test_case_31_bom_hides_first_heading() -> None:
    found = run("\ufeff# Instruction\nx\n# System\ny\n")
    assert [d.code for d in found] == ["AGT019"]
    assert "# Instruction" in found[0].message


def test_case_32_nested_options_table() -> None:
    found = run('# Options\n```toml\n[options]\nmodel = "m"\n```\n# Instruction\nx\n')
    assert [(d.code, d.line) for d in found] == [("AGT020", 3)]


@pytest.mark.parametrize(
    "heading,ok",
    [("`cache = true`", True), ("`{cache = false}`", True), ("`foo = 1`", False), ("`cache = 1`", False), ("`cache = `", False)],
)
def test_case_33_prompt_header_options(heading: str, ok: bool) -> None:
    found = codes(f"# System {heading}\nx\n")
    assert found == ([] if ok else [("AGT012", 1)])


def test_case_33_lowercased_handlebars_in_options() -> None:
    found = run("# Data\n```lua\nreturn {myflag = true}\n```\n# System `cache = {{data.myFlag}}`\nx\n")
    assert [(d.code, d.severity) for d in found] == [("AGT012", Severity.WARNING)]
    assert codes("# System `cache = {{data.x}}`\nx\n", "0.6.9") == [("AGT012", 1)]
    assert codes("# System `cache = true`\nx\n", "0.6.7") == [("AGT006", 1), ("AGT016", 1)]


def test_case_34_empty_agent() -> None:
    assert codes("# Instructions\nplural is unknown\n") == [("AGT006", 1), ("AGT001", 1)] or codes(
        "# Instructions\nplural is unknown\n"
    ) == [("AGT001", 1), ("AGT006", 1)]


def test_case_35_template_syntax_maps_to_file_line() -> None:
    found = run("# Instruction\nline one\n{{#if data.x}}\nnever closed\n")
    assert [d.code for d in found] == ["AGT010"]
    assert 3 <= found[0].line <= 4


def test_case_35_template_scope_by_version() -> None:
    text = "# Instruction\n{{input}} {{before_all.a}} {{data.x}} {{item}}\n"
    assert [(d.code, d.line) for d in run(text, "0.6.13")] == [("AGT011", 2)] * 3
    assert [d.message.split("`")[1] for d in run(text, "0.7.14")] == ["before_all", "item"]
    assert [d.message.split("`")[1] for d in run(text)] == ["item"]
    assert codes("# Instruction\n{{#each data.files as |f|}}{{f.path}}{{@index}}{{/each}}\n") == []
    assert codes("# Instruction\n{{upper data.x}}\n") == [("AGT021", 2)]


def test_case_35_header_options_line_maps_to_heading() -> None:
    found = run("# System `cache = {{#if x}}{{/each}}`\nbody\n")
    assert found and found[0].code == "AGT010" and found[0].line == 1


def test_lua_syntax_error_maps_through_concatenated_sections() -> None:
    text = "# Instruction\nx\n# Data\n```lua\nlocal a = 1\n```\n# Data\n```lua\nif then\n```\n"
    found = run(text)
    assert [(d.code, d.line) for d in found if d.code == "AGT013"] == [("AGT013", 9)]


def test_lua_is_compiled_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"# Data\n```lua\nio.open('{marker}', 'w'):close()\n```\n"
    assert run(text) == []
    assert not marker.exists()


def test_case_54_legacy_globals() -> None:
    text = "# Data\n```lua\n-- aipack.skip() in a comment\nlocal s = 'devai.x'\nreturn aipack.skip()\n```\n"
    assert [(d.code, d.line, d.severity) for d in run(text)] == [("AGT014", 5, Severity.ERROR)]
    assert [d.severity for d in run(text, "0.7.0")] == [Severity.WARNING]
    assert codes("# Data\n```lua\nreturn devai.skip()\n```\n", "0.5.12", "a.devai") == []
    assert codes("# Data\n```lua\nreturn devai.skip()\n```\n") == [("AGT014", 3)]


def test_rhai_agent_in_lua_era_and_extension() -> None:
    text = "# Data\n```rhai\nlet f = file::load(item.path);\n```\n# Instruction\n{{data.f}}\n"
    found = codes(text, path=".devai/customs/review.md")
    assert ("AGT015", 2) in found and ("AGT018", 0) in found
    assert codes(text, "0.1.0", ".devai/customs/review.md") == []


def _corpus_agents() -> list[Path]:
    patterns = ("*.aip", "*.devai")
    found = {p for pattern in patterns for p in CORPUS.rglob(pattern) if p.is_file()}
    return sorted(found | {p for p in CORPUS.rglob("*.md") if ".devai" in p.parts and p.is_file()})


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_agents_check_without_errors_for_their_era() -> None:
    """Real agents run with aip: for their own era the checker must not report errors (warnings are fine)."""
    errors = []
    for path in _corpus_agents():
        text = path.read_text(encoding="utf-8")
        version = "0.1.0" if path.suffix == ".md" else "0.5.12" if path.suffix == ".devai" else "0.8.0"
        doc = parse_agent(str(path), text, version)
        errors += [(path.name, d.code, d.line, d.message) for d in check_agent(doc, version) if d.severity == Severity.ERROR]
    assert errors == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_twenty_agents_parse_and_check_fast() -> None:
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in _corpus_agents()[:20]]
    run_all = lambda: [check_agent(parse_agent(path, text)) for path, text in texts]  # noqa: E731
    run_all()  # first call loads lupa and the Handlebars module once
    start = time.perf_counter()
    run_all()
    assert time.perf_counter() - start < 0.25


_AGENTISH = st.text(alphabet=st.sampled_from(list("#`{}~ \n\r\ufeffabcdlua tomlDataOutput|@!-=.\"'")), max_size=300)
_HEADINGS = st.lists(
    st.sampled_from(["# Data", "# Output", "#Options", "# System `cache = true`", "# User", "# Config", "```lua", "```", "````", "{{#each x}}", "x = 1", "if then", "aipack.skip()"]),
    max_size=25,
).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(_AGENTISH, _HEADINGS, st.text(max_size=200)), version=st.sampled_from(["0.0.2", "0.0.9", "0.1.0", "0.5.0", "0.6.1", "0.6.10", "0.6.12", "0.8.37", "junk"]))
def test_property_arbitrary_text_never_raises(text: str, version: str) -> None:
    doc = parse_agent("fuzz.aip", text, version)
    for diagnostic in check_agent(doc, version):
        assert diagnostic.code.startswith("AGT")
