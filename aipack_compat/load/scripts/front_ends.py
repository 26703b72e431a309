"""The script front-ends: one per kind of file, each a scanning function and the files it reads.

As pre-commit's `all_languages.py`: scan.py (the dispatcher) is the only module that imports this
registry; a front-end never imports the dispatcher or another front-end's dispatch. Every
`scan` takes `(collector, text, absolute path)` and records into the collector; a front-end
that runs shell text (a Makefile recipe, a CI step, a package.json script) hands it to the
shell front-end's `scan_shell` itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from aipack_compat.load.scripts.ci_yaml import scan_ci_yaml
from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.make.makefile import scan_makefile
from aipack_compat.load.scripts.python.calls import scan_python
from aipack_compat.load.scripts.shell.scanner import scan_shell
from aipack_compat.load.scripts.tasks.editor_tasks import scan_editor_tasks
from aipack_compat.load.scripts.tasks.go_task import scan_taskfile
from aipack_compat.load.scripts.tasks.just.justfile import scan_justfile
from aipack_compat.load.scripts.tasks.package_json import scan_package_json
from aipack_compat.model.invocation import ScriptOrigin

_SHELLS = ("sh", "bash", "zsh", "ksh", "dash")


@dataclass(frozen=True, slots=True)
class FrontEnd:
    origin: ScriptOrigin
    scan: Callable[[Collector, str, str], None]  # (collector, text, absolute path)
    reads: Callable[[str, str], bool]  # (file name, text) -> this front-end reads the file


def _shebang(text: str, interpreters: tuple[str, ...]) -> bool:
    if not text.startswith("#!"):
        return False
    first = text.split("\n", 1)[0]
    words = first[2:].replace("/", " ").split()
    return any(word.rstrip("0123456789.") in interpreters for word in words[-2:])


# In the order a file is offered to them: the first that reads it scans it.
FRONT_ENDS: tuple[FrontEnd, ...] = (
    FrontEnd("makefile", scan_makefile,
             lambda name, text: name in ("Makefile", "makefile", "GNUmakefile") or name.endswith(".mk")),
    FrontEnd("justfile", scan_justfile,
             lambda name, text: name in ("justfile", "Justfile", ".justfile", "JUSTFILE") or name.endswith(".just")),
    FrontEnd("package-json", scan_package_json, lambda name, text: name == "package.json"),
    FrontEnd("editor-tasks", scan_editor_tasks, lambda name, text: name == "tasks.json"),
    FrontEnd("taskfile", scan_taskfile, lambda name, text: re.fullmatch(r"[Tt]askfile(?:\.dist)?\.ya?ml", name) is not None),
    FrontEnd("ci-yaml", scan_ci_yaml, lambda name, text: name.endswith((".yml", ".yaml"))),
    FrontEnd("python", scan_python, lambda name, text: name.endswith(".py") or _shebang(text, ("python",))),
    FrontEnd("shell", scan_shell,
             lambda name, text: name.endswith((".sh", ".bash", ".zsh", ".ksh")) or _shebang(text, _SHELLS)),
)
