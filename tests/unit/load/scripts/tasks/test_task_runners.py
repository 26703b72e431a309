"""justfile, package.json, editor tasks.json and Taskfile.yml feed the shell scanner with file locations."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aipack_compat.load.discovery import classify
from aipack_compat.load.scripts.scan import scan_script_text, script_kind
from aipack_compat.load.scripts.tasks.jsonc import JsoncError, parse_jsonc
from aipack_compat.model.invocation import ScriptScan

REPO = Path(__file__).resolve().parents[5]
FIXTURE = REPO / "fixtures" / "scripts" / "task-runners"
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()


def scan_fixture(name: str) -> ScriptScan:
    path = FIXTURE / name
    return scan_script_text(str(path), path.read_text(encoding="utf-8"), str(FIXTURE))


def scan_text(tmp_path: Path, name: str, text: str) -> ScriptScan:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return scan_script_text(str(path), text, str(tmp_path))


def column_of(path: Path, line: int, needle: str) -> int:
    return path.read_text(encoding="utf-8").split("\n")[line - 1].index(needle) + 1


# -- justfile ---------------------------------------------------------------------------------
def test_justfile_variables_parameters_and_shebang_sweep() -> None:
    scan = scan_fixture("justfile")
    assert scan.origin == "justfile" and not scan.parse_problems
    review, single, sweep = scan.invocations
    assert (review.location.line, review.location.column) == (11, column_of(FIXTURE / "justfile", 11, "aip run"))
    assert (review.agent_ref, review.file_globs, review.stdout_path) == ("flows/eval.aip", ("docs/*.md",), "results/review.md")
    assert single.stdout_path == "results/eval-gemma3:1b.txt"
    assert single.config_rewrites[0].sed_script == 's/^model = .*/model = "gemma3:1b"/'
    assert any("default `gemma3:1b`" in note for note in single.notes)
    assert sweep.location.line == 26 and sweep.matrix_values == ("gemma3:1b", "qwen3:0.6b")
    assert sweep.stdout_path == "results/sweep/{cell}.txt" and sweep.matrix_labels == ("gemma3_1b", "qwen3_0.6b")


def test_justfile_parameter_without_default_is_reported_not_guessed(tmp_path: Path) -> None:
    text = "run agent:\n    aip run {{agent}} -s\n"
    (run,) = scan_text(tmp_path, "justfile", text).invocations
    assert run.agent_ref is None
    assert any("agent" in u.what for u in run.unresolved)


def test_justfile_working_directory_prefixes_and_continuations(tmp_path: Path) -> None:
    text = (
        "set working-directory := 'app'\n"
        "export OUT := 'out'\n\n"
        "[working-directory: 'docs']\n"
        "a:\n"
        "    @-aip run flows/a -s > $OUT/a.txt\n\n"
        "b:\n"
        "    cd sub\n"
        "    aip run flows/b \\\n"
        "      -s\n\n"
        "[no-cd]\n"
        "c:\n"
        "    aip run flows/c -s\n"
        "d:\n"
        "    aip run {{{{x}} -s\n"
    )
    a, b, c, d = scan_text(tmp_path, "justfile", text).invocations
    assert (a.workdir, a.stdout_path, a.location.line, a.location.column) == ("docs", "docs/out/a.txt", 6, 7)
    assert (b.workdir, b.agent_ref, b.single_shot, b.location.line) == ("app", "flows/b", True, 10)  # `cd sub` was another shell
    assert c.workdir is None
    assert d.agent_ref == "{{x}}"


def test_justfile_malformed_input_is_located(tmp_path: Path) -> None:
    scan = scan_text(tmp_path, "justfile", "x := 'open\nr:\n    aip run {{x -s\n")
    assert scan.parse_problems and all(p.line > 0 for p in scan.parse_problems)
    lines = {p.line for p in scan.parse_problems}
    assert 3 in lines  # the unterminated interpolation
    other = scan_text(tmp_path, "Justfile", "r:\n    aip run {{ `date` }} -s\n===\n")
    assert any(p.line == 3 for p in other.parse_problems)
    assert other.invocations[0].agent_ref is None


def test_justfile_foreign_shell_is_reported(tmp_path: Path) -> None:
    scan = scan_text(tmp_path, "justfile", "set shell := ['pwsh', '-c']\nr:\n    aip run a -s\n")
    assert not scan.invocations and scan.parse_problems[0].line == 2 and "pwsh" in scan.problem_messages[0]


# -- package.json -----------------------------------------------------------------------------
def test_package_json_scripts_keep_string_locations() -> None:
    scan = scan_fixture("package.json")
    (run,) = scan.invocations
    assert run.origin == "package-json" and run.workdir == "."
    assert (run.location.line, run.location.column) == (6, column_of(FIXTURE / "package.json", 6, "aip run"))
    assert (run.agent_ref, run.file_globs, run.stdout_path, run.single_shot) == ("flows/eval.aip", ("docs/*.md",), "results/npm-review.md", True)


def test_package_json_escapes_map_back_to_columns(tmp_path: Path) -> None:
    text = '{"scripts": {"x": "echo \\"hi\\" && aip run a -s"}}'
    (run,) = scan_text(tmp_path, "web/package.json", text).invocations
    assert run.location.column == text.index("aip run") + 1 and run.workdir == "web"


@pytest.mark.parametrize(("text", "line", "column"), [
    ('{\n  "scripts": {\n    "a": "aip run x"\n    "b": "y"\n  }\n}', 4, 5),
    ('{"scripts": ["aip run x"]}', 1, 13),
    ('{"scripts": {"a": 3}}', 1, 19),
])
def test_package_json_malformed_is_located(tmp_path: Path, text: str, line: int, column: int) -> None:
    scan = scan_text(tmp_path, "package.json", text)
    assert (scan.parse_problems[0].line, scan.parse_problems[0].column) == (line, column)


# -- editor tasks -----------------------------------------------------------------------------
def test_vscode_process_and_shell_tasks() -> None:
    scan = scan_fixture(".vscode/tasks.json")
    process, shell = scan.invocations
    assert process.origin == "editor-tasks"
    assert (process.agent_ref, process.file_globs, process.workdir, process.location.line) == ("flows/eval.aip", ("docs/*.md",), ".", 8)
    assert shell.agent_ref == "flows/eval.aip" and shell.file_globs == ()
    assert any(u.what == "-f value" for u in shell.unresolved)  # ${relativeFile}: editor state


def test_vscode_args_are_words_unless_shell(tmp_path: Path) -> None:
    text = """{"version": "2.0.0", "tasks": [
      {"type": "process", "command": "aip", "args": ["run", "my agent", "-s"], "options": {"cwd": "sub"}},
      {"type": "shell", "command": "aip", "args": ["run", "two words", "-s"], "linux": {"options": {"env": {"M": "m"}}}},
      {"type": "npm", "script": "aip"},
      {"type": "shell", "command": "cargo", "args": ["build"]}]}"""
    process, shell = scan_text(tmp_path, ".vscode/tasks.json", text).invocations
    assert (process.agent_ref, process.workdir) == ("my agent", "sub")
    assert shell.agent_ref == "two words" and shell.env == (("M", "m"),)


def test_zed_tasks_append_args_unquoted(tmp_path: Path) -> None:
    text = """// zed tasks
    [ { "label": "eval", "command": "aip run", "args": ["flows/x.aip", "-s", "-f", "src/*.rs",],
        "cwd": "$ZED_WORKTREE_ROOT/app" },
      { "label": "here", "command": "aip run flows/y.aip -s", "cwd": "$ZED_DIRNAME" }, ]"""
    first, second = scan_text(tmp_path, ".zed/tasks.json", text).invocations
    assert (first.agent_ref, first.file_globs, first.workdir, first.location.line) == ("flows/x.aip", ("src/*.rs",), "app", 2)
    assert second.workdir is None and any(u.what == "working directory" for u in second.unresolved)


def test_editor_tasks_malformed_is_located(tmp_path: Path) -> None:
    scan = scan_text(tmp_path, ".vscode/tasks.json", '{\n  "tasks": [\n    {"command": "aip run x" /* unterminated\n')
    assert scan.parse_problems[0].line == 3
    scan = scan_text(tmp_path, ".zed/tasks.json", '[1, {"command": 2}]')
    assert [p.column for p in scan.parse_problems] == [2, 17]


def test_real_zed_tasks_file_from_the_corpus() -> None:
    path = CORPUS / "jeremychone__jc-zed-config" / "tasks.json"
    if not path.is_file():
        pytest.skip("corpus not present")
    scan = scan_script_text(str(path), path.read_text(encoding="utf-8"), str(path.parent))
    # its tasks drive aip through jc-zed-tasks (tmux), never `aip run` directly: read cleanly, no invocations
    assert scan.origin == "editor-tasks" and not scan.parse_problems and not scan.invocations
    assert isinstance(parse_jsonc(path.read_text(encoding="utf-8")).items, list)  # type: ignore[union-attr]


# -- Taskfile ---------------------------------------------------------------------------------
def test_taskfile_vars_and_for_loop_sweep() -> None:
    scan = scan_fixture("Taskfile.yml")
    review, sweep = scan.invocations
    assert review.origin == "taskfile" and (review.location.line, review.location.column) == (12, 9)
    assert (review.agent_ref, review.stdout_path) == ("flows/eval.aip", "results/task-review.md")
    assert sweep.location.line == 19 and sweep.location.column == column_of(FIXTURE / "Taskfile.yml", 19, "aip run")
    assert sweep.matrix_values == ("gemma3:1b", "qwen3:0.6b") and sweep.stdout_path == "results/task-{cell}.txt"
    assert sweep.config_rewrites[0].sed_script == 's/^model = .*/model = "{cell}"/'


def test_taskfile_dir_block_scalars_and_dynamic_vars(tmp_path: Path) -> None:
    text = (
        "version: '3'\n"
        "vars:\n  REV:\n    sh: git rev-parse HEAD\n"
        "tasks:\n"
        "  a:\n    dir: sub\n    cmds:\n      - |\n        mkdir -p out\n        aip run flows/a -s > out/{{.REV}}.txt\n"
        "  b: aip run {{.CLI_ARGS}} -s\n"
        "  c:\n    cmds:\n      - for: sources\n        cmd: aip run flows/c -s -f {{.ITEM}}\n"
    )
    a, b, c = scan_text(tmp_path, "Taskfile.yml", text).invocations
    assert (a.workdir, a.location.line, a.location.column) == ("sub", 11, 9)
    assert a.stdout_path is None and any("stdout" in u.what for u in a.unresolved)
    assert b.agent_ref is None
    assert any("values of loop variable" in u.what for u in c.unresolved)


def test_taskfile_malformed_is_located(tmp_path: Path) -> None:
    scan = scan_text(tmp_path, "Taskfile.yml", "tasks:\n  a:\n    cmds:\n      - aip run x\n     - bad: [\n")
    assert scan.parse_problems[0].line >= 4
    scan = scan_text(tmp_path, "Taskfile.yml", "tasks:\n  a:\n    cmds:\n      - {cmd: [1]}\n      - aip run x -s\n")
    assert (scan.parse_problems[0].line, scan.parse_problems[0].column) == (4, 15)


# -- discovery and dispatch -------------------------------------------------------------------
def test_names_pick_the_front_end() -> None:
    assert [script_kind(n, "") for n in ("justfile", "a/.justfile", "x.just", "package.json", ".zed/tasks.json",
                                         "Taskfile.yml", "taskfile.yaml", "Taskfile.dist.yml")] == [
        "justfile", "justfile", "justfile", "package-json", "editor-tasks", "taskfile", "taskfile", "taskfile"]
    assert classify("w/Justfile") == "script" and classify("w/Taskfile.yml") == "script"
    assert classify("w/package.json") == "maybe_script" and classify("w/.vscode/tasks.json") == "maybe_script"


def test_jsonc_reader_positions_and_errors() -> None:
    document = parse_jsonc('// c\n{"a": [1, "x\\ty",], /* b */}')
    assert document.get("a").items[1].value == "x\ty"  # type: ignore[union-attr]
    with pytest.raises(JsoncError) as error:
        parse_jsonc("[" * 500)
    assert error.value.offset >= 0


# -- never crash ------------------------------------------------------------------------------
_ALPHABET = st.sampled_from(list("aip run {}[]()\"'\\:=@-#!$.,/\n\t xyz|`0123456789") + ["{{", "}}", "aip run ", "cmds:", "- "])


@pytest.mark.parametrize("name", ["justfile", "package.json", ".vscode/tasks.json", ".zed/tasks.json", "Taskfile.yml"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(_ALPHABET, max_size=40), raw=st.text(max_size=60))
def test_front_ends_never_crash(tmp_path: Path, name: str, pieces: list[str], raw: str) -> None:
    for text in ("".join(pieces), raw):
        scan = scan_text(tmp_path, name, text)
        assert len(scan.parse_problems) == len(scan.problem_messages)
        assert all(p.line >= 0 and p.column >= 0 for p in scan.parse_problems)


def test_just_dependency_calls_run_the_recipe_once_per_call(tmp_path: Path) -> None:
    (tmp_path / ".aipack").mkdir(exist_ok=True)
    text = ('model_b := "qwen2.5:0.5b"\n\nall: (eval "llama3.2:1b") (eval model_b) (eval "llama3.2:1b")\n\n'
            'eval model:\n    sed -i \'s/^model = .*/model = "{{model}}"/\' .aipack/config.toml\n'
            '    aip run flows/eval -s > "out/{{model}}.txt"\n\n'
            'greet who="world":\n    aip run flows/greet -s -i "{{who}}"\n\nboth: (greet "ada")\n')
    (tmp_path / "justfile").write_text(text, encoding="utf-8")
    runs = scan_script_text(str(tmp_path / "justfile"), text, str(tmp_path)).invocations
    evals = [r for r in runs if r.agent_ref == "flows/eval"]
    assert [(r.stdout_path, r.config_rewrites[-1].sed_script) for r in evals] == [
        ("out/llama3.2:1b.txt", 's/^model = .*/model = "llama3.2:1b"/'),
        ("out/qwen2.5:0.5b.txt", 's/^model = .*/model = "qwen2.5:0.5b"/')]
    assert all(any("as a dependency calls it (model=" in note for note in r.notes) for r in evals)
    assert sorted(r.inputs for r in runs if r.agent_ref == "flows/greet") == [("ada",), ("world",)]


def test_npm_run_chains_carry_a_config_rewrite_into_the_run(tmp_path: Path) -> None:
    import json

    (tmp_path / ".aipack").mkdir(exist_ok=True)
    scripts = {"set:qwen": "sed -i 's/^model = .*/model = \"qwen2.5:0.5b\"/' .aipack/config.toml",
               "eval": "aip run flows/eval -s", "sweep": "npm run set:qwen && pnpm run eval",
               "self": "npm run self && yarn missing"}
    text = json.dumps({"scripts": scripts}, indent=2)
    (tmp_path / "package.json").write_text(text, encoding="utf-8")
    runs = scan_script_text(str(tmp_path / "package.json"), text, str(tmp_path)).invocations
    assert [(r.location.line, [c.sed_script for c in r.config_rewrites]) for r in runs] == [
        (4, []), (4, ['s/^model = .*/model = "qwen2.5:0.5b"/'])]  # `eval` alone, then through `sweep`
