"""`aipack-compat validate` end to end, in-process: exit codes, formats, bad input, the corpus."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from aipack_compat.cli import main

REPO = Path(__file__).resolve().parents[2]
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def workspace(tmp_path: Path, config: str | bytes, agents: dict[str, str] | None = None) -> Path:
    root = tmp_path / "wks"
    (root / ".aipack").mkdir(parents=True)
    target = root / ".aipack" / "config.toml"
    target.write_bytes(config if isinstance(config, bytes) else config.encode())
    for name, text in (agents or {}).items():
        (root / name).write_text(text, encoding="utf-8")
    return root


GOOD_CONFIG = '[options]\nmodel = "llama3.2"\n'
GOOD_AGENT = "# System\n\nBe brief.\n\n# Instruction\n\nSay hi to {{input}}.\n"


def test_clean_workspace_exits_0(tmp_path, capsys):
    root = workspace(tmp_path, GOOD_CONFIG, {"hello.aip": GOOD_AGENT})
    code, out, _ = run(capsys, "validate", "--no-base", str(root))
    assert code == 0, out
    assert "0 error(s)" in out


def test_error_finding_exits_1_with_a_located_message(tmp_path, capsys):
    root = workspace(tmp_path, '[default-options]\nmodel = "llama3.2"\n')
    code, out, _ = run(capsys, "validate", str(root))
    assert code == 1
    assert f"{root / '.aipack' / 'config.toml'}:1:1: error CFG" in out
    assert "Use [options] (with _ and not -)" in out


def test_fail_on_and_exit_zero(tmp_path, capsys):
    root = workspace(tmp_path, '[options]\nmodel = "llama3.2"\nmax_tokens = 5\n')
    assert run(capsys, "validate", str(root))[0] == 0  # an unknown key is a warning
    code, out, _ = run(capsys, "validate", "--fail-on", "warning", str(root))
    assert code == 1 and "max_tokens" in out
    assert run(capsys, "validate", "--fail-on", "warning", "--exit-zero", str(root))[0] == 0


def test_usage_error_exits_2(capsys):
    code, _, err = run(capsys, "validate", "--format", "yaml")
    assert code == 2 and "yaml" in err


def test_select_and_ignore_filter_codes(tmp_path, capsys):
    root = workspace(tmp_path, '[options]\nmodel = "llama3.2"\nmax_tokens = 5\n')
    _, out, _ = run(capsys, "validate", "--ignore", "CFG", "--format", "json", str(root))
    assert json.loads(out)["diagnostics"] == []
    _, out, _ = run(capsys, "validate", "--select", "CFG", "--format", "json", str(root))
    assert {d["code"][:3] for d in json.loads(out)["diagnostics"]} == {"CFG"}


@pytest.mark.parametrize(
    "config, code",
    [
        (b"\xff\xfe[options]\n", "IO002"),
        (b"\x00\x01binary", "IO002"),
        (b'[options]\nmodel = "a"\nmodel = "b"\n', "CFG"),
        (b"[options]\ninput_concurrency = 2.0\n", "CFG"),
        (b"[options\nmodel = 1\n", "CFG"),
        (b"[options]\ntemperature = 1e308\ninput_concurrency = 99999999999\n", "CFG"),
    ],
    ids=["not-utf8", "binary", "duplicate-key", "wrong-type", "syntax", "absurd-values"],
)
def test_bad_configs_give_located_diagnostics_not_tracebacks(tmp_path, capsys, config, code):
    root = workspace(tmp_path, config)
    exit_code, out, err = run(capsys, "validate", "--format", "json", str(root))
    assert exit_code in (0, 1), err
    assert "Traceback" not in out + err
    found = json.loads(out)["diagnostics"]
    assert any(d["code"].startswith(code) for d in found), found


def test_empty_huge_and_looping_inputs(tmp_path, capsys):
    root = workspace(tmp_path, b"", {"empty.aip": "", "huge.aip": "# Instruction\n" + "x" * (9 * 1024 * 1024)})
    os.symlink(root, root / "loop")
    code, out, err = run(capsys, "validate", "--format", "json", str(root))
    assert "Traceback" not in err
    codes = {d["code"] for d in json.loads(out)["diagnostics"]}
    assert "IO003" in codes  # huge agent skipped, reported
    assert "IO004" in codes  # empty files noted


def test_missing_path_is_reported(tmp_path, capsys):
    code, out, _ = run(capsys, "validate", str(tmp_path / "does-not-exist"))
    assert code == 1 and "IO001" in out


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_every_format_renders(tmp_path, capsys, fmt):
    root = workspace(tmp_path, '[default-options]\nmodel = "x"\n')
    code, out, _ = run(capsys, "validate", "--format", fmt, str(root))
    assert code == 1 and out.strip()
    if fmt in ("json", "sarif"):
        json.loads(out)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_the_whole_corpus_validates_without_a_crash(capsys):
    code, out, err = run(capsys, "validate", "--format", "json", str(CORPUS))
    assert code in (0, 1), err
    payload = json.loads(out)
    checked = payload["files_checked"]
    assert sum(p.endswith(".aip") for p in checked) >= 40
    assert sum(p.endswith("config.toml") for p in checked) >= 5
    assert all(d["path"] and d["code"] and d["message"] for d in payload["diagnostics"])
    # every diagnostic code is a registered rule
    from aipack_compat.rules import all_rules

    assert {d["code"] for d in payload["diagnostics"]} <= set(all_rules())


def test_devai_run_lines_are_judged_in_the_devai_era(tmp_path, capsys):
    root = tmp_path / "legacy"
    (root / ".devai" / "custom" / "agent").mkdir(parents=True)
    (root / ".devai" / "config.toml").write_text('[genai]\nmodel = "llama3.2"\n')
    (root / ".devai" / "custom" / "agent" / "title.devai").write_text("# Instruction\nTitle for {{data}}\n")
    (root / "Makefile").write_text('titles:\n\tdevai run title -f "docs/*.md"\n')
    for argv in (["validate", str(root)], ["validate", "--aip-version", "0.8.37", str(root)]):
        code, out, _ = run(capsys, *argv)
        assert "SH002" not in out, out  # devai 0.5 finds `title` under .devai/custom/agent
    code, out, _ = run(capsys, "validate", str(root))
    # the .devai agent is merged as devai 0.5 merges: its [genai] model, no aip base defaults
    assert "gpt-5.6-luna" not in out and "CFG019" not in out, out
    assert "add `--ni`" in out  # the one-shot flag of the devai era, not aip's `-s`
