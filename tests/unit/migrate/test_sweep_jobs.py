"""fixtures/scripts/nested-sweep and while-read-models -> exact jobs, notes and diagnostics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


from aipack_compat.migrate.plan import JSON_NAME, MARKDOWN_NAME, REPORT_NAME, plan_migration
from aipack_compat.model.job import JobConfig

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "scripts"
SINGLE = {"single_shot": True, "verbose": False, "watch": False, "dry": None}
NO_INPUTS = {"kind": "none", "globs": [], "values": []}


def migrated(name: str) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    plan = plan_migration(str(FIXTURES / name), "json")
    JobConfig.model_validate_json(plan.files[JSON_NAME])
    return json.loads(plan.files[JSON_NAME])["jobs"], json.loads(plan.files[REPORT_NAME]), plan.files[MARKDOWN_NAME]


def shape(job: dict[str, Any], *keys: str) -> dict[str, Any]:
    cells = [(cell["label"], *(cell["options"][key] for key in keys)) for cell in job["matrix"]]
    return {"name": job["name"], "agent": job["agent"], "inputs": job["inputs"], "flags": job["flags"],
            "output": job["output"], "cells": cells}


def out(path: str | None) -> dict[str, Any]:
    return {"stdout_path": path, "stderr_path": None, "append": False, "per_input": False}


def test_nested_sweep_exact_jobs() -> None:
    jobs, _, _ = migrated("nested-sweep")
    two = [("llama3.2_1b-t0", "llama3.2:1b", 0.0), ("llama3.2_1b-t0.7", "llama3.2:1b", 0.7),
           ("qwen2.5_0.5b-t0", "qwen2.5:0.5b", 0.0), ("qwen2.5_0.5b-t0.7", "qwen2.5:0.5b", 0.7)]
    three = [(f"{short}/t{t}-p{p}", model, float(t), float(p))
             for short, model in (("llama3.2", "llama3.2:1b"), ("qwen2.5", "qwen2.5:0.5b"))
             for t in ("0", "0.7") for p in ("0.5", "0.9")]
    assert [shape(job, "model", "temperature") for job in (jobs[0], jobs[2], jobs[3])] == [
        {"name": "sweep.sh:9:eval", "agent": "flows/eval", "inputs": NO_INPUTS, "flags": SINGLE,
         "output": out("results/{cell}.txt"), "cells": two},
        {"name": "sweep.sh:31:terse", "agent": "flows/terse", "inputs": NO_INPUTS, "flags": SINGLE,
         "output": out("results/terse/{cell}.txt"), "cells": two},
        {"name": "sweep.sh:31:chatty", "agent": "flows/chatty", "inputs": NO_INPUTS, "flags": SINGLE,
         "output": out("results/chatty/{cell}.txt"), "cells": two},
    ]
    assert shape(jobs[1], "model", "temperature", "top_p") == {
        "name": "sweep.sh:20:eval", "agent": "flows/eval", "inputs": NO_INPUTS, "flags": SINGLE,
        "output": out("results/{cell}.txt"), "cells": three}
    assert jobs[0]["options"]["model"] == "gpt-4.1-mini" and jobs[0]["options"]["temperature"] == 0.2
    # the run-time temperature list: no matrix, no output file, never a guessed value
    assert shape(jobs[4]) == {"name": "sweep.sh:41:eval", "agent": "flows/eval", "inputs": NO_INPUTS, "flags": SINGLE,
                              "output": out(None), "cells": []}


def test_nested_sweep_report() -> None:
    _, report, markdown = migrated("nested-sweep")
    by_job = {entry["job"]: entry for entry in report["entries"] if entry["kind"] == "invocation"}
    (note,) = by_job["sweep.sh:9:eval"]["details"]
    assert note == ("nested loops `for model in llama3.2:1b qwen2.5:0.5b; do` (line 6) × `for temp in 0 0.7; do` (line 7) "
                    "are one job of 4 matrix cells, in the script's order (outer loop slowest); cells: llama3.2_1b-t0, "
                    "llama3.2_1b-t0.7, qwen2.5_0.5b-t0, qwen2.5_0.5b-t0.7")
    assert "× `for top_p in 0.5 0.9; do` (line 17) are one job of 8 matrix cells" in by_job["sweep.sh:20:eval"]["details"][0]
    assert [(d["code"], d["line"], d["column"]) for d in report["diagnostics"] if d["code"] in ("MIG003", "SH007")] == [
        ("MIG003", 39, 3), ("SH007", 39, 3), ("MIG003", 41, 5), ("SH007", 41, 5)]
    assert "values of loop variable `temp` (`seq 0 0.5 1` prints fractions differently with GNU seq (0.0 0.5) and BSD seq (0 0.5)) is only known at run time" in markdown
    assert report["counts"]["not-migrated"] == 0


def test_while_read_exact_jobs() -> None:
    jobs, report, markdown = migrated("while-read-models")
    models = ["llama3.2:1b", "qwen2.5:0.5b", "smollm2:135m"]
    assert [shape(job, "model") for job in jobs[:2]] == [
        {"name": "eval.sh:10:eval", "agent": "flows/eval", "inputs": NO_INPUTS, "flags": SINGLE,
         "output": out("out/{cell}.txt"), "cells": [(m, m) for m in models]},
        {"name": "eval.sh:18:eval", "agent": "flows/eval", "inputs": NO_INPUTS, "flags": SINGLE,
         "output": out("out/tags/{cell}.txt"), "cells": [(m.replace(":", "_"), m) for m in models]},
    ]
    assert shape(jobs[2], "model", "temperature") == {
        "name": "eval.sh:26:eval", "agent": "flows/eval", "inputs": NO_INPUTS, "flags": SINGLE,
        "output": out("out/sweep/{cell}.txt"),
        "cells": [(f"{m}@{t}", m, float(t)) for m in ("smollm2:135m", "qwen2.5:0.5b") for t in ("0", "0.7")]}
    assert shape(jobs[3]) == {"name": "eval.sh:37:eval", "agent": "flows/eval", "inputs": NO_INPUTS, "flags": SINGLE,
                              "output": out(None), "cells": []}
    by_job = {entry["job"]: entry for entry in report["entries"] if entry["kind"] == "invocation"}
    (note,) = by_job["eval.sh:10:eval"]["details"]
    assert note.startswith("`while IFS= read -r model; do` reads models.txt: models.txt was read at migrate time "
                           "(sha256 ")
    assert note.endswith("and its 3 value(s) (llama3.2:1b, qwen2.5:0.5b, smollm2:135m) are frozen into the job; "
                         "migrate again when models.txt changes; 3 of 6 line(s) skipped by `[ -z \"$model\" ] && continue`; "
                         "`[[ $model == \\#* ]] && continue`")
    assert "reads models.txt through `grep -v '^#' models.txt`" in by_job["eval.sh:18:eval"]["details"][0]
    assert by_job["eval.sh:26:eval"]["details"][0] == \
        "`while read -r model; do` reads its here-doc: 2 value(s) (smollm2:135m, qwen2.5:0.5b)"
    assert [(d["code"], d["line"], d["column"]) for d in report["diagnostics"] if d["code"] in ("MIG003", "SH007")][:2] == [
        ("MIG003", 35, 1), ("SH007", 35, 1)]
    assert "values of loop variable `model` (read from a file named only at run time)" in markdown


def test_reading_the_list_twice_gives_identical_files() -> None:
    first = plan_migration(str(FIXTURES / "while-read-models"), "json").files
    assert plan_migration(str(FIXTURES / "while-read-models"), "json").files == first
