"""Per-file loops: one invocation over the loop's globs, output names as `{input_*}` templates."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.load.scripts.scan import scan_script_text
from aipack_compat.load.scripts.shell.substitutions import basename
from aipack_compat.model.invocation import Invocation


def scan_one(tmp_path: Path, body: str) -> Invocation:
    (tmp_path / ".aipack").mkdir(exist_ok=True)
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/bash\n" + body, encoding="utf-8")
    (invocation,) = scan_script_text(str(script), script.read_text(encoding="utf-8"), str(tmp_path)).invocations
    return invocation


@pytest.mark.parametrize(("redirect", "template"), [
    ('> "results/$(basename "$f" .md).txt"', "results/{input_stem}.txt"),
    ('> "results/$(basename -- "$f")"', "results/{input_name}"),
    ('> "results/$(basename -s .md "$f").txt"', "results/{input_stem}.txt"),
    ('> out/"${f##*/}".out', "out/{input_name}.out"),
    ('> "$f.out"', "{input_path}.out"),
    ('> "out/${f}.json"', "out/{input_path}.json"),
])
def test_resolvable_names_become_placeholders(tmp_path: Path, redirect: str, template: str) -> None:
    run = scan_one(tmp_path, f'for f in prompts/*.md; do\n  aip run eval -s -f "$f" {redirect}\ndone\n')
    assert run.file_globs == ("prompts/*.md",)
    assert run.stdout_path == template
    assert run.unresolved == () and run.matrix_variable is None
    assert run.input_loop == "for f in prompts/*.md; do"


def test_name_then_stem_through_a_variable_and_stderr(tmp_path: Path) -> None:
    run = scan_one(tmp_path, 'for f in data/*.txt; do name="${f##*/}"; '
                             'aip run eval -f "$f" > "out/${name%.*}.txt" 2>&1; done\n')
    assert run.stdout_path == run.stderr_path == "out/{input_stem}.txt"


@pytest.mark.parametrize("redirect", [
    '> "archive/${f%.*}.txt"',  # the path without its extension: no placeholder says that
    '> "out/$(basename "$f" .txt).txt"',  # `.txt` is not the extension of `*.md`
    '> "out/${f#prompts/}"',  # a prefix cut keeps sub-directories: not the name
    '> "out/$(basename "$f" | tr a-z A-Z)"',  # a pipeline: only known at run time
])
def test_other_names_are_unresolved_not_guessed(tmp_path: Path, redirect: str) -> None:
    run = scan_one(tmp_path, f'for f in prompts/*.md; do aip run eval -f "$f" {redirect}; done\n')
    assert run.stdout_path is None
    assert run.file_globs == ("prompts/*.md",)
    assert [u.what.split(" (")[0] for u in run.unresolved] == ["stdout path"]


def test_literal_list_of_files_and_a_loop_without_per_input_redirect(tmp_path: Path) -> None:
    run = scan_one(tmp_path, 'for f in a.md docs/b.md a.md; do aip run eval -f "$f" >> all.txt; done\n')
    assert run.file_globs == ("a.md", "docs/b.md")  # one run: a file listed twice is one input
    assert (run.stdout_path, run.append, run.notes) == ("all.txt", True, ())


def test_truncating_redirect_inside_the_loop_is_noted(tmp_path: Path) -> None:
    inside = scan_one(tmp_path, 'for f in src/*.md; do aip run eval -f "$f" > last.txt; done\n')
    assert inside.stdout_path == "last.txt" and "kept only the last file's output" in inside.notes[0]
    around = scan_one(tmp_path, 'for f in src/*.md; do aip run eval -f "$f"; done > loop.txt\n')
    assert around.stdout_path == "loop.txt" and around.notes == ()


def test_globstar_difference_is_noted(tmp_path: Path) -> None:
    run = scan_one(tmp_path, 'for f in src/**/*.md; do aip run eval -f "$f" > "$f.out"; done\n')
    assert run.stdout_path == "{input_path}.out"
    assert any("globstar" in note for note in run.notes)


def test_model_loop_around_a_file_loop_is_a_matrix_with_both_placeholders(tmp_path: Path) -> None:
    (tmp_path / ".aipack" ).mkdir()
    (tmp_path / ".aipack" / "config.toml").write_text('[options]\nmodel = "x"\n')
    run = scan_one(tmp_path, 'for model in a:1 b:2; do\n'
                             '  sed -i "s/^model = .*/model = \\"$model\\"/" .aipack/config.toml\n'
                             '  for f in prompts/*.md; do\n'
                             '    aip run eval -f "$f" > "results/$model/$(basename "$f").txt"\n'
                             '  done\ndone\n')
    assert run.matrix_variable == "model" and run.matrix_values == ("a:1", "b:2")
    assert run.stdout_path == "results/{cell}/{input_name}.txt"
    assert run.file_globs == ("prompts/*.md",)
    assert run.config_rewrites[0].sed_script == 's/^model = .*/model = "{cell}"/'


def test_file_loop_inside_a_function_called_with_globs(tmp_path: Path) -> None:
    run = scan_one(tmp_path, 'each() { for f in "$@"; do aip run eval -f "$f" > "out/${f##*/}"; done; }\n'
                             'each prompts/*.md notes/*.txt\n')
    assert run.file_globs == ("prompts/*.md", "notes/*.txt")
    assert run.stdout_path == "out/{input_name}"


def test_loops_that_cannot_be_one_run_keep_the_old_behaviour(tmp_path: Path) -> None:
    # the file also feeds the environment: not one run; and the glob text must not name the output
    run = scan_one(tmp_path, 'for f in src/*.md; do OUT=$f aip run eval -f "$f" > "o/$(basename "$f")"; done\n')
    assert run.input_loop is None and run.stdout_path is None
    assert {u.what.split(" (")[0] for u in run.unresolved} == {"stdout path", "env OUT"}
    # a loop over plain values used inside a longer -f value is expanded per value, as before
    scan = scan_script_text(str(tmp_path / "x.sh"), '#!/bin/bash\nfor n in a b; do aip run eval -f "q/$n.md" > "o/$n.txt"; done\n',
                            str(tmp_path))
    assert [(i.file_globs, i.stdout_path) for i in scan.invocations] == [(("q/a.md",), "o/a.txt"), (("q/b.md",), "o/b.txt")]


def test_find_while_read_becomes_the_glob_find_lists(tmp_path: Path) -> None:
    run = scan_one(tmp_path, "find prompts -name '*.md' | while read -r f; do aip run eval -f \"$f\" > \"w/$f.txt\"; done\n")
    assert run.file_globs == ("prompts/**/*.md",) and run.stdout_path == "w/{input_path}.txt"
    assert run.unresolved == ()
    assert not any("globstar" in note for note in run.notes)  # find's ** is not bash's


def test_basename_matches_posix() -> None:
    assert [basename(p, s) for p, s in [("a/b.md", ".md"), ("a/b.md/", ""), (".md", ".md"), ("/", ""), ("x", "")]] == \
        ["b", "b.md", ".md", "/", "x"]


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('for f in *.md; do aip run e -f "$f" > ${##%.*/} $(basename) done\n')), max_size=140))
def test_loop_shaped_text_never_crashes(text: str) -> None:
    scan_script_text("/w/s.sh", "#!/bin/bash\n" + text, "/w")


@pytest.mark.parametrize(("loop", "redirect", "template"), [
    ("prompts/*.md", '> "o/$(basename "${f%.*}").txt"', "o/{input_stem}.txt"),
    ("prompts/*.md", '> "o/$(basename "${f%.md}")"', "o/{input_stem}"),
    ("prompts/*", '> "o/$(basename "${f%.*}")"', None),  # a name without a dot: `%.*` would cut a directory
    ("prompts/*.md", '> "o/$(basename "${f%.*}" .md)"', None),
])
def test_trunk_then_basename(tmp_path: Path, loop: str, redirect: str, template: str | None) -> None:
    run = scan_one(tmp_path, f'for f in {loop}; do aip run eval -f "$f" {redirect}; done\n')
    assert run.stdout_path == template
