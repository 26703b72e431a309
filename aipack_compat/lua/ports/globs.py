"""Globs as aip matches them (the `globset` crate, literal separators): `*` stays in one path
segment, `**` crosses them, `{a,b}` alternatives, `[...]` classes (`[!...]` negated).

Hand-written: `fnmatch` has no `**` and lets `*` cross `/`; `pathlib.PurePath.match` differs on
`**` and braces. A candidate for a library binding (`wcmatch`'s globmatch with GLOBSTAR|BRACE
comes close).
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def glob_regex(glob: str) -> re.Pattern[str]:
    """globset-style glob with literal separators: `*` stays in one segment, `**` crosses them."""
    out: list[str] = []
    index, length = 0, len(glob)
    while index < length:
        char = glob[index]
        if glob.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif glob.startswith("**", index):
            out.append(".*")
            index += 2
        elif char == "*":
            out.append("[^/]*")
            index += 1
        elif char == "?":
            out.append("[^/]")
            index += 1
        elif char == "{":
            close = glob.find("}", index)
            if close == -1:
                out.append(re.escape(char))
                index += 1
                continue
            options = glob[index + 1 : close].split(",")
            out.append("(?:" + "|".join(glob_regex(option).pattern[4:-3] for option in options) + ")")
            index = close + 1
        elif char == "[":
            close = glob.find("]", index + 1)
            if close == -1:
                out.append(re.escape(char))
                index += 1
                continue
            body = glob[index + 1 : close]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            index = close + 1
        else:
            out.append(re.escape(char))
            index += 1
    return re.compile("(?s:" + "".join(out) + r")\Z")


def glob_matches(glob: str, relative_path: str) -> bool:
    return glob_regex(glob).match(relative_path) is not None
