"""The old path: the real `aip` binary, run the way the team's script ran it, in an isolated copy.

Interposition (wire-protocol.md §3.2–3.3): genai hard-codes `http://localhost:11434`, and reqwest
honours `HTTP_PROXY` for it with no loopback bypass. So in `forward` mode the child gets
`HTTP_PROXY`/`http_proxy` pointing at the recording proxy, with `NO_PROXY`/`no_proxy` removed (an
entry `localhost` or `*` would bypass it) and `REQUEST_METHOD` removed (the hyper-util matcher of
reqwest >= 0.12.16 disables every env proxy when it is set). In `reverse` mode (port swap) the proxy
itself listens on 11434 and no proxy variable is set.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from aipack_compat.model.eras import AIP_RENAME, NATIVE_WIRE, SINGLE_SHOT_FLAG
from aipack_compat.model.job import JobConfig
from aipack_compat.model.report import AipInfo, Exchange, Failure, PathRun, WireEra
from aipack_compat.replay.cases import ReplayCase
from aipack_compat.replay.recorder import RecordingProxy
from aipack_compat.replay.workspace_copy import agent_argument, copy_workspace, file_state, files_written, write_case_config

PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy")
PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SYSTEMROOT")
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?")
_ERROR_LINE = re.compile(r"^\s*(?:Error|ERROR)\b.*$", re.MULTILINE)
MINIMUM_VERSION = AIP_RENAME
"""`aip` exists from 0.6.0; older releases are the `devai` binary with other flags and layouts (spec §4.1)."""


def parse_version(text: str) -> tuple[int, int, int] | None:
    match = _VERSION.search(text)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def declared_era(version: str | None) -> WireEra:
    """aip <= 0.8.16 as released uses /v1 (genai <= 0.6.0-alpha); 0.8.17+ native /api/chat (§1.2)."""
    parsed = parse_version(version or "")
    if parsed is None:
        return "unknown"
    return "openai-v1" if parsed < NATIVE_WIRE else "ollama-native"


def observed_era(exchanges: list[Exchange]) -> WireEra:
    """Fingerprint by the first chat request path (§1.1: source builds of 0.8.15/16 are native)."""
    for exchange in exchanges:
        if exchange.path.endswith("/v1/chat/completions"):
            return "openai-v1"
        if exchange.path.endswith("/api/chat"):
            return "ollama-native"
    return "unknown"


SOURCE_BUILT_NATIVE_WIRE = "0.8.21"
"""The first release whose wire a source-built aip 0.8.15/0.8.16 shows: native, gzip, alphabetical keys."""


def new_path_wire_version(version: str, observed: WireEra) -> str:
    """The aip version whose wire the new path mimics: the detected one, unless its requests showed the
    other era. aip 0.8.15/0.8.16 installed from source without `--locked` resolve genai 0.6.x, which
    speaks native /api/chat with gzip and serde's alphabetical key order, i.e. the wire of aip
    0.8.21-0.8.30 (wire-protocol.md §1.1 and the §1.2 rows), so that is what the new path sends."""
    parsed = parse_version(version)
    if observed == "ollama-native" and parsed is not None and (0, 8, 15) <= parsed < NATIVE_WIRE:  # declared /v1
        return SOURCE_BUILT_NATIVE_WIRE
    return version


def detect_aip(binary: str | None = None) -> AipInfo:
    """Find `aip` (`--aip BIN`, else PATH) and read `aip --version`; missing gives `path=None`."""
    found = shutil.which(binary or "aip")
    if found is None:
        return AipInfo(path=binary)
    try:
        result = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return AipInfo(path=found)
    match = _VERSION.search(result.stdout + result.stderr)
    version = match[0] if match else None
    return AipInfo(path=found, version=version, declared_era=declared_era(version))


def availability_failure(aip: AipInfo, requested: str | None) -> Failure | None:
    """A per-case failure when the binary cannot be used at all (the replay still runs the new path)."""
    if aip.path is None or shutil.which(aip.path) is None:
        shown = requested or "aip"
        return Failure(kind="binary-missing", message=f"`{shown}` not found; install it (`cargo install aipack --locked`) or pass --aip BIN")
    parsed = parse_version(aip.version or "")
    if parsed is None:
        return Failure(kind="wrong-version", message=f"{aip.path}: `--version` printed no version; is this the aip binary?")
    if parsed < MINIMUM_VERSION:
        return Failure(kind="wrong-version", message=f"{aip.path} is {aip.version}; replay needs aip >= 0.6.0 (older releases are `devai`)")
    return None


def aip_command(aip: AipInfo, case: ReplayCase, agent: str) -> list[str]:
    """argv for the case. `-s` (0.7.0+) or `--not-interactive` (0.5.10–0.6.18) keep aip out of its TUI
    (spec §4.2); `-w` is dropped because a watched run never ends."""
    assert aip.path is not None
    parsed = parse_version(aip.version or "") or (0, 8, 0)
    argv = [aip.path, "run", agent, "-s" if parsed >= SINGLE_SHOT_FLAG else "--not-interactive"]
    flags = case.job.flags
    if flags.verbose:
        argv.append("-v")
    if flags.dry:
        argv += ["--dry", flags.dry]
    inputs = case.job.inputs
    if inputs.kind == "files":
        for glob in inputs.globs:
            argv += ["-f", glob]
    elif inputs.kind == "literals":
        for value in inputs.values:
            argv += ["-i", value]
    return argv


def child_environment(case: ReplayCase, home: Path, proxy: RecordingProxy, proxy_mode: str) -> dict[str, str]:
    """A clean environment: nothing of the caller's proxies, API keys or AIPACK state leaks in."""
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(case.job.env)
    for name in PROXY_VARIABLES + ("REQUEST_METHOD",):
        env.pop(name, None)
    env.update(HOME=str(home), TERM="dumb", NO_COLOR="1")
    if proxy_mode == "forward":
        env["HTTP_PROXY"] = env["http_proxy"] = proxy.url
    return env


def run_old_path(
    case: ReplayCase,
    config: JobConfig,
    root: Path,
    aip: AipInfo,
    proxy: RecordingProxy,
    *,
    timeout: float | None,
    proxy_mode: str = "forward",
    exclude: Path | None = None,
) -> PathRun:
    """Run one case with the real aip; every fault becomes `PathRun.failure`, never an exception."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aipack-replay-old-") as scratch:
        base = Path(scratch)
        workspace, home = base / "workspace", base / "home"
        home.mkdir()
        try:
            copy_workspace(root, workspace, exclude=exclude)
            workdir = workspace / case.job.workdir
            workdir.mkdir(parents=True, exist_ok=True)
            write_case_config(workdir, case.workspace_options(config))
            agent = agent_argument(config, case.job.agent, case.job.agent_ref, workdir)
        except OSError as exc:
            return PathRun(side="old", failure=Failure(kind="setup", message=f"cannot prepare the workspace copy: {exc}"))
        argv = aip_command(aip, case, agent)
        before = file_state(workspace)
        limit = case.job.timeout_seconds if timeout is None else timeout
        with proxy.recording(f"old:{case.case_id}") as exchanges:
            code, stdout, stderr, failure = _run_child(argv, workdir, child_environment(case, home, proxy, proxy_mode), limit)
        written = files_written(workspace, before)
    if failure is None and code != 0:
        last = (stderr.strip() or stdout.strip()).splitlines()[-1:] or [""]
        failure = Failure(kind="exit-status", message=f"aip exited with status {code}: {last[0][:300]}")
    if failure is None and not exchanges:
        # aip prints agent errors and still exits 0 (spec §4.5), so an error line with no request is a failure.
        error = _ERROR_LINE.search(stderr) or _ERROR_LINE.search(stdout)
        if error:
            failure = Failure(kind="exit-status", message=f"aip reported an error: {error[0].strip()[:300]}")
    return PathRun(
        side="old",
        command=_shown_argv(argv),
        exit_code=code,
        stdout=stdout,
        stderr=stderr,
        files_written=written,
        exchanges=list(exchanges),
        duration_seconds=round(time.monotonic() - started, 3),
        failure=failure,
    )


def _shown_argv(argv: list[str]) -> list[str]:
    return [Path(argv[0]).name, *argv[1:]]


def _run_child(argv: list[str], cwd: Path, env: dict[str, str], timeout: float | None) -> tuple[int | None, str, str, Failure | None]:
    try:
        child = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
    except OSError as exc:
        return None, "", "", Failure(kind="binary-missing", message=f"cannot start {argv[0]}: {exc.strerror or exc}")
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        out, err = child.communicate()
        return child.returncode, _text(out), _text(err), Failure(kind="timeout", message=f"aip did not finish within {timeout:g} s")
    except BaseException:
        # Ctrl-C: aip runs in its own session (the terminal's SIGINT never reaches it), so stop it
        # here, or it outlives the replay and keeps talking to a proxy that is gone.
        _kill_group(child)
        child.wait()
        raise
    return child.returncode, _text(out), _text(err), None


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    # Only the group this call started (start_new_session=True), so aip's own children go too.
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        child.kill()


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")
