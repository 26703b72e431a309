"""Every command against what a careless or unlucky user gives it: missing paths, a directory where a
file belongs (and back), FIFOs, dangling links, symlink loops, binary / non-UTF-8 / huge files,
malformed job configs, an --out that is taken or cannot be written, odd flag combinations, Ctrl-C.

The contract (DEVELOPING.md): one clear line naming the file (and location where there is one), the
documented exit code (0 clean / 1 findings or failures / 2 usage or environment / 130 interrupted),
never a traceback, and never a lost or half-written user file. Runs as root, so unreadable files are
made with FIFOs, dangling links and files standing where a directory must be, not with chmod.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aipack_compat.cli import main
from tests.conftest import free_port, wait_for

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "fixtures" / "example"


def one_error_line(capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    """stderr is exactly one line, no traceback, and it names what it must."""
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for needle in needles:
        assert needle.lower() in lines[0].lower(), (needle, lines[0])
    return lines[0]


@pytest.fixture()
def hostile(tmp_path: Path) -> dict[str, Path]:
    """A gallery of bad paths, built once per test."""
    gallery = {
        "missing": tmp_path / "missing.toml",
        "directory": tmp_path / "a-dir.toml",
        "fifo": tmp_path / "pipe.aip",
        "dangling": tmp_path / "dangling.aip",
        "loop": tmp_path / "loop.aip",
        "binary": tmp_path / "binary.aip",
        "latin1": tmp_path / "latin1.aip",
        "empty": tmp_path / "empty.toml",
        "huge": tmp_path / "huge.aip",
        "file": tmp_path / "plain-file",
    }
    gallery["directory"].mkdir()
    os.mkfifo(gallery["fifo"])
    gallery["dangling"].symlink_to(tmp_path / "nowhere")
    (tmp_path / "loop-b").symlink_to(gallery["loop"])
    gallery["loop"].symlink_to(tmp_path / "loop-b")
    gallery["binary"].write_bytes(b"\x00\x01# Instruction\n")
    gallery["latin1"].write_bytes(b"# Instruction\ncaf\xe9\n")
    gallery["empty"].write_bytes(b"")
    gallery["huge"].write_bytes(b"# Instruction\n" + b"x" * (10 * 1024 * 1024))
    gallery["file"].write_text("not a directory\n")
    return gallery


# -- validate -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing", "no such file or directory"),
        ("fifo", "not a regular file"),
        ("dangling", "broken symbolic link"),
        ("loop", "too many levels of symbolic links"),
        ("binary", "looks binary"),
        ("latin1", "invalid UTF-8 byte 0xe9"),
    ],
)
def test_validate_names_each_bad_file_with_exit_1(hostile: dict[str, Path], name: str, expected: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = hostile[name]
    assert main(["validate", "--no-base", "--format", "json", str(path)]) == 1
    report = json.loads(capsys.readouterr().out)
    [diagnostic] = report["diagnostics"]
    assert diagnostic["path"] == str(path) and expected in diagnostic["message"]
    if name == "latin1":
        assert (diagnostic["line"], diagnostic["column"]) == (2, 4)


def test_validate_huge_file_is_a_warning_and_empty_unknown_file_is_a_note(hostile: dict[str, Path],
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--no-base", str(hostile["huge"])]) == 0  # IO003 is a warning
    assert "IO003" in capsys.readouterr().out
    assert main(["validate", "--no-base", str(hostile["empty"]), str(hostile["file"])]) == 0
    err = capsys.readouterr().err
    assert f"note: {hostile['empty']}: not an AIPACK" in err and f"note: {hostile['file']}: not an AIPACK" in err


def test_validate_fifo_inside_a_walked_workspace_does_not_hang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = tmp_path / "wks"
    (workspace / ".aipack").mkdir(parents=True)
    os.mkfifo(workspace / ".aipack" / "config.toml")
    os.mkfifo(workspace / "agent.aip")
    started = time.monotonic()
    assert main(["validate", "--no-base", "--no-scripts", str(workspace)]) == 1
    assert time.monotonic() - started < 5
    out = capsys.readouterr().out
    assert out.count("IO001") == 2 and "named pipe" in out


def test_validate_bad_flags_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--aip-version", "banana", str(tmp_path)]) == 2
    assert "'banana' is not an aip version" in capsys.readouterr().err
    assert main(["validate", "--base-dir", str(tmp_path / "a-file"), str(tmp_path)]) == 0  # absent: aip creates it
    (tmp_path / "a-file").write_text("x")
    assert main(["validate", "--base-dir", str(tmp_path / "a-file"), str(tmp_path)]) == 2
    assert "is a file" in capsys.readouterr().err
    assert main(["validate", "--format", "xml"]) == 2
    capsys.readouterr()
    assert main(["validate", "--no-base", "--aip-version", "v0.7.10", str(tmp_path)]) == 0


# -- config show, upgrade-config, rules ----------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [("missing", "no such file"), ("fifo", "named pipe"),
                                                ("dangling", "broken symbolic link"), ("binary", "looks binary"),
                                                ("latin1", ":2:4: invalid UTF-8"), ("huge", "not analysed")])
def test_config_show_and_upgrade_config_one_line_exit_2(hostile: dict[str, Path], name: str, expected: str,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = str(hostile[name])
    assert main(["config", "show", "--base-dir", str(hostile["directory"]), path]) == 2
    one_error_line(capsys, path, expected)
    assert main(["config", "show", "--base-dir", str(hostile["directory"]), str(hostile["directory"]), "--agent", path]) == 2
    one_error_line(capsys, path, expected)
    assert main(["upgrade-config", path]) == 2
    one_error_line(capsys, path, expected)


def test_upgrade_config_names_the_workspace_config_that_is_not_a_file(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".aipack" / "config.toml").mkdir(parents=True)
    assert main(["upgrade-config", str(tmp_path)]) == 2
    one_error_line(capsys, str(Path(".aipack") / "config.toml"), "is a directory")
    assert main(["upgrade-config", str(tmp_path / "nowhere")]) == 2
    one_error_line(capsys, "nowhere", "no such file")


def test_upgrade_config_write_keeps_a_symlinked_config_a_symlink(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "dotfiles" / "config.toml"
    real.parent.mkdir()
    real.write_text('[genai]\nmodel = "m"\n')
    real.chmod(0o640)
    link = tmp_path / ".aipack" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(real)
    assert main(["upgrade-config", str(tmp_path), "--write"]) == 0
    assert link.is_symlink() and "[options]" in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the user's mode survives the atomic replace


def test_rules_unknown_code_and_config_show_bad_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "NOPE042"]) == 2
    one_error_line(capsys, "NOPE042")
    assert main(["config", "show", str(tmp_path), "--aip-version", "latest"]) == 2
    assert "'latest' is not an aip version" in capsys.readouterr().err


# -- migrate ------------------------------------------------------------------------------------------


def test_migrate_out_under_a_file_or_unwritable_is_one_line(hostile: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    under_file = hostile["file"] / "out"
    for extra in ([], ["--dry-run"]):
        assert main(["migrate", str(EXAMPLE), "--out", str(under_file), *extra]) == 2
        one_error_line(capsys, str(hostile["file"]), "is a file")
    if Path("/proc/self").is_dir():  # a read-only place even for root
        assert main(["migrate", str(EXAMPLE), "--out", "/proc/aipack-compat-out"]) == 2
        one_error_line(capsys, "/proc/aipack-compat-out", "cannot use as output directory")


def test_migrate_refuses_then_dry_run_writes_nothing_then_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["migrate", str(EXAMPLE), "--out", str(out)]) == 0
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o666 & ~_umask() for p in out.iterdir())  # not mkstemp's 0600
    (out / "MIGRATION.md").write_text("my notes\n")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main(["migrate", str(EXAMPLE), "--out", str(out)]) == 2
    one_error_line(capsys, "MIGRATION.md", "--force")
    assert main(["migrate", str(EXAMPLE), "--out", str(out), "--dry-run"]) == 0
    out_text = capsys.readouterr().out
    assert "refuse to overwrite" in out_text and "unchanged" in out_text
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing written, no temp files
    assert main(["migrate", str(EXAMPLE), "--out", str(out), "--force"]) == 0
    assert (out / "MIGRATION.md").read_text() != "my notes\n"
    assert sorted(p.name for p in out.iterdir()) == sorted(before)


def test_migrate_output_name_taken_by_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    (out / "aipack-compat.json").mkdir(parents=True)
    assert main(["migrate", str(EXAMPLE), "--out", str(out), "--force"]) == 2
    one_error_line(capsys, "aipack-compat.json", "is a directory")


def test_migrate_unreadable_workspace_config_is_a_loss_not_a_hang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = tmp_path / "wks"
    (workspace / ".aipack").mkdir(parents=True)
    os.mkfifo(workspace / ".aipack" / "config.toml")
    os.mkfifo(workspace / "run.sh")  # a script by name only
    assert main(["migrate", str(workspace), "--out", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert "no `aip run`" in captured.err and "1 not migrated" in captured.out
    assert "named pipe" in (tmp_path / "out" / "MIGRATION.md").read_text()


def test_migrate_bad_aip_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(EXAMPLE), "--out", str(tmp_path / "o"), "--aip-version", "0.8.x"]) == 2
    assert "not an aip version" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


# -- run ------------------------------------------------------------------------------------------------


def job_config(tmp_path: Path, url: str, models: list[str] | None = None, values: int = 2) -> Path:
    from tests.unit.execute.jobs_helper import config

    path = tmp_path / "aipack-compat.json"
    path.write_text(config([f"v{i}" for i in range(values)], models=models, model="ok", url=url, retries=0).model_dump_json())
    return path


@pytest.mark.parametrize(("name", "expected"), [("missing", "no such file"), ("fifo", "not a regular file"),
                                                ("dangling", "no such file"), ("loop", "symbolic links"),
                                                ("binary", "Invalid JSON"), ("empty", "Invalid JSON")])
def test_run_bad_config_file(hostile: dict[str, Path], name: str, expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(hostile[name])]) == 2
    one_error_line(capsys, str(hostile[name]), expected)


def test_run_wrong_schema_version_and_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    future = tmp_path / "future.json"
    payload = json.loads(job_config(tmp_path, "http://127.0.0.1:1").read_text())
    future.write_text(json.dumps({**payload, "schema_version": 99}))
    assert main(["run", str(future)]) == 2
    one_error_line(capsys, "future.json", "schema_version")
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]")
    assert main(["run", str(listed)]) == 2
    one_error_line(capsys, "list.json", "(top level)")
    bad_url = tmp_path / "bad-url.json"
    bad_url.write_text(json.dumps({**payload, "execution": {**payload["execution"], "ollama_url": "http://[::1"}}))
    assert main(["run", str(bad_url), "--no-cache"]) == 2
    one_error_line(capsys, "bad-url.json", "execution.ollama_url")
    moved = tmp_path / "moved.json"  # a config copied away from the workspace its `root` points at
    moved.write_text(json.dumps({**payload, "root": "../no-such-workspace"}))
    assert main(["run", str(moved), "--no-cache"]) == 2
    one_error_line(capsys, "moved.json", "root '../no-such-workspace' is not a directory")
    assert not (tmp_path.parent / "no-such-workspace").exists()  # not created by writing outputs into it


def test_run_closed_port_is_exit_2_or_failed_items(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    path = job_config(tmp_path, closed)
    assert main(["run", str(path), "--no-cache", "--quiet"]) == 2  # preflight: nothing answers at all
    one_error_line(capsys, closed)
    # aip-compat mode sends no probe (aip does not): every item fails, the journal says why, exit 1.
    assert main(["run", str(path), "--no-cache", "--quiet", "--wire", "aip-compat", "--format", "json"]) == 1
    records = [json.loads(line) for line in (tmp_path / "aipack-compat.results.jsonl").read_text().splitlines()]
    assert len(records) == 2 and all(r["status"] == "error" for r in records)


def test_run_bad_results_cache_and_url_flags(fault_backend: tuple[str, Any], hostile: dict[str, Path], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    url, _ = fault_backend
    path = job_config(tmp_path, url)
    cases: list[tuple[list[str], tuple[str, ...]]] = [
        (["--results", str(hostile["fifo"])], (str(hostile["fifo"]), "not a regular file")),
        (["--results", str(hostile["file"] / "r.jsonl")], (str(hostile["file"]), "results directory")),
        (["--cache-dir", str(hostile["file"] / "cache")], (str(hostile["file"]), "--no-cache")),
        (["--ollama-url", "http://[::1"], ("--ollama-url", "not an http(s) URL")),
        (["--ollama-url", "localhost:11434"], ("--ollama-url", "not an http(s) URL")),
        (["--aip-version", "newest"], ("--aip-version", "not an aip version")),
        (["--job", "nope"], ("no job named 'nope'",)),
    ]
    for extra, needles in cases:
        assert main(["run", str(path), "--quiet", *extra]) == 2, extra
        err = capsys.readouterr().err
        assert "Traceback" not in err and "internal error" not in err and all(n in err for n in needles), (extra, err)
    assert not (tmp_path / "aipack-compat.results.jsonl").exists()  # nothing ran


def test_run_results_journal_taken_by_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = job_config(tmp_path, "http://127.0.0.1:1")
    (tmp_path / "aipack-compat.results.jsonl").mkdir()
    assert main(["run", str(path), "--force", "--no-cache"]) == 2
    one_error_line(capsys, "aipack-compat.results.jsonl", "is a directory")


# -- cache ----------------------------------------------------------------------------------------------


def test_cache_clear_refuses_a_directory_that_is_not_a_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    (home / "go" / "src").mkdir(parents=True)  # two letters, like a cache shard: must survive
    (home / "go" / "src" / "main.go").write_text("package main\n")
    assert main(["cache", "clear", "--cache-dir", str(home)]) == 2
    one_error_line(capsys, str(home), "does not look like an aipack-compat response cache", "go/")
    assert (home / "go" / "src" / "main.go").is_file()


def test_cache_stats_and_clear_on_odd_caches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    shard = cache / "ab"
    shard.mkdir(parents=True)
    (shard / ("ab" + "0" * 62 + ".json")).write_text("{}")
    assert main(["cache", "stats", "--cache-dir", str(cache), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == 1
    (shard / ("ab" + "1" * 62 + ".json")).symlink_to(tmp_path / "gone")
    assert main(["cache", "stats", "--cache-dir", str(cache)]) == 2
    one_error_line(capsys, "broken symbolic link")
    assert main(["cache", "clear", "--cache-dir", str(cache)]) == 2  # a link is not something the cache wrote
    one_error_line(capsys, "not a cache entry")
    (shard / ("ab" + "1" * 62 + ".json")).unlink()
    assert main(["cache", "clear", "--cache-dir", str(cache)]) == 0
    assert "removed 1 response(s)" in capsys.readouterr().out and not shard.exists()
    assert main(["cache", "stats", "--cache-dir", str(tmp_path / "never-created")]) == 0


# -- replay ---------------------------------------------------------------------------------------------


def test_replay_bad_sources(hostile: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "replay"
    for name, expected in (("missing", "no such file"), ("dangling", "broken symbolic link"), ("fifo", "not a regular file"),
                           ("binary", "Invalid JSON")):
        assert main(["replay", str(hostile[name]), "--out", str(out)]) == 2
        one_error_line(capsys, str(hostile[name]), expected)
    assert main(["replay", str(hostile["directory"]), "--out", str(out)]) == 2
    one_error_line(capsys, "aipack-compat.json", "aipack-compat migrate")
    assert not out.exists()


def test_replay_offline_without_or_with_bad_cassettes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = job_config(tmp_path, "http://127.0.0.1:1")
    out = tmp_path / "replay"
    assert main(["replay", str(source), "--out", str(out), "--offline"]) == 2
    one_error_line(capsys, "cassettes", "online first")
    cassettes = out / "cassettes"
    cassettes.mkdir(parents=True)
    for content, expected in ((b"{", "Invalid JSON"), (b'{"nope": 1}', "not a replay cassette"), (b"\xff\xfe", "Invalid JSON")):
        (cassettes / "job.json").write_bytes(content)
        assert main(["replay", str(source), "--out", str(out), "--offline"]) == 2
        one_error_line(capsys, "job.json", expected)
    (cassettes / "job.json").unlink()
    os.mkfifo(cassettes / "job.json")
    assert main(["replay", str(source), "--out", str(out), "--offline"]) == 2
    one_error_line(capsys, "job.json", "not a regular file")


def test_replay_closed_port_records_failures_then_offline_notes_ignored_flags(tmp_path: Path,
                                                                             capsys: pytest.CaptureFixture[str]) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    source = job_config(tmp_path, closed)
    (tmp_path / "loop-a").symlink_to(tmp_path / "loop-b")  # the workspace copy must survive a symlink loop
    (tmp_path / "loop-b").symlink_to(tmp_path / "loop-a")
    os.mkfifo(tmp_path / "pipe")  # ... and a FIFO
    out = tmp_path / "replay"
    assert main(["replay", str(source), "--out", str(out), "--aip", str(tmp_path / "no-aip")]) == 1
    captured = capsys.readouterr()
    assert "1 failed" in captured.out and "unreachable" in captured.err
    assert main(["replay", str(source), "--out", str(out), "--aip", str(tmp_path / "no-aip")]) == 2  # cassettes exist
    one_error_line(capsys, "--force", "--offline")
    assert main(["replay", str(source), "--out", str(out), "--offline", "--ollama-url", closed, "--force"]) == 1
    assert "note: --ollama-url, --force ignored with --offline" in capsys.readouterr().err
    assert json.loads((out / "report.json").read_text())["summary"]["failed"] == 1


def test_replay_out_unusable_and_bad_url(hostile: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = job_config(tmp_path, "http://127.0.0.1:1")
    cassette = _closed_port_cassette(tmp_path, source)
    capsys.readouterr()
    assert main(["replay", str(source), "--out", str(hostile["file"] / "r")]) == 2
    one_error_line(capsys, str(hostile["file"]), "replay output directory")
    assert main(["replay", str(source), "--out", str(tmp_path / "r"), "--ollama-url", "http://[::1"]) == 2
    assert "not an http(s) URL" in capsys.readouterr().err
    (tmp_path / "r" / "report.json").mkdir(parents=True)
    (tmp_path / "r" / "cassettes").mkdir()
    (tmp_path / "r" / "cassettes" / "job.json").write_text(cassette)
    assert main(["replay", str(source), "--out", str(tmp_path / "r"), "--offline"]) == 2
    one_error_line(capsys, "report.json", "is a directory")


def _closed_port_cassette(tmp_path: Path, source: Path) -> str:
    out = tmp_path / "record"
    assert main(["replay", str(source), "--out", str(out), "--aip", str(tmp_path / "no-aip")]) == 1
    return (out / "cassettes" / "job.json").read_text()


# -- Ctrl-C ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hanging_backend() -> Any:
    """The fault backend in its own process: the interrupted requests leave handlers sleeping on its
    side, which the in-process session backend would report as destroyed pending tasks at exit."""
    port = free_port()
    process = subprocess.Popen([sys.executable, str(REPO / "tests" / "support" / "fault_backend.py"), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_for(url + "/api/version", 15):
            pytest.fail("the fault backend did not start")
        yield url
    finally:
        process.kill()
        process.wait(5)



def interrupt_after(argv: list[str], ready: Callable[[], bool], cwd: Path, seconds: float = 8.0) -> tuple[int, str]:
    """Start the real CLI, wait until `ready()`, send SIGINT (as Ctrl-C does); (exit code, stderr)."""
    child = subprocess.Popen([sys.executable, "-m", "aipack_compat", *argv], cwd=cwd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)},
                             # an ignored SIGINT is inherited (pytest run from a background job): undo it
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + seconds
    while not ready() and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
    child.send_signal(signal.SIGINT)
    try:
        _, err = child.communicate(timeout=5)  # prompt: no 30 s wait on the request still in flight
    finally:
        if child.poll() is None:
            child.kill()
    return child.returncode, err.decode()


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_sigint_during_run_exits_130_with_a_whole_journal(hanging_backend: str, tmp_path: Path, cache_dir: Path) -> None:
    url = hanging_backend
    path = job_config(tmp_path, url, models=["ok", "fault-timeoutx9"], values=3)
    journal = tmp_path / "aipack-compat.results.jsonl"
    code, err = interrupt_after(["run", str(path), "--quiet", "--no-cache"], lambda: _lines(journal) >= 3, tmp_path)
    assert code == 130 and "Traceback" not in err and "--resume" in err
    raw = journal.read_bytes()
    assert raw.endswith(b"\n")
    records = [json.loads(line) for line in raw.splitlines()]  # every line whole
    assert {r["cell"] for r in records} == {"ok"} and all(r["status"] == "success" for r in records)


def test_sigint_during_replay_exits_130_keeps_cassettes_and_stops_aip(hanging_backend: str, tmp_path: Path) -> None:
    url = hanging_backend
    source = job_config(tmp_path, url, models=["ok", "fault-timeoutx9"], values=1)
    pid_file, first_done = tmp_path / "aip.pid", tmp_path / "aip.first"
    # A stand-in aip: answers --version, finishes the first case, then hangs like aip on a slow model.
    fake_aip = tmp_path / "fake-aip"
    fake_aip.write_text(f'#!/bin/sh\nif [ "$1" = --version ]; then echo "aipack 0.8.37"; exit 0; fi\n'
                        f'if [ ! -e "{first_done}" ]; then : > "{first_done}"; exit 0; fi\n'
                        f'echo $$ > "{pid_file}.tmp" && mv "{pid_file}.tmp" "{pid_file}"\nexec sleep 60\n')
    fake_aip.chmod(0o755)
    out = tmp_path / "replay"
    cassettes = out / "cassettes"

    def second_case_started() -> bool:
        return pid_file.exists()  # the first case's cassette is written before the second case starts

    code, err = interrupt_after(["replay", str(source), "--out", str(out), "--aip", str(fake_aip)], second_case_started,
                                tmp_path, seconds=20)
    assert code == 130 and "Traceback" not in err and "--offline" in err
    [cassette] = list(cassettes.iterdir())  # the finished case, written whole; no temp file left
    assert json.loads(cassette.read_text())["recording"]["case_id"] == "job[ok]"
    aip_pid = int(pid_file.read_text())
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(aip_pid, 0)  # the hung aip went with the replay


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
