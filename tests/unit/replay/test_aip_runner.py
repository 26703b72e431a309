from __future__ import annotations

import json
from pathlib import Path

import pytest
from replay_helpers import make_config, make_job

from aipack_compat.model.job import InputSpec, RunFlags
from aipack_compat.model.report import AipInfo, Exchange
from aipack_compat.replay.aip_runner import (
    aip_command,
    availability_failure,
    child_environment,
    declared_era,
    detect_aip,
    new_path_wire_version,
    observed_era,
    run_old_path,
)
from aipack_compat.replay.cases import ReplayCase
from aipack_compat.replay.recorder import RecordingProxy


@pytest.mark.parametrize(
    ("version", "era"),
    [("0.8.16", "openai-v1"), ("0.7.3", "openai-v1"), ("0.8.17", "ollama-native"), ("aipack 0.8.37", "ollama-native"), ("junk", "unknown")],
)
def test_declared_era_follows_the_genai_switch(version: str, era: str) -> None:
    assert declared_era(version) == era


def test_observed_era_is_the_first_chat_path() -> None:
    def ex(path: str) -> Exchange:
        return Exchange(method="POST", path=path, proxy_form="forward")

    assert observed_era([ex("/api/tags"), ex("/v1/chat/completions")]) == "openai-v1"
    assert observed_era([ex("/api/chat")]) == "ollama-native"
    assert observed_era([]) == "unknown"


def test_detect_aip_reads_the_version(fake_aip: str) -> None:
    info = detect_aip(fake_aip)
    assert (info.version, info.declared_era) == ("0.8.37", "ollama-native")
    assert availability_failure(info, fake_aip) is None


def test_missing_and_wrong_binaries_are_per_case_failures(fake_aip: str, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = detect_aip("/nonexistent/aip")
    assert availability_failure(missing, "/nonexistent/aip").kind == "binary-missing"  # type: ignore[union-attr]
    monkeypatch.setenv("FAKE_AIP_VERSION", "devai 0.5.12")
    old = detect_aip(fake_aip)
    assert availability_failure(old, fake_aip).kind == "wrong-version"  # type: ignore[union-attr]


def test_command_carries_flags_and_inputs() -> None:
    aip = AipInfo(path="/bin/aip", version="0.8.37")
    job = make_job(inputs=InputSpec(kind="files", globs=["src/*.rs", "README.md"])).model_copy(update={"flags": RunFlags(verbose=True, dry="req")})
    assert aip_command(aip, ReplayCase("c", job, None), "a.aip") == [
        "/bin/aip", "run", "a.aip", "-s", "-v", "--dry", "req", "-f", "src/*.rs", "-f", "README.md"]
    old = AipInfo(path="/bin/aip", version="0.6.5")
    assert aip_command(old, ReplayCase("c", make_job(), None), "a.aip")[3] == "--not-interactive"


def test_child_environment_removes_proxy_bypasses(monkeypatch: pytest.MonkeyPatch, fake_ollama: str, tmp_path: Path) -> None:
    for name, value in {"NO_PROXY": "localhost", "no_proxy": "*", "REQUEST_METHOD": "GET", "OPENAI_API_KEY": "sk", "HOME": "/root"}.items():
        monkeypatch.setenv(name, value)
    with RecordingProxy(fake_ollama) as proxy:
        env = child_environment(ReplayCase("c", make_job(env={"LANG": "C.UTF-8"}), None), tmp_path, proxy, "forward")
        assert env["HTTP_PROXY"] == env["http_proxy"] == proxy.url
        reverse = child_environment(ReplayCase("c", make_job(), None), tmp_path, proxy, "reverse")
    assert not {"NO_PROXY", "no_proxy", "REQUEST_METHOD", "OPENAI_API_KEY"} & env.keys()
    assert env["HOME"] == str(tmp_path) and env["LANG"] == "C.UTF-8"
    assert "HTTP_PROXY" not in reverse


def _old(fake_aip: str, fake_ollama: str, workspace: Path, job, timeout: float | None = None):  # type: ignore[no-untyped-def]
    config = make_config(workspace, [job])
    with RecordingProxy(fake_ollama) as proxy:
        return run_old_path(ReplayCase(job.name, job, None), config, workspace, detect_aip(fake_aip), proxy, timeout=timeout)


def test_old_path_runs_in_a_copy_through_the_proxy(fake_aip: str, fake_ollama: str, workspace: Path) -> None:
    before = sorted(p.relative_to(workspace) for p in workspace.rglob("*"))
    result = _old(fake_aip, fake_ollama, workspace, make_job(env={"FAKE_AIP_MODE": "write"}))
    assert result.failure is None and result.exit_code == 0
    assert [e.proxy_form for e in result.exchanges] == ["forward", "forward"]
    assert json.loads(result.exchanges[0].request_body)["model"] == "smollm2"  # from the case's .aipack/config.toml
    assert "Echo: Hello Alice" in result.stdout
    assert [f.path for f in result.files_written] == ["out.txt"]
    assert sorted(p.relative_to(workspace) for p in workspace.rglob("*")) == before  # user's tree untouched


def test_old_path_timeout_is_reported(fake_aip: str, fake_ollama: str, workspace: Path) -> None:
    result = _old(fake_aip, fake_ollama, workspace, make_job(env={"FAKE_AIP_MODE": "sleep"}), timeout=1.0)
    assert result.failure is not None and result.failure.kind == "timeout"


def test_old_path_nonzero_exit_is_reported(fake_aip: str, fake_ollama: str, workspace: Path) -> None:
    result = _old(fake_aip, fake_ollama, workspace, make_job(env={"FAKE_AIP_MODE": "exit3"}))
    assert result.failure is not None and result.failure.kind == "exit-status"
    assert "status 3" in result.failure.message and "something broke" in result.failure.message


def test_aip_error_line_with_exit_zero_is_a_failure(fake_aip: str, fake_ollama: str, workspace: Path) -> None:
    result = _old(fake_aip, fake_ollama, workspace, make_job(env={"FAKE_AIP_MODE": "error-line"}))
    assert result.failure is not None and "Model is missing" in result.failure.message


@pytest.mark.parametrize(
    ("version", "observed", "mimicked"),
    [
        ("0.8.16", "openai-v1", "0.8.16"),  # released binary: /v1
        ("0.8.16", "ollama-native", "0.8.21"),  # built from source today: genai 0.6.x, native + gzip
        ("0.8.15", "ollama-native", "0.8.21"),
        ("0.8.16", "unknown", "0.8.16"),  # no request seen: trust the version
        ("0.8.37", "ollama-native", "0.8.37"),
        ("0.7.10", "ollama-native", "0.7.10"),  # no source build of 0.7.x can reach genai 0.6
    ],
)
def test_new_path_mimics_the_wire_the_old_path_showed(version: str, observed: str, mimicked: str) -> None:
    assert new_path_wire_version(version, observed) == mimicked  # type: ignore[arg-type]
