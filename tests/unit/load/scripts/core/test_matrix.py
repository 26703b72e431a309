"""Nested loops around one `aip run`: one invocation whose matrix is their cross product."""

from __future__ import annotations

from pathlib import Path

from aipack_compat.load.scripts.scan import scan_script_text
from aipack_compat.model.invocation import Invocation

SED = 'sed -i "s/^model = .*/model = \\"$model\\"/; s/^temperature = .*/temperature = $temp/" .aipack/config.toml\n'


def scan(tmp_path: Path, body: str) -> list[Invocation]:
    (tmp_path / ".aipack").mkdir(exist_ok=True)
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/bash\n" + body, encoding="utf-8")
    return scan_script_text(str(script), script.read_text(encoding="utf-8"), str(tmp_path)).invocations


def test_two_loops_are_one_matrix_labelled_by_the_redirect(tmp_path: Path) -> None:
    (run,) = scan(tmp_path, "for model in llama3.2:1b qwen2.5:0.5b; do\n  for temp in 0 0.7; do\n    " + SED
                  + '    aip run eval -s > "results/${model//:/_}-t$temp.txt"\n  done\ndone\n')
    assert run.stdout_path == "results/{cell}.txt"
    assert run.matrix_labels == ("llama3.2_1b-t0", "llama3.2_1b-t0.7", "qwen2.5_0.5b-t0", "qwen2.5_0.5b-t0.7")
    assert run.matrix_variable == "model,temp"
    assert [(a.variable, a.values, a.line) for a in run.matrix_axes] == [
        ("model", ("llama3.2:1b", "qwen2.5:0.5b"), 2), ("temp", ("0", "0.7"), 3)]
    assert [r.sed_script for cell in run.cell_rewrites for r in cell] == [
        f's/^model = .*/model = "{m}"/; s/^temperature = .*/temperature = {t}/'
        for m in ("llama3.2:1b", "qwen2.5:0.5b") for t in ("0", "0.7")]
    assert run.config_rewrites[0].sed_script == \
        's/^model = .*/model = "{cell:model}"/; s/^temperature = .*/temperature = {cell:temp}/'
    assert run.unresolved == ()
    assert any(note.startswith("nested loops `for model in llama3.2:1b qwen2.5:0.5b; do` (line 2) × "
                               "`for temp in 0 0.7; do` (line 3) are one job of 4 matrix cells") for note in run.notes)


def test_filled_template_is_what_the_shell_wrote(tmp_path: Path) -> None:
    (run,) = scan(tmp_path, 'M=(a:1 b:2)\nfor model in "${M[@]}"; do for temp in 0 1; do for p in x y; do\n  ' + SED
                  + '  aip run eval -s > "out/${model%%:*}/t$temp/$p.log" 2>&1\ndone; done; done\n')
    assert run.stdout_path == run.stderr_path == "out/{cell}.log"
    filled = [run.stdout_path.replace("{cell}", label) for label in run.matrix_labels]
    assert filled == [f"out/{m}/t{t}/{p}.log" for m in ("a", "b") for t in ("0", "1") for p in ("x", "y")]


def test_single_loop_keeps_todays_shape(tmp_path: Path) -> None:
    (run,) = scan(tmp_path, 'for model in a:1 b:2; do\n  sed -i "s/^model = .*/model = \\"$model\\"/" .aipack/config.toml\n'
                            '  aip run eval -s > "out/${model//:/_}.txt"\ndone\n')
    assert (run.matrix_variable, run.matrix_values, run.matrix_labels) == ("model", ("a:1", "b:2"), ("a_1", "b_2"))
    assert run.config_rewrites[0].sed_script == 's/^model = .*/model = "{cell}"/'
    assert not any(note.startswith("nested loops") for note in run.notes)


def test_output_naming_only_the_outer_loop_gets_generic_labels_and_a_note(tmp_path: Path) -> None:
    (run,) = scan(tmp_path, "for model in a b; do\n  for temp in 0 1; do\n    " + SED
                  + '    aip run eval -s > "out/$model.txt"\n  done\ndone\n')
    assert run.matrix_labels == ("model=a,temp=0", "model=a,temp=1", "model=b,temp=0", "model=b,temp=1")
    assert run.stdout_path == "out/{cell}.txt"
    assert any("does not name `temp`" in note for note in run.notes)


def test_no_output_at_all_labels_by_every_loop(tmp_path: Path) -> None:
    (run,) = scan(tmp_path, "for model in a b; do for temp in 0 1; do\n" + SED + "aip run eval -s\ndone; done\n")
    assert run.stdout_path is None and len(run.matrix_labels) == 4 and run.matrix_labels[1] == "model=a,temp=1"


def test_a_loop_over_agents_still_expands_around_the_sweep(tmp_path: Path) -> None:
    runs = scan(tmp_path, "for agent in x y; do for model in a b; do for temp in 0 1; do\n" + SED
                + '  aip run "flows/$agent.aip" -s > "r/$agent/$model-$temp.txt"\ndone; done; done\n')
    assert [run.agent_ref for run in runs] == ["flows/x.aip", "flows/y.aip"]
    assert [run.stdout_path for run in runs] == ["r/x/{cell}.txt", "r/y/{cell}.txt"]
    assert runs[0].matrix_labels == ("a-0", "a-1", "b-0", "b-1")


def test_unknown_inner_values_are_reported_with_their_location(tmp_path: Path) -> None:
    (run,) = scan(tmp_path, "for model in a b; do\n  for temp in $(curl -s http://lab/temps); do\n    " + SED
                  + '    aip run eval -s > "out/$model-$temp.txt"\n  done\ndone\n')
    (values,) = [u for u in run.unresolved if u.what.startswith("values of loop variable `temp`")]
    assert (values.location.line, values.location.column) == (3, 3)
    assert run.stdout_path is None
    assert all(r.sed_script is None for cell in run.cell_rewrites for r in cell)  # never a guessed temperature


def test_more_than_three_nested_loops_are_reported(tmp_path: Path) -> None:
    (run,) = scan(tmp_path, "for a in 1 2; do for b in 1 2; do for c in 1 2; do for d in 1 2; do\n"
                            'aip run eval -s > "o/$a$b$c$d.txt"\ndone; done; done; done\n')
    assert len(run.matrix_axes) == 3
    assert any("more than 3 nested loops" in u.what and u.location.line == 2 for u in run.unresolved)


def test_sequential_loops_stay_separate_matrices(tmp_path: Path) -> None:
    first, second = scan(tmp_path, 'for model in a b; do aip run eval -s > "o/$model.txt"; done\n'
                                   'for temp in 0 1; do aip run eval -s > "t/$temp.txt"; done\n')
    assert (first.matrix_labels, second.matrix_labels) == (("a", "b"), ("0", "1"))
