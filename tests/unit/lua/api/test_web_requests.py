"""aip.web.get / aip.web.post against a loopback `http.server` (never the internet), both eras."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import pytest

Eval = Callable[..., Any]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *_: Any) -> None:  # keep pytest output quiet
        pass

    def _reply(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = {
            "method": self.command,
            "path": self.path,
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "body": self.rfile.read(length).decode("utf-8"),
        }
        self._reply(200, json.dumps(payload).encode(), [("Content-Type", "application/json")])

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        route = self.path.split("?")[0]
        if route == "/text":
            self._reply(200, "héllo".encode(), [("Content-Type", "text/plain; charset=utf-8"),
                                                ("X-Multi", "one"), ("X-Multi", "two")])
        elif route == "/json":
            self._reply(200, b'{"a": 1, "n": null, "l": [1, 2]}', [("Content-Type", "application/json")])
        elif route == "/bad-json":
            self._reply(200, b"{not json", [("Content-Type", "application/json; charset=utf-8")])
        elif route == "/latin1":
            self._reply(200, "café".encode("latin-1"), [("Content-Type", "text/plain; charset=ISO-8859-1")])
        elif route == "/missing":
            self._reply(404, b"nope", [("Content-Type", "text/plain")])
        elif route == "/cross":  # to the same server under another origin (host name)
            self._reply(302, b"", [("Location", self.path.split("to=", 1)[1])])
        elif route.startswith("/hop/"):
            left = int(route.rsplit("/", 1)[1])
            if left == 0:
                self._reply(200, b"arrived", [("Content-Type", "text/plain")])
            else:
                self._reply(302, b"", [("Location", f"/hop/{left - 1}")])
        else:
            self._echo()

    def do_POST(self) -> None:  # noqa: N802
        if self.path == "/keep-post":
            self._reply(307, b"", [("Location", "/echo")])
        elif self.path == "/see-other":
            self._reply(303, b"", [("Location", "/echo")])
        else:
            self._echo()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_get_returns_aips_web_response_table(lua_eval: Eval, server: str) -> None:
    response = lua_eval(f'return aip.web.get("{server}/text")')
    assert response == {
        "success": True, "status": 200, "url": f"{server}/text", "content": "héllo",
        "content_type": "text/plain; charset=utf-8",
        # lower-case names, first value of a repeated header only (aip's `transform_headers` quirk)
        "headers": {**response["headers"], "x-multi": "one", "content-type": "text/plain; charset=utf-8"},
    }
    assert set(response["headers"]) >= {"x-multi", "content-type", "content-length", "server", "date"}


@pytest.mark.parametrize(
    ("options", "expected_agent"),
    [
        ("nil", "aipack"),
        ("{user_agent = true}", "aipack"),
        ('{user_agent = "MyApp/1.0"}', "MyApp/1.0"),
        ("{user_agent = aip.web.UA_BROWSER}", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"),
        ('{headers = {["User-Agent"] = "FromHeader"}}', "FromHeader"),
        ('{user_agent = "Field", headers = {["user-agent"] = "Header"}}', "Field"),
        ("{user_agent = false}", None),
    ],
)


def test_web_options_user_agent_rules(lua_eval: Eval, server: str, options: str, expected_agent: str | None) -> None:
    echoed = lua_eval(f'return aip.web.get("{server}/echo", {options}, nil)', aip_version="0.8.37")
    agent = aip_json(echoed)["headers"].get("user-agent")
    assert (agent is None) if expected_agent is None else agent.startswith(expected_agent)


def aip_json(response: dict[str, Any]) -> dict[str, Any]:
    return json.loads(response["content"])


def test_headers_option_and_post_bodies(lua_eval: Eval, server: str) -> None:
    sent = aip_json(lua_eval(f'return aip.web.get("{server}/echo", {{headers = {{["X-Api-Key"] = "k1", Accept = "text/html"}}}})'))
    assert sent["headers"]["x-api-key"] == "k1" and sent["headers"]["accept"] == "text/html"
    text = aip_json(lua_eval(f'return aip.web.post("{server}/echo", "plain body")'))
    assert (text["method"], text["body"], text["headers"]["content-type"]) == ("POST", "plain body", "plain/text")
    table = aip_json(lua_eval(f'return aip.web.post("{server}/echo", {{name = "x", list = {{1, 2}}}})'))
    assert table["headers"]["content-type"] == "application/json"
    assert json.loads(table["body"]) == {"name": "x", "list": [1, 2]}
    ok, message = lua_eval(f'return {{pcall(aip.web.post, "{server}/echo", 42)}}')
    assert ok is False and "Data must be a string or a table" in message


def test_json_parsing_only_with_parse_true_in_0_8_7_and_later(lua_eval: Eval, server: str) -> None:
    assert lua_eval(f'return aip.web.get("{server}/json").content') == '{"a": 1, "n": null, "l": [1, 2]}'
    parsed = lua_eval(f'local c = aip.web.get("{server}/json", {{parse = true}}).content return {{a = c.a, l = c.l, n_is_null = c.n == null}}')
    assert parsed == {"a": 1, "l": [1, 2], "n_is_null": True}
    ok, message = lua_eval(f'return {{pcall(aip.web.get, "{server}/bad-json", {{parse = true}})}}')
    assert ok is False and message.startswith("Failed to parse response body as JSON:")


def test_before_0_8_7_json_is_parsed_automatically_and_options_are_ignored(lua_eval: Eval, server: str) -> None:
    legacy = lua_eval(f'return aip.web.get("{server}/json?x=1", {{parse = false}})', aip_version="0.8.5")
    assert legacy == {"success": True, "status": 200, "url": f"{server}/json?x=1", "content": {"a": 1, "n": None, "l": [1, 2]}}
    # the echo answers application/json, so the legacy era hands back a table; it sent no User-Agent
    echoed = lua_eval(f'return aip.web.get("{server}/echo", {{user_agent = "X"}}).content', aip_version="0.7.20")
    assert "user-agent" not in echoed["headers"]
    assert lua_eval("return aip.web.UA_BROWSER == nil", aip_version="0.8.5") is True
    assert lua_eval("return {utils.web.post == nil, utils.web.get ~= nil}", aip_version="0.5.9") == [True, True]


def test_non_2xx_is_returned_not_raised_and_transport_errors_raise(lua_eval: Eval, server: str) -> None:
    missing = lua_eval(f'return aip.web.get("{server}/missing")')
    assert (missing["success"], missing["status"], missing["content"], missing["error"]) == (False, 404, "nope", "Not a 2xx status code (404)")
    ok, message = lua_eval('return {pcall(aip.web.get, "http://127.0.0.1:9/closed")}')
    assert ok is False and message.startswith("Fail to do aip.web.get for url: http://127.0.0.1:9/closed\nCause: ")


def test_redirects_limit_and_final_url(lua_eval: Eval, server: str) -> None:
    five = lua_eval(f'return aip.web.get("{server}/hop/5")')
    assert (five["status"], five["content"], five["url"]) == (200, "arrived", f"{server}/hop/0")
    ok, message = lua_eval(f'return {{pcall(aip.web.get, "{server}/hop/6")}}')
    assert ok is False and "too many redirects" in message
    ok, _ = lua_eval(f'return {{pcall(aip.web.get, "{server}/hop/2", {{redirect_limit = 1}})}}')
    assert ok is False
    kept = aip_json(lua_eval(f'return aip.web.post("{server}/keep-post", "body")'))
    assert (kept["method"], kept["body"]) == ("POST", "body")  # 307 keeps method and body
    seen = aip_json(lua_eval(f'return aip.web.post("{server}/see-other", "body")'))
    assert (seen["method"], seen["body"]) == ("GET", "")  # 303 turns into a GET


def test_credentials_follow_same_origin_redirects_only(lua_eval: Eval, server: str) -> None:
    port = server.rsplit(":", 1)[1]
    options = '{headers = {Authorization = "Bearer s3cret", ["X-Trace"] = "t1"}}'
    same = aip_json(lua_eval(f'return aip.web.get("{server}/cross?to={server}/echo", {options})'))
    assert same["headers"]["authorization"] == "Bearer s3cret"
    other = aip_json(lua_eval(f'return aip.web.get("{server}/cross?to=http://localhost:{port}/echo", {options})'))
    assert "authorization" not in other["headers"]  # reqwest's remove_sensitive_headers
    assert other["headers"]["x-trace"] == "t1"


def test_charset_from_content_type(lua_eval: Eval, server: str) -> None:
    assert lua_eval(f'return aip.web.get("{server}/latin1").content') == "café"
