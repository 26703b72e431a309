"""Make's text functions and pattern rules, checked against GNU make where it is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from aipack_compat.load.scripts.make.makefile import expand
from aipack_compat.load.scripts.scan import scan_script_text

VARIABLES: dict[str, str | None] = {"MODELS": "llama3.2:1b qwen2.5:0.5b", "FILES": "a/b.md c/d.txt e", "X": "eval"}
EXPRESSIONS = [
    "$(addprefix eval-,$(MODELS))", "$(addsuffix .txt,$(MODELS))", "$(patsubst %.md,%.out,$(FILES))",
    "$(subst :,_,$(MODELS))", "$(foreach m,$(MODELS),run-$(m))", "$(filter %.md %.txt,$(FILES))",
    "$(filter-out e,$(FILES))", "$(words $(MODELS))", "$(word 2,$(MODELS))", "$(firstword $(MODELS))",
    "$(lastword $(FILES))", "$(notdir $(FILES))", "$(dir $(FILES))", "$(basename $(FILES))", "$(suffix $(FILES))",
    "$(sort b a c a)", "$(strip   a   b  )", "$(patsubst eval-%,%,eval-x eval-y z)",
]


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_text_functions_match_gnu_make(tmp_path: Path, expression: str) -> None:
    makefile = tmp_path / "Makefile"
    makefile.write_text("".join(f"{k} := {v}\n" for k, v in VARIABLES.items()) + f"$(info {expression})\nall: ;@:\n")
    made = subprocess.run(["make", "-s", "-f", str(makefile)], capture_output=True, text=True, cwd=tmp_path)
    assert expand(expression, dict(VARIABLES), "", []) == made.stdout.rstrip("\n")


def test_unknown_functions_stay_unknown() -> None:
    assert "__aipack_make_dynamic" in expand("$(shell ollama list)", {}, "", [])
    assert "__aipack_make_dynamic" in expand("$(call f,x)", {}, "", [])
    assert expand("$(wildcard prompts/*.md)", {}, "", []) == "prompts/*.md"  # the shell globs it in the recipe


def test_pattern_rules_run_once_per_wanted_target(tmp_path: Path) -> None:
    (tmp_path / ".aipack").mkdir()
    text = ("MODELS := llama3.2:1b qwen2.5:0.5b\nall: $(addprefix eval-,$(MODELS)) other\n\neval-%:\n"
            '\tsed -i "s/^model = .*/model = \\"$*\\"/" .aipack/config.toml\n'
            "\taip run eval -s -f 'prompts/*.md' > results/$*.txt\n\nlonely-%:\n\taip run x -s > $@.txt\n")
    (tmp_path / "Makefile").write_text(text)
    runs = scan_script_text(str(tmp_path / "Makefile"), text, str(tmp_path)).invocations
    assert [(r.stdout_path, r.config_rewrites[-1].sed_script if r.config_rewrites else None) for r in runs[:2]] == [
        ("results/llama3.2:1b.txt", 's/^model = .*/model = "llama3.2:1b"/'),
        ("results/qwen2.5:0.5b.txt", 's/^model = .*/model = "qwen2.5:0.5b"/')]
    assert runs[2].agent_ref == "x" and runs[2].stdout_path == "lonely-%.txt"  # nothing asks for it: as written
