"""Loops walked as loops: brace ranges, `seq`, C-style counters, and variables that change per pass."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.load.scripts.scan import scan_script_text
from aipack_compat.load.scripts.shell.words import brace_sequence
from aipack_compat.model.invocation import Invocation


def scan(tmp_path: Path, body: str) -> list[Invocation]:
    (tmp_path / ".aipack").mkdir(exist_ok=True)
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/bash\n" + body, encoding="utf-8")
    return list(scan_script_text(str(script), script.read_text(encoding="utf-8"), str(tmp_path)).invocations)


@pytest.mark.parametrize(("loop", "labels"), [
    ("for i in {1..3}; do", ("1", "2", "3")),
    ("for i in {01..10..4}; do", ("01", "05", "09")),
    ("for i in $(seq 3); do", ("1", "2", "3")),
    ("for i in $(seq -w 9 10); do", ("09", "10")),
    ("for i in `seq 0 2 4`; do", ("0", "2", "4")),
    ("for ((i=0; i<3; i++)); do", ("0", "1", "2")),
    ("for (( i = 10; i >= 0; i -= 5 )); do", ("10", "5", "0")),
    ("N=2; for ((i=1; i<=N; i=i+1)); do", ("1", "2")),
])
def test_repetition_loops_become_cells(tmp_path: Path, loop: str, labels: tuple[str, ...]) -> None:
    (run,) = scan(tmp_path, f'{loop}\n  aip run eval -s -f "p/*.md" > "out/run$i.txt"\ndone\n')
    assert run.matrix_labels == labels
    assert run.stdout_path == "out/run{cell}.txt" and run.unresolved == ()


@pytest.mark.parametrize(("loop", "reason"), [
    ("for ((i=0; i<$(nproc); i++)); do", "bounds are only known at run time"),
    ("for ((i=0; i<3; i*=2)); do", "not a simple counter"),
    ("for ((i=0; i>=0; i++)); do", "more than 512 times"),
    ("for i in $(seq 0 0.5 1); do", "GNU seq"),
])
def test_counters_that_cannot_be_walked_say_why(tmp_path: Path, loop: str, reason: str) -> None:
    (run,) = scan(tmp_path, f'{loop}\n  aip run eval -s -f "p/*.md" > "out/run$i.txt"\ndone\n')
    assert run.stdout_path is None
    assert any(reason in u.what for u in run.unresolved), run.unresolved


def test_an_endless_counter_is_a_repetition_note(tmp_path: Path) -> None:
    (run,) = scan(tmp_path, 'for ((;;)); do\n  aip run eval -s -f "p/*.md" > out/all.txt\n  sleep 60\ndone\n')
    assert run.stdout_path == "out/all.txt"
    assert any("inside `for ((;;)); do`, which the script repeats" in note for note in run.notes)


def test_a_variable_the_body_changes_is_unknown_inside_the_loop(tmp_path: Path) -> None:
    (run,) = scan(tmp_path, 'i=0\nwhile [ $i -lt 3 ]; do\n  aip run eval -s > "out/r$i.txt"\n  i=$((i+1))\ndone\n')
    assert run.stdout_path is None and any(u.what == "stdout path" for u in run.unresolved)
    assert any("repeats while its condition holds" in note for note in run.notes)
    (run,) = scan(tmp_path, 'n=0\nfor m in a b; do\n  aip run eval -s -i "x" > "out/$n.txt"\n  ((n++))\ndone\n')
    assert run.stdout_path is None  # the script wrote out/0.txt, then out/1.txt: never a single out/0.txt


def test_retry_loops_are_noted_and_run_once(tmp_path: Path) -> None:
    (run,) = scan(tmp_path, "until aip run eval -s -f 'p/*.md' > out/all.txt; do sleep 5; done\n")
    assert run.stdout_path == "out/all.txt" and run.file_globs == ("p/*.md",)
    assert any("retries until it does" in note for note in run.notes)


def test_values_set_before_a_for_loop_stay_known_when_the_body_does_not_change_them(tmp_path: Path) -> None:
    (first, second) = scan(tmp_path, 'OUT=out\nfor m in a b; do\n  aip run eval -s -i "$m" > "$OUT/$m.txt"\ndone\n')
    assert (first.stdout_path, second.stdout_path) == ("out/a.txt", "out/b.txt")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@settings(max_examples=40, deadline=None)
@given(st.integers(-12, 12), st.integers(-12, 12), st.one_of(st.none(), st.integers(-4, 4)), st.booleans(),
       st.sampled_from(["", "run", "x-"]))
def test_brace_sequences_match_bash(start: int, end: int, step: int | None, padded: bool, prefix: str) -> None:
    first = f"0{start}" if padded and start >= 0 else str(start)
    text = f"{prefix}{{{first}..{end}{'' if step is None else f'..{step}'}}}"
    expected = subprocess.run(["bash", "-c", f"printf '%s\\n' {text}"], capture_output=True, text=True).stdout.split()
    assert brace_sequence(text) == expected


SWEEP = '  sed -i "s/^model = .*/model = \\"$m\\"/" .aipack/config.toml\n  aip run eval -s > "out/$m.txt"{tail}\n'


@pytest.mark.parametrize(("skip", "expected"), [
    ('  [ "$m" = "b:1b" ] && continue\n', ("a:1b", "c:1b")),
    ('  if [[ $m == c* ]]; then continue; fi\n', ("a:1b", "b:1b")),
    ('  case $m in b*) echo "skip $m" >&2; continue ;; esac\n', ("a:1b", "c:1b")),
])
def test_static_skips_in_for_loops_drop_cells(tmp_path: Path, skip: str, expected: tuple[str, ...]) -> None:
    (run,) = scan(tmp_path, "for m in a:1b b:1b c:1b; do\n" + skip + SWEEP.format(tail="") + "done\n")
    assert run.matrix_values == expected
    assert any("skips 1 of 3 value(s)" in note for note in run.notes)


def test_stop_on_failure_is_noted_and_other_breaks_are_reported(tmp_path: Path) -> None:
    (run,) = scan(tmp_path, "for m in a:1b b:1b; do\n" + SWEEP.format(tail=" || break") + "done\n")
    assert run.matrix_values == ("a:1b", "b:1b")
    assert any("stops at the first failing run" in note for note in run.notes)
    (run,) = scan(tmp_path, "for m in a:1b b:1b; do\n  [ -e stop ] && break\n" + SWEEP.format(tail="") + "done\n")
    assert run.matrix_values == () and any("skips lines" in u.what for u in run.unresolved)


def test_file_loops_keep_the_no_match_guard_and_report_other_skips(tmp_path: Path) -> None:
    body = 'for f in p/*.md; do\n{skip}  aip run eval -s -f "$f" > "o/$(basename "$f")"\ndone\n'
    (run,) = scan(tmp_path, body.format(skip='  [ -f "$f" ] || continue\n'))
    assert run.file_globs == ("p/*.md",) and run.stdout_path == "o/{input_name}"
    (run,) = scan(tmp_path, body.format(skip='  [[ "$f" == *draft* ]] && continue\n'))
    assert run.file_globs == () and any("which one glob cannot carry" in u.what for u in run.unresolved)


def test_runs_in_branches_name_their_condition(tmp_path: Path) -> None:
    runs = scan(tmp_path, 'if [ -n "${QUICK:-}" ]; then\n  aip run q -s\nelif command -v jq; then\n  aip run j -s\n'
                          'else\n  aip run full -s\nfi\ncase "$1" in\n  fast|quick) aip run f -s ;;\nesac\n'
                          '[ -f out/x.txt ] || aip run x -s > out/x.txt\naip run always -s\n')
    notes = {run.agent_ref: [n for n in run.notes if n.startswith("the script runs this only")] for run in runs}
    assert notes["q"] == ['the script runs this only when `[ -n "${QUICK:-}" ]` succeeds; the job always runs '
                          "(`run --job NAME` picks jobs)"]
    assert "when `command -v jq` succeeds after `[ -n \"${QUICK:-}\" ]` failed" in notes["j"][0]
    assert 'when `[ -n "${QUICK:-}" ]` and `command -v jq` fail' in notes["full"][0]
    assert 'when `"$1"` matches `fast|quick`' in notes["f"][0]
    assert "when `[ -f out/x.txt ]` fails" in notes["x"][0]
    assert notes["always"] == []


def test_exec_redirect_applies_to_the_rest_of_the_script(tmp_path: Path) -> None:
    runs = scan(tmp_path, "aip run before -s\nexec > out/log.txt 2>&1\naip run a -s\n( aip run b -s > out/b.txt )\n"
                          "{ aip run c -s; aip run d -s; } > out/cd.txt\n")
    shown = {run.agent_ref: (run.stdout_path, run.stderr_path) for run in runs}
    assert shown == {"before": (None, None), "a": ("out/log.txt", "out/log.txt"), "b": ("out/b.txt", "out/log.txt"),
                     "c": ("out/cd.txt", "out/log.txt"), "d": ("out/cd.txt", "out/log.txt")}


def test_sourced_workspace_files_set_variables_and_defaults_are_noted(tmp_path: Path) -> None:
    (tmp_path / "env.sh").write_text('MODELS="a:1b b:1b"\nexport AGENT=eval\nsource ./env.sh\n', encoding="utf-8")
    runs = scan(tmp_path, 'source ./env.sh\nfor m in $MODELS; do aip run "$AGENT" -s -i "$m"; done\n'
                          'OUT=${OUT_DIR:-out}\naip run "${AGENT}" -s > "$OUT/all.txt"\n. ./missing.sh\naip run x -s\n')
    assert [(r.agent_ref, r.inputs, r.stdout_path) for r in runs] == [
        ("eval", ("a:1b",), None), ("eval", ("b:1b",), None), ("eval", (), "out/all.txt"), ("x", (), None)]
    assert any("env.sh was read at migrate time" in note for note in runs[0].notes)
    assert any("`OUT_DIR` from the environment" in note and "took `out`" in note for note in runs[2].notes)
    assert any("`source ./missing.sh` not followed" in note for note in runs[3].notes)


def test_read_splits_each_pair_of_a_sweep(tmp_path: Path) -> None:
    (run,) = scan(tmp_path, 'for pair in "a:1b|0.2" "b:2b|0.7"; do\n  IFS=\'|\' read -r model temp <<< "$pair"\n'
                            '  sed -i "s/^model = .*/model = \\"$model\\"/" .aipack/config.toml\n'
                            '  aip run eval -s > "out/${model}-t${temp}.txt"\ndone\n')
    assert run.matrix_labels == ("a:1b-t0.2", "b:2b-t0.7") and run.unresolved == ()
    (run,) = scan(tmp_path, 'read -r agent rest <<< "eval  extra words"\naip run "$agent" -s -i "$rest"\n')
    assert (run.agent_ref, run.inputs) == ("eval", ("extra words",))
    (run,) = scan(tmp_path, 'read -r agent\naip run "$agent" -s\n')
    assert run.agent_ref is None  # from the terminal: unknown
