"""`ls`/`find` listings, `for x in $(…)`, `xargs` and `find -exec`: folded into jobs or reported with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.load.scripts.scan import scan_script_text
from aipack_compat.load.scripts.shell.loops.file_listings import listing_of
from aipack_compat.model.invocation import Invocation

OUT = '> "out/$(basename "$f" .md).txt"'


def scan(tmp_path: Path, body: str, models: str = "# models\nllama3.2:1b\nqwen2.5:0.5b\n") -> list[Invocation]:
    (tmp_path / ".aipack").mkdir(exist_ok=True)
    (tmp_path / "prompts" / "sub").mkdir(parents=True, exist_ok=True)
    for name in ("prompts/a.md", "prompts/sub/b.md"):
        (tmp_path / name).write_text("q\n", encoding="utf-8")
    (tmp_path / "models.txt").write_text(models, encoding="utf-8")
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/bash\n" + body, encoding="utf-8")
    return list(scan_script_text(str(script), script.read_text(encoding="utf-8"), str(tmp_path)).invocations)


def scan_one(tmp_path: Path, body: str) -> Invocation:
    (invocation,) = scan(tmp_path, body)
    return invocation


@pytest.mark.parametrize(("body", "globs", "stdout"), [
    (f"for f in $(find prompts -name '*.md'); do aip run eval -s -f \"$f\" {OUT}; done\n",
     ("prompts/**/*.md",), "out/{input_stem}.txt"),
    (f"find prompts -type f -name '*.md' | while read -r f; do\n  aip run eval -s -f \"$f\" {OUT}\ndone\n",
     ("prompts/**/*.md",), "out/{input_stem}.txt"),
    (f"for f in `ls -1 prompts/*.md`; do aip run eval -s -f \"$f\" {OUT}; done\n", ("prompts/*.md",), "out/{input_stem}.txt"),
    (f"ls prompts/*.md | while IFS= read -r f; do aip run eval -s -f \"$f\" {OUT}; done\n",
     ("prompts/*.md",), "out/{input_stem}.txt"),
    ("find prompts -name '*.md' | xargs -I{} aip run eval -s -f {}\n", ("prompts/**/*.md",), None),
    ("find prompts -name '*.md' | xargs -I % aip run eval -s -f %\n", ("prompts/**/*.md",), None),
    ("find prompts -name '*.md' -exec aip run eval -s -f {} \\;\n", ("prompts/**/*.md",), None),
    ("find prompts -maxdepth 1 -name '*.md' | xargs -n1 aip run eval -s -f\n", ("prompts/*.md",), None),
    ("find prompts/ -maxdepth 2 -type f -name '*.md' | xargs -L 1 aip run eval -s -f\n",
     ("prompts/*.md", "prompts/*/*.md"), None),
    ("for f in $(find . -type f -name '*.md' -not -path '*/.*'); do aip run eval -s -f \"$f\"; done\n",
     ("./**/*.md",), None),
])
def test_listings_become_the_globs_they_list(tmp_path: Path, body: str, globs: tuple[str, ...], stdout: str | None) -> None:
    run = scan_one(tmp_path, body)
    assert run.file_globs == globs
    assert run.stdout_path == stdout
    assert run.unresolved == ()
    assert any("lists the files of" in note and "when it runs" in note for note in run.notes)
    assert not any("globstar" in note for note in run.notes)


@pytest.mark.parametrize(("body", "reason"), [
    ("ls prompts | while read -r f; do aip run eval -s -f \"$f\"; done\n", "without the directory"),
    ("for f in $(find prompts -iname '*.md'); do aip run eval -s -f \"$f\"; done\n", "-iname"),
    ("find prompts -name '*.md' | sort | while read -r f; do aip run eval -s -f \"$f\"; done\n", "go through `sort`"),
    ("ls prompts/*.md | xargs aip run eval -s -f\n", "several items to one command line"),
    ("find prompts -name '*.md' -exec aip run eval -s -f {} +\n", "several items to one command line"),
    ("xargs -I{} aip run eval -s -f {}\n", "the script's own stdin"),
    ("find prompts -name '*.md' -print0 | xargs -0 -I{} aip run eval -s -f {}\n", "`xargs -0` is not modelled"),
    ("ls prompts/*.md | while read -r f; do\n  [[ $f == *draft* ]] && continue\n  aip run eval -s -f \"$f\"\ndone\n",
     "which a glob cannot carry"),
    ("for f in $(ls -l prompts/*.md); do aip run eval -s -f \"$f\"; done\n", "more than the file names"),
    ("find prompts -name '*.md' -execdir aip run eval -s -f {} \\;\n", "directory"),
])
def test_listings_that_cannot_be_globs_say_why(tmp_path: Path, body: str, reason: str) -> None:
    run = scan_one(tmp_path, body)
    assert run.file_globs == ()
    assert any(reason in unresolved.what for unresolved in run.unresolved), run.unresolved


def test_find_reports_hidden_files_the_glob_leaves_out(tmp_path: Path) -> None:
    (tmp_path / "prompts" / ".drafts").mkdir(parents=True)
    (tmp_path / "prompts" / ".drafts" / "c.md").write_text("x\n", encoding="utf-8")
    run = scan_one(tmp_path, "for f in $(find prompts -name '*.md'); do aip run eval -s -f \"$f\"; done\n")
    assert run.file_globs == ("prompts/**/*.md",)
    (note,) = [n for n in run.notes if "also lists" in n]
    assert "prompts/.drafts/c.md" in note and "1 path(s)" in note


@pytest.mark.parametrize("words", [
    "$(cat models.txt | grep -v '^#')",
    "$(grep -v '^#' models.txt)",
    "`grep -v '^#' models.txt`",
])
def test_for_over_a_list_file_is_a_matrix(tmp_path: Path, words: str) -> None:
    run = scan_one(tmp_path, f'for m in {words}; do\n  sed -i "s/^model = .*/model = \\"$m\\"/" .aipack/config.toml\n'
                             '  aip run eval -s > "out/$m.txt"\ndone\n')
    assert run.matrix_values == ("llama3.2:1b", "qwen2.5:0.5b")
    assert run.stdout_path == "out/{cell}.txt" and run.unresolved == ()
    (note,) = [n for n in run.notes if "read at migrate time" in n]
    assert "models.txt" in note and "sha256" in note


def test_for_over_cat_splits_words_and_refuses_globs(tmp_path: Path) -> None:
    runs = scan(tmp_path, 'for m in $(cat models.txt); do aip run eval -s -i "$m"; done\n')
    # `# models` is two words in `$(cat …)`: the shell walked them too
    assert [r.inputs for r in runs] == [("#",), ("models",), ("llama3.2:1b",), ("qwen2.5:0.5b",)]
    (run,) = scan(tmp_path, 'for m in $(cat models.txt); do aip run eval -s -i "$m"; done\n', models="phi*\n")
    assert any("glob characters" in u.what for u in run.unresolved)


def test_listing_of_reads_find_and_ls() -> None:
    assert listing_of(["find", "a", "b", "-type", "f"], None, "find a b").globs == ["a/**/*", "b/**/*"]
    assert listing_of(["find", "-L", ".", "-name", "*.txt", "-print"], None, "find").globs == ["./**/*.txt"]
    assert listing_of(["ls", "-d", "prompts"], None, "ls -d prompts").globs == ["prompts"]
    assert listing_of(["cat", "x"], None, "cat x") is None
    for argv in (["find", "a", "-o"], ["find", "a", "-newer", "x"], ["find", "a*"], ["find", "a", "-maxdepth", "0"],
                 ["ls"], ["ls", "--format=long", "x"], ["find", "a", "-mindepth", "2"]):
        listing = listing_of(argv, None, " ".join(argv))
        assert listing is not None and listing.globs is None and listing.problem


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12),
                          st.sampled_from(["-name", "-type", "f", "-maxdepth", "2", "-not", "!", "-path", "*/.*",
                                           "-exec", ";", "+", "{}", "-1", "-d", "*.md"])), max_size=10),
       st.sampled_from(["ls", "find"]))
def test_listing_of_never_crashes(args: list[str | None], head: str) -> None:
    listing = listing_of([head, *args], None, head)
    assert listing is not None and (listing.globs is None) == (listing.problem is not None)
