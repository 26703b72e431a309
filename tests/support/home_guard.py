"""Tests never touch the real HOME, `~/.aipack-base` or the user's cache (pre-commit's
`dont_write_to_home_directory`, made stricter).

Two layers:
- every test gets a fresh, empty HOME and XDG directories of its own (so subprocesses — the real
  `aip`, `ollama`, the CLI — read and write there, never in the developer's home);
- an audit hook fails the test, at the call, on any open/listdir/stat/remove/rename inside the real
  home, apart from the toolchains and installs the tests run (the interpreter and its packages,
  cargo/rustup, the project's cached binary builds). A path that must be added to the allowed list
  is a decision, with a reason, not a quiet fix.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REAL_HOME = os.path.realpath(os.path.expanduser("~"))


class RealHomeTouched(AssertionError):
    """A test used the developer's real home directory (choose a private directory instead)."""


def _allowed_roots(repo: Path) -> tuple[str, ...]:
    home = Path(REAL_HOME)
    roots = {
        str(repo.resolve()), str(repo.resolve().parent / "shared"),  # the checkout and the corpus beside it
        sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.realpath(sys.executable),
        tempfile.gettempdir(),
        # toolchains and binaries the tests execute or import from (never user state):
        str(home / ".pyenv"), str(home / ".cargo"), str(home / ".rustup"), str(home / "go"),
        str(home / ".cache" / "aipack-compat" / "aip-0.8.16"),
        str(home / ".cache" / "aipack-compat" / "ollama-v0.17.4"),
        str(home / ".cache" / "aipack-compat" / "crates"),
        str(home / ".local" / "lib"), str(home / ".local" / "bin"),
    }
    roots.update(os.path.realpath(p) for p in sys.path if p)
    return tuple(sorted(r.rstrip("/") for r in roots if r))


_PATH_EVENTS = {"open": 0, "os.listdir": 0, "os.scandir": 0, "os.remove": 0, "os.rename": 0, "os.rmdir": 0,
                "os.mkdir": 0, "shutil.rmtree": 0, "shutil.copytree": 0, "os.chmod": 0, "os.truncate": 0}


class HomeGuard:
    def __init__(self, repo: Path) -> None:
        self.allowed = _allowed_roots(repo)
        self.active = False

    def _inside(self, path: str, root: str) -> bool:
        return path == root or path.startswith(root + "/")

    def check(self, event: str, args: tuple[object, ...]) -> None:
        if not self.active or event not in _PATH_EVENTS or not args:
            return
        raw = args[0]
        if isinstance(raw, int) or raw is None:
            return  # a file descriptor: opened through a path checked before
        try:
            path = os.fsdecode(raw) if isinstance(raw, (str, bytes, os.PathLike)) else None
        except (TypeError, ValueError):
            return
        if not path:
            return
        absolute = os.path.normpath(os.path.join(os.getcwd(), path)) if not os.path.isabs(path) else os.path.normpath(path)
        if not self._inside(absolute, REAL_HOME) or absolute == REAL_HOME and event != "os.listdir":
            return
        if any(self._inside(absolute, root) for root in self.allowed):
            return
        self.active = False  # report once; the failing test's teardown turns it back on
        raise RealHomeTouched(f"{event}({absolute!r}) is inside the real HOME ({REAL_HOME}); "
                                     "use tmp_path or the private HOME every test gets")


def install(repo: Path) -> HomeGuard:
    guard = HomeGuard(repo)
    sys.addaudithook(guard.check)
    return guard
