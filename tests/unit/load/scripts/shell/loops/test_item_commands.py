"""GNU parallel (and `sh -c` under xargs): loops over arguments, with parallel's replacement strings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.load.scripts.scan import scan_script_text
from aipack_compat.model.invocation import Invocation

SED = "sed -i 's/^model = .*/model = \"{}\"/' .aipack/config.toml"


def scan(tmp_path: Path, body: str) -> list[Invocation]:
    (tmp_path / ".aipack").mkdir(exist_ok=True)
    (tmp_path / "models.txt").write_text("llama3.2:1b\nqwen2.5:0.5b\n", encoding="utf-8")
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/bash\n" + body, encoding="utf-8")
    return list(scan_script_text(str(script), script.read_text(encoding="utf-8"), str(tmp_path)).invocations)


@pytest.mark.parametrize(("body", "stdout"), [
    ("parallel -j4 aip run eval -s -f {} ::: prompts/*.md\n", None),
    ("parallel --bar 'aip run eval -s -f {} > out/{/.}.txt' ::: prompts/*.md\n", "out/{input_stem}.txt"),
    ("parallel 'aip run eval -s -f {} > out/{/}' ::: prompts/*.md\n", "out/{input_name}"),
    ("ls prompts/*.md | parallel -k aip run eval -s -f\n", None),
    ("ls prompts/*.md | xargs -I{} sh -c 'aip run eval -s -f {} > out/$(basename {} .md).txt'\n", "out/{input_stem}.txt"),
])
def test_per_file_parallel_runs_are_one_job(tmp_path: Path, body: str, stdout: str | None) -> None:
    (run,) = scan(tmp_path, body)
    assert run.file_globs == ("prompts/*.md",) and run.stdout_path == stdout and run.unresolved == ()
    assert "%%loop" not in run.command_text  # the report shows `{}`, never the scanner's token


def test_parallel_over_a_model_file_is_a_matrix(tmp_path: Path) -> None:
    (run,) = scan(tmp_path, f'parallel -j1 "{SED} && aip run eval -s -f \'p/*.md\' > out/{{}}.txt" :::: models.txt\n')
    assert run.matrix_values == ("llama3.2:1b", "qwen2.5:0.5b") and run.stdout_path == "out/{cell}.txt"
    assert any("models.txt was read at migrate time" in note and "walks the lines" in note for note in run.notes)


def test_quoted_arguments_are_inputs_not_globs(tmp_path: Path) -> None:
    runs = scan(tmp_path, 'parallel aip run eval -s -i {} ::: "What is 2+2?" "Name a colour"\n')
    assert [r.inputs for r in runs] == [("What is 2+2?",), ("Name a colour",)]
    runs = scan(tmp_path, 'for q in "What is 2+2?" "Why [not]?"; do aip run eval -s -i "$q" > "o/$q.txt"; done\n')
    assert [(r.inputs, r.stdout_path) for r in runs] == [(("What is 2+2?",), "o/What is 2+2?.txt"),
                                                        (("Why [not]?",), "o/Why [not]?.txt")]


@pytest.mark.parametrize(("body", "reason"), [
    ("parallel aip run eval -s -i {1}-{2} ::: a b ::: x y\n", "cross product"),
    ("parallel --colsep , aip run eval -s -i {} :::: models.txt\n", "--colsep"),
    ("parallel aip run eval -s -f {} :::: missing.txt\n", "does not exist"),
    ("parallel aip run eval -s -f\n", "own stdin"),
])
def test_what_parallel_cannot_be_says_why(tmp_path: Path, body: str, reason: str) -> None:
    (run,) = scan(tmp_path, body)
    texts = [u.what for u in run.unresolved] + list(run.notes)
    assert run.unresolved and any(reason in text for text in texts), texts


FRAGMENTS = ["aip run x -s -f {}", "aip run x -s -i \"$m\"", "xargs -I{}", "xargs -n1", "parallel", "parallel -j2", ":::",
             "::::", "models.txt", "prompts/*.md", "find prompts -name '*.md'", "ls prompts/*.md", "-exec", "\\;", "+",
             "|", ";", "\n", "for m in", "for ((i=0; i<3; i++))", "{1..3}", "$(seq 3)", "$(cat models.txt)", "do", "done",
             "while read -r m", "until false", "mapfile -t A <", "< <(grep -v x models.txt)", "\"${A[@]}\"",
             "envsubst <", "sed \"s/a/$m/\" t.toml", ">", ".aipack/config.toml", "$(jq -r '.a[]' m.json)", "{/.}", "{1}",
             "'aip run x -s -f {} > o/{/}'", "i=$((i+1))", "A=($(cat models.txt))"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14))
def test_loop_and_pipeline_fragments_never_crash(tmp_path_factory: pytest.TempPathFactory, parts: list[str]) -> None:
    root = tmp_path_factory.getbasetemp() / "fragments"
    (root / ".aipack").mkdir(parents=True, exist_ok=True)
    (root / "models.txt").write_text("a:1b\nb:2b\n", encoding="utf-8")
    text = "#!/bin/bash\n" + " ".join(parts) + "\n"
    scan_script_text(str(root / "run.sh"), text, str(root))
