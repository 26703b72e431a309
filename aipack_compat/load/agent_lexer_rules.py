"""Release switches for aip's agent lexer, and the line/fence primitives it shares (spec §3.2).

Split from `load/agent.py`: what changed between releases lives here as data, the state machine
that applies it lives there.
"""

from __future__ import annotations

from dataclasses import dataclass

from aipack_compat.model.agent import parse_aip_version


@dataclass(frozen=True, slots=True)
class LexerRules:
    """What one aip release's `agent_doc.rs` does, as switches."""

    family: str
    big_fence: int  # backticks that make the "other" fence kind: 6 (≤0.6.1) or 4 (0.6.2+)
    has_config: bool  # `# Config` read: 0.0.9 – 0.6.6
    has_options: bool  # `# Options`: 0.5.10+
    has_user_heading: bool  # `# User`: 0.6.7+ (`A:src/agent/agent_doc.rs@542c805a`)
    strips_header_options: bool  # `# System \`cache = true\`` recognised: 0.6.8+
    four_backtick_openers: bool  # ```` ````lua ````/```` ````toml ````: 0.6.10+
    guards_capture_blocks: bool  # devai 0.0.10+: no heading inside a captured Rhai/TOML block

    @classmethod
    def for_version(cls, aip_version: str) -> "LexerRules":
        version = parse_aip_version(aip_version)
        if version < (0, 5, 0):
            family = "rhai"
        elif version < (0, 6, 10):
            family = "lua-prefix"
        elif version < (0, 6, 12):
            family = "lua-exact"
        elif version < (0, 6, 14):
            family = "lua-frozen"
        else:
            family = "lua-fence"
        return cls(
            family=family,
            big_fence=6 if version < (0, 6, 2) else 4,
            has_config=(0, 0, 9) <= version < (0, 6, 7),
            has_options=version >= (0, 5, 10),
            has_user_heading=version >= (0, 6, 7),
            strips_header_options=version >= (0, 6, 8),
            four_backtick_openers=version >= (0, 6, 10),
            guards_capture_blocks=version >= (0, 0, 10),
        )

    @property
    def script_language(self) -> str:
        return "rhai" if self.family == "rhai" else "lua"


def rust_lines(text: str) -> list[str]:
    """Rust `str::lines()`: split on `\\n`, drop one `\\r` before it, no empty last line."""
    if not text:
        return []
    pieces = text.split("\n")
    if text.endswith("\n"):
        pieces.pop()
        return [piece[:-1] if piece.endswith("\r") else piece for piece in pieces]
    last = pieces.pop()
    return [piece[:-1] if piece.endswith("\r") else piece for piece in pieces] + [last]


def fence_kind(line: str, big_fence: int) -> int:
    """0 when the line is no fence; 3 or `big_fence` for the two kinds `InBlockState` knows."""
    if not line.startswith("```"):
        return 0
    return big_fence if line.startswith("`" * big_fence) else 3


def next_block_state(state: int, line: str, big_fence: int) -> int:
    """`InBlockState::compute_new`: 0 is Out; a block closes only on a fence of its own kind."""
    kind = fence_kind(line, big_fence)
    if kind == 0:
        return state
    if state == 0:
        return kind
    return 0 if kind == state else state
