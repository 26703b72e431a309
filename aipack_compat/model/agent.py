"""A parsed agent file (`.aip`, `.devai`, devai-era `.md`), as aip's line lexer sees it.

Plain frozen dataclasses: this is on the `validate` fast path, so no pydantic. Every piece of
text keeps the file lines it came from, so checkers can point at the agent file even when aip
concatenated several sections into one script (spec §3.2, "repeated sections").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aipack_compat.model.versions import Version, parse_version_or_default

# The four script stages, keyed the way the rest of aipack-compat names them.
STAGE_NAMES: tuple[str, ...] = ("before_all", "data", "output", "after_all")


def parse_aip_version(version: str | None) -> Version:
    """`"0.6.14"`, `"v0.8.34-WIP"` → `(0, 6, 14)`, `(0, 8, 34)`; text naming no version (an era guess of
    `unknown`, an empty setting) means the default version, so agents are judged as current aip reads them."""
    return parse_version_or_default(version)


@dataclass(frozen=True, slots=True)
class PromptPartDoc:
    """One prompt part (one chat message once rendered).

    `template` is exactly the string aip hands to Handlebars minus the header options line:
    every body line joined with `\\n` plus one trailing `\\n` (spec §3.2). `source_lines[i]` is
    the 1-based file line of template line `i + 1`.
    """

    role: str  # "user" | "system" | "assistant"
    heading: str  # the heading line as written, e.g. "# User `cache = true`"
    template: str
    options_fragment: str | None  # text between the first pair of backticks of the lower-cased heading
    line: int  # heading line
    source_lines: tuple[int, ...] = ()
    truncated_at: int = 0  # file line of a column-0 `#…` line that ended this part early (0: not truncated)


@dataclass(frozen=True, slots=True)
class StageDoc:
    """The script aip runs for one stage: the first usable block of each section, concatenated."""

    code: str
    first_code_line: int
    heading_line: int
    language: str  # "lua" | "rhai"
    source_lines: tuple[int, ...] = ()  # file line of each code line (several pieces when repeated)
    section_count: int = 1  # how many headings contributed to this stage


@dataclass(frozen=True, slots=True)
class FencedBlock:
    """A fenced block as the era's fence rules see it (captured by aip or not)."""

    info: str  # the opener line after its backticks, as written (e.g. "lua", "Lua", " lua")
    backticks: int
    open_line: int
    close_line: int  # 0 when the file ends inside the block
    section_index: int  # index into AgentDocument.sections, -1 before the first heading
    captured: bool  # aip used this block's lines as a script / TOML


@dataclass(frozen=True, slots=True)
class HeadingDoc:
    line: int
    text: str  # the heading line as written
    name: str  # lower-cased, trimmed name aip compares


@dataclass(frozen=True, slots=True)
class RawSection:
    """One heading and the lines up to the next heading aip recognises as a heading."""

    kind: str  # "options" | "legacy_config" | "stage" | "prompt" | "ignored"
    name: str  # stage name, prompt role, or the ignored heading's lowered name
    heading: HeadingDoc
    start_line: int
    end_line: int
    captured_block_line: int = 0  # opener line of the block aip captured in this section (0: none)


@dataclass(frozen=True, slots=True)
class AgentDocument:
    path: str
    aip_version: str
    era_guess: str  # "devai-rhai" | "devai-lua" | "aipack" | "unknown" (what the file was written for)
    prompt_parts: tuple[PromptPartDoc, ...] = ()
    stages: dict[str, StageDoc] = field(default_factory=dict)
    options_toml: str | None = None
    options_line: int = 0  # file line of the first TOML line of `# Options`
    options_source_lines: tuple[int, ...] = ()
    legacy_config_toml: str | None = None  # `# Config` (read by ≤0.6.6 only)
    legacy_config_line: int = 0
    legacy_config_source_lines: tuple[int, ...] = ()
    ignored_headings: tuple[HeadingDoc, ...] = ()
    rhai_blocks: tuple[FencedBlock, ...] = ()
    fenced_blocks: tuple[FencedBlock, ...] = ()
    sections: tuple[RawSection, ...] = ()
    headings: tuple[HeadingDoc, ...] = ()
    bom: bool = False
    bom_hidden_heading: str | None = None  # the first line, when a BOM stops it from being a heading
    line_count: int = 0

    def stage(self, name: str) -> StageDoc | None:
        return self.stages.get(name)
