"""GNU make's text functions and pattern rules, as far as they can be evaluated without running make.

    MODELS := llama3.2:1b qwen2.5:0.5b
    all: $(addprefix eval-,$(MODELS))            eval-%: ; sed … "$*" … && aip run … > results/$*.txt

Text functions (`addprefix`, `addsuffix`, `patsubst`, `subst`, `foreach`, `filter`, `filter-out`,
`word(s)`, `firstword`, `lastword`, `notdir`, `dir`, `basename`, `suffix`, `sort`, `strip`) are
computed as the GNU make manual ("Functions for Transforming Text", "Functions for File Names")
defines them. `$(wildcard P)` stays the pattern P: it lands in a shell command line unquoted, where
the shell lists the same files when the recipe runs. `$(shell …)`, `$(call …)` and the rest are
unknown (None), never guessed. A pattern rule runs once for each target the Makefile asks for that
matches it (from the other rules' prerequisites), with `$*` its stem.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

Expander = Callable[[str], "str | None"]  # expands a function argument (None: unknown)


def call_function(name: str, raw_arguments: str, expand: Expander, bind: Callable[[str, str], Expander]) -> str | None:
    """`$(name raw_arguments)`; `bind(var, value)` gives an expander with `var` set (for foreach)."""
    arguments = split_arguments(raw_arguments)
    if name == "foreach" and len(arguments) == 3:
        variable, words = expand(arguments[0]), expand(arguments[1])
        if variable is None or words is None:
            return None
        parts = [bind(variable.strip(), word)(arguments[2]) for word in words.split()]
        return None if any(p is None for p in parts) else " ".join(p for p in parts if p)
    values = [expand(argument) for argument in arguments]
    if any(v is None for v in values):
        return None
    known = [v or "" for v in values]
    return _TEXT_FUNCTIONS[name](known) if name in _TEXT_FUNCTIONS else None


def split_arguments(text: str) -> list[str]:
    """Commas at the top level separate arguments (`$(subst a,b,$(X))` has three)."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for character in text:
        if character in "({":
            depth += 1
        elif character in ")}":
            depth -= 1
        if character == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    parts.append("".join(current))
    return parts


def _patsubst_one(pattern: str, replacement: str, word: str) -> str:
    if "%" not in pattern:
        return replacement if word == pattern else word
    prefix, _, suffix = pattern.partition("%")
    if word.startswith(prefix) and word.endswith(suffix) and len(word) >= len(prefix) + len(suffix):
        stem = word[len(prefix):len(word) - len(suffix)]
        return replacement.replace("%", stem, 1) if "%" in replacement else replacement
    return word


def matches(pattern: str, word: str) -> str | None:
    """The stem of `word` under a `%` pattern, or None."""
    prefix, percent, suffix = pattern.partition("%")
    if not percent:
        return "" if word == pattern else None
    if word.startswith(prefix) and word.endswith(suffix) and len(word) >= len(prefix) + len(suffix):
        return word[len(prefix):len(word) - len(suffix)]
    return None


def _filter(arguments: list[str], keep: bool) -> str:
    patterns = arguments[0].split()
    return " ".join(w for w in arguments[1].split() if any(matches(p, w) is not None for p in patterns) == keep)


def _word(arguments: list[str]) -> str:
    words = arguments[1].split()
    index = int(arguments[0].strip()) if arguments[0].strip().isdigit() else 0
    return words[index - 1] if 0 < index <= len(words) else ""


def _basename(word: str) -> str:
    head, _, name = word.rpartition("/")
    stem = name.rpartition(".")[0] if "." in name else name
    return f"{head}/{stem}" if head else stem


_TEXT_FUNCTIONS: dict[str, Callable[[list[str]], str]] = {
    "addprefix": lambda a: " ".join(a[0] + w for w in a[1].split()) if len(a) == 2 else "",
    "addsuffix": lambda a: " ".join(w + a[0] for w in a[1].split()) if len(a) == 2 else "",
    "patsubst": lambda a: " ".join(_patsubst_one(a[0], a[1], w) for w in a[2].split()) if len(a) == 3 else "",
    "subst": lambda a: a[2].replace(a[0], a[1]) if len(a) == 3 and a[0] else (a[2] if len(a) == 3 else ""),
    "filter": lambda a: _filter(a, True) if len(a) == 2 else "",
    "filter-out": lambda a: _filter(a, False) if len(a) == 2 else "",
    "strip": lambda a: " ".join(a[0].split()),
    "words": lambda a: str(len(a[0].split())),
    "word": lambda a: _word(a) if len(a) == 2 else "",
    "firstword": lambda a: (a[0].split() or [""])[0],
    "lastword": lambda a: (a[0].split() or [""])[-1],
    "sort": lambda a: " ".join(sorted(set(a[0].split()))),
    "notdir": lambda a: " ".join(posixpath.basename(w) for w in a[0].split()),
    "dir": lambda a: " ".join((posixpath.dirname(w) or ".") + "/" for w in a[0].split()),
    "basename": lambda a: " ".join(_basename(w) for w in a[0].split()),
    "suffix": lambda a: " ".join("." + w.rpartition(".")[2] for w in a[0].split() if "." in posixpath.basename(w)),
    "wildcard": lambda a: a[0].strip(),  # the shell globs it where the recipe line uses it
}

_FUNCTION_CALL = re.compile(r"([a-z-]+)[ \t]+(.*)", re.DOTALL)


def parse_call(reference: str) -> tuple[str, str] | None:
    """`addprefix eval-,$(MODELS)` -> ("addprefix", "eval-,$(MODELS)")."""
    match = _FUNCTION_CALL.fullmatch(reference)
    return (match.group(1), match.group(2)) if match else None
