"""just's expression language, evaluated statically: strings, variables, `+`, `/`, a few functions.

Facts from the just manual (just.systems/man/en): `'raw'` strings have no escapes, `"…"` strings
take `\\n \\t \\r \\" \\\\` and `\\<newline>`; `'''`/`\"\"\"` strings are indented strings (the common
leading whitespace is removed); `` `cmd` `` evaluates a shell command (only known at run time);
`a + b` concatenates and `a / b` joins paths with `/`. Anything else (`if`, `env()`, `x'…'`
shell-expanded strings, unknown functions) is dynamic: `None`, never a guess.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""(?P<blank>[ \t]+|\\\n)
      | (?P<comment>\#[^\n]*)
      | (?P<string>x?(?:'''|\"\"\"|```|'|"|`))
      | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
      | (?P<op>:=|==|!=|=~|&&|\|\||[-+/*@$=:,()\[\]{}?!])
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


class JustSyntaxError(ValueError):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset  # relative to the text given to `tokenize`
        self.message = message


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "string", "backtick", "shell-string", "name", "op"
    text: str  # the decoded value for strings, the lexeme otherwise
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        if text[index] == "\n":
            index += 1
            continue
        match = _TOKEN.match(text, index)
        if match is None:
            raise JustSyntaxError(index, f"unexpected character {text[index]!r}")
        kind = match.lastgroup or ""
        if kind == "string":
            token = _string(text, index, match.group())
            tokens.append(token)
            index = token.end
            continue
        if kind in ("name", "op"):
            tokens.append(Token(kind, match.group(), index, match.end()))
        index = match.end()
    return tokens


def _string(text: str, start: int, opener: str) -> Token:
    shell_expanded = opener.startswith("x")
    quote = opener.lstrip("x")
    body_start = start + len(opener)
    end = body_start
    while True:
        found = text.find(quote, end)
        if found < 0:
            raise JustSyntaxError(start, f"unterminated string {opener}…")
        if quote == '"' and _escaped(text, body_start, found):
            end = found + 1
            continue
        break
    raw = text[body_start:found]
    if quote.startswith("`"):
        kind = "backtick"
    elif shell_expanded:
        kind = "shell-string"
    else:
        kind = "string"
    value = raw
    if quote in ('"', '"""'):
        value = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), raw.replace("\\\n", ""), flags=re.S)
    if len(quote) == 3:
        value = _dedent(value)
    return Token(kind, value, start, found + len(quote))


def _escaped(text: str, body_start: int, quote_at: int) -> bool:
    backslashes = 0
    while quote_at - backslashes - 1 >= body_start and text[quote_at - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _dedent(value: str) -> str:
    """just's indented strings: a leading newline is dropped, common indentation removed."""
    if value.startswith("\n"):
        value = value[1:]
    lines = value.split("\n")
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(line[cut:] for line in lines)


Lookup = Callable[[str], "str | None"]


class Evaluator:
    """Evaluates one expression (a token slice); `lookup` gives variables/parameters (None: dynamic)."""

    def __init__(self, tokens: list[Token], lookup: Lookup, justfile_dir: str) -> None:
        self.tokens = tokens
        self.index = 0
        self.lookup = lookup
        self.justfile_dir = justfile_dir

    def expression(self) -> str | None:
        if self._peek_text() == "if":
            self._skip_rest()  # conditionals depend on values only known when just runs
            return None
        value = self.term()
        while self._peek_text() in ("+", "/"):
            operator = self.tokens[self.index].text
            self.index += 1
            right = self.term()
            if value is None or right is None:
                value = None
            elif operator == "+":
                value = value + right
            else:
                value = value.rstrip("/") + "/" + right
        return value

    def term(self) -> str | None:
        if self.index >= len(self.tokens):
            raise JustSyntaxError(self.tokens[-1].end if self.tokens else 0, "expected a value")
        token = self.tokens[self.index]
        self.index += 1
        if token.kind == "string":
            return token.text
        if token.kind in ("backtick", "shell-string"):
            return None
        if token.text == "/":  # `/ "x"`: a path rooted at /
            right = self.term()
            return None if right is None else "/" + right
        if token.text == "(":
            value = self.expression()
            self._expect(")")
            return value
        if token.kind == "name":
            if self._peek_text() == "(":
                return self._call(token.text)
            return self.lookup(token.text)
        raise JustSyntaxError(token.start, f"unexpected {token.text!r} in an expression")

    def _call(self, function: str) -> str | None:
        self._expect("(")
        arguments: list[str | None] = []
        while self._peek_text() not in (")", ""):
            arguments.append(self.expression())
            if self._peek_text() == ",":
                self.index += 1
        self._expect(")")
        if function in ("justfile_directory", "justfile_dir", "source_directory", "source_dir"):
            return self.justfile_dir
        if function == "join" and arguments and None not in arguments:
            return posixpath.join(*[a for a in arguments if a is not None])
        return None  # env(), env_var(), arch(), uuid(), invocation_directory(), …: run-time values

    def _expect(self, text: str) -> None:
        if self._peek_text() != text:
            at = self.tokens[self.index].start if self.index < len(self.tokens) else (self.tokens[-1].end if self.tokens else 0)
            raise JustSyntaxError(at, f"expected {text!r}")
        self.index += 1

    def _peek_text(self) -> str:
        return self.tokens[self.index].text if self.index < len(self.tokens) else ""

    def _skip_rest(self) -> None:
        self.index = len(self.tokens)


def evaluate(text: str, lookup: Lookup, justfile_dir: str) -> str | None:
    """The value of one expression's source text (raises JustSyntaxError when malformed)."""
    tokens = tokenize(text)
    if not tokens:
        raise JustSyntaxError(0, "expected a value")
    evaluator = Evaluator(tokens, lookup, justfile_dir)
    value = evaluator.expression()
    if evaluator.index < len(tokens):
        raise JustSyntaxError(tokens[evaluator.index].start, f"unexpected {tokens[evaluator.index].text!r}")
    return value
