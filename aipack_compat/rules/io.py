"""IO: files that cannot be read as text at all."""

from aipack_compat.model.diagnostic import Severity
from aipack_compat.rules import Rule

UNREADABLE = Rule(
    "IO001",
    "unreadable-file",
    "The file cannot be read (permissions, a directory, a broken link, a symlink loop).",
    Severity.ERROR,
    "aip fails on the first file it cannot read. We report every such file and keep checking the rest.",
)
NOT_UTF8 = Rule(
    "IO002",
    "not-utf8",
    "The file is not valid UTF-8 (or is binary).",
    Severity.ERROR,
    "aip reads configs and agents as UTF-8 strings; a file with invalid bytes fails to load. "
    "The location points at the first invalid byte.",
)
TOO_LARGE = Rule(
    "IO003",
    "file-too-large",
    "The file is larger than the size we analyse (default 8 MiB).",
    Severity.WARNING,
    "Configs, agents and scripts are small; a huge file is almost certainly generated or misplaced. "
    "We skip it instead of spending the pre-commit budget on it.",
)
EMPTY_FILE = Rule(
    "IO004",
    "empty-file",
    "The file is empty.",
    Severity.INFO,
    "An empty config contributes nothing to the merge; an empty agent has no prompt and no stages.",
)

RULES = (UNREADABLE, NOT_UTF8, TOO_LARGE, EMPTY_FILE)
