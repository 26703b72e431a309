"""POSIX regular expressions (grep, sed, bash `=~`) read as Python `re` patterns."""

from __future__ import annotations


def grep_to_python(pattern: str, extended: bool) -> str:
    """POSIX BRE (grep default) or ERE (-E/-P) to Python `re` syntax.

    In a BRE, `\\+ \\? \\| \\( \\) \\{ \\}` are the operators and the bare characters are
    literals (GNU grep manual, "Basic vs Extended Regular Expressions").
    """
    classes = {"[:digit:]": r"\d", "[:alpha:]": "a-zA-Z", "[:alnum:]": "a-zA-Z0-9", "[:space:]": r"\s",
               "[:upper:]": "A-Z", "[:lower:]": "a-z"}
    for posix, python in classes.items():
        pattern = pattern.replace(posix, python)
    if extended:
        return pattern
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            nxt = pattern[index + 1]
            out.append(nxt if nxt in "+?|(){}" else "\\" + nxt)
            index += 2
            continue
        out.append("\\" + char if char in "+?|(){}" else char)
        index += 1
    return "".join(out)
