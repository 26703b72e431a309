"""AGT: agent files (`.aip`, `.devai`, devai `.md`) as aip's line lexer reads them (spec §3, §6 cases 22–36, 54)."""

from aipack_compat.model.diagnostic import Severity
from aipack_compat.rules import Rule

IGNORED_HEADING = Rule(
    "AGT001",
    "ignored-heading",
    "An H1 heading that aip does not know; it and the text below it are ignored.",
    Severity.INFO,
    "What it does: reports a column-0 `# …` heading whose name is not a section of the selected aip "
    "version. Why: aip's lexer switches capture off at any unknown H1, so the heading and every line up "
    "to the next recognised heading are dropped; a prompt part open before it ends there "
    "(`A:src/agent/agent_doc.rs@952ad06e`). Example: `# Description` is documentation only; "
    "`# Options` in devai ≤0.5.9 was silently ignored.",
)
PROMPT_PART_TRUNCATED = Rule(
    "AGT002",
    "prompt-part-truncated",
    "A column-0 `#…` line outside a fence cuts a prompt part short.",
    Severity.WARNING,
    "What it does: finds lines such as `#todo`, `#!/bin/sh` or `#include` at column 0 inside a prompt "
    "part, outside any backtick fence. Why: aip treats every line starting with one `#` as an H1; an "
    "unknown one ends the part and the rest of the text never reaches the model (spec §6 case 23). "
    "Example: put shell snippets inside a ```` ```sh ```` fence, or indent the line.",
)
SCRIPT_BLOCK_MISSING = Rule(
    "AGT003",
    "script-block-missing",
    "A script or options section has no block aip captures.",
    Severity.WARNING,
    "What it does: checks that `# Data`, `# Output`, `# Before All`, `# After All` contain a fence whose "
    "line starts exactly with ```` ```lua ```` (`# Options`: ```` ```toml ````). Why: the opener test is a "
    "case-sensitive prefix test, so ```` ```Lua ````, ```` ``` lua ```` or an untagged fence capture "
    "nothing and the stage silently does not exist (spec §6 case 28). Example: write ```` ```lua ````.",
)
EXTRA_SCRIPT_BLOCK = Rule(
    "AGT004",
    "extra-script-block",
    "A second code block in a script section is ignored.",
    Severity.WARNING,
    "What it does: reports further ```` ```lua ```` blocks after the one aip captured in the same section. "
    "Why: aip stops capturing after the first block's closing fence; later blocks are never run "
    "(spec §6 case 26). Example: merge the two blocks into one.",
)
REPEATED_SECTION = Rule(
    "AGT005",
    "repeated-section",
    "A script/options section appears more than once; aip concatenates their blocks.",
    Severity.INFO,
    "What it does: reports the second and later headings of the same script or `# Options` section. "
    "Why: aip keeps one buffer per stage, so the first blocks of every `# Data` run as one script; two "
    "`# Options` blocks can produce duplicate-key TOML (spec §6 case 26). Example: keep one section.",
)
EMPTY_AGENT = Rule(
    "AGT006",
    "empty-agent",
    "The agent has no prompt part and no script stage.",
    Severity.WARNING,
    "What it does: reports an agent in which the selected aip version finds nothing to run. Why: with no "
    "prompt part there is no AI call, and with no stage nothing else happens (spec §6 case 34). Example: "
    "a file whose only heading is `# Instructions` (plural) is empty.",
)
LEGACY_CONFIG = Rule(
    "AGT007",
    "legacy-config-section",
    "`# Config` is the legacy agent options section (read by 0.0.9 – 0.6.6 only).",
    Severity.WARNING,
    "What it does: reports `# Config`. Why: 0.6.7 removed it (`A:src/agent/agent_doc.rs@542c805a`); "
    "later versions ignore it silently, so a model override written there is lost (spec §6 case 24). "
    "Example: move the TOML into `# Options` as flat keys (`model = \"…\"`).",
)
CONFIG_AND_OPTIONS = Rule(
    "AGT008",
    "config-and-options",
    "`# Config` and `# Options` in one agent are fatal in 0.5.10 – 0.6.6.",
    Severity.ERROR,
    "What it does: reports an agent with both sections for versions that read both. Why: aip refuses to "
    "load it: \"Agent .aipack file cannot have a '# Config' and '# Options' section.\" "
    "(`A:src/agent/agent_doc.rs@99bfe316`, `@e97e9aa9`). Example: delete `# Config`.",
)
USER_HEADING_UNSUPPORTED = Rule(
    "AGT009",
    "user-heading-unsupported",
    "`# User` is a prompt part only from aip 0.6.7; older versions ignore it.",
    Severity.WARNING,
    "What it does: reports `# User` when the selected version is ≤0.6.6. Why: `user` joined the "
    "instruction aliases in 0.6.7 (`A:src/agent/agent_doc.rs@542c805a`); before that the heading is "
    "unknown and the message is dropped (spec §6 case 25). Example: use `# Instruction`.",
)
TEMPLATE_SYNTAX = Rule(
    "AGT010",
    "template-syntax",
    "A prompt part is not valid Handlebars (handlebars-rust 6).",
    Severity.ERROR,
    "What it does: parses every prompt part with the same Handlebars engine aip uses. Why: a template "
    "error fails every task at render time (spec §6 case 35). Example: a literal `{{` in a code sample "
    "needs `\\{{` or a `{{{{raw}}}}` block.",
)
TEMPLATE_UNDEFINED = Rule(
    "AGT011",
    "template-undefined-variable",
    "A template variable is not in scope for the selected aip version.",
    Severity.WARNING,
    "What it does: checks the first segment of each Handlebars path at the template root. Why: aip "
    "renders against `{data}` (all versions), `input` (0.6.14+) and `before_all` (0.7.15+); anything else "
    "renders as an empty string without error (spec §3.5). Example: `{{input.path}}` is empty in 0.6.13.",
)
PROMPT_OPTIONS_INVALID = Rule(
    "AGT012",
    "prompt-options-invalid",
    "Prompt header options must be TOML with a boolean `cache`.",
    Severity.ERROR,
    "What it does: parses the backtick fragment of a prompt heading like aip (`value = {<fragment>}`). "
    "Why: `cache` is required and must be a bool; anything else fails with \"Prompt header options `…` "
    "format is invalid.\" (`A:src/agent/prompt_part.rs@952ad06e`, spec §6 case 33). Example: "
    "``# System `cache = true` ``.",
)
LUA_SYNTAX = Rule(
    "AGT013",
    "lua-syntax",
    "A Lua stage does not compile (Lua 5.4).",
    Severity.ERROR,
    "What it does: compiles each stage with Lua 5.4's `load` without running it. Why: aip runs stages in "
    "mlua/Lua 5.4; a syntax error fails the stage. Example: a missing `end`.",
)
LEGACY_LUA_GLOBAL = Rule(
    "AGT014",
    "legacy-lua-global",
    "The script uses a Lua global the selected aip version does not have.",
    Severity.ERROR,
    "What it does: finds `devai.*` (devai 0.5 only, never in aip) and `aipack.*` (removed in 0.8.1, "
    "`a563ef52`). Why: indexing a nil global raises at run time (spec §6 case 54). Example: "
    "`aipack.skip()` → `aip.flow.skip()`, `devai.before_all_response{…}` → `aip.flow.before_all_response{…}`.",
)
RHAI_SCRIPT = Rule(
    "AGT015",
    "rhai-script",
    "A ```` ```rhai ```` block (devai 0.0.x – 0.1.0) cannot run in devai 0.5+ or aip.",
    Severity.WARNING,
    "What it does: reports Rhai blocks when the selected version is Lua-based. Why: from 0.5.0 only "
    "```` ```lua ```` is captured, so the stage is silently absent (spec §0.3). Example: port "
    "`file::load(path)` to `aip.file.load(path)` in a ```` ```lua ```` block.",
)
PROMPT_OPTIONS_UNSUPPORTED = Rule(
    "AGT016",
    "prompt-options-unsupported",
    "A prompt heading with backtick options is unknown before aip 0.6.8.",
    Severity.WARNING,
    "What it does: reports ``# System `cache = true` `` when the selected version is ≤0.6.7. Why: "
    "header options came in 0.6.8; before, the whole lower-cased line is compared with `system`, so the "
    "heading is unknown and its part is dropped. Example: remove the options for old versions.",
)
EMPTY_SCRIPT_BLOCK = Rule(
    "AGT017",
    "empty-script-block",
    "A script block is empty, so aip treats the stage as absent.",
    Severity.INFO,
    "What it does: reports a captured ```` ```lua ```` block with no lines. Why: an empty buffer becomes "
    "`None` (`buffer_to_string`), so e.g. an empty `# Output` means the output is the AI text (spec §6 "
    "case 27). Example: delete the section or fill it.",
)
UNRUNNABLE_EXTENSION = Rule(
    "AGT018",
    "unrunnable-extension",
    "aip 0.6+ runs only `.aip` files; `.devai` and `.md` agents are not found.",
    Severity.INFO,
    "What it does: reports devai-era agent files when the selected version is 0.6+. Why: `aip run x.devai` "
    "looks for `x.devai.aip` and `x.devai/main.aip` (spec §4.3, §6 case 49). Example: rename "
    "`proof.devai` to `proof.aip` (and port Rhai to Lua for `.md` agents).",
)
BOM_BEFORE_HEADING = Rule(
    "AGT019",
    "bom-before-heading",
    "A UTF-8 byte-order mark hides the first heading.",
    Severity.WARNING,
    "What it does: reports a BOM at the start of the file. Why: aip tests `line.starts_with('#')` on the "
    "raw text, so `\\ufeff# Data` is not a heading and that section is lost (spec §6 case 31). Example: "
    "re-save the file as UTF-8 without BOM.",
)
OPTIONS_NESTED_TABLE = Rule(
    "AGT020",
    "options-nested-table",
    "`# Options` wraps its keys in `[options]`; aip then ignores them.",
    Severity.WARNING,
    "What it does: reports `[options]`/`[default_options]` tables inside the `# Options` TOML. Why: the "
    "block is read as a flat `AgentOptions`; a nested table is an unknown key and is ignored silently "
    "(spec §1.6, §6 case 32). Example: write `model = \"…\"` at the top level of the block.",
)
TEMPLATE_UNKNOWN_HELPER = Rule(
    "AGT021",
    "template-unknown-helper",
    "A template calls a Handlebars helper or partial aip does not register.",
    Severity.ERROR,
    "What it does: reports `{{name arg}}`, `{{#name}}` or `{{> name}}` where `name` is not a built-in "
    "handlebars-rust helper. Why: aip registers no helpers or partials (`A:src/support/hbs.rs@952ad06e`), "
    "so rendering fails with \"Helper not found\". Example: `{{upper data.x}}`.",
)
UNSUPPORTED_AIP_FUNCTION = Rule(
    "AGT201",
    "unsupported-aip-function",
    "A Lua stage calls an aip.* function that aipack-compat's runtime does not provide.",
    Severity.WARNING,
    "What it does: scans every ```` ```lua ```` stage (strings and comments skipped) for references "
    "like `aip.web.get` / `utils.file.load` and reports the ones missing from the runtime's supported "
    "list (see docs/lua-api.md). Why: when that line runs, `aipack-compat run` fails the task with "
    "\"attempt to call a nil value\", while the "
    "real `aip` would have run it; knowing before the run lets you keep that job on `aip` or rewrite "
    "the call. Example: `aip.zip.create(...)` is reported; `aip.file.load(path)` is not.",
)
AIP_FUNCTION_OUTPUT_MAY_DIFFER = Rule(
    "AGT202",
    "aip-function-output-may-differ",
    "A Lua stage calls an aip.* function whose output aipack-compat approximates.",
    Severity.INFO,
    "What it does: scans the ```` ```lua ```` stages (strings and comments skipped) for calls listed in "
    "`aipack_compat.lua.support.APPROXIMATE_FUNCTIONS`, today the HTML -> Markdown conversions "
    "(`aip.html.to_md`, `aip.file.save_html_to_md`, `aip.file.load_html_as_md`) and the legacy "
    "`aip.html.prune_to_content`. Why: aip runs them through Rust crates (`htmlr`/`htmd`, "
    "`A:src/support/html.rs@952ad06e`) that have no Python twin; our port keeps the structure "
    "(headings, lists, links, emphasis, fenced code) but spacing and escaping on unusual markup can "
    "differ, so a `replay` of such a job may show a text diff that is not a bug in the job. Example: "
    "`aip.file.save_html_to_md(path)` is reported as information; `aip.html.select(html, \"a\")` is not.",
)

RULES: tuple[Rule, ...] = (
    IGNORED_HEADING,
    PROMPT_PART_TRUNCATED,
    SCRIPT_BLOCK_MISSING,
    EXTRA_SCRIPT_BLOCK,
    REPEATED_SECTION,
    EMPTY_AGENT,
    LEGACY_CONFIG,
    CONFIG_AND_OPTIONS,
    USER_HEADING_UNSUPPORTED,
    TEMPLATE_SYNTAX,
    TEMPLATE_UNDEFINED,
    PROMPT_OPTIONS_INVALID,
    LUA_SYNTAX,
    LEGACY_LUA_GLOBAL,
    RHAI_SCRIPT,
    PROMPT_OPTIONS_UNSUPPORTED,
    EMPTY_SCRIPT_BLOCK,
    UNRUNNABLE_EXTENSION,
    BOM_BEFORE_HEADING,
    OPTIONS_NESTED_TABLE,
    TEMPLATE_UNKNOWN_HELPER,
    UNSUPPORTED_AIP_FUNCTION,
    AIP_FUNCTION_OUTPUT_MAY_DIFFER,
)
