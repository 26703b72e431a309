"""aip.web.* (`A:src/script/aip_modules/aip_web.rs@952ad06e`).

`parse_url` and `resolve_href` are pure string functions (0.7.9+, `page_url` from 0.7.11) and are
provided; they follow the WHATWG URL rules of the Rust `url` crate closely enough for the links
agents handle: scheme and host lowercased, default ports dropped, `/` as the path of an empty
special URL, dot segments removed, spaces and quotes percent-encoded. `get` and `post` make
real HTTP requests (`web_http.py`) unless the run forbids network access (`ApiHost.allow_network`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urljoin

from aipack_compat.lua.api import ApiError, ApiFunction, ApiHost, expect_string, option_string

# `A:src/types/web_options.rs@952ad06e`
UA_AIPACK = "aipack"

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
        self.username, self.password, self.host, self.port = "", None, None, None
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


def parse_url(host: ApiHost, url: Any = None) -> dict[str, Any] | None:
    url = option_string(url, "aip.web.parse_url argument")
    if url is None:
        return None
    try:
        return ParsedUrl(url).to_table()
    except UrlError as exc:
        raise ApiError(f"Cannot parse url '{url}'.\nCause: {exc}") from None


def resolve_href(host: ApiHost, href: Any = None, base_url: Any = None) -> str | None:
    href = option_string(href, "aip.web.resolve_href 'href' argument")
    base_url = expect_string(base_url, "aip.web.resolve_href", "base_url")
    if href is None:
        return None
    try:
        ParsedUrl(href)
        return href  # already absolute: aip returns it untouched, not normalised
    except UrlError:
        pass
    try:
        base = ParsedUrl(base_url)
    except UrlError as exc:
        raise ApiError(f"aip.web.resolve_href: Invalid base_url '{base_url}'.\nCause: {exc}") from None
    try:
        return ParsedUrl(urljoin(base.serialize(), href.strip())).serialize()
    except UrlError as exc:
        raise ApiError(
            f"aip.web.resolve_href: Failed to join href '{href}' with base_url '{base_url}'.\nCause: {exc}"
        ) from None


def _web_get(host: ApiHost, url: Any = None, options: Any = None, *_ignored: Any) -> dict[str, Any]:
    from aipack_compat.lua.api.web_http import web_request

    url = expect_string(url, "aip.web.get", "url")
    return web_request(host, "get", url, None, options)


def _web_post(host: ApiHost, url: Any = None, data: Any = None, options: Any = None, *_ignored: Any) -> dict[str, Any]:
    from aipack_compat.lua.api.web_http import web_request

    url = expect_string(url, "aip.web.post", "url")
    if not isinstance(data, (str, dict, list)):
        raise ApiError("Data must be a string or a table")
    return web_request(host, "post", url, data, options)


FUNCTIONS: dict[str, ApiFunction] = {
    "parse_url": ApiFunction(parse_url),
    "resolve_href": ApiFunction(resolve_href),
    "get": ApiFunction(_web_get),
    "post": ApiFunction(_web_post),
}

# `A:src/types/web_options.rs@952ad06e`; set on the module table from 0.8.7 (see API_SINCE).
UA_BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
CONSTANTS: dict[str, str] = {"UA_AIPACK": UA_AIPACK, "UA_BROWSER": UA_BROWSER}
