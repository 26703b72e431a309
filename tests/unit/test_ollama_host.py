"""OLLAMA_HOST read as the ollama CLI reads it, and its place between --ollama-url and the config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aipack_compat.cli import main
from aipack_compat.cli.commands._options import ollama_host_url


@pytest.mark.parametrize(("value", "url"), [
    ("0.0.0.0", "http://0.0.0.0:11434"),
    ("127.0.0.1:11435", "http://127.0.0.1:11435"),
    (":11434", "http://127.0.0.1:11434"),
    ("gpu-box", "http://gpu-box:11434"),
    ("http://gpu-box", "http://gpu-box:80"),
    ("https://ollama.example.com", "https://ollama.example.com:443"),
    ("http://gpu:11434/", "http://gpu:11434"),
    ("http://gpu:11434/prefix", "http://gpu:11434/prefix"),
    ("[::1]:11500", "http://[::1]:11500"),
    ("[::1]", "http://[::1]:11434"),
    ("box:notaport", "http://box:11434"),
    ("  box:99999 ", "http://box:11434"),
])
def test_values_parse_like_ollamas_envconfig(value: str, url: str) -> None:
    assert ollama_host_url(value) == url


def test_run_uses_ollama_host_unless_a_url_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from aipack_compat.model.job import AgentSpec, InputSpec, JobConfig, JobSpec, PromptPart, SourceLocation

    part = PromptPart(role="user", heading="Instruction", template="hi\n", source=SourceLocation(path="a.aip"))
    config = JobConfig(agents={"a": AgentSpec(name="a", source=SourceLocation(path="a.aip"), prompt_parts=[part])},
                       jobs=[JobSpec(name="j", agent="a", agent_ref="a.aip", inputs=InputSpec(), source=SourceLocation(path="x"))])
    path = tmp_path / "jobs.json"
    path.write_text(config.model_dump_json(), encoding="utf-8")
    monkeypatch.setenv("OLLAMA_HOST", "127.0.0.1:9")  # discard port: nothing answers
    code = main(["run", str(path), "--no-cache", "--retries", "0", "--timeout", "2"])
    err = capsys.readouterr().err
    assert code == 2 and "using OLLAMA_HOST: http://127.0.0.1:9" in err and "127.0.0.1:9" in err.splitlines()[-1]
    monkeypatch.setenv("OLLAMA_HOST", "http://bad host:x")
    assert main(["run", str(path), "--no-cache", "--force"]) == 2
    assert "OLLAMA_HOST='http://bad host:x'" in capsys.readouterr().err
    json.loads(path.read_text())  # the config itself is untouched
