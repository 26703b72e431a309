"""Makefile recipes, CI YAML steps and Python subprocess calls feed the same scanner."""

from __future__ import annotations

from pathlib import Path

from aipack_compat.load.scripts.core.aip_argv import parse_duration, parse_run
from aipack_compat.load.scripts.scan import scan_script_text, script_kind
from aipack_compat.load.scripts.shell.commands.sed_script import apply_substitutions, parse_substitutions

FIXTURES = Path(__file__).resolve().parents[4] / "fixtures" / "scripts"


def scan(name: str, script: str):  # type: ignore[no-untyped-def]
    root = FIXTURES / name
    path = root / script
    return scan_script_text(str(path), path.read_text(encoding="utf-8"), str(root))


def test_makefile_recipes_with_make_variables_and_loops() -> None:
    review, loop = scan("makefile", "Makefile").invocations
    assert (review.location.line, review.agent_ref, review.file_globs, review.stdout_path) == (8, "flows/eval.aip", ("src/**/*.rs",), "review.md")
    assert (loop.location.line, loop.matrix_values, loop.stdout_path) == (13, ("gemma3:1b", "qwen3:0.6b"), "out/{cell}.txt")
    assert loop.config_rewrites[0].restored


def test_github_actions_matrix_becomes_a_model_loop() -> None:
    result = scan("ci-yaml", ".github/workflows/eval.yml")
    (run,) = result.invocations
    assert run.location.line == 18 and run.origin == "ci-yaml"
    assert run.matrix_variable == "matrix.model" and run.matrix_values == ("gemma3:1b", "qwen3:0.6b")
    assert (run.timeout_seconds, run.file_globs, run.stdout_path) == (600.0, ("docs/*.md",), "results/{cell}.txt")
    assert run.env == (("RESULTS", "results"),)
    assert run.config_rewrites[0].location.line == 14


def test_gitlab_script_lists(tmp_path: Path) -> None:
    text = "variables:\n  AGENT: flows/x\nreview:\n  script:\n    - cd app\n    - aip run $AGENT -s\n"
    (run,) = scan_script_text(str(tmp_path / ".gitlab-ci.yml"), text, str(tmp_path)).invocations
    assert (run.agent_ref, run.location.line) == ("flows/x", 6)


def test_python_subprocess_loop_and_restore() -> None:
    result = scan("python-subprocess", "run_eval.py")
    (run,) = result.invocations
    assert (run.agent_ref, run.inputs, run.timeout_seconds) == ("flows/eval.aip", ("hello",), 120.0)
    assert run.matrix_values == ("gemma3:1b", "qwen3:0.6b")
    assert run.stdout_path == run.stderr_path == "transcripts/{cell}.txt"
    assert run.config_rewrites[0].content == '[options]\nmodel = "{cell}"\n'
    assert result.rewrites[0].restored  # CONFIG.write_text(ORIGINAL)


def test_python_shell_strings_and_syntax_errors(tmp_path: Path) -> None:
    text = "import os, subprocess\nos.system('aip run flows/a -s > a.txt')\nsubprocess.run('timeout 5 aip run b -s', shell=True, cwd='sub')\n"
    runs = scan_script_text(str(tmp_path / "t.py"), text, str(tmp_path)).invocations
    assert [(r.agent_ref, r.workdir, r.stdout_path, r.timeout_seconds) for r in runs] == [
        ("flows/a", ".", "a.txt", None), ("b", "sub", None, 5.0)]
    broken = scan_script_text(str(tmp_path / "t.py"), "def (:\n", str(tmp_path))
    assert broken.parse_problems[0].line == 1


def test_script_kind_by_name_and_shebang() -> None:
    assert script_kind("x/run", "#!/usr/bin/env bash\n") == "shell"
    assert script_kind("x/tool", "#!/usr/bin/python3\n") == "python"
    assert script_kind("GNUmakefile", "") == "makefile"
    assert script_kind(".github/workflows/a.yaml", "") == "ci-yaml"


def test_run_flags_parse_like_clap() -> None:
    parsed = parse_run(["aip", "run", "-sv", "-fsrc/*.rs", "--on-files=b", "--dry", "res", "agent"])
    assert parsed is not None
    assert (parsed.agent, parsed.file_globs, parsed.dry, parsed.flags[:2]) == ("agent", ["src/*.rs", "b"], "res", ["single-shot", "verbose"])
    assert parse_run(["aip", "list"]) is None
    assert [parse_duration(d) for d in ("90", "90s", "1.5m", "2h", "x")] == [90.0, 90.0, 90.0, 7200.0, None]


def test_sed_substitutions_apply_line_by_line() -> None:
    subs = parse_substitutions(r's|^model = .*|model = "b"|;s/a\/b/c/g')
    assert subs is not None
    text, matched = apply_substitutions(subs, 'model = "a"\n  model = "x"\na/b a/b', extended=False)
    assert text == 'model = "b"\n  model = "x"\nc c' and matched == [True, True]
    assert parse_substitutions("1d") is None
