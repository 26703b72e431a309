"""`while read` loops: lines read statically from workspace files, here-docs and here-strings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.load.scripts.scan import scan_script_text
from aipack_compat.load.scripts.shell.loops.read_semantics import ReadOptions, read_records, split_fields
from aipack_compat.model.invocation import Invocation

SED = 'sed -i "s/^model = .*/model = \\"$m\\"/" .aipack/config.toml\n'
RUN = 'aip run eval -s > "out/$m.txt"\n'


def scan(tmp_path: Path, body: str, models: str | bytes | None = None) -> Invocation:
    (tmp_path / ".aipack").mkdir(exist_ok=True)
    if models is not None:
        target = tmp_path / "models.txt"
        target.write_bytes(models if isinstance(models, bytes) else models.encode("utf-8"))
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/bash\n" + body, encoding="utf-8")
    (invocation,) = scan_script_text(str(script), script.read_text(encoding="utf-8"), str(tmp_path)).invocations
    return invocation


MODELS = "# local models\nllama3.2:1b\n\n  qwen2.5:0.5b  \n#gemma3:1b\n"


@pytest.mark.parametrize("loop", [
    "while read -r m; do\n  [ -z \"$m\" ] && continue\n  [[ $m == \\#* ]] && continue\n  {body}done < models.txt\n",
    "cat models.txt | while read m; do\n  [[ -z $m || $m =~ ^# ]] && continue\n  {body}done\n",
    "grep -v '^#' models.txt | while read -r m; do\n  [ -n \"$m\" ] || continue\n  {body}done\n",
    "grep -Ev '^(#|$)' models.txt | while read -r m; do\n  {body}done\n",
    "while read -r m; do\n  case $m in ''|\\#*) continue ;; esac\n  {body}done < ./models.txt\n",
    "while read -r m; do\n  if [[ \"$m\" == \"#\"* || -z $m ]]; then continue; fi\n  {body}done < models.txt\n",
])
def test_list_file_shapes_give_the_same_values(tmp_path: Path, loop: str) -> None:
    run = scan(tmp_path, loop.format(body=SED + "  " + RUN), MODELS)
    assert run.matrix_values == ("llama3.2:1b", "qwen2.5:0.5b")  # default IFS trims the spaces
    assert run.stdout_path == "out/{cell}.txt" and run.unresolved == ()
    (note,) = [n for n in run.notes if "was read at migrate time" in n]
    assert "models.txt" in note and "frozen into the job" in note and "sha256" in note


def test_ifs_empty_keeps_spaces_and_the_note_counts_skips(tmp_path: Path) -> None:
    run = scan(tmp_path, 'while IFS= read -r m; do\n  [ -z "$m" ] && continue\n  [[ $m == \\#* ]] && continue\n'
                         f"  {SED}  {RUN}done < models.txt\n", MODELS)
    assert run.matrix_values == ("llama3.2:1b", "  qwen2.5:0.5b  ")
    assert any("3 of 5 line(s) skipped" in note for note in run.notes)


def test_here_string_and_here_doc(tmp_path: Path) -> None:
    run = scan(tmp_path, f'LIST="a:1\nb:2"\nwhile read -r m; do {SED} {RUN}done <<< "$LIST"\n')
    assert run.matrix_values == ("a:1", "b:2")
    run = scan(tmp_path, f"while read -r m; do\n  {SED}  {RUN}done <<'EOF'\nx:1\ny:2\nEOF\n")
    assert run.matrix_values == ("x:1", "y:2")
    assert any(note.startswith("`while read -r m; do` reads its here-doc: 2 value(s)") for note in run.notes)


def test_printf_list_and_two_names(tmp_path: Path) -> None:
    run = scan(tmp_path, "printf '%s\\n' 'a 0.1' 'b 0.7' | while read -r m t; do\n"
                         '  sed -i "s/^model = .*/model = \\"$m\\"/; s/^temperature = .*/temperature = $t/" .aipack/config.toml\n'
                         '  aip run eval -s > "out/$m-$t.txt"\ndone\n')
    assert run.matrix_labels == ("a-0.1", "b-0.7")  # one loop: both names come from the same line
    assert run.cell_rewrites[1][0].sed_script == 's/^model = .*/model = "b"/; s/^temperature = .*/temperature = 0.7/'


def test_last_line_without_newline_is_dropped_unless_the_condition_keeps_it(tmp_path: Path) -> None:
    run = scan(tmp_path, f"while read -r m; do {SED} {RUN}done < models.txt\n", "a\nb")
    assert run.matrix_values == ("a",)
    assert any("the last line has no newline" in note for note in run.notes)
    run = scan(tmp_path, f'while read -r m || [ -n "$m" ]; do {SED} {RUN}done < models.txt\n', "a\nb")
    assert run.matrix_values == ("a", "b")


def test_a_while_read_loop_over_files_is_one_run_over_them(tmp_path: Path) -> None:
    run = scan(tmp_path, 'while read -r f; do aip run eval -s -f "$f" > "r/$(basename "$f" .md).txt"; done < models.txt\n',
               "a.md\nb.md\n")
    assert run.file_globs == ("a.md", "b.md") and run.stdout_path == "r/{input_stem}.txt"


@pytest.mark.parametrize(("models", "loop_end", "reason"), [
    (None, "done < models.txt", "models.txt does not exist"),
    ("a\n", 'done < "$HOME/models.txt"', "read from a file named only at run time"),
    ("a\n", "done < ../outside.txt", "../outside.txt is outside the migrated directory"),
    (b"a\x00b\n", "done < models.txt", "file looks binary"),
    (b"a\n" * 600_000, "done < models.txt", "it is over 1,048,576 bytes"),
    ("a\n", "done < <(ollama list)", "its lines come from `ollama list`"),
    ("a\n", "done", "it reads the script's own stdin"),
])
def test_unusable_sources_stay_unresolved_with_the_loop_location(tmp_path: Path, models: str | bytes | None,
                                                                  loop_end: str, reason: str) -> None:
    (tmp_path / "outside.txt").write_text("a\n")
    workspace = tmp_path / "ws"
    workspace.mkdir()
    run = scan(workspace, f"echo start\nwhile read -r m; do\n  {SED}  {RUN}{loop_end}\n", models)
    (values,) = [u for u in run.unresolved if u.what.startswith("values of loop variable `m`")]
    assert reason in values.what
    assert (values.location.line, values.location.column) == (3, 1)
    assert run.matrix_values == () and run.stdout_path is None


def test_a_skip_the_scanner_cannot_evaluate_keeps_the_loop_unresolved(tmp_path: Path) -> None:
    run = scan(tmp_path, f'while read -r m; do\n  ollama show "$m" >/dev/null || continue\n  {SED}  {RUN}done < models.txt\n',
               "a\n")
    (values,) = [u for u in run.unresolved if u.what.startswith("values of loop variable")]
    assert "ollama show" in values.what and "(line 3)" in values.what


def test_continue_of_a_nested_loop_is_not_a_skip_of_the_while(tmp_path: Path) -> None:
    run = scan(tmp_path, f'while read -r m; do\n  for x in 1; do continue; done\n  {SED}  {RUN}done < models.txt\n', "a\nb\n")
    assert run.matrix_values == ("a", "b")


def test_read_semantics() -> None:
    assert split_fields("  a  b  c ", ReadOptions(("x", "y"))) == ("a", "b  c")
    assert split_fields("  a b ", ReadOptions(("x",), ifs="")) == ("  a b ",)
    assert split_fields("a:b:c", ReadOptions(("x", "y"), ifs=":")) == ("a", "b:c")
    assert split_fields(r"a\ b", ReadOptions(("x",))) == ("a b",)
    assert split_fields(r"a\ b", ReadOptions(("x",), raw=True)) == (r"a\ b",)
    assert read_records("a\\\nb\nc\n", ReadOptions(("x",))) == ([("ab",), ("c",)], False)
    assert read_records("a\\\nb\n", ReadOptions(("x",), raw=True)) == ([("a\\",), ("b",)], False)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["", " \t\n", ":", " :"]), st.booleans(), st.integers(1, 3))
def test_read_records_never_crash_and_raw_ifs_empty_is_the_lines(text: str, ifs: str, raw: bool, names: int) -> None:
    options = ReadOptions(tuple(f"v{i}" for i in range(names)), raw=raw, ifs=ifs)
    records, dropped = read_records(text, options)
    assert all(len(record) == names for record in records)
    if raw and ifs == "":
        lines = text.split("\n")
        assert [record[0] for record in records] == lines[:-1]
        assert dropped == (lines[-1] != "")


def test_continue_2_in_a_nested_loop_skips_lines_of_the_while(tmp_path: Path) -> None:
    run = scan(tmp_path, f'while read -r m; do\n  for x in 1; do grep -q "$m" deny.txt && continue 2; done\n  {SED}  {RUN}'
                         "done < models.txt\n", "a\nb\n")
    assert run.matrix_values == () and any("continue 2" in u.what for u in run.unresolved)


FRAGMENTS = ["while ", "read ", "-r ", "IFS= ", "m", " m2", "; do ", "done", " < models.txt", " <<< \"$L\"", "\n",
             "<<EOF\na\nEOF\n", "cat models.txt | ", "grep -v '^#' models.txt | ", "[ -z \"$m\" ] && continue\n",
             "[[ $m == \\#* ]] && continue\n", "case $m in ''|\\#*) continue;; esac\n", "for t in 0 1; do ",
             'aip run eval -s > "o/$m-$t.txt"\n', 'sed -i "s/^model = .*/model = \\"$m\\"/" .aipack/config.toml\n',
             "continue 2\n", "|| [ -n \"$m\" ]", "(", ")", "'", '"']


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=24))
def test_while_read_like_scripts_never_crash(tmp_path_factory: pytest.TempPathFactory, parts: list[str]) -> None:
    root = tmp_path_factory.getbasetemp() / "never-crash"
    root.mkdir(exist_ok=True)
    (root / "models.txt").write_text("# c\na:1\n\nb:2\n")
    scan = scan_script_text(str(root / "s.sh"), "".join(parts), str(root))
    for invocation in scan.invocations:
        assert len(invocation.cell_rewrites) in (0, len(invocation.matrix_labels))
        assert len(set(invocation.matrix_labels)) == len(invocation.matrix_labels)
