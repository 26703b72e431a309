"""The HTTP client aip's `aip.web.get`/`post` get from reqwest, on urllib: redirects limited as
`Policy::limited(n)` does (307/308 keep POST and its body; credentials dropped on a redirect to
another origin), no default User-Agent, header names/values reqwest would reject dropped, and
the body decoded as `Response::text` does (charset from Content-Type, a BOM wins, lossy).

Hand-written on the stdlib: none of the Python clients has reqwest's redirect policy built in.
Divergence: reqwest has no default timeout; we give up after `REQUEST_TIMEOUT_SECONDS` so a dead
server cannot hang a run forever. The only port that does I/O; it knows nothing of Lua or aip.
"""

from __future__ import annotations

import codecs
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

REQUEST_TIMEOUT_SECONDS = 300.0
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def valid_header(name: str, value: str) -> bool:
    """reqwest drops names/values `HeaderName::from_bytes` / `HeaderValue::from_str` reject."""
    token = name and all(33 <= ord(char) <= 126 and char not in '"(),/:;<=>?@[\\]{}' for char in name)
    return bool(token) and all(char == "\t" or 32 <= ord(char) <= 126 for char in value)


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    """reqwest's `Policy::limited(n)`: follow n redirects, fail on the next; 307/308 keep POST and body."""

    max_repeats = 1_000_000
    max_redirections = 1_000_000

    def __init__(self, limit: int) -> None:
        self.limit = max(limit, 0)
        self.followed = 0

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        if self.followed >= self.limit:
            raise urllib.error.URLError(f"error following redirect for url ({req.full_url}): too many redirects")
        self.followed += 1
        if code in (307, 308) and req.get_method() == "POST":
            follow: urllib.request.Request | None = urllib.request.Request(
                newurl, data=req.data, headers=dict(req.header_items()), method="POST")
        else:
            follow = super().redirect_request(req, fp, code, msg, headers, newurl)
        if follow is not None and _origin(follow.full_url) != _origin(req.full_url):
            # reqwest's `remove_sensitive_headers`: credentials never follow a redirect to another origin
            for name in list(follow.headers) + list(follow.unredirected_hdrs):
                if name.lower() in _SENSITIVE_HEADERS:
                    follow.remove_header(name)
        return follow


_SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "www-authenticate"})


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port or default
    except ValueError:
        port = None
    return parts.scheme, (parts.hostname or "").lower(), port


@dataclass
class Reply:
    status: int
    final_url: str
    headers: list[tuple[str, str]]
    body: bytes


def send(method: str, url: str, body: bytes | None, headers: list[tuple[str, str]], limit: int) -> Reply:
    """One request, following at most `limit` redirects; a non-2xx answer is a Reply, a transport
    failure raises (`urllib.error.URLError`, OSError, ValueError)."""
    request = urllib.request.Request(url, data=body, method=method.upper())
    for name, value in headers:
        existing = request.get_header(name.capitalize())
        request.add_header(name, f"{existing}, {value}" if existing else value)
    opener = urllib.request.build_opener(_LimitedRedirects(limit))
    opener.addheaders = []  # no `Python-urllib/x.y` User-Agent: aip sends its own or none
    try:
        with opener.open(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            return Reply(response.status, response.geturl(), list(response.headers.items()), response.read())
    except urllib.error.HTTPError as exc:  # a non-2xx answer is a response, not a failure
        with exc:
            return Reply(exc.code, exc.geturl(), list(exc.headers.items()), exc.read())


def decode_text(body: bytes, content_type: str | None) -> str:
    """reqwest `Response::text`: charset from Content-Type (default UTF-8), BOM wins, lossy."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    encoding = "utf-8"
    for parameter in (content_type or "").split(";")[1:]:
        key, _, charset = parameter.strip().partition("=")
        if key.strip().lower() == "charset":
            candidate = charset.strip().strip('"')
            try:
                encoding = codecs.lookup(candidate).name
            except LookupError:
                pass
    return body.decode(encoding, errors="replace")
