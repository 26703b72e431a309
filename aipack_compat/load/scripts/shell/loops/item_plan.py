"""How a command run once per item (`xargs`, `find -exec`, GNU parallel) gets its items, and the items it gets.

Shared by the planners (item_commands.py for xargs and find, gnu_parallel.py) and the loop that
runs the plan (item_commands.run_per_item).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from aipack_compat.load.scripts.core.loop_input import LoopInput
from aipack_compat.load.scripts.core.scope import Value


@dataclass(slots=True)
class PerItemPlan:
    """How a per-item command gets its items and where each item goes in the command it runs."""

    command: list[Value]
    placeholder: str | None  # the whole item's replacement string (`-I{}`, `{}`); None: appended
    batched: bool  # several items per command line
    source: LoopInput | None
    problem: str | None = None
    one_per_line: bool = False  # items are lines (`-I`, `-L`, listings), else xargs' quoted words
    derived: dict[str, list[tuple[Any, tuple[str, ...]]]] = field(default_factory=dict)  # `{/.}` -> steps
    shell_string: bool = False  # the command is one shell string (`parallel 'aip run … {}' ::: …`)
    append_when_unused: bool = False  # GNU parallel appends the item when the command names no `{…}`
    unknown_pattern: "re.Pattern[str] | None" = None  # replacement strings whose values are unknown


def known_items(plan: PerItemPlan) -> tuple[list[str] | None, str | None]:
    if plan.problem is not None:
        return None, plan.problem
    source = plan.source
    if source is None:
        return None, "it reads the script's own stdin"
    if source.text is None:
        return None, source.problem
    items = items_of(source, plan.one_per_line or plan.placeholder is not None)
    if items is None:
        return None, "its items are quoted in a way xargs would read differently"
    if plan.batched and (len(items) > 1 or source.listing is not None):
        # a listing's item is a glob standing for many files, all given to one command line
        return None, "it passes several items to one command line (aip takes one `-f` value)"
    return items, None


def items_of(source: LoopInput, one_per_line: bool) -> list[str] | None:
    """xargs' items: whole lines with `-I` (leading blanks dropped), else words with its quoting rules."""
    text = source.text or ""
    if source.listing is not None or one_per_line:
        return [line.lstrip(" \t") for line in text.split("\n") if line.strip(" \t")]
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return None
