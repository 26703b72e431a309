"""The aip (formerly devai) releases where behaviour changes that several modules switch on.

Thresholds are `Version` tuples (`parse_version(v) >= OPTIONS_TABLE`, `at_least(v, NATIVE_WIRE)`);
the two `*_RELEASE` names are versions to judge a file as, so they are version strings.
A one-off quirk of a single function (a file-record field, one genai adapter prefix) keeps its
version beside the code that mirrors it; an era that more than one place depends on is named
here, so that "what changed in 0.7.18?" has one answer. Sources: aipack-spec §1, §3.1, §4;
wire-protocol §1.

Standard library only, no project imports but `model/versions.py`: the validate fast path uses it.
"""

from __future__ import annotations

from aipack_compat.model.versions import Version

# -- devai, the binary before the rename ---------------------------------------------------------

LAST_RHAI_DEVAI_RELEASE = "0.1.0"
"""The last Rhai-scripted devai (`.md` agents in `.devai/customs`): what a Rhai-era file is judged as."""
LUA_DEVAI: Version = (0, 5, 0)
"""devai 0.5.0, the Lua era: Lua stages replace Rhai, the `[genai]`/`[runtime]` config tables, inputs become tasks."""
OPTIONS_SECTIONS: Version = (0, 5, 10)
"""`[default_options]` in config files and the agent's `# Options` section are read."""
LAST_DEVAI_RELEASE = "0.5.12"
"""The last devai release: the era a `.devai` agent (or a `devai run` line) is judged in."""

# -- aip -----------------------------------------------------------------------------------------

AIP_RENAME: Version = (0, 6, 0)
"""The binary becomes `aip`: `.aipack/` workspaces, `.aip` agents, the base dir `~/.aipack-base`."""
CONFIG_SECTION_REMOVED: Version = (0, 6, 7)
"""The agent's `# Config` section is ignored from here (`# Options` replaces it)."""
USER_SECTION: Version = (0, 6, 7)
"""`# User` becomes a prompt section (the same release as the `# Config` removal)."""
INPUT_TEMPLATE_ROOT: Version = (0, 6, 14)
"""Prompt templates see `input` beside `data` (spec §3.5)."""
SINGLE_SHOT_FLAG: Version = (0, 7, 0)
"""`aip run -s` (before it: `--not-interactive`, 0.5.10 – 0.6.18)."""
OPTIONS_TABLE: Version = (0, 7, 10)
"""`[options]` is read (over `[default_options]`); the legacy `[genai]`/`[runtime]` tables no longer are."""
MODEL_NAMESPACES: Version = (0, 7, 15)
"""genai 0.4: `ns::model` picks the adapter, and the namespace is stripped from the wire model."""
BEFORE_ALL_TEMPLATE_ROOT: Version = (0, 7, 15)
"""Prompt templates also see `before_all` (spec §3.5)."""
SPLIT_BASE_CONFIG: Version = (0, 7, 18)
"""`config-default.toml` + `config-user.toml` replace the single base `config.toml`."""
NATIVE_WIRE: Version = (0, 8, 17)
"""genai 0.6: Ollama is spoken to natively (`/api/chat`); until 0.8.16 through its OpenAI layer (`/v1`)."""
CWD_ONLY_WORKSPACE: Version = (0, 8, 29)
"""`.aipack/` is looked for in the current directory only; older releases walk up to the nearest one."""
