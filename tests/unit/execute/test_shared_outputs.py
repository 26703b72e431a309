"""Several jobs or cells writing one file (`{ a; b; } > f`, `done > f`, `exec > f`, `>>`): one run collects them all."""

from __future__ import annotations

from pathlib import Path

from aipack_compat.model.job import InputSpec, JobConfig, OutputSpec

from .jobs_helper import config
from .test_per_input_outputs import NoteTaker, answer, run


def two_jobs(first: OutputSpec, second: OutputSpec, models: list[str] | None = None) -> JobConfig:
    base = config(["one"], templates=("say {{input}}\n",), models=models, retries=1)
    job = base.jobs[0]
    jobs = [job.model_copy(update={"name": "a", "output": first}),
            job.model_copy(update={"name": "b", "output": second, "inputs": InputSpec(kind="literals", values=["two"])})]
    return base.model_copy(update={"jobs": jobs})


def test_jobs_sharing_a_file_append_in_job_order_with_a_note(tmp_path: Path) -> None:
    notes = NoteTaker()
    run(two_jobs(OutputSpec(stdout_path="out/both.txt"), OutputSpec(stdout_path="out/both.txt")), tmp_path, answer,
        progress=notes)
    assert (tmp_path / "out" / "both.txt").read_text() == "[smollm2:135m] say one\n[smollm2:135m] say two\n"
    assert any("already written by this run" in note for note in notes.notes)


def test_cells_sharing_a_fixed_file_are_collected(tmp_path: Path) -> None:
    base = config(["x"], templates=("say {{input}}\n",), models=["m1:1b", "m2:1b"], retries=1)
    job = base.jobs[0].model_copy(update={"output": OutputSpec(stdout_path="out/all.txt")})
    run(base.model_copy(update={"jobs": [job]}), tmp_path, answer)
    assert (tmp_path / "out" / "all.txt").read_text() == "[m1:1b] say x\n[m2:1b] say x\n"


def test_append_keeps_what_the_file_held_and_a_plain_write_still_refuses(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "log.txt").write_text("earlier\n")
    (tmp_path / "out" / "fixed.txt").write_text("by hand\n")
    notes = NoteTaker()
    run(two_jobs(OutputSpec(stdout_path="out/log.txt", append=True), OutputSpec(stdout_path="out/fixed.txt")),
        tmp_path, answer, progress=notes)
    assert (tmp_path / "out" / "log.txt").read_text() == "earlier\n[smollm2:135m] say one\n"
    assert (tmp_path / "out" / "fixed.txt").read_text() == "by hand\n"
    assert any("fixed.txt" in note and "not written" in note for note in notes.notes)
