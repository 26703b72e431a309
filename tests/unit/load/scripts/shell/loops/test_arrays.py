"""Lists read as data: mapfile/readarray, `A=($(…))`, `< <(…)`, and jq paths over workspace JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.load.scripts.scan import scan_script_text
from aipack_compat.load.scripts.shell.loops.jq_paths import evaluate, parse_path
from aipack_compat.model.invocation import Invocation

SED = '  sed -i "s/^model = .*/model = \\"$m\\"/" .aipack/config.toml\n  aip run eval -s > "out/$m.txt"\n'
MODELS = "# local\nllama3.2:1b\nqwen2.5:0.5b\n"
DOCUMENT = {"models": ["llama3.2:1b", "qwen2.5:0.5b"], "runs": [{"model": "a:1b", "t": 0.2}, {"model": "b:2b", "t": 0.7}]}


def scan(tmp_path: Path, body: str) -> list[Invocation]:
    (tmp_path / ".aipack").mkdir(exist_ok=True)
    (tmp_path / "models.txt").write_text(MODELS, encoding="utf-8")
    (tmp_path / "models.json").write_text(json.dumps(DOCUMENT), encoding="utf-8")
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/bash\n" + body, encoding="utf-8")
    return list(scan_script_text(str(script), script.read_text(encoding="utf-8"), str(tmp_path)).invocations)


@pytest.mark.parametrize(("fill", "expected"), [
    ("mapfile -t MODELS < models.txt", ("# local", "llama3.2:1b", "qwen2.5:0.5b")),
    ("readarray -t -s 1 MODELS < models.txt", ("llama3.2:1b", "qwen2.5:0.5b")),
    ("mapfile -t -n 2 MODELS < models.txt", ("# local", "llama3.2:1b")),
    ("readarray -t MODELS < <(grep -v '^#' models.txt)", ("llama3.2:1b", "qwen2.5:0.5b")),
    ("MODELS=($(grep -v '^#' models.txt))", ("llama3.2:1b", "qwen2.5:0.5b")),
    ("MODELS=($(jq -r '.models[]' models.json))", ("llama3.2:1b", "qwen2.5:0.5b")),
    ("MODELS=($(jq -r '.runs[].model' models.json))", ("a:1b", "b:2b")),
    ("mapfile -t MODELS <<'EOF'\nx:1\ny:2\nEOF", ("x:1", "y:2")),
])
def test_arrays_filled_from_data_are_matrices(tmp_path: Path, fill: str, expected: tuple[str, ...]) -> None:
    (run,) = scan(tmp_path, f'{fill}\nfor m in "${{MODELS[@]}}"; do\n{SED}done\n')
    assert run.matrix_values == expected and run.unresolved == ()
    if "models." in fill:
        assert any(note.startswith("array `MODELS` holds the values of") and "sha256" in note for note in run.notes)


@pytest.mark.parametrize(("loop", "expected"), [
    ("while read -r m; do\n{body}done < <(jq -r '.models[]' models.json)\n", ("llama3.2:1b", "qwen2.5:0.5b")),
    ("for m in $(jq -r '.runs[1].model' models.json); do\n{body}done\n", ("b:2b",)),
    ("for m in $(jq -r '.[\"models\"][-1]' models.json); do\n{body}done\n", ("qwen2.5:0.5b",)),
])
def test_process_substitution_and_jq_feed_loops(tmp_path: Path, loop: str, expected: tuple[str, ...]) -> None:
    (run,) = scan(tmp_path, loop.format(body=SED))
    assert run.matrix_values == expected


@pytest.mark.parametrize(("fill", "reason"), [
    ("cat models.txt | mapfile -t MODELS", None),  # a subshell: the array stays empty, the loop never runs
    ("mapfile -t MODELS < \"$LIST\"", "named only at run time"),
    ("mapfile -d , -t MODELS < models.txt", "`mapfile -d` is not modelled"),
    ("MODELS=($(jq -r '.models | map(.)' models.json))", "more than a path"),
    ("MODELS=($(jq '.runs[]' models.json))", "over several lines"),
])
def test_arrays_that_cannot_be_read_say_why(tmp_path: Path, fill: str, reason: str | None) -> None:
    runs = scan(tmp_path, f'{fill}\nfor m in "${{MODELS[@]}}"; do\n{SED}done\n')
    if reason is None:
        assert runs == [] or all(r.matrix_values == () for r in runs)
        return
    (run,) = runs
    assert any(reason in u.what for u in run.unresolved), run.unresolved


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
@pytest.mark.parametrize("path", [".models[]", ".runs[].model", ".runs[0]", ".runs[-1].t", ".", ".missing", ".missing.deeper",
                                  ".runs[].t", ".models[5]", '.["runs"][1]["model"]'])
def test_paths_match_real_jq(tmp_path: Path, path: str) -> None:
    source = tmp_path / "doc.json"
    source.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    done = subprocess.run(["jq", "-c", path, str(source)], capture_output=True, text=True)
    expected = [json.loads(line) for line in done.stdout.splitlines()]
    steps = parse_path(path)
    assert steps is not None and evaluate(steps, DOCUMENT) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=".[]\"ab01-| ", max_size=14),
       st.recursive(st.none() | st.integers() | st.text(max_size=3),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b"]), inner),
                    max_leaves=8))
def test_jq_paths_never_crash(expression: str, document: object) -> None:
    steps = parse_path(expression)
    if steps is not None:
        evaluate(steps, document)


def test_associative_arrays_map_keys_to_values_per_cell(tmp_path: Path) -> None:
    body = ('declare -A TEMPS=([a:1b]=0.2 ["b:2b"]="0.7")\nTEMPS[c:3b]=0.9\nfor m in "${!TEMPS[@]}"; do\n'
            '  sed -i "s/^model = .*/model = \\"$m\\"/; s/^temperature = .*/temperature = ${TEMPS[$m]}/" .aipack/config.toml\n'
            '  aip run eval -s > "out/$m-${TEMPS[$m]}.txt"\ndone\n')
    (run,) = scan(tmp_path, body)
    assert run.matrix_labels == ("a:1b-0.2", "b:2b-0.7", "c:3b-0.9") and run.unresolved == ()
    assert any("hash" in note for note in run.notes)
    (run,) = scan(tmp_path, 'declare -A T=([x]=1)\nfor v in "${T[@]}"; do aip run eval -s -i "$v"; done\n')
    assert run.inputs == ("1",)
