"""Recognise `aip run …` / `devai run …` argument vectors and read their flags like clap would.

Flag table: aipack-spec §4.2 (`A:src/cli/args.rs` at each tag, `A:src/exec/cli/args.rs@952ad06e`).
Other tools are also called `aip`, so a vector only counts as an AIPACK run when its subcommand
is `run` and its shape fits (`looks_like_aip_run`).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

AIP_PROGRAMS = ("aip", "devai")

# long/short spelling -> (canonical name, takes a value)
RUN_FLAGS: dict[str, tuple[str, bool]] = {
    "-f": ("on-files", True), "--on-files": ("on-files", True),
    "-i": ("input", True), "--input": ("input", True),
    "-w": ("watch", False), "--watch": ("watch", False),
    "-v": ("verbose", False), "--verbose": ("verbose", False),
    "--dry": ("dry", True),
    "-o": ("open", False), "--open": ("open", False),
    "--not-interactive": ("not-interactive", False),
    "--ni": ("ni", False),
    "-s": ("single-shot", False), "--single-shot": ("single-shot", False),
    "--xp-tui": ("xp-tui", False),
    "--old-term": ("old-term", False),
    "-h": ("help", False), "--help": ("help", False),
}

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")
_DURATION_FACTORS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


@dataclass(slots=True)
class ParsedRun:
    """The flags of one `run` command line (values may carry loop tokens or be None = dynamic)."""

    program: str
    agent: str | None = None
    agent_dynamic: bool = False
    file_globs: list[str | None] = field(default_factory=list)
    inputs: list[str | None] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # canonical names in order
    spellings: list[str] = field(default_factory=list)  # tokens as written
    unknown: list[str] = field(default_factory=list)
    extra_positionals: list[str | None] = field(default_factory=list)
    dry: str | None = None

    def has(self, canonical: str) -> bool:
        return canonical in self.flags


def program_name(word: str | None) -> str | None:
    """`aip`, `devai` (also `./target/release/aip`, `~/.aipack-base/bin/aip`), else None."""
    if word is None:
        return None
    base = posixpath.basename(word)
    return base if base in AIP_PROGRAMS else None


def parse_run(argv: list[str | None]) -> ParsedRun | None:
    """Parse `aip run ...`; None when this is not an AIPACK `run` command line."""
    if len(argv) < 2:
        return None
    program = program_name(argv[0])
    if program is None or argv[1] != "run":
        return None
    parsed = ParsedRun(program=program)
    positionals: list[str | None] = []
    tokens = argv[2:]
    index = 0
    only_positionals = False
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token is None or only_positionals or not token.startswith("-") or token == "-":
            positionals.append(token)
            continue
        if token == "--":
            only_positionals = True
            continue
        expanded, consumed_next = _split_option(token, tokens, index)
        index += consumed_next
        if expanded is None:
            parsed.unknown.append(token)
            parsed.spellings.append(token)
            continue
        for flag_name, flag_value, spelling in expanded:
            _apply(parsed, flag_name, flag_value, spelling)
    if positionals:
        first = positionals[0]
        parsed.agent = first
        parsed.agent_dynamic = first is None
        parsed.extra_positionals = positionals[1:]
    return parsed


def looks_like_aip_run(parsed: ParsedRun) -> bool:
    """clap accepts exactly one agent argument; a shape far from that is another tool's `aip`."""
    known = len(parsed.spellings) - len(parsed.unknown)
    if parsed.has("help"):
        return False
    if parsed.extra_positionals:
        # `aip run agent -s --model x`: the extra word is the unknown option's value
        return known > 0 and len(parsed.extra_positionals) <= len(parsed.unknown)
    if parsed.agent is None and not parsed.agent_dynamic:
        return known > 0
    return not parsed.unknown or known > 0 or len(parsed.unknown) == 1


def _split_option(
    token: str, tokens: list[str | None], index: int
) -> tuple[list[tuple[str, str | None, str]] | None, int]:
    """Expand one option token into (canonical, value, spelling) triples, clap style."""
    if token.startswith("--"):
        spelled, _, attached = token.partition("=")
        entry = RUN_FLAGS.get(spelled)
        if entry is None:
            return None, 0
        canonical, takes_value = entry
        if not takes_value:
            return [(canonical, None, spelled)], 0
        if "=" in token:
            return [(canonical, attached, spelled)], 0
        value = tokens[index] if index < len(tokens) else None
        return [(canonical, value, spelled)], 1
    # short options: `-sv` groups booleans, `-fGLOB` attaches a value
    out: list[tuple[str, str | None, str]] = []
    letters = token[1:]
    position = 0
    while position < len(letters):
        spelled = "-" + letters[position]
        entry = RUN_FLAGS.get(spelled)
        if entry is None:
            return None, 0
        canonical, takes_value = entry
        if takes_value:
            rest = letters[position + 1:].removeprefix("=")
            if rest:
                out.append((canonical, rest, spelled))
                return out, 0
            value = tokens[index] if index < len(tokens) else None
            out.append((canonical, value, spelled))
            return out, 1
        out.append((canonical, None, spelled))
        position += 1
    return out, 0


def _apply(parsed: ParsedRun, canonical: str, value: str | None, spelling: str) -> None:
    parsed.flags.append(canonical)
    parsed.spellings.append(spelling)
    if canonical == "on-files":
        parsed.file_globs.append(value)
    elif canonical == "input":
        parsed.inputs.append(value)
    elif canonical == "dry":
        parsed.dry = value


def parse_duration(text: str | None) -> float | None:
    """coreutils `timeout` durations: `90`, `90s`, `1.5m`, `2h`, `1d`."""
    if text is None:
        return None
    match = _DURATION.match(text)
    if match is None:
        return None
    return float(match.group(1)) * _DURATION_FACTORS[match.group(2)]


_AIP_WORD = re.compile(r"(?<![\w.])(?:aip|devai)(?![\w.-])")  # `-aip` too: just's `-` prefix


def mentions_aip(text: str) -> bool:
    """Whether a command line could call aip/devai (only those commands are scanned)."""
    return _AIP_WORD.search(text) is not None
