#!/usr/bin/env python3
"""A stand-in for the `aip` binary in unit tests: the real one is exercised in tests/integration.

It behaves like `aip run AGENT -s [-i V]... [-f G]...`: reads the model from `.aipack/config.toml`
in the current directory (as aip 0.8.29+ does), sends one native /api/chat request per input to
the hard-coded http://localhost:11434 (honouring http_proxy like reqwest), and prints the answer.
FAKE_AIP_MODE (passed through the job's env) selects a fault: sleep, exit3, error-line, write.
"""

import glob
import json
import os
import sys
import time
import tomllib
import urllib.request


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
        request = urllib.request.Request("http://localhost:11434/api/chat", data=json.dumps(body).encode(),
                                         headers={"content-type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())["message"]["content"]
        print(answer)
        if mode == "write":
            with open("out.txt", "a", encoding="utf-8") as handle:
                handle.write(answer + "\n")
    return 0


sys.exit(main())
