#!/usr/bin/env python3
"""A stand-in for the `aip` binary in unit tests: the real one is exercised in tests/integration.

It behaves like `aip run AGENT -s [-i V]... [-f G]...`: reads the model from `.aipack/config.toml`
in the current directory (as aip 0.8.29+ does), sends one native /api/chat request per input to
the hard-coded http://localhost:11434 (honouring http_proxy like reqwest), and prints the answer.
The request is what aip 0.8.31+ writes: compact JSON in `model, stream, options, messages` order and
reqwest's head (content-type, accept, accept-encoding: gzip, host, content-length; no user-agent).
FAKE_AIP_MODE (passed through the job's env) selects a fault: sleep, exit3, error-line, write.
"""

import glob
import json
import os
import sys
import time
import http.client
import tomllib
from urllib.parse import urlsplit


def post_chat(payload: bytes) -> bytes:
    proxy = os.environ.get("HTTP_PROXY") or os.environ.get("http_proxy")
    target = urlsplit(proxy) if proxy else urlsplit("http://localhost:11434")
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    # Absolute-form through a proxy, origin-form direct, as reqwest does (wire-protocol.md §3.2).
    connection.putrequest("POST", "http://localhost:11434/api/chat" if proxy else "/api/chat", skip_host=True, skip_accept_encoding=True)
    for name, value in (("content-type", "application/json"), ("accept", "*/*"), ("accept-encoding", "gzip"),
                        ("host", "localhost:11434"), ("content-length", str(len(payload)))):
        connection.putheader(name, value)
    connection.endheaders(payload)
    response = connection.getresponse()
    data = response.read()
    if response.getheader("content-encoding") == "gzip":
        import gzip

        data = gzip.decompress(data)
    return data


def main() -> int:
    args = sys.argv[1:]
    if args == ["--version"]:
        print(os.environ.get("FAKE_AIP_VERSION", "aipack 0.8.37"))
        return 0
    mode = os.environ.get("FAKE_AIP_MODE", "")
    if mode == "sleep":
        time.sleep(60)
    if mode == "exit3":
        print("Error: something broke", file=sys.stderr)
        return 3
    if mode == "error-line":
        print("Error: Model is missing for agent path: x.aip")
        return 0
    with open(".aipack/config.toml", "rb") as handle:
        options = tomllib.load(handle)["options"]
    inputs: list[str] = []
    for flag, value in zip(args, args[1:]):
        if flag == "-i":
            inputs.append(value)
        elif flag == "-f":
            inputs += sorted(glob.glob(value))
    for value in inputs or ["nil"]:
        body = {"model": options["model"], "stream": False, "options": {"temperature": options["temperature"]},
                "messages": [{"role": "user", "content": f"\nHello {value}\n"}]}
        answer = json.loads(post_chat(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()))["message"]["content"]
        print(answer)
        if mode == "write":
            with open("out.txt", "a", encoding="utf-8") as handle:
                handle.write(answer + "\n")
    return 0


sys.exit(main())
