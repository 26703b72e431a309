"""The `ollama` CLI against the fixture server, as evaluation scripts call it (`ollama list` pre-flight
filters, `ollama ps`, `ollama show`, `ollama run`); replay will put this binary on PATH in its sandbox."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.ollama
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from real_ollama import BASE_TAG, TAGS  # noqa: E402


def script(real_ollama: Any, text: str) -> subprocess.CompletedProcess[str]:
    env = {**real_ollama.env, "PATH": f"{real_ollama.binary.parent}:{real_ollama.env.get('PATH', '/usr/bin:/bin')}"}
    return subprocess.run(["bash", "-c", text], env=env, capture_output=True, text=True, timeout=300)


def test_ollama_list_filters_as_scripts_use_them(real_ollama: Any) -> None:
    listed = script(real_ollama, "ollama list | awk 'NR > 1 {print $1}' | sort")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == sorted((BASE_TAG, *TAGS))
    wanted = script(real_ollama, 'for m in smollm2:135m missing:1b; do ollama list | grep -q "^$m " '
                                 '&& echo "have $m" || echo "skip $m"; done')
    assert wanted.stdout.splitlines() == ["have smollm2:135m", "skip missing:1b"]


def test_ollama_show_run_and_ps(real_ollama: Any) -> None:
    shown = script(real_ollama, "ollama show acme-evals/smollm2:eval")
    assert shown.returncode == 0 and "llama" in shown.stdout and "parameters" in shown.stdout.lower()
    ran = script(real_ollama, "ollama run smollm2:135m 'Say hi.' --keepalive 10m --hidethinking < /dev/null")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip()
    resident = script(real_ollama, "ollama ps | awk 'NR > 1 {print $1}'")
    api = [row["name"] for row in httpx.get(real_ollama.url + "/api/ps", timeout=10).json()["models"]]
    assert resident.stdout.split() == api and len(api) == 1
    # `ollama stop` asks the server to unload (keep_alive 0) and returns before the runner is gone:
    # scripts that wait for it poll `ollama ps`, as this does (10 s at most).
    stopped = script(real_ollama, "ollama stop smollm2:135m && for i in $(seq 50); do "
                                  "[ \"$(ollama ps | awk 'NR > 1' | wc -l)\" = 0 ] && echo unloaded && break; sleep 0.2; done")
    assert stopped.returncode == 0 and stopped.stdout.split()[-1:] == ["unloaded"]


def test_ollama_against_a_missing_model_fails_in_the_script(real_ollama: Any) -> None:
    # `ollama show`, not `ollama run`: run would try to pull the model from the registry
    done = script(real_ollama, "ollama show no-such-model:1b; echo exit=$?")
    assert "exit=1" in done.stdout and "not found" in done.stderr
