"""The package is the pipeline: each stage imports only what comes before it (AST check)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "aipack_compat"

# stage -> the aipack_compat top-level modules/packages it may import
ALLOWED = {
    "model": set(),
    "load": {"model", "files"},  # files: the one text reader (encoding, size and special-file checks)
    "check": {"model", "load", "files", "template", "lua"},  # lua: the static aip.* support list
    "migrate": {"model", "load", "check", "files", "errors"},
    "lua": {"model", "files", "template"},
    "execute": {"model", "load", "check", "lua", "files", "template", "errors"},
    "replay": {"model", "execute", "files", "errors", "check", "load", "migrate"},
    "report": {"model", "check"},  # check.rules only: SARIF lists the rules it reports
    "cli": {"model", "load", "check", "migrate", "execute", "replay", "report", "files", "errors", "lua", "template"},
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


def test_each_stage_imports_only_earlier_stages():
    problems = []
    for stage, allowed in ALLOWED.items():
        for path in sorted((PACKAGE / stage).rglob("*.py")):
            extra = imported_stages(path) - allowed - {stage}
            if extra:
                problems.append(f"{path.relative_to(PACKAGE)} imports {sorted(extra)}")
    assert not problems, "\n".join(problems)


def test_report_uses_only_the_rule_registry_from_check():
    for path in (PACKAGE / "report").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("aipack_compat.check"):
                assert node.module.startswith("aipack_compat.rules"), f"{path.name}: {node.module}"


def test_nothing_imports_the_cli():
    for path in PACKAGE.rglob("*.py"):
        if "cli" in path.relative_to(PACKAGE).parts or path.name == "__main__.py":
            continue
        assert "cli" not in imported_stages(path), path
