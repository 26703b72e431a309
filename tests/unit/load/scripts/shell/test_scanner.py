"""The bash scanner: `aip run` found and resolved statically in each pattern of the issue."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.load.scripts.scan import scan_script_bytes, scan_script_text

FIXTURES = Path(__file__).resolve().parents[5] / "fixtures" / "scripts"


def scan(name: str, script: str):  # type: ignore[no-untyped-def]
    root = FIXTURES / name
    path = root / script
    return scan_script_text(str(path), path.read_text(encoding="utf-8"), str(root))


def test_model_loop_with_sed_rewrite_and_restore() -> None:
    result = scan("model-loop-sed", "eval.sh")
    assert len(result.invocations) == 1
    run = result.invocations[0]
    assert (run.agent_ref, run.workdir, run.single_shot, run.timeout_seconds) == ("../flows/eval.aip", "runs", True, 90.0)
    assert run.matrix_variable == "model"
    assert run.matrix_values == ("gemma3:1b", "qwen3:0.6b", "llama3.2:1b")
    assert run.matrix_labels == ("gemma3_1b", "qwen3_0.6b", "llama3.2_1b")  # `${model//:/_}` in the output path
    assert run.stdout_path == run.stderr_path == "runs/results/{cell}.txt"
    (rewrite,) = run.config_rewrites
    assert (rewrite.kind, rewrite.target, rewrite.backup_suffix, rewrite.restored) == ("sed", ".aipack/config.toml", ".bak", True)
    assert rewrite.sed_script == 's/model = ".*"/model = "{cell}"/'
    assert run.score_pattern == "Score: [0-9]+/10"
    assert run.unresolved == ()


def test_heredoc_rewrite_appends_per_model() -> None:
    (run,) = scan("heredoc-rewrite", "compare.sh").invocations
    assert run.matrix_values == ("gemma3:1b", "qwen3:0.6b")
    assert run.timeout_seconds == 120.0  # gtimeout 2m
    assert run.inputs == ("What is 2+2?",)
    assert (run.stdout_path, run.append) == ("out/{cell}.log", True)
    (rewrite,) = run.config_rewrites
    assert rewrite.kind == "heredoc" and rewrite.restored
    assert rewrite.content == '[options]\nmodel = "{cell}"\ntemperature = 0\n'


def test_function_called_from_loop_with_positional_args() -> None:
    result = scan("function-loop", "bench.sh")
    (run,) = result.invocations
    assert run.agent_ref == "flows/eval" and run.verbose and run.timeout_seconds == 300.0
    assert run.matrix_values == ("phi3:mini", "mistral:7b")
    assert run.stdout_path == "reports/{cell}.md"
    assert run.env == (("OLLAMA_KEEP_ALIVE", "0"),)
    assert run.config_rewrites[0].sed_script == 's/^model = .*/model = "{cell}"/'
    assert result.rewrites[0].restored  # the EXIT trap runs `git checkout -- .aipack/config.toml`


def test_file_globs_in_every_spelling_and_tee() -> None:
    (run,) = scan("file-globs", "review.sh").invocations
    assert run.agent_ref == "flows/eval"
    assert run.file_globs == ("src/**/*.rs", "Cargo.toml", "README.md")
    assert run.stdout_path == "review.log"


@pytest.mark.parametrize(
    ("snippet", "expected_agents"),
    [
        ("aip run a -s | jq .", ["a"]),
        ("x=$(aip run b -s)", ["b"]),
        ("if true; then nice -n 5 nohup aip run c -s & fi", ["c"]),
        ("case $1 in go) time -p aip run d -s;; esac", ["d"]),
        ("bash -c 'aip run e -s'", ["e"]),
        ("for a in one two; do aip run \"agents/$a\" -s; done", ["agents/one", "agents/two"]),
        ("devai run proof-comments", ["proof-comments"]),
        ("aip run ns@pack/sub --single-shot", ["ns@pack/sub"]),
        # other tools called aip, or no run at all: nothing
        ("aip install pro@coder", []),
        ("aip run foo bar baz", []),
        ("aip run --help", []),
        ("echo aip run x", []),
        ("cat <<EOF\naip run inside-heredoc\nEOF", []),
        ("# aip run commented", []),
    ],
)
def test_invocations_found_and_false_positives_avoided(tmp_path: Path, snippet: str, expected_agents: list[str]) -> None:
    result = scan_script_text(str(tmp_path / "s.sh"), snippet + "\n", str(tmp_path))
    assert [inv.agent_ref for inv in result.invocations] == expected_agents


def test_dynamic_values_are_reported_not_guessed(tmp_path: Path) -> None:
    text = "for m in $(ollama list | cut -f1); do\n  sed -i \"s/^model = .*/model = \\\"$m\\\"/\" .aipack/config.toml\n  aip run \"$AGENT\" -s\n  aip run x.aip -s > \"$HOME/$m.txt\"\ndone\n"
    result = scan_script_text(str(tmp_path / "s.sh"), text, str(tmp_path))
    first, second = result.invocations
    assert first.agent_ref is None and any(u.what == "agent" for u in first.unresolved)
    assert second.agent_ref == "x.aip" and second.matrix_values == ()
    assert {u.what for u in second.unresolved} >= {"values of loop variable `m` (its words come from `ollama list`)",
                                                    "stdout path"}
    assert all(u.location.line > 0 for u in second.unresolved)


def test_variables_defaults_and_cd(tmp_path: Path) -> None:
    text = 'AGENT="${AGENT:-flows/main}"\nSRC=src\ncd sub && aip run "$AGENT" -s -f "$SRC/**/*.md" -i x --dry req\n'
    (run,) = scan_script_text(str(tmp_path / "s.sh"), text, str(tmp_path)).invocations
    assert (run.agent_ref, run.workdir, run.file_globs, run.dry) == ("flows/main", "sub", ("src/**/*.md",), "req")


def test_syntax_error_keeps_partial_results(tmp_path: Path) -> None:
    text = 'aip run first -s\nif then fi (\naip run "unterminated -s\n'
    result = scan_script_text(str(tmp_path / "s.sh"), text, str(tmp_path))
    assert result.parse_problems and result.parse_problems[0].line >= 2
    assert result.invocations[0].agent_ref == "first"


def test_non_utf8_is_reported_and_scanned(tmp_path: Path) -> None:
    raw = b"aip run ok -s\necho \xff\xfe\n"
    result = scan_script_bytes(str(tmp_path / "s.sh"), raw, str(tmp_path))
    assert [inv.agent_ref for inv in result.invocations] == ["ok"]
    assert any("UTF-8" in message for message in result.problem_messages)
    assert result.parse_problems[-1].line == 2


def test_very_long_script_is_fast(tmp_path: Path) -> None:
    text = "for m in a b; do\n" + "  aip run flows/x -s > out/$m.txt\n" * 3000 + "done\n"
    result = scan_script_text(str(tmp_path / "s.sh"), text, str(tmp_path))
    assert len(result.invocations) == 3000


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash_the_scanner(raw: bytes) -> None:
    for name in ("s.sh", "Makefile", "ci.yml", "tool.py"):
        scan = scan_script_bytes(f"/tmp/nowhere/{name}", raw, "/tmp/nowhere")
        assert len(scan.parse_problems) == len(scan.problem_messages)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aip run -sfi'\"$(){}[];|&<>\n\\`#=*@x")), max_size=120))
def test_shell_like_text_never_crashes(text: str) -> None:
    scan_script_text("/tmp/nowhere/s.sh", text, "/tmp/nowhere")


def test_recursive_and_fanning_out_functions_terminate_quickly():
    import time

    from aipack_compat.check.scripts import check_script_text

    recursive = 'f() {\n  f "$1"\n  aip run a.aip -s\n}\nf x\n'
    invocations, _ = check_script_text("run.sh", recursive, "/tmp")
    assert len(invocations) == 1  # a recursive call is not re-entered
    levels = 24
    body = "".join(f"f{i}() {{\n  f{i + 1} a\n  f{i + 1} b\n}}\n" for i in range(levels))
    fan_out = body + f'f{levels}() {{\n  aip run a.aip -s -i "$1"\n}}\nf0\n'
    started = time.perf_counter()
    check_script_text("run.sh", fan_out, "/tmp")
    assert time.perf_counter() - started < 5  # 2**24 expansions without the budget
