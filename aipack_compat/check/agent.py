"""Agent checks: what the selected aip version will do with a parsed agent that its author did not intend.

Pure: `AgentDocument` in, `Diagnostic`s out. Handlebars (native module) and lupa are loaded only
when a template contains `{{` or a Lua stage exists, which keeps `validate` start-up fast.
"""

from __future__ import annotations

import os
from typing import Any

from aipack_compat.model.agent import AgentDocument, FencedBlock, PromptPartDoc, RawSection, parse_aip_version
from aipack_compat.model.diagnostic import Diagnostic, Severity
from aipack_compat.model.eras import AIP_RENAME, CONFIG_SECTION_REMOVED, LUA_DEVAI, OPTIONS_SECTIONS, USER_SECTION
from aipack_compat.model.versions import DEFAULT_AIP_VERSION, version_text
from aipack_compat.rules import agt

_STAGE_HEADINGS = {"before_all": "# Before All", "data": "# Data", "output": "# Output", "after_all": "# After All"}
_PROMPT_NAMES = ("instruction", "inst", "user", "system", "assistant", "model", "mind trick", "jedi trick")


def check_agent(doc: AgentDocument, aip_version: str = DEFAULT_AIP_VERSION,
                options: dict[str, Any] | None = None) -> list[Diagnostic]:
    """Every AGT finding for `doc` as `aip_version` would run it (parse `doc` with the same version).

    `options` is the `# Options` TOML as parsed (load/options_table.py `read_agent_options`); None when
    the agent has none or it is not valid TOML (the option checks report that).
    """
    version = parse_aip_version(aip_version)
    found: list[Diagnostic] = []
    found += _file_level(doc, version)
    found += _headings(doc, version)
    found += _sections(doc, version)
    for part in doc.prompt_parts:
        found += _prompt_part(doc, part, aip_version, version)
    if version >= LUA_DEVAI:
        found += _lua_stages(doc, aip_version)
    found += _options_block(doc, options)
    return sorted(found, key=Diagnostic.sort_key)


def _file_level(doc: AgentDocument, version: tuple[int, int, int]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    extension = os.path.splitext(doc.path)[1].lower()
    if version >= AIP_RENAME and extension in (".devai", ".md"):
        stem = os.path.splitext(os.path.basename(doc.path))[0]
        found.append(
            agt.UNRUNNABLE_EXTENSION.diagnostic(
                doc.path,
                f"aip {version_text(version)} runs only `.aip` agents; `aip run {os.path.basename(doc.path)}` looks for "
                f"`{os.path.basename(doc.path)}.aip` and is not found",
                hint=f"rename it to `{stem}.aip`" + (" and port its Rhai blocks to Lua" if doc.rhai_blocks else ""),
            )
        )
    if doc.bom:
        hidden = doc.bom_hidden_heading
        message = "the file starts with a UTF-8 byte-order mark"
        if hidden is not None:
            message += f"; aip does not see `{hidden.lstrip(chr(0xFEFF))}` as a heading, so that section is lost"
        found.append(agt.BOM_BEFORE_HEADING.diagnostic(doc.path, message, 1, 1, hint="save the file as UTF-8 without BOM"))
    if not doc.prompt_parts and not doc.stages:
        found.append(
            agt.EMPTY_AGENT.diagnostic(
                doc.path,
                f"aip {version_text(version)} finds no prompt part and no script stage in this agent: it makes no AI call and runs nothing",
                1 if doc.line_count else 0,
                hint="check the headings: `# Instruction`/`# System`/`# Data`/`# Output`…",
            )
        )
    return found


def _headings(doc: AgentDocument, version: tuple[int, int, int]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    truncations = {part.truncated_at: part for part in doc.prompt_parts if part.truncated_at}
    for heading in doc.ignored_headings:
        name, line, shown = heading.name, heading.line, heading.text.strip()
        role_name = name.split("`", 1)[0].strip()
        part = truncations.get(line)
        if part is not None and (not heading.text.startswith("# ") or _inside_fence(doc, line)):
            found.append(
                agt.PROMPT_PART_TRUNCATED.diagnostic(
                    doc.path,
                    f"`{shown}` at column 0 is read as an H1 heading: the `{part.heading.strip()}` part (line {part.line}) "
                    "ends here and the lines below it are not sent",
                    line,
                    1,
                    hint="indent the line or put it inside a ``` fence",
                )
            )
            continue
        if name == "config":
            found.append(
                agt.LEGACY_CONFIG.diagnostic(
                    doc.path,
                    f"`# Config` is ignored silently by aip {version_text(version)} (removed in 0.6.7): its model/options override is lost",
                    line,
                    1,
                    hint="move the keys, flat, into a `# Options` ```toml block",
                )
            )
        elif role_name == "user" and version < USER_SECTION and "`" not in name:
            found.append(
                agt.USER_HEADING_UNSUPPORTED.diagnostic(
                    doc.path,
                    f"`# User` is a prompt part only from aip 0.6.7; {version_text(version)} ignores it and its text",
                    line,
                    1,
                    hint="use `# Instruction`, which every version reads",
                )
            )
        elif "`" in name and role_name in _PROMPT_NAMES and version < (0, 6, 8):
            found.append(
                agt.PROMPT_OPTIONS_UNSUPPORTED.diagnostic(
                    doc.path,
                    f"`{shown}`: header options need aip 0.6.8+; {version_text(version)} does not recognise the heading and drops the part",
                    line,
                    1,
                    hint=f"write `# {role_name.title()}` without the backtick options for this version",
                )
            )
        else:
            found.append(agt.IGNORED_HEADING.diagnostic(doc.path, _ignored_message(shown, name, version, part), line, 1))
    return found


def _ignored_message(shown: str, name: str, version: tuple[int, int, int], part: PromptPartDoc | None) -> str:
    message = f"`{shown}` is not a section for aip {version_text(version)}: the heading and the text below it, up to the next recognised heading, are ignored"
    if name == "options" and version < OPTIONS_SECTIONS:
        message += " (`# Options` is read from 0.5.10)"
    elif name in ("before all", "after all", "system", "assistant", "model", "mind trick", "jedi trick") and version < LUA_DEVAI:
        message += " (this section exists from 0.5.0)"
    if part is not None:
        message += f"; it also ends the `{part.heading.strip()}` part above"
    return message


def _inside_fence(doc: AgentDocument, line: int) -> bool:
    return any(b.open_line < line and (b.close_line == 0 or line < b.close_line) for b in doc.fenced_blocks)


def _sections(doc: AgentDocument, version: tuple[int, int, int]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    script_language = "rhai" if version < LUA_DEVAI else "lua"
    seen: dict[str, int] = {}
    has_config = doc.legacy_config_toml is not None
    for index, section in enumerate(doc.sections):
        if section.kind not in ("stage", "options", "legacy_config"):
            continue
        heading = section.heading.text.strip()
        language = "toml" if section.kind != "stage" else script_language
        if section.name in seen:
            what = "TOML (duplicate keys then fail to parse)" if section.kind != "stage" else "scripts into one"
            found.append(
                agt.REPEATED_SECTION.diagnostic(
                    doc.path,
                    f"`{heading}` appears again (first at line {seen[section.name]}); aip concatenates their first blocks' {what}",
                    section.start_line,
                    1,
                )
            )
        else:
            seen[section.name] = section.start_line
        blocks = [b for b in doc.fenced_blocks if b.section_index == index]
        if section.captured_block_line == 0:
            found += _missing_block(doc, section, blocks, language)
            continue
        for block in blocks:
            if block.open_line > section.captured_block_line and block.info.strip().lower().startswith(language):
                found.append(
                    agt.EXTRA_SCRIPT_BLOCK.diagnostic(
                        doc.path,
                        f"second ```{block.info.strip()} block in `{heading}` (the block at line {section.captured_block_line} is the one aip uses); this one is never {'run' if section.kind == 'stage' else 'read'}",
                        block.open_line,
                        1,
                        hint="merge it into the first block",
                    )
                )
        if section.kind == "stage" and not _section_has_code(doc, section):
            found.append(
                agt.EMPTY_SCRIPT_BLOCK.diagnostic(
                    doc.path,
                    f"the ```{language} block of `{heading}` is empty, so aip treats this stage as absent",
                    section.captured_block_line,
                    1,
                )
            )
    if has_config and doc.options_toml is not None and OPTIONS_SECTIONS <= version < CONFIG_SECTION_REMOVED:
        line = next((s.start_line for s in doc.sections if s.kind == "legacy_config"), 0)
        found.append(
            agt.CONFIG_AND_OPTIONS.diagnostic(
                doc.path,
                "Agent file cannot have a '# Config' and '# Options' section: aip "
                f"{version_text(version)} refuses to load it",
                line,
                1,
                hint="delete `# Config` and keep `# Options`",
            )
        )
    elif has_config:
        line = next((s.start_line for s in doc.sections if s.kind == "legacy_config"), 0)
        found.append(
            agt.LEGACY_CONFIG.diagnostic(
                doc.path,
                f"`# Config` is read by aip {version_text(version)} but removed in 0.6.7, which ignores it silently (its model override is then lost)",
                line,
                1,
                hint="move the keys, flat, into `# Options` (0.5.10+)",
            )
        )
    return found


def _missing_block(doc: AgentDocument, section: RawSection, blocks: list[FencedBlock], language: str) -> list[Diagnostic]:
    heading = section.heading.text.strip()
    rhai = [b for b in blocks if b.info.strip().lower().startswith("rhai")]
    if rhai and language == "lua":
        return [
            agt.RHAI_SCRIPT.diagnostic(
                doc.path,
                f"`{heading}` holds a ```rhai block (devai 0.0.x – 0.1.0); only ```lua is captured from 0.5.0, so this stage does not exist",
                block.open_line,
                1,
                hint="port the Rhai script to Lua (`file::load(p)` → `aip.file.load(p)`)",
            )
            for block in rhai
        ]
    near = [b for b in blocks if b.info.strip().lower().startswith(language)]
    if near:
        block = near[0]
        opener = "`" * block.backticks + block.info
        return [
            agt.SCRIPT_BLOCK_MISSING.diagnostic(
                doc.path,
                f"`{opener}` in `{heading}` is not recognised: aip's opener test is the exact prefix ```{language}, so it captures nothing here",
                block.open_line,
                1,
                hint=f"write ```{language}",
            )
        ]
    return [
        agt.SCRIPT_BLOCK_MISSING.diagnostic(
            doc.path,
            f"`{heading}` has no ```{language} block: aip captures nothing, so this section does nothing",
            section.start_line,
            1,
        )
    ]


def _section_has_code(doc: AgentDocument, section: RawSection) -> bool:
    stage = doc.stages.get(section.name)
    return stage is not None and any(section.start_line < line <= section.end_line for line in stage.source_lines)


def _prompt_part(doc: AgentDocument, part: PromptPartDoc, aip_version: str, version: tuple[int, int, int]) -> list[Diagnostic]:
    from aipack_compat.check.agent_prompt import prompt_part_findings

    return prompt_part_findings(doc, part, aip_version, version)


def _lua_stages(doc: AgentDocument, aip_version: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    lua_stages = [(name, stage) for name, stage in doc.stages.items() if stage.language == "lua"]
    if not lua_stages:
        return found
    from aipack_compat.check.agent_lua import compile_lua, legacy_globals

    for name, stage in lua_stages:
        heading = _STAGE_HEADINGS[name]
        error = compile_lua(stage.code, name)
        if error is not None:
            line = _file_line(stage.source_lines, error.line, stage.first_code_line)
            found.append(agt.LUA_SYNTAX.diagnostic(doc.path, f"{heading} does not compile: {error.message}", line, 1))
        for use in legacy_globals(stage.code, aip_version):
            line = _file_line(stage.source_lines, use.line, stage.first_code_line)
            severity = None if use.fails else Severity.WARNING
            found.append(
                agt.LEGACY_LUA_GLOBAL.diagnostic(
                    doc.path,
                    f"`{use.name}.` in {heading}: {use.why}",
                    line,
                    use.column,
                    severity=severity,
                    hint="`aip.flow.skip()`, `aip.flow.before_all_response{…}`, `aip.flow.data_response{…}`",
                )
            )
    return found


def _options_block(doc: AgentDocument, data: dict[str, Any] | None) -> list[Diagnostic]:
    if doc.options_toml is None or data is None:
        return []
    found: list[Diagnostic] = []
    for table in ("options", "default_options"):
        if isinstance(data.get(table), dict):
            index = next(
                (i for i, text in enumerate(doc.options_toml.splitlines()) if text.strip().startswith(f"[{table}") or text.strip().startswith(f"{table}")),
                0,
            )
            line = _file_line(doc.options_source_lines, index + 1, doc.options_line)
            found.append(
                agt.OPTIONS_NESTED_TABLE.diagnostic(
                    doc.path,
                    f"`# Options` nests its keys under `[{table}]`; aip reads the block as flat options, so {sorted(data[table])} are ignored",
                    line,
                    1,
                    hint=f"remove the `[{table}]` line so the keys are top-level",
                )
            )
    return found


def _file_line(source_lines: tuple[int, ...], chunk_line: int, fallback: int) -> int:
    """Map a 1-based line of a concatenated chunk back to the agent file."""
    if 1 <= chunk_line <= len(source_lines):
        return source_lines[chunk_line - 1]
    if source_lines and chunk_line > len(source_lines):
        return source_lines[-1]
    return fallback


