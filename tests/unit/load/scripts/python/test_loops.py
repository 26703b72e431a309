"""Python driver loops: globs stay globs (per-file runs fold into one job), list files are read as data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.load.scripts.scan import scan_script_text
from aipack_compat.model.invocation import Invocation

HEADER = "import glob, json, os, subprocess\nfrom pathlib import Path\nCONFIG = Path('.aipack/config.toml')\n"


def scan(tmp_path: Path, body: str) -> list[Invocation]:
    (tmp_path / ".aipack").mkdir(exist_ok=True)
    (tmp_path / "models.txt").write_text("llama3.2:1b\nqwen2.5:0.5b\n", encoding="utf-8")
    (tmp_path / "models.json").write_text(json.dumps({"eval": {"models": ["a:1b", "b:2b"]}}), encoding="utf-8")
    script = tmp_path / "drive.py"
    script.write_text(HEADER + body, encoding="utf-8")
    return list(scan_script_text(str(script), script.read_text(encoding="utf-8"), str(tmp_path)).invocations)


RUN_F = '    with open({out}, "w") as out:\n        subprocess.run(["aip", "run", "eval", "-s", "-f", {arg}], stdout=out)\n'


@pytest.mark.parametrize(("loop", "out", "arg", "globs", "stdout"), [
    ('for f in sorted(glob.glob("prompts/*.md")):', 'f"results/{Path(f).stem}.txt"', "f", ("prompts/*.md",),
     "results/{input_stem}.txt"),
    ('for f in glob.glob("prompts/**/*.md", recursive=True):', 'os.path.join("results", os.path.basename(f))', "f",
     ("prompts/**/*.md",), "results/{input_name}"),
    ('for f in glob.glob("prompts/**/*.md"):', 'f"r/{os.path.splitext(os.path.basename(f))[0]}.txt"', "f",
     ("prompts/*/*.md",), "r/{input_stem}.txt"),
    ('for f in Path("prompts").glob("*.md"):', 'f"results/{f.name}"', "str(f)", ("prompts/*.md",), "results/{input_name}"),
    ('for f in Path("prompts").rglob("*.md"):', 'f"results/{f.stem}.out"', "str(f)", ("prompts/**/*.md",),
     "results/{input_stem}.out"),
])
def test_glob_loops_fold_into_one_job(tmp_path: Path, loop: str, out: str, arg: str, globs: tuple[str, ...],
                                      stdout: str) -> None:
    (run,) = scan(tmp_path, loop + "\n" + RUN_F.format(out=out, arg=arg))
    assert run.file_globs == globs and run.stdout_path == stdout and run.unresolved == ()
    assert not any("globstar" in note for note in run.notes)


@pytest.mark.parametrize(("loop", "expected"), [
    ('for model in Path("models.txt").read_text().split():', ("llama3.2:1b", "qwen2.5:0.5b")),
    ('for model in open("models.txt").read().splitlines():', ("llama3.2:1b", "qwen2.5:0.5b")),
    ('for model in json.load(open("models.json"))["eval"]["models"]:', ("a:1b", "b:2b")),
    ('for model in json.loads(Path("models.json").read_text())["eval"]["models"]:', ("a:1b", "b:2b")),
])
def test_list_files_become_matrices(tmp_path: Path, loop: str, expected: tuple[str, ...]) -> None:
    body = (loop + "\n    CONFIG.write_text(f'[options]\\nmodel = \"{model}\"\\n')\n"
            '    subprocess.run(["aip", "run", "eval", "-s", "-i", "hi"], stdout=open(f"out/{model}.txt", "w"))\n')
    (run,) = scan(tmp_path, body)
    assert run.matrix_values == expected and run.stdout_path == "out/{cell}.txt"
    assert any("read at migrate time (sha256" in note for note in run.notes)


@pytest.mark.parametrize(("loop", "reason"), [
    ('for f in os.listdir("prompts"):', "names without their directory"),
    ('for f in glob.glob(PATTERN):', "only known at run time"),
    ('for model in json.load(open("models.json"))["missing"]:', "has no"),
    ('for model in Path("nope.txt").read_text().split():', "does not exist"),
])
def test_unknown_python_lists_say_why(tmp_path: Path, loop: str, reason: str) -> None:
    (run,) = scan(tmp_path, loop + '\n    subprocess.run(["aip", "run", "eval", "-s", "-f", f"x/{f if False else 1}", "-i", "q"])\n'
                  if "model" not in loop else loop + '\n    subprocess.run(["aip", "run", "eval", "-s", "-i", model])\n')
    if "model" in loop:
        assert any(reason in u.what for u in run.unresolved), run.unresolved


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["for f in", "glob.glob(", "Path(", ").rglob(", ").glob(", '"*.md"', '"p"', ")", ":",
                                 "\n    ", "subprocess.run([", '"aip", "run", "x", "-s", "-f", f', "])", "sorted(",
                                 "json.load(open(", '"models.json"', "))", '["k"]', ".read_text().split()", "f.stem"]),
                max_size=16))
def test_python_loop_fragments_never_crash(tmp_path_factory: pytest.TempPathFactory, parts: list[str]) -> None:
    root = tmp_path_factory.getbasetemp() / "python-fragments"
    (root / ".aipack").mkdir(parents=True, exist_ok=True)
    scan_script_text(str(root / "drive.py"), HEADER + "".join(parts) + "\n", str(root))


def test_append_mode_is_kept(tmp_path: Path) -> None:
    runs = scan(tmp_path, 'with open("all.log", "a") as log:\n    subprocess.run(["aip", "run", "e", "-s"], stdout=log)\n'
                          'subprocess.run(["aip", "run", "e", "-s"], stdout=open("one.log", mode="a"))\n'
                          'subprocess.run(["aip", "run", "e", "-s"], stdout=open("two.log", "w"))\n')
    assert [(r.stdout_path, r.append) for r in runs] == [("all.log", True), ("one.log", True), ("two.log", False)]
