"""Score extraction with the job's `score_pattern` (the `grep -o` regex of the legacy script)."""

from __future__ import annotations

import re
from typing import Any

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# grep's basic regular expressions escape the operators that Python treats as plain by default.
_BRE_OPERATORS = {r"\+": "+", r"\?": "?", r"\|": "|", r"\(": "(", r"\)": ")", r"\{": "{", r"\}": "}"}


def grep_to_python(pattern: str) -> str:
    for bre, ere in _BRE_OPERATORS.items():
        pattern = pattern.replace(bre, ere)
    return pattern


class ScoreExtractor:
    def __init__(self, pattern: str | None) -> None:
        self.regex: re.Pattern[str] | None = None
        if pattern:
            try:
                self.regex = re.compile(grep_to_python(pattern))
            except re.error:
                self.regex = re.compile(re.escape(pattern))

    def extract(self, text: Any) -> float | None:
        """The first number inside the first match (`Score: 7/10` -> 7.0), or None."""
        if self.regex is None or not isinstance(text, str):
            return None
        match = self.regex.search(text)
        if match is None:
            return None
        number = _NUMBER.search(match.group(0))
        return float(number.group(0)) if number else None
