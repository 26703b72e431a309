"""Absolute URLs split and serialised as the Rust `url` crate (WHATWG URL Standard) does them, for
`aip.web.parse_url`, `resolve_href` and the final URL of a response.

Close enough for the links agents handle: scheme and host lowercased, default ports dropped, `/`
as the path of an empty special URL, dot segments removed, spaces and quotes percent-encoded.
Hand-written because `urllib.parse` follows RFC 3986, not WHATWG; a candidate for a library
binding (`ada-url` implements the WHATWG standard).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

_SPECIAL_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21, "file": None}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# WHATWG percent-encode sets (path, query, fragment), minus the C0 controls handled by `_encode`.
_PATH_ENCODE = frozenset(' "#<>?`{}')
_QUERY_ENCODE = frozenset(' "#<>')
_SPECIAL_QUERY_ENCODE = frozenset(" \"#<>'")
_FRAGMENT_ENCODE = frozenset(' "<>`')
_USERINFO_ENCODE = frozenset(' "#<>?`{}/:;=@[\\]^|')


class UrlError(ValueError):
    """The `url` crate's ParseError texts (`relative URL without a base`, `invalid port number`...)."""


def _encode(text: str, encode_set: frozenset[str]) -> str:
    out: list[str] = []
    for char in text:
        if char in encode_set or ord(char) < 0x20 or ord(char) >= 0x7F:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
        else:
            out.append(char)
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    segments = path.split("/")[1:]
    output: list[str] = []
    for index, segment in enumerate(segments):
        lowered = segment.lower()
        is_last = index == len(segments) - 1
        if lowered in ("..", ".%2e", "%2e.", "%2e%2e"):
            if output:
                output.pop()
            if is_last:
                output.append("")
        elif lowered in (".", "%2e"):
            if is_last:
                output.append("")
        else:
            output.append(segment)
    return "/" + "/".join(output)


class ParsedUrl:
    """One absolute URL, split and normalised the way the `url` crate serialises it."""

    def __init__(self, text: str) -> None:
        text = text.strip(" \t\n\r\f\v\x00").replace("\t", "").replace("\n", "").replace("\r", "")
        match = _SCHEME.match(text)
        if match is None:
            raise UrlError("relative URL without a base")
        self.scheme = match.group(1).lower()
        rest = text[match.end() :]
        self.fragment: str | None = None
        self.query: str | None = None
        if "#" in rest:
            rest, fragment = rest.split("#", 1)
            self.fragment = _encode(fragment, _FRAGMENT_ENCODE)
        if "?" in rest:
            rest, query = rest.split("?", 1)
            special = self.scheme in _SPECIAL_PORTS
            self.query = _encode(query, _SPECIAL_QUERY_ENCODE if special else _QUERY_ENCODE)
        self.username = ""
        self.password: str | None = None
        self.host: str | None = None
        self.port: int | None = None
        self.opaque = False
        if self.scheme == "file":
            # `file:///p` has an empty host; `file://host/p` names one (WHATWG file state).
            rest = rest.replace("\\", "/")
            authority, path = self._split_authority(rest[2:]) if rest.startswith("//") else ("", rest)
            self.host = authority.lower() or None
            self.path = _remove_dot_segments(_encode(path, _PATH_ENCODE)) if path else "/"
        elif self.scheme in _SPECIAL_PORTS:
            rest = rest.replace("\\", "/")
            authority, path = self._split_authority(rest.lstrip("/"))
            self._parse_authority(authority, lower_host=True)
            if not self.host:
                raise UrlError("empty host")
            self.path = _remove_dot_segments(_encode(path, _PATH_ENCODE)) if path else "/"
        elif rest.startswith("//"):
            authority, path = self._split_authority(rest[2:])
            self._parse_authority(authority, lower_host=False)
            self.path = _remove_dot_segments(_encode(path, _PATH_ENCODE)) if path else ""
        else:
            self.opaque = not rest.startswith("/")
            self.path = _encode(rest, frozenset()) if self.opaque else _remove_dot_segments(_encode(rest, _PATH_ENCODE))

    @staticmethod
    def _split_authority(rest: str) -> tuple[str, str]:
        slash = rest.find("/")
        return (rest, "") if slash == -1 else (rest[:slash], rest[slash:])

    def _parse_authority(self, authority: str, lower_host: bool) -> None:
        if "@" in authority:
            userinfo, authority = authority.rsplit("@", 1)
            user, has_password, password = userinfo.partition(":")
            self.username = _encode(user, _USERINFO_ENCODE)
            self.password = _encode(password, _USERINFO_ENCODE) if has_password and password else None
        host, port_text = authority, ""
        if authority.startswith("["):
            close = authority.find("]")
            if close == -1:
                raise UrlError("invalid IPv6 address")
            host, port_text = authority[: close + 1], authority[close + 1 :].removeprefix(":")
        elif ":" in authority:
            host, port_text = authority.rsplit(":", 1)
        if any(char in host for char in " <>^|%") and lower_host:
            raise UrlError("invalid domain character")
        self.host = (host.lower() if lower_host else host) or None
        if port_text:
            if not port_text.isdigit() or int(port_text) > 65535:
                raise UrlError("invalid port number")
            port = int(port_text)
            self.port = None if _SPECIAL_PORTS.get(self.scheme) == port else port

    def authority(self) -> str:
        userinfo = ""
        if self.username or self.password is not None:
            userinfo = self.username + (f":{self.password}" if self.password is not None else "") + "@"
        port = f":{self.port}" if self.port is not None else ""
        return f"{userinfo}{self.host or ''}{port}"

    def serialize(self) -> str:
        text = f"{self.scheme}:"
        if self.host is not None or self.scheme == "file":
            text += "//" + self.authority()
        text += self.path
        if self.query is not None:
            text += "?" + self.query
        if self.fragment is not None:
            text += "#" + self.fragment
        return text

    def to_table(self) -> dict[str, Any]:
        """`impl IntoLua for W<Url>`; `query` is a map (last duplicate wins, as HashMap collect).

        Absent parts are left out: aip's `table.set(key, None)` leaves the key nil, not `null`.
        """
        pairs = parse_qsl(self.query, keep_blank_values=True) if self.query else []
        page_url = f"{self.scheme}://{self.host or ''}" + (f":{self.port}" if self.port is not None else "") + self.path
        table = {
            "scheme": self.scheme,
            "host": self.host,
            "port": self.port,
            "path": self.path,
            "query": dict(pairs) or None,
            "fragment": self.fragment,
            "username": self.username,
            "password": self.password,
            "url": self.serialize(),
            "page_url": page_url,
        }
        return {key: value for key, value in table.items() if value is not None}
