"""`check_script_text`: the scanner's findings as SH diagnostics (what `validate` reports)."""

from __future__ import annotations

from pathlib import Path

from aipack_compat.rules import all_rules
from aipack_compat.check.scripts import check_script_text


def workspace(tmp_path: Path, config: str = '[options]\nmodel = "gpt-4.1-mini"\n') -> Path:
    (tmp_path / ".aipack").mkdir()
    (tmp_path / ".aipack" / "config.toml").write_text(config, encoding="utf-8")
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "eval.aip").write_text("# Instruction\nhi\n", encoding="utf-8")
    return tmp_path


def codes(tmp_path: Path, text: str, name: str = "s.sh", version: str | None = None) -> list[tuple[str, int]]:
    _, diagnostics = check_script_text(str(tmp_path / name), text, str(tmp_path), aip_version=version)
    return [(d.code, d.line) for d in diagnostics]


def test_clean_script_has_no_findings(tmp_path: Path) -> None:
    workspace(tmp_path)
    assert codes(tmp_path, "aip run flows/eval -s > out.txt\n") == []


def test_agent_not_found_and_missing_agent(tmp_path: Path) -> None:
    workspace(tmp_path)
    assert codes(tmp_path, "aip run flows/evil -s\naip run -s\n") == [("SH002", 1), ("SH009", 2)]


def test_flags_unknown_and_out_of_era(tmp_path: Path) -> None:
    workspace(tmp_path)
    found = codes(tmp_path, "aip run flows/eval -s --model x\naip run flows/eval --not-interactive\n")
    assert ("SH003", 1) in found and ("SH004", 2) in found
    assert ("SH004", 1) in codes(tmp_path, "aip run flows/eval -s\n", version="0.6.5")  # -s is 0.7.0+


def test_files_with_inputs_and_interactive_run(tmp_path: Path) -> None:
    workspace(tmp_path)
    assert codes(tmp_path, "aip run flows/eval -s -f '*.md' -i x\naip run flows/eval\n") == [("SH008", 1), ("SH010", 2)]


def test_rewrite_matching_nothing_and_never_restored(tmp_path: Path) -> None:
    workspace(tmp_path, '[options]\n  model = "x"\n')
    text = "for m in a b; do\n  sed -i.bak 's/^model = .*/model = \"'$m'\"/' .aipack/config.toml\n  aip run flows/eval -s\ndone\n"
    found = codes(tmp_path, text)
    assert found == [("SH005", 2), ("SH006", 2)]
    restored = text + "mv .aipack/config.toml.bak .aipack/config.toml\n"
    assert codes(tmp_path, restored) == [("SH005", 2)]


def test_syntax_errors_and_dynamic_values_are_located(tmp_path: Path) -> None:
    workspace(tmp_path)
    found = codes(tmp_path, 'aip run "$AGENT" -s\nif [ ; then\n')
    assert ("SH007", 1) in found and any(code == "SH001" for code, _ in found)


def test_devai_binary_in_aipack_workspace(tmp_path: Path) -> None:
    workspace(tmp_path)
    assert ("SH011", 1) in codes(tmp_path, "devai run flows/eval --ni\n")


def test_unquoted_file_glob_is_counted_and_quoted_one_is_not(tmp_path: Path) -> None:
    workspace(tmp_path)
    (tmp_path / "p").mkdir()
    for name in ("a.md", "b.md"):
        (tmp_path / "p" / name).write_text("q\n", encoding="utf-8")
    _, diagnostics = check_script_text(str(tmp_path / "s.sh"), "aip run flows/eval -s -f p/*.md\n"
                                       'aip run flows/eval -s -f "p/*.md" -f p/\\*.md\n'
                                       "aip run flows/eval -s --on-files=p/a*\nP='p/*.md'\naip run flows/eval -s -f $P\n",
                                       str(tmp_path))
    found = [(d.code, d.line, d.message) for d in diagnostics if d.code == "SH012"]
    assert [(code, line) for code, line, _ in found] == [("SH012", 1), ("SH012", 3), ("SH012", 5)]
    assert "expands it to 2 files" in found[0][2] and "only the one file" in found[1][2]


def test_every_sh_and_mig_rule_is_registered_and_documented() -> None:
    rules = all_rules()
    for code, rule in rules.items():
        if code.startswith(("SH", "MIG")):
            assert rule.name == rule.name.lower() and " " not in rule.name
            assert "What it does" in rule.explanation and "Why" in rule.explanation
