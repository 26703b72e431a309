"""aip's agent lexer across releases (spec §3.2, §6 cases 22–36), plus the real corpus in place."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from aipack_compat.load.agent import parse_agent
from aipack_compat.load.agent_lexer_rules import LexerRules, rust_lines

CORPUS = (Path(__file__).parents[3] / "../shared/corpus").resolve()

AGENT = """# Data
```lua
return {x = 1}
```
# Instruction
Say {{data.x}}
# Output
```lua
return ai_response.content
```
"""


def test_lexer_families_follow_the_release_history() -> None:
    assert LexerRules.for_version("0.1.0").family == "rhai"
    assert LexerRules.for_version("0.5.12").family == "lua-prefix"
    assert LexerRules.for_version("0.6.11").family == "lua-exact"
    assert LexerRules.for_version("0.6.13").family == "lua-frozen"
    assert LexerRules.for_version("v0.8.34-WIP").family == "lua-fence"
    assert LexerRules.for_version("0.6.1").big_fence == 6
    assert LexerRules.for_version("0.6.2").big_fence == 4


def test_rust_lines_matches_str_lines() -> None:
    assert rust_lines("a\r\nb\n") == ["a", "b"]
    assert rust_lines("a\n\n") == ["a", ""]
    assert rust_lines("") == []
    assert rust_lines("a\rb") == ["a\rb"]


def test_basic_agent_sections() -> None:
    doc = parse_agent("a.aip", AGENT)
    assert doc.stages["data"].code == "return {x = 1}\n"
    assert doc.stages["data"].first_code_line == 3
    assert doc.stages["output"].heading_line == 7
    assert [(p.role, p.template, p.line) for p in doc.prompt_parts] == [("user", "Say {{data.x}}\n", 5)]
    assert doc.era_guess == "aipack"


@pytest.mark.parametrize("heading", ["# data", "#Data", "# DATA  "])
def test_case_22_heading_forms_are_the_data_section(heading: str) -> None:
    doc = parse_agent("a.aip", f"{heading}\n```lua\nreturn 1\n```\n")
    assert doc.stages["data"].code == "return 1\n"


@pytest.mark.parametrize("heading", ["## Data", "  # Data"])
def test_case_22_subheadings_and_indented_are_not_sections(heading: str) -> None:
    doc = parse_agent("a.aip", f"# Instruction\nhi\n{heading}\n```lua\nreturn 1\n```\n")
    assert "data" not in doc.stages
    assert heading in doc.prompt_parts[0].template


def test_case_23_unknown_heading_ignores_text_and_truncates_part() -> None:
    doc = parse_agent("a.aip", "# Instruction\nkeep\n#todo\nlost\n# Description\nnotes\n# System\nsys\n")
    assert [p.template for p in doc.prompt_parts] == ["keep\n", "sys\n"]
    assert doc.prompt_parts[0].truncated_at == 3
    assert [h.name for h in doc.ignored_headings] == ["todo", "description"]


def test_case_24_config_read_until_0_6_6_then_ignored() -> None:
    text = "# Config\n```toml\n[genai]\nmodel = 'm'\n```\n# Instruction\nx\n"
    old = parse_agent("a.devai", text, "0.5.9")
    assert old.legacy_config_toml == "[genai]\nmodel = 'm'\n" and old.legacy_config_line == 3
    new = parse_agent("a.aip", text, "0.6.7")
    assert new.legacy_config_toml is None
    assert [h.name for h in new.ignored_headings] == ["config"]


def test_case_25_user_heading_only_from_0_6_7() -> None:
    text = "# User\nhello\n"
    assert parse_agent("a.aip", text, "0.6.7").prompt_parts[0].role == "user"
    assert parse_agent("a.aip", text, "0.6.6").prompt_parts == ()


def test_case_26_first_block_only_and_repeated_sections_concatenate() -> None:
    text = "# Data\n```lua\na()\n```\n```lua\nb()\n```\n# Data\n```lua\nc()\n```\n"
    stage = parse_agent("a.aip", text).stages["data"]
    assert stage.code == "a()\nc()\n"
    assert stage.source_lines == (3, 10)
    assert stage.section_count == 2


def test_case_27_empty_block_means_no_stage() -> None:
    doc = parse_agent("a.aip", "# Output\n```lua\n```\n# Instruction\nx\n")
    assert "output" not in doc.stages
    assert doc.sections[0].captured_block_line == 2


@pytest.mark.parametrize("opener,captured", [("```Lua", False), ("``` lua", False), ("```", False), ("```luau", True)])
def test_case_28_opener_is_a_case_sensitive_prefix(opener: str, captured: bool) -> None:
    doc = parse_agent("a.aip", f"# Data\n{opener}\nreturn 1\n```\n")
    assert ("data" in doc.stages) is captured


def test_case_29_tilde_fences_do_not_hide_headings() -> None:
    doc = parse_agent("a.aip", "# Instruction\n~~~\n# Data\n~~~\n")
    assert doc.prompt_parts[0].template == "~~~\n"
    assert [s.kind for s in doc.sections] == ["prompt", "stage"]


def test_case_29_four_backtick_block_holds_three_backtick_fences() -> None:
    text = "# Instruction\n````md\n```lua\n# Not a heading\n```\n````\ntail\n"
    assert parse_agent("a.aip", text, "0.6.2").prompt_parts[0].template.endswith("````\ntail\n")
    # 0.5.0 – 0.6.1 distinguished 3 from 6 backticks: the ```lua line closes the ````md block
    old = parse_agent("a.aip", text, "0.6.1")
    assert old.prompt_parts[0].truncated_at == 4


def test_case_29_info_string_line_closes_an_open_three_block() -> None:
    doc = parse_agent("a.aip", "# Instruction\n```js\n```lua\n# Data\n```lua\nreturn 1\n```\n")
    assert doc.stages["data"].code == "return 1\n"


def test_case_29_four_backtick_lua_opener_only_from_0_6_10() -> None:
    text = "# Data\n````lua\nlocal s = [[\n```\n]]\n````\n"
    assert parse_agent("a.aip", text, "0.6.14").stages["data"].code == "local s = [[\n```\n]]\n"
    assert "data" not in parse_agent("a.aip", text, "0.6.9").stages


def test_case_30_h1_inside_fence_in_prompt_part_is_content() -> None:
    text = "# Instruction\n```md\n# Title\n```\nafter\n"
    assert parse_agent("a.aip", text).prompt_parts[0].template == "```md\n# Title\n```\nafter\n"
    # 0.6.12 – 0.6.13 froze the fence state inside prompt parts: the H1 ends the part
    assert parse_agent("a.aip", text, "0.6.13").prompt_parts[0].template == "```md\n"
    # devai ≤0.1.0 had no fence state in the instruction either
    assert parse_agent("a.md", text, "0.1.0").prompt_parts[0].template == "```md\n"


def test_case_31_text_before_first_heading_and_bom() -> None:
    doc = parse_agent("a.aip", "preamble\n# Instruction\nx\n")
    assert doc.prompt_parts[0].template == "x\n"
    bom = parse_agent("a.aip", "\ufeff# Instruction\nx\n")
    assert bom.prompt_parts == () and bom.bom and bom.bom_hidden_heading == "\ufeff# Instruction"


def test_case_32_options_reads_only_a_toml_block() -> None:
    doc = parse_agent("a.aip", '# Options\n```json\n{"model": "x"}\n```\n```toml\nmodel = "m"\n```\n')
    assert doc.options_toml == 'model = "m"\n' and doc.options_line == 6
    assert parse_agent("a.devai", "# Options\n```toml\nmodel = 'm'\n```\n", "0.5.9").options_toml is None


def test_case_33_header_options_come_from_the_lowercased_heading() -> None:
    part = parse_agent("a.aip", "# System `cache = {{data.myFlag}}`\nx\n").prompt_parts[0]
    assert part.role == "system" and part.options_fragment == "cache = {{data.myflag}}"
    # before 0.6.8 the whole line is compared with "system": unknown heading
    assert parse_agent("a.aip", "# System `cache = true`\nx\n", "0.6.7").prompt_parts == ()


def test_case_34_part_without_lines_is_empty_string() -> None:
    doc = parse_agent("a.aip", "# System\n# Instruction\n\n")
    assert [p.template for p in doc.prompt_parts] == ["", "\n"]


def test_case_35_template_text_is_kept_verbatim() -> None:
    assert parse_agent("a.aip", "# Instruction\n{{input}} {{#if x}}\n").prompt_parts[0].template == "{{input}} {{#if x}}\n"


def test_case_36_whitespace_preserved_and_rhai_era_drops_blank_lines() -> None:
    text = "# Instruction\n\nA\n\n  \nB\n\n"
    assert parse_agent("a.aip", text).prompt_parts[0].template == "\nA\n\n  \nB\n\n"
    rhai = parse_agent("a.md", text, "0.1.0").prompt_parts[0]
    assert rhai.role == "system" and rhai.template == "A\n  B\n"
    assert rhai.source_lines == (3, 6)


def test_crlf_agent_parses_like_lf() -> None:
    assert parse_agent("a.aip", AGENT.replace("\n", "\r\n")).stages == parse_agent("a.aip", AGENT).stages


def test_rhai_era_captures_rhai_blocks_and_record_them() -> None:
    text = "# Data\n```rhai\nlet a = 1;\n```\n# Instruction\nx\n"
    old = parse_agent("a.md", text, "0.1.0")
    assert old.stages["data"].language == "rhai" and old.era_guess == "devai-rhai"
    new = parse_agent("a.md", text)
    assert "data" not in new.stages and new.rhai_blocks[0].open_line == 2


def test_fenced_blocks_record_capture_and_section() -> None:
    doc = parse_agent("a.aip", "# Data\n```lua\na()\n```\n```lua\nb()\n```\n")
    assert [(b.open_line, b.close_line, b.section_index, b.captured) for b in doc.fenced_blocks] == [
        (2, 4, 0, True),
        (5, 7, 0, False),
    ]


def _corpus_agents() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    found = {p for pattern in ("*.aip", "*.devai") for p in CORPUS.rglob(pattern) if p.is_file()}
    found |= {p for p in CORPUS.rglob("*.md") if ".devai" in p.parts and p.is_file()}
    return sorted(found)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_every_corpus_agent_parses_with_every_lexer_family() -> None:
    agents = _corpus_agents()
    assert len(agents) >= 40
    for path in agents:
        text = path.read_text(encoding="utf-8", errors="replace")
        for version in ("0.1.0", "0.5.12", "0.6.11", "0.6.13", "0.8.37"):
            doc = parse_agent(str(path), text, version)
            assert doc.line_count == len(rust_lines(text))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_sections_match_the_manifest() -> None:
    """MANIFEST.tsv lists the H1 sections of each agent; the lexer must find every one."""
    names = {"Before All": "before_all", "Data": "data", "Output": "output", "After All": "after_all"}
    checked = 0
    with open(CORPUS / "MANIFEST.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            path = CORPUS / row["repo"].replace("/", "__") / row["path"]
            if row["kind"] != "agent" or not path.is_file() or "stages:" not in row["notes"]:
                continue
            listed = row["notes"].split("stages: ", 1)[1].split(";", 1)[0].split("/")
            rhai = "rhai" in row["notes"].lower()
            doc = parse_agent(str(path), path.read_text(encoding="utf-8"), "0.1.0" if rhai else "0.8.37")
            kinds = {(s.kind, s.name) for s in doc.sections}
            for section in listed:
                if section in names:
                    assert ("stage", names[section]) in kinds, (path, section)
                elif section == "Options":
                    assert doc.options_toml is not None, path
                elif section in ("Instruction", "User", "System"):
                    assert doc.prompt_parts, (path, section)
                else:
                    assert section.lower() in {h.name for h in doc.ignored_headings}, (path, section)
            checked += 1
    assert checked >= 40
