"""Legacy config shapes rewritten to [options], comments and layout kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from aipack_compat.migrate.upgrade_toml import UpgradeFailure, unified_diff, upgrade_config_text

CORPUS = (Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus").resolve()


def test_genai_and_runtime_become_options() -> None:
    text = "[genai]\n# required\nmodel = \"gemma2\" # local\n\n[runtime]\n# default 1\nitems_concurrency = 3\n"
    upgrade = upgrade_config_text(".devai/config.toml", text)
    assert upgrade.text == "[options]\n# required\nmodel = \"gemma2\" # local\n\n# default 1\ninput_concurrency = 3\n"
    assert upgrade.changes == ["[genai] model -> [options] model", "[runtime] items_concurrency -> [options] input_concurrency"]
    assert any(".aipack/config.toml" in advice for advice in upgrade.advice)


def test_default_options_renamed_with_its_alias_table() -> None:
    text = "[default_options]\nmodel = \"fast\" # alias\n\n[default_options.model_aliases]\nfast = \"gemma3:1b\"\n"
    upgrade = upgrade_config_text("c.toml", text)
    assert upgrade.text == "[options]\nmodel = \"fast\" # alias\n\n[options.model_aliases]\nfast = \"gemma3:1b\"\n"
    assert upgrade_config_text("c.toml", upgrade.text).changes == []


def test_current_shape_and_conflicts_left_alone() -> None:
    current = "[options]\nmodel = \"x\"\n"
    assert upgrade_config_text("c.toml", current).text == current
    both = "[options]\nmodel = \"x\"\n[default_options]\nmodel = \"y\"\n"
    upgrade = upgrade_config_text("c.toml", both)
    assert upgrade.text == both and upgrade.advice


def test_bad_toml_names_the_location() -> None:
    with pytest.raises(UpgradeFailure, match=r"c.toml:2:"):
        upgrade_config_text("c.toml", "[genai]\nmodel = \n")


def test_unified_diff_shape() -> None:
    assert unified_diff("c.toml", "a\n", "b\n").splitlines()[:3] == ["--- a/c.toml", "+++ b/c.toml", "@@ -1 +1 @@"]


def test_corpus_configs_upgrade_idempotently() -> None:
    configs = sorted(CORPUS.glob("*/.aipack/config.toml")) + sorted(CORPUS.glob("*/.devai/config.toml"))
    if not configs:
        pytest.skip("corpus not present")
    for path in configs:
        first = upgrade_config_text(str(path), path.read_text(encoding="utf-8"))
        second = upgrade_config_text(str(path), first.text)
        assert second.text == first.text and not second.changes, path
