"""The package is the pipeline: each stage imports only what comes before it (AST check)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "aipack_compat"

# stage (a folder, or a module at the package root) -> the aipack_compat top-level names it may import
ALLOWED = {
    "errors": set(),
    "template": set(),
    "model": set(),
    "rules": {"model"},  # the rule registry: plain declarations, shared by check, migrate, report and files
    "files": {"model", "rules", "errors"},  # rules: IO001-IO004 for files that cannot be read
    # files: the one text reader (encoding, size and special-file checks); rules: the CFG findings of
    # options_table.py, which reads an options table (an agent's `# Options`) as aip's serde does
    "load": {"model", "rules", "files"},
    "check": {"model", "rules", "load", "files", "template", "lua"},  # lua: the static aip.* support list
    "migrate": {"model", "rules", "load", "check", "files", "errors"},
    "lua": {"model", "files", "template"},
    "execute": {"model", "load", "lua", "files", "template", "errors"},
    "replay": {"model", "execute", "files", "errors", "check", "load", "migrate"},
    "report": {"model", "rules"},  # SARIF lists the rules it reports
    "cli": {"model", "rules", "load", "check", "migrate", "execute", "replay", "report", "files", "errors", "lua",
            "template"},
}


def imported_stages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else (
            [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
        for name in names:
            if name and name.startswith("aipack_compat."):
                found.add(name.split(".")[1])
    return found


def _stage_files(stage: str) -> list[Path]:
    folder = PACKAGE / stage
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [PACKAGE / f"{stage}.py"]


def test_every_part_of_the_package_has_a_row() -> None:
    parts = {path.stem if path.is_file() else path.name for path in PACKAGE.iterdir()
             if (path.is_dir() and (path / "__init__.py").exists()) or path.suffix == ".py"}
    assert parts - {"__init__", "__main__"} == set(ALLOWED)


def test_each_stage_imports_only_earlier_stages() -> None:
    problems = []
    for stage, allowed in ALLOWED.items():
        for path in _stage_files(stage):
            extra = imported_stages(path) - allowed - {stage}
            if extra:
                problems.append(f"{path.relative_to(PACKAGE)} imports {sorted(extra)}")
    assert not problems, "\n".join(problems)


def test_nothing_imports_the_cli() -> None:
    for path in PACKAGE.rglob("*.py"):
        if "cli" in path.relative_to(PACKAGE).parts or path.name == "__main__.py":
            continue
        assert "cli" not in imported_stages(path), path
