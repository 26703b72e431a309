"""Configs written from templates (`sed S tmpl > cfg`, `envsubst < tmpl > cfg`) become per-cell options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aipack_compat.cli import main
from aipack_compat.load.scripts.scan import scan_script_text

LOOP = 'for m in llama3.2:1b qwen2.5:0.5b; do\n  {write}\n  aip run eval -s -f "p/*.md" > "out/$m.txt"\ndone\n'


def workspace(tmp_path: Path, write: str) -> Path:
    root = tmp_path / "ws"
    (root / ".aipack").mkdir(parents=True)
    (root / ".aipack" / "config.toml").write_text('[options]\nmodel = "base:1b"\n', encoding="utf-8")
    (root / "eval.aip").write_text("# Instruction\n\n{{input.content}}\n", encoding="utf-8")
    (root / "config.template").write_text('[options]\nmodel = "MODEL_NAME"\ntemperature = 0.2\n', encoding="utf-8")
    (root / "config.tmpl").write_text('[options]\nmodel = "${MODEL}"\ntop_p = 0.9\n# $HOME stays: not listed\n',
                                      encoding="utf-8")
    (root / "run.sh").write_text("#!/bin/bash\n" + LOOP.format(write=write), encoding="utf-8")
    return root


@pytest.mark.parametrize(("write", "extra"), [
    ('sed "s/MODEL_NAME/$m/" config.template > .aipack/config.toml', {"temperature": 0.2}),
    ('cat config.template | sed -e "s/MODEL_NAME/$m/" > .aipack/config.toml', {"temperature": 0.2}),
    ('sed "s/MODEL_NAME/$m/" < config.template > .aipack/config.toml', {"temperature": 0.2}),
    ('MODEL=$m envsubst < config.tmpl > .aipack/config.toml', {"top_p": 0.9}),
    ("export MODEL=$m; envsubst '$MODEL' < config.tmpl > .aipack/config.toml", {"top_p": 0.9}),
    ('cat config.tmpl | MODEL="$m" envsubst > .aipack/config.toml', {"top_p": 0.9}),
])
def test_template_writes_become_matrix_cells(tmp_path: Path, write: str, extra: dict[str, float]) -> None:
    root = workspace(tmp_path, write)
    out = tmp_path / "out"
    assert main(["migrate", str(root), "--out", str(out)]) == 0
    (job,) = json.loads((out / "aipack-compat.json").read_text(encoding="utf-8"))["jobs"]
    cells = {cell["label"]: {k: v for k, v in cell["options"].items() if v not in (None, {})} for cell in job["matrix"]}
    job_model = job["options"]["model"]
    assert {label: options.get("model", job_model) for label, options in cells.items()} == \
        {"llama3.2:1b": "llama3.2:1b", "qwen2.5:0.5b": "qwen2.5:0.5b"}
    for options in cells.values():
        for key, value in extra.items():
            assert options.get(key, job["options"][key]) == value


def test_envsubst_leaves_unlisted_and_renders_unset_as_empty(tmp_path: Path) -> None:
    root = workspace(tmp_path, "MODEL=$m envsubst '$MODEL' < config.tmpl > .aipack/config.toml")
    (run,) = scan_script_text(str(root / "run.sh"), (root / "run.sh").read_text(encoding="utf-8"), str(root)).invocations
    (rewrite,) = run.cell_rewrites[0] if run.cell_rewrites else run.config_rewrites
    assert rewrite.kind == "heredoc" and "$HOME stays" in (rewrite.content or "")
    root = workspace(tmp_path / "b", "envsubst < config.tmpl > .aipack/config.toml")
    (run,) = scan_script_text(str(root / "run.sh"), (root / "run.sh").read_text(encoding="utf-8"), str(root)).invocations
    (rewrite,) = run.config_rewrites
    assert 'model = ""' in (rewrite.content or "")  # MODEL unset: envsubst writes nothing for it


@pytest.mark.parametrize("write", [
    'sed "s/X/$m/" "$TEMPLATE" > .aipack/config.toml',
    'sed "s/X/$m/" a.tmpl b.tmpl > .aipack/config.toml',
    'MODEL=$(pick-model) envsubst < config.tmpl > .aipack/config.toml',
    'envsubst < "$TMPL" > .aipack/config.toml',
])
def test_templates_only_known_at_run_time_are_reported(tmp_path: Path, write: str) -> None:
    root = workspace(tmp_path, write)
    out = tmp_path / "out"
    main(["migrate", str(root), "--out", str(out)])
    assert "config rewrite at line 3 not migrated: the new content is only known at run time" in \
        (out / "MIGRATION.md").read_text(encoding="utf-8")
