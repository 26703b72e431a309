"""aip.web.* (`A:src/script/aip_modules/aip_web.rs@952ad06e`).

`parse_url` and `resolve_href` are pure string functions (0.7.9+, `page_url` from 0.7.11) on
`ports/whatwg_url.py`. `get` and `post` make real HTTP requests (`ports/reqwest.py`) unless the
run forbids network access (`ApiHost.allow_network`), in two eras, as aip shipped them:
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
(aip blocks its Lua thread too, `block_in_place`).
"""

from __future__ import annotations

import json
import urllib.error
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, expect_string, option_string
from aipack_compat.lua.ports import reqwest
from aipack_compat.lua.ports.whatwg_url import ParsedUrl, UrlError

# `A:src/types/web_options.rs@952ad06e`; set on the module table from 0.8.7 (see API_SINCE).
UA_AIPACK = "aipack"
UA_BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
CONSTANTS: dict[str, str] = {"UA_AIPACK": UA_AIPACK, "UA_BROWSER": UA_BROWSER}

WEB_OPTIONS_SINCE = (0, 8, 7)
DEFAULT_REDIRECT_LIMIT = 5
DEFAULT_USER_AGENT = UA_AIPACK


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
            headers.extend((str(name), item) for item in values if reqwest.valid_header(str(name), item))
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
        reply = reqwest.send(method, url, body, headers, opts.redirect_limit)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        cause = getattr(exc, "reason", exc)
        raise ApiError(f"Fail to do {qualified} for url: {url}\nCause: {cause}") from None
    host.emit("web", {"method": method.upper(), "url": url, "status": reply.status})
    return _modern_table(reply, opts) if modern else _legacy_table(reply, url)


def _modern_table(reply: reqwest.Reply, opts: WebOptions) -> dict[str, Any]:
    header_table = _first_values(reply.headers)
    content_type = header_table.get("content-type")
    text = reqwest.decode_text(reply.body, content_type)
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


def _legacy_table(reply: reqwest.Reply, url: str) -> dict[str, Any]:
    """`get_lua_response_value` (`A:src/script/aip_modules/aip_web.rs@v0.8.5`)."""
    content_type = _first_values(reply.headers).get("content-type")
    text = reqwest.decode_text(reply.body, content_type)
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


def get(host: ApiHost, url: Any = None, options: Any = None, *_ignored: Any) -> dict[str, Any]:
    url = expect_string(url, "aip.web.get", "url")
    return web_request(host, "get", url, None, options)


def post(host: ApiHost, url: Any = None, data: Any = None, options: Any = None, *_ignored: Any) -> dict[str, Any]:
    url = expect_string(url, "aip.web.post", "url")
    if not isinstance(data, (str, dict, list)):
        raise ApiError("Data must be a string or a table")
    return web_request(host, "post", url, data, options)


FUNCTIONS: dict[str, ApiFunction] = {
    "parse_url": ApiFunction(parse_url),
    "resolve_href": ApiFunction(resolve_href),
    "get": ApiFunction(get),
    "post": ApiFunction(post),
}
