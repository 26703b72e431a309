"""aip's one-pass agent-file line lexer, re-implemented per release (spec §3.2, wire-protocol §4.1).

aip does not use a Markdown parser: `AgentDoc::into_agent_inner` walks `str::lines()` once and
switches a capture mode on every column-0 `#` line (`A:src/agent/agent_doc.rs@952ad06e`). The
rules changed several times, and an agent means different things to different releases, so the
lexer is parametrised by the aip version it imitates:

| lexer family   | releases        | fence / block rules (agent_doc.rs at that tag)                          |
|----------------|-----------------|--------------------------------------------------------------------------|
| `rhai`         | 0.0.2 – 0.1.x   | no fence state; ```` ```rhai ```` opens, any ```` ``` ```` closes (0.0.10+: headings ignored inside a captured block) |
| `lua-prefix`   | 0.5.0 – 0.6.9   | `InBlockState` for headings only; ```` ```lua ```` prefix opens, any ```` ``` ```` closes |
| `lua-exact`    | 0.6.10 – 0.6.11 | closes only on a line that is exactly ```` ``` ````/```` ```` ```` of the opener's width |
| `lua-frozen`   | 0.6.12 – 0.6.13 | as `lua-exact`, but the fence state is frozen inside prompt parts, so any `#` line there is a heading |
| `lua-fence`    | 0.6.14+         | openers and closers must agree with `InBlockState` (`@926cc34e`)          |

`InBlockState` told 3 from 6 backticks up to 0.6.1 and 3 from 4 from 0.6.2
(`A:src/support/md/in_block_state.rs@05644b78`, `@a100950d`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from aipack_compat.load.agent_lexer_rules import LexerRules, next_block_state, rust_lines
from aipack_compat.model.agent import (
    AgentDocument,
    FencedBlock,
    HeadingDoc,
    PromptPartDoc,
    STAGE_NAMES,
    RawSection,
    StageDoc,
)
from aipack_compat.model.versions import DEFAULT_AIP_VERSION

_STAGE_BY_HEADING = {"before all": "before_all", "data": "data", "output": "output", "after all": "after_all"}
_ROLE_BY_HEADING = {
    "instruction": "user",
    "inst": "user",
    "user": "user",
    "system": "system",
    "assistant": "assistant",
    "model": "assistant",
    "mind trick": "assistant",
    "jedi trick": "assistant",
}


@dataclass(slots=True)
class _Buffer:
    lines: list[tuple[str, int]] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)
    tail: str = ""  # ≤0.1.0 only: blank-line text still waiting for a non-blank line

    def text(self) -> str | None:
        if not self.lines and not self.tail:
            return None  # `buffer_to_string`: an empty buffer means the section is absent
        return "".join(line + "\n" for line, _ in self.lines) + self.tail


@dataclass(slots=True)
class _SectionDraft:
    kind: str
    name: str
    heading: HeadingDoc
    block: int = 0


@dataclass(slots=True)
class _FenceDraft:
    info: str
    width: int
    open_line: int
    section: int
    close_line: int = 0


@dataclass(slots=True)
class _OpenPart:
    role: str
    heading: HeadingDoc
    options: str | None
    lines: list[tuple[str, int]] = field(default_factory=list)
    truncated_at: int = 0


@dataclass(slots=True)
class _Lexer:
    rules: LexerRules
    mode: str = "none"  # "none" | "prompt" | "section:<target>" | "block:<target>"
    block_state: int = 0
    current_backticks: int = 0
    buffers: dict[str, _Buffer] = field(default_factory=dict)
    parts: list[PromptPartDoc] = field(default_factory=list)
    part: _OpenPart | None = None
    sections: list[_SectionDraft] = field(default_factory=list)
    headings: list[HeadingDoc] = field(default_factory=list)
    ignored: list[HeadingDoc] = field(default_factory=list)
    captured_openers: set[int] = field(default_factory=set)

    # -- headings

    def on_heading(self, line: str, lineno: int) -> None:
        name = line[1:].strip().lower()
        heading = HeadingDoc(lineno, line, name)
        self.headings.append(heading)
        kind, target = self.classify(name)
        self.sections.append(_SectionDraft(kind, target, heading))
        if kind == "prompt":
            self.finish_part()
            options = _options_fragment(name) if self.rules.strips_header_options else None
            self.part = _OpenPart(target, heading, options)
            self.mode = "prompt"
        elif kind in ("stage", "options", "legacy_config"):
            self.buffer(target).headings.append(lineno)
            self.mode = f"section:{target}"
        elif kind == "rhai_inst":
            self.buffer("instruction").headings.append(lineno)
            self.mode = "rhai_inst"
        else:
            self.ignored.append(heading)
            if self.mode == "prompt" and self.part is not None and not self.part.truncated_at:
                self.part.truncated_at = lineno
            self.mode = "none"

    def classify(self, name: str) -> tuple[str, str]:
        rules = self.rules
        if name == "config" and rules.has_config:
            return "legacy_config", "config"
        if rules.family == "rhai":
            if name in ("data", "output"):
                return "stage", name
            if name in ("inst", "instruction"):
                return "rhai_inst", "system"
            return "ignored", name
        if name == "options" and rules.has_options:
            return "options", "options"
        if name in _STAGE_BY_HEADING:
            return "stage", _STAGE_BY_HEADING[name]
        role_name = name.split("`", 1)[0].strip() if rules.strips_header_options else name
        if role_name == "user" and not rules.has_user_heading:
            return "ignored", name
        if role_name in _ROLE_BY_HEADING:
            return "prompt", _ROLE_BY_HEADING[role_name]
        return "ignored", name

    def buffer(self, target: str) -> _Buffer:
        return self.buffers.setdefault(target, _Buffer())

    def finish_part(self) -> None:
        part = self.part
        if part is None:
            return
        self.part = None
        # aip pushes "" and joins with "\n": every line plus one trailing "\n" (nothing for no lines)
        template = "\n".join([text for text, _ in part.lines] + [""])
        self.parts.append(
            PromptPartDoc(
                role=part.role,
                heading=part.heading.text,
                template=template,
                options_fragment=part.options,
                line=part.heading.line,
                source_lines=tuple(lineno for _, lineno in part.lines),
                truncated_at=part.truncated_at,
            )
        )

    # -- body lines

    def on_line(self, line: str, lineno: int) -> None:
        if self.rules.family == "rhai":
            self.on_rhai_line(line, lineno)
            return
        old_state = self.block_state
        frozen = self.rules.family == "lua-frozen" and self.mode == "prompt"
        if not frozen:
            self.block_state = next_block_state(old_state, line, self.rules.big_fence)
        heading_allowed = self.block_state == 0 or (self.rules.family == "lua-frozen" and self.mode == "prompt")
        if heading_allowed and line.startswith("#") and not line.startswith("##"):
            self.on_heading(line, lineno)
            return
        exact = self.rules.family in ("lua-exact", "lua-frozen")
        fence_line = line.startswith("```")
        opener_lua = fence_line and _is_opener(line, "lua", self.rules.four_backtick_openers)
        opener_toml = fence_line and _is_opener(line, "toml", self.rules.four_backtick_openers)
        is_exact_end = False
        if exact and not frozen:
            # 0.6.10 – 0.6.13: `line == "```" || line == "````"` with a width check (`A:src/agent/agent_doc.rs@07797945`)
            is_exact_end = line in ("```", "````") and (
                (self.current_backticks == 3 and line.startswith("```"))
                or (self.current_backticks == 4 and line.startswith("````"))
            )
            if opener_lua or opener_toml:
                self.current_backticks = 4 if line.startswith("````") else 3
            elif is_exact_end:
                self.current_backticks = 0
        mode = self.mode
        if mode == "prompt":
            if self.part is not None:
                self.part.lines.append((line, lineno))
        elif mode.startswith("section:"):
            target = mode[8:]
            opener = opener_toml if target in ("options", "config") else opener_lua
            if self.rules.family == "lua-fence":
                opener = opener and old_state == 0
            if opener:
                self.mode = f"block:{target}"
                self.captured_openers.add(lineno)
                if self.sections:
                    self.sections[-1].block = lineno
        elif mode.startswith("block:"):
            if self.rules.family == "lua-fence":
                closes = line.startswith("```") and self.block_state == 0 and old_state != 0
            elif exact:
                closes = is_exact_end
            else:
                closes = line.startswith("```")
            if closes:
                self.mode = "none"
            else:
                self.buffer(mode[6:]).lines.append((line, lineno))

    def on_rhai_line(self, line: str, lineno: int) -> None:
        """devai 0.0.x – 0.1.0 (`A:src/agent/agent_doc.rs@5b0f7d5a`)."""
        in_capture_block = self.mode.startswith("block:")
        if not (in_capture_block and self.rules.guards_capture_blocks) and line.startswith("#") and not line.startswith("##"):
            self.on_heading(line, lineno)
            return
        mode = self.mode
        if mode == "rhai_inst":
            self.push_rhai(line, lineno, "instruction")
        elif mode.startswith("section:"):
            target = mode[8:]
            if line.startswith("```toml" if target == "config" else "```rhai"):
                self.mode = f"block:{target}"
                self.captured_openers.add(lineno)
                if self.sections:
                    self.sections[-1].block = lineno
        elif mode.startswith("block:"):
            if line.startswith("```"):
                self.mode = "none"
            else:
                self.push_rhai(line, lineno, mode[6:])

    def push_rhai(self, line: str, lineno: int, target: str) -> None:
        """≤0.1.0 `push_line` adds `\\n` only after a non-blank line, so blank lines vanish (fixed in `3eb231cb`)."""
        buffer = self.buffer(target)
        if line.strip():
            buffer.lines.append((buffer.tail + line, lineno))
            buffer.tail = ""
        else:
            buffer.tail += line


def _is_opener(line: str, language: str, four_backticks: bool) -> bool:
    return line.startswith("```" + language) or (four_backticks and line.startswith("````" + language))


def _options_fragment(lowered_heading: str) -> str | None:
    """`get_prompt_part_options_str`: the first `` `…` `` (non-empty) of the lower-cased heading."""
    start = lowered_heading.find("`")
    while start != -1:
        end = lowered_heading.find("`", start + 1)
        if end == -1:
            return None
        if end > start + 1:
            return lowered_heading[start + 1 : end]
        start = end
    return None


def parse_agent(path: str, text: str, aip_version: str = DEFAULT_AIP_VERSION) -> AgentDocument:
    """Parse an agent the way `aip_version` would. Never raises; odd input gives odd sections."""
    rules = LexerRules.for_version(aip_version)
    lexer = _Lexer(rules)
    lines = rust_lines(text)
    fences: list[_FenceDraft] = []
    scan_state = 0  # the era's fence state over the whole file, for diagnostics about uncaptured blocks
    for index, line in enumerate(lines):
        lineno = index + 1
        before = scan_state
        scan_state = next_block_state(scan_state, line, rules.big_fence)
        if before == 0 and scan_state != 0:
            width = len(line) - len(line.lstrip("`"))
            fences.append(_FenceDraft(line[width:], width, lineno, len(lexer.sections) - 1))
        elif before != 0 and scan_state == 0 and fences:
            fences[-1].close_line = lineno
        lexer.on_line(line, lineno)
    lexer.finish_part()
    instruction = lexer.buffers.get("instruction")
    first_instruction = next((s for s in lexer.sections if s.kind == "rhai_inst"), None)
    if instruction is not None and first_instruction is not None:
        # ≤0.1.0 keeps one instruction string for every `# Instruction`, sent as a system message
        heading = first_instruction.heading
        lexer.parts.append(
            PromptPartDoc(
                "system",
                heading.text,
                instruction.text() or "",
                None,
                heading.line,
                tuple(lineno for _, lineno in instruction.lines),
            )
        )
    return _assemble(path, aip_version, text, lines, lexer, fences)


def _assemble(
    path: str,
    aip_version: str,
    text: str,
    lines: list[str],
    lexer: _Lexer,
    fences: list[_FenceDraft],
) -> AgentDocument:
    sections: list[RawSection] = []
    drafts = lexer.sections
    for index, draft in enumerate(drafts):
        end = drafts[index + 1].heading.line - 1 if index + 1 < len(drafts) else len(lines)
        kind = "prompt" if draft.kind == "rhai_inst" else draft.kind
        sections.append(RawSection(kind, draft.name, draft.heading, draft.heading.line, end, draft.block))
    blocks = tuple(
        FencedBlock(f.info, f.width, f.open_line, f.close_line, f.section, f.open_line in lexer.captured_openers)
        for f in fences
    )
    stages: dict[str, StageDoc] = {}
    for name in STAGE_NAMES:
        buffer = lexer.buffers.get(name)
        code = buffer.text() if buffer is not None else None
        if buffer is None or code is None:
            continue
        source = tuple(lineno for _, lineno in buffer.lines)
        stages[name] = StageDoc(
            code=code,
            first_code_line=source[0] if source else buffer.headings[0],
            heading_line=buffer.headings[0],
            language=lexer.rules.script_language,
            source_lines=source,
            section_count=len(buffer.headings),
        )
    options = lexer.buffers.get("options")
    config = lexer.buffers.get("config")
    return AgentDocument(
        path=path,
        aip_version=aip_version,
        era_guess=_era_guess(path, blocks),
        prompt_parts=tuple(lexer.parts),
        stages=stages,
        options_toml=options.text() if options else None,
        options_line=options.lines[0][1] if options and options.lines else 0,
        options_source_lines=tuple(n for _, n in options.lines) if options else (),
        legacy_config_toml=config.text() if config else None,
        legacy_config_line=config.lines[0][1] if config and config.lines else 0,
        legacy_config_source_lines=tuple(n for _, n in config.lines) if config else (),
        ignored_headings=tuple(lexer.ignored),
        rhai_blocks=tuple(b for b in blocks if b.info.strip().lower().startswith("rhai")),
        fenced_blocks=blocks,
        sections=tuple(sections),
        headings=tuple(lexer.headings),
        bom=text.startswith("\ufeff"),
        bom_hidden_heading=lines[0] if lines and lines[0].startswith("\ufeff#") and not lines[0].startswith("\ufeff##") else None,
        line_count=len(lines),
    )


def _era_guess(path: str, blocks: tuple[FencedBlock, ...]) -> str:
    """Which era the file was written for (not which aip reads it): extension first, then block languages."""
    extension = os.path.splitext(path)[1].lower()
    infos = [b.info.strip().lower() for b in blocks]
    has_rhai = any(info.startswith("rhai") for info in infos)
    has_lua = any(info.startswith("lua") for info in infos)
    if extension == ".aip":
        return "aipack"
    if extension == ".devai":
        return "devai-lua"
    if has_rhai or (extension == ".md" and not has_lua):
        return "devai-rhai"
    if extension == ".md":
        return "devai-lua"
    return "aipack" if has_lua else "unknown"
