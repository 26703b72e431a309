"""The HTTP side of aip.web.get / aip.web.post (`A:src/script/aip_modules/aip_web.rs@952ad06e`).

Two eras, as aip shipped them:
- before 0.8.7 (`@v0.8.5`): no options; no User-Agent (a bare reqwest client sends none); `url` is
  the URL as the agent passed it; a 2xx body whose Content-Type contains `application/json` is
  parsed into a table automatically (a parse failure raises); non-2xx keep the text.
- 0.8.7+ (`A:src/types/web_options.rs`, `web_response.rs`): `WebOptions` {user_agent, headers,
  redirect_limit, parse}; User-Agent `aipack` by default; `url` is the final URL after redirects;
  `content` stays a string unless `parse = true` and Content-Type starts with `application/json`;
  `content_type` and `headers` (lower-case names) are added.
Both: redirects limited to 5 (`Policy::limited`), more is an error; a non-2xx status is returned
with `success = false` and `error = "Not a 2xx status code (N)"`; a transport failure raises
"Fail to do aip.web.get for url: ...". The request blocks the calling thread, like `aip.cmd.exec`
(aip blocks its Lua thread too, `block_in_place`). Divergence: reqwest has no default timeout; we
give up after `REQUEST_TIMEOUT_SECONDS` so a dead server cannot hang a run forever.
"""

from __future__ import annotations

import codecs
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from aipack_compat.lua.api import ApiError, ApiHost

WEB_OPTIONS_SINCE = (0, 8, 7)
DEFAULT_REDIRECT_LIMIT = 5
DEFAULT_USER_AGENT = "aipack"
REQUEST_TIMEOUT_SECONDS = 300.0
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


@dataclass
class WebOptions:
    user_agent: str | None = None
    """None: no User-Agent header at all; "" is never stored (aip's `false` means None here)."""
    headers: list[tuple[str, str]] = field(default_factory=list)
    redirect_limit: int = DEFAULT_REDIRECT_LIMIT
    parse: bool = False


def web_options(value: Any, qualified: str) -> WebOptions:
    """`impl FromLua for WebOptions` then `apply_to_reqwest_builder` (user agent resolution)."""
    if value is None:
        return WebOptions(user_agent=DEFAULT_USER_AGENT)
    if isinstance(value, list) and not value:
        value = {}
    if not isinstance(value, dict):
        raise ApiError(f"{qualified} - Expected nil or a table for WebOptions")
    raw_agent = value.get("user_agent")
    user_agent: str | None
    if isinstance(raw_agent, str):
        user_agent = raw_agent
    elif raw_agent is True:
        user_agent = DEFAULT_USER_AGENT
    elif raw_agent is False:
        user_agent = ""
    else:
        user_agent = None
    headers: list[tuple[str, str]] = []
    raw_headers = value.get("headers")
    if isinstance(raw_headers, dict):
        for name, header_value in raw_headers.items():
            if isinstance(header_value, str):
                values = [header_value]
            elif isinstance(header_value, list) and all(isinstance(item, str) for item in header_value):
                values = list(header_value)
            elif isinstance(header_value, dict) and not header_value:
                values = []
            else:
                raise ApiError(f"{qualified} - Header values must be strings or arrays of strings (header '{name}')")
            if str(name).lower() == "user-agent":
                # An explicit `user_agent` wins; otherwise the header's first value becomes the UA.
                if user_agent is None and values:
                    user_agent = values[0]
                continue
            headers.extend((str(name), item) for item in values if _valid_header(str(name), item))
    if user_agent is None:
        user_agent = DEFAULT_USER_AGENT
    limit = value.get("redirect_limit")
    parse = value.get("parse")
    return WebOptions(
        user_agent=user_agent or None,
        headers=headers,
        redirect_limit=int(limit) if isinstance(limit, (int, float)) and not isinstance(limit, bool) else DEFAULT_REDIRECT_LIMIT,
        parse=parse is True,
    )


def _valid_header(name: str, value: str) -> bool:
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
class _Reply:
    status: int
    final_url: str
    headers: list[tuple[str, str]]
    body: bytes


def _send(method: str, url: str, body: bytes | None, headers: list[tuple[str, str]], limit: int) -> _Reply:
    request = urllib.request.Request(url, data=body, method=method.upper())
    for name, value in headers:
        existing = request.get_header(name.capitalize())
        request.add_header(name, f"{existing}, {value}" if existing else value)
    opener = urllib.request.build_opener(_LimitedRedirects(limit))
    opener.addheaders = []  # no `Python-urllib/x.y` User-Agent: aip sends its own or none
    try:
        with opener.open(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            return _Reply(response.status, response.geturl(), list(response.headers.items()), response.read())
    except urllib.error.HTTPError as exc:  # a non-2xx answer is a response, not a failure
        with exc:
            return _Reply(exc.code, exc.geturl(), list(exc.headers.items()), exc.read())


def _decode(body: bytes, content_type: str | None) -> str:
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


def _first_values(headers: list[tuple[str, str]]) -> dict[str, str]:
    """aip's `transform_headers` folds `HeaderMap::into_iter`, which names only the first value of
    a repeated header (the others come with `None` and are dropped): one string per name."""
    table: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        if key in table or not all(char == "\t" or 32 <= ord(char) <= 126 for char in value):
            continue
        table[key] = value
    return table


def web_request(host: ApiHost, method: str, url: str, data: Any, options: Any) -> dict[str, Any]:
    qualified = f"aip.web.{method}"
    if not host.allow_network:
        raise ApiError(f"{qualified} is disabled for this run (network access is off; would request: {url})")
    modern = host.aip_version >= WEB_OPTIONS_SINCE
    opts = web_options(options, qualified) if modern else WebOptions()
    # reqwest's default `Accept: */*`, replaced by an `Accept` from the options (`default_headers` inserts)
    headers: list[tuple[str, str]] = [] if any(name.lower() == "accept" for name, _ in opts.headers) else [("Accept", "*/*")]
    if opts.user_agent:
        headers.append(("User-Agent", opts.user_agent))
    headers.extend(opts.headers)
    body: bytes | None = None
    if method == "post":
        if isinstance(data, str):
            body, content_type = data.encode("utf-8"), "plain/text"  # sic: aip sends `plain/text`
        else:
            body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            content_type = "application/json"
        headers.append(("Content-Type", content_type))
    try:
        reply = _send(method, url, body, headers, opts.redirect_limit)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        cause = getattr(exc, "reason", exc)
        raise ApiError(f"Fail to do {qualified} for url: {url}\nCause: {cause}") from None
    host.emit("web", {"method": method.upper(), "url": url, "status": reply.status})
    return _modern_table(reply, opts) if modern else _legacy_table(reply, url)


def _modern_table(reply: _Reply, opts: WebOptions) -> dict[str, Any]:
    from aipack_compat.lua.api.web import ParsedUrl, UrlError

    header_table = _first_values(reply.headers)
    content_type = header_table.get("content-type")
    text = _decode(reply.body, content_type)
    content: Any = text
    if opts.parse and (content_type or "").startswith("application/json"):
        try:
            content = json.loads(text)
        except ValueError as exc:
            raise ApiError(f"Failed to parse response body as JSON: {exc}") from None
    try:
        final_url = ParsedUrl(reply.final_url).serialize()  # `response.url().to_string()`
    except UrlError:
        final_url = reply.final_url
    success = 200 <= reply.status < 300
    table: dict[str, Any] = {"success": success, "status": reply.status, "url": final_url, "content": content}
    if content_type is not None:
        table["content_type"] = content_type
    if header_table:
        table["headers"] = header_table
    if not success:
        table["error"] = f"Not a 2xx status code ({reply.status})"
    return table


def _legacy_table(reply: _Reply, url: str) -> dict[str, Any]:
    """`get_lua_response_value` (`A:src/script/aip_modules/aip_web.rs@v0.8.5`)."""
    content_type = _first_values(reply.headers).get("content-type")
    text = _decode(reply.body, content_type)
    success = 200 <= reply.status < 300
    table: dict[str, Any] = {"success": success, "status": reply.status, "url": url, "content": text}
    if success and content_type is not None and "application/json" in content_type.lower():
        try:
            table["content"] = json.loads(text)
        except ValueError as exc:
            raise ApiError(f"Fail to parse web response as json.\n    Cause: {exc}") from None
    if not success:
        table["error"] = f"Not a 2xx status code ({reply.status})"
    return table
