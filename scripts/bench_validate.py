#!/usr/bin/env python3
"""Benchmark `aipack-compat validate` on 1 config + 20 agents, against check-jsonschema.

Prints, from one run: the median wall time of the installed `aipack-compat` console script
(exec'd directly, no shell shim), the median of `check-jsonschema` validating the same config
with our schema, and their ratio. Targets: validate <= 100 ms (stretch 50 ms); >= 2.5x faster
than check-jsonschema.

Usage: python scripts/bench_validate.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """\
[options]
model = "qwen2.5:7b"
temperature = 0.2
input_concurrency = 4

[options.model_aliases]
fast = "llama3.2:3b"
smart = "qwen2.5:14b"
"""

AGENT = """\
# Description

Evaluation agent {n}: scores an answer.

# Options

```toml
model = "fast"
temperature = 0.{n}
```

# Before All

```lua
local count = 0
for _, input in ipairs(inputs or {{}}) do count = count + 1 end
return {{ count = count }}
```

# Data

```lua
local text = input and input.path or "none"
return {{ file = text, index = {n} }}
```

# System

You are a strict grader. Score from 1 to 10.

# Instruction

{{{{#if data.file}}}}File: {{{{data.file}}}}{{{{/if}}}}
{{{{#each before_all}}}}- {{{{@key}}}}: {{{{this}}}}
{{{{/each}}}}
Question {n}: {{{{input}}}}

# Output

```lua
local content = ai_response and ai_response.content or ""
return content:match("Score: (%d+)/10")
```
"""


def make_workspace(root: Path) -> Path:
    (root / ".aipack").mkdir(parents=True)
    (root / ".aipack" / "config.toml").write_text(CONFIG, encoding="utf-8")
    (root / "agents").mkdir()
    for n in range(20):
        (root / "agents" / f"eval-{n:02d}.aip").write_text(AGENT.format(n=n), encoding="utf-8")
    return root


def median_ms(argv: list[str], runs: int, cwd: Path, expect_ok: bool = True) -> float:
    # As installed for real: bytecode cached (some shells export PYTHONDONTWRITEBYTECODE), one warm-up run.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if runs > 1:
        subprocess.run(argv, cwd=cwd, capture_output=True, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env)
        times.append((time.perf_counter() - start) * 1000)
        if expect_ok and proc.returncode not in (0, 1):
            raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {proc.stderr.strip()[:500]}")
    return statistics.median(times)


def console_script(name: str) -> str | None:
    """The real console script next to this interpreter (pyenv's shell shims add ~200 ms)."""
    candidate = Path(sysconfig.get_path("scripts")) / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    validate = console_script("aipack-compat")
    peer = console_script("check-jsonschema")
    if validate is None:
        print("aipack-compat is not installed (pip install -e .)", file=sys.stderr)
        return 2
    schema = ROOT / "schemas" / "aipack-config.schema.json"
    with tempfile.TemporaryDirectory() as tmp:
        workspace = make_workspace(Path(tmp) / "wks")
        for warm in ([validate, "--version"], [peer, "--version"] if peer else None):
            if warm:  # compile bytecode once, as an installed package has it
                subprocess.run(warm, capture_output=True, env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
        base = Path(tmp) / "empty-base"
        base.mkdir()
        commands = {
            "ours": [validate, "validate", "--base-dir", str(base), "--no-scripts", "."],
            "floor": [sys.executable, "-c", "pass"],
        }
        if peer is not None:
            commands["peer"] = [peer, "--schemafile", str(schema), ".aipack/config.toml"]
        # Interleaved rounds: this VM's noise (spikes of tens of ms) then hits every command alike.
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                samples[name].append(median_ms(argv, 1, workspace))
        ours = statistics.median(samples["ours"])
        print(f"aipack-compat validate (1 config + 20 agents): median {ours:.1f} ms over {args.runs} runs "
              f"(target <= 100 ms, stretch 50 ms)")
        print(f"python -c pass (interpreter floor):          median {statistics.median(samples['floor']):.1f} ms")
        if peer is None:
            print("check-jsonschema: skipped (not installed: pip install check-jsonschema)")
            return 0
        theirs = statistics.median(samples["peer"])
        print(f"check-jsonschema (1 config, our schema):     median {theirs:.1f} ms")
        print(f"ratio: aipack-compat is {theirs / ours:.2f}x faster than check-jsonschema (target >= 2.5x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
