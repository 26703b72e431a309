"""check_config_text / check_options_table: aip's reading of one config file, per era (spec §1, §6 cases)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.check.config import check_config_text
from aipack_compat.load.options_table import check_agent_options_toml, check_options_table
from aipack_compat.load.toml_spans import parse_toml
from aipack_compat.rules import all_rules

CORPUS = (Path(__file__).parents[3] / "../shared/corpus").resolve()


def codes(result_or_list: object) -> list[str]:
    diagnostics = getattr(result_or_list, "diagnostics", result_or_list)
    return [d.code for d in diagnostics]  # type: ignore[attr-defined]


def only(result: object, code: str) -> object:
    found = [d for d in result.diagnostics if d.code == code]  # type: ignore[attr-defined]
    assert len(found) == 1, found
    return found[0]


def test_case01_hyphenated_default_options_is_fatal_even_next_to_options() -> None:
    text = '[options]\nmodel = "a"\n\n[default-options]\nmodel = "b"\n'
    result = check_config_text("w/.aipack/config.toml", text, "workspace")
    diag = only(result, "CFG005")
    assert diag.message == "Config [default-options] is invalid. Use [options] (with _ and not -)"
    assert (diag.line, diag.column) == (4, 1)
    assert result.fatal and result.options == {}
    assert result.options_for_version("0.5.9") == {}  # ≤0.5.9: an ignored unknown table; nothing legacy here either
    legacy = check_config_text("c.toml", '[default-options]\nmodel = "b"\n[genai]\nmodel = "g"\n', "workspace")
    assert legacy.options_for_version("0.5.9") == {"model": "g"}
    assert legacy.options_for_version("0.5.10") == {}


def test_case02_options_shadow_default_options_entirely() -> None:
    text = '[options]\nmodel = "a"\n[default_options]\ntemperature = 0.5\nmodel = "b"\n'
    result = check_config_text("c.toml", text, "workspace")
    assert result.options == {"model": "a"}
    assert only(result, "CFG006").line == 3
    assert result.options_for_version("0.7.9") == {"temperature": 0.5, "model": "b"}  # [options] unknown before 0.7.10


def test_case03_top_level_model_is_ignored() -> None:
    result = check_config_text("c.toml", 'model = "gpt-5"\n', "workspace")
    assert result.options == {}
    assert (only(result, "CFG008").line, result.era) == (1, "none")


def test_case04_top_level_model_aliases_table_is_ignored() -> None:
    result = check_config_text("c.toml", '[options]\nmodel = "a"\n[model_aliases]\na = "b"\n', "workspace")
    assert result.options == {"model": "a"}
    diag = only(result, "CFG008")
    assert diag.line == 3 and "[options.model_aliases]" in (diag.hint or "")


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.5.0", {"model": "gemma2", "temperature": 0.7, "input_concurrency": 3}),
        ("0.5.9", {"model": "gemma2", "temperature": 0.7, "input_concurrency": 3}),
        ("0.6.0", {"model": "gemma2", "temperature": 0.7, "input_concurrency": 3}),  # fallback + WARNING
        ("0.7.10", {}),
        ("0.8.37", {}),
    ],
)
def test_case05_legacy_genai_runtime_readings_by_version(version: str, expected: dict[str, object]) -> None:
    text = '[genai]\nmodel = "gemma2"\ntemperature = 0.7\n[runtime]\ninput_concurrency = 3\n'
    result = check_config_text("w/.devai/config.toml", text, "workspace")
    assert result.era == "devai-0.5"
    assert result.options_for_version(version) == expected
    assert codes(result).count("CFG007") == 2
    assert 'model = "gemma2"' in (result.diagnostics[0].hint or "")


def test_case05_legacy_fallback_is_skipped_when_default_options_exists() -> None:
    text = '[default_options]\ntemperature = 1\n[genai]\nmodel = "gemma2"\n'
    result = check_config_text("c.toml", text, "workspace")
    assert result.options_for_version("0.6.0") == {"temperature": 1.0}


@pytest.mark.parametrize("text", ["", "# only a comment\n", '[genai]\nmodel = "x"\n'])
def test_case06_files_without_default_options_print_the_legacy_warning_in_0_5_10_to_0_7_9(text: str) -> None:
    result = check_config_text("c.toml", text, "workspace")
    assert result.prints_legacy_warning("0.5.10") and result.prints_legacy_warning("0.7.9")
    assert not result.prints_legacy_warning("0.5.9") and not result.prints_legacy_warning("0.7.10")
    assert not check_config_text("c.toml", "[default_options]\n", "workspace").prints_legacy_warning("0.6.0")


def test_case07_items_concurrency_is_read_only_by_devai_0_1() -> None:
    text = '[genai]\nmodel = "gemma2"\n\n[runtime]\nitems_concurrency = 4\n'
    result = check_config_text("w/.devai/config.toml", text, "workspace")
    assert result.era == "devai-0.1"
    assert result.options_for_version("0.1.0") == {"model": "gemma2", "input_concurrency": 4}
    assert result.options_for_version("0.5.0") == {"model": "gemma2"}
    items = [d for d in result.diagnostics if "items_concurrency" in d.message]
    assert len(items) == 1 and items[0].line == 5 and "0.5.0" in items[0].message


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [("input-concurrency", "input_concurrency"), ("temprature", "temperature"), ("Model", "model"),
     ("max_tokens", None), ("items_concurrency", "input_concurrency")],
)
def test_case08_unknown_option_keys_warn_with_did_you_mean(key: str, suggestion: str | None) -> None:
    result = check_config_text("c.toml", f'[options]\nmodel = "m"\n{key} = 1\n', "workspace")
    diag = only(result, "CFG004")
    assert (diag.line, diag.column, diag.severity.label) == (3, 1, "warning")
    assert result.options == {"model": "m"} and not result.fatal
    if suggestion:
        assert f"`{suggestion}`" in (diag.hint or "")
    else:
        assert "known options" in (diag.hint or "")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("input_concurrency = 2.0", "floating point `2.0`, expected usize"),
        ('input_concurrency = "4"', 'string "4", expected usize'),
        ("input_concurrency = -1", "invalid value: integer `-1`, expected usize"),
        ("input_concurrency = true", "boolean `true`, expected usize"),
        ("model = 1", "integer `1`, expected a string"),
        ('temperature = "hot"', 'string "hot", expected f64'),
        ("allow_run_on_task_fail = 1", "integer `1`, expected a boolean"),
        ("model_aliases = 3", "integer `3`, expected a map"),
        ("model_aliases = { a = 1 }", "integer `1`, expected a string"),
    ],
)
def test_case09_wrong_types_are_fatal_and_located_at_the_value(line: str, expected: str) -> None:
    result = check_config_text("c.toml", f"[options]\n{line}\n", "workspace")
    diag = only(result, "CFG003")
    assert expected in diag.message and diag.line == 2 and diag.column > 1
    assert result.fatal


def test_case09_integer_temperature_is_accepted_as_float() -> None:
    result = check_config_text("c.toml", "[options]\ntemperature = 0\ntop_p = 1\n", "workspace")
    assert result.options == {"temperature": 0.0, "top_p": 1.0}
    assert isinstance(result.options["temperature"], float) and result.diagnostics == ()


def test_case09_agent_options_block_is_located_in_the_agent_file() -> None:
    block = check_agent_options_toml("a.aip", 'model = "m"\ninput_concurrency = 2.5\n', first_line=7)
    options, diagnostics = block.values, block.diagnostics
    assert options == {"model": "m"}
    assert [(d.code, d.line) for d in diagnostics] == [("CFG003", 8)]


def test_case10_toml_syntax_error_is_located() -> None:
    result = check_config_text("c.toml", '[options]\nmodel = "gpt-5\n', "workspace")
    diag = only(result, "CFG001")
    assert (diag.line, diag.column, result.era, result.fatal) == (2, 15, "unparsable", True)


def test_duplicate_keys_point_at_both_definitions() -> None:
    result = check_config_text("c.toml", '[options]\nmodel = "a"\nmodel = "b"\n', "workspace")
    diag = only(result, "CFG002")
    assert diag.line == 3 and "first at line 2" in diag.message
    assert "CFG001" not in codes(result)
    block = check_agent_options_toml("a.aip", 'model = "a"\nmodel = "b"\n', first_line=3)
    options, diagnostics = block.values, block.diagnostics
    assert options == {} and [(d.code, d.line) for d in diagnostics] == [("CFG002", 4)]


def test_case12_edited_config_default_and_deprecated_base_config() -> None:
    shipped = '# >>> DO NOT EDIT THIS FILE <<<\n[options]\nmodel = "gpt-5.6-luna"\ninput_concurrency = 2\n'
    assert "CFG016" not in codes(check_config_text("b/config-default.toml", shipped, "default"))
    edited = shipped.replace("gpt-5.6-luna", "llama3.2")
    diag = only(check_config_text("b/config-default.toml", edited, "default"), "CFG016")
    assert diag.line == 3 and "config-user.toml" in (diag.hint or "")
    no_header = only(check_config_text("b/config-default.toml", '[options]\nmodel = "gpt-5.4"\n', "default"), "CFG016")
    assert "DO NOT EDIT" in no_header.message
    legacy_base = check_config_text("b/config.toml", '[options]\nmodel = "x"\n', "base-legacy")
    assert "config-deprecated.toml" in only(legacy_base, "CFG015").message


def test_case15_zero_concurrency_is_info_and_absurd_values_warn() -> None:
    result = check_config_text(
        "c.toml", "[options]\ninput_concurrency = 0\ntemperature = 3.5\ntop_p = 1.5\n", "workspace")
    assert [(d.code, d.severity.label, d.line) for d in result.diagnostics] == [
        ("CFG013", "info", 2), ("CFG014", "warning", 3), ("CFG014", "warning", 4)]
    assert result.options["input_concurrency"] == 0
    assert codes(check_config_text("c.toml", "[options]\ninput_concurrency = 500\n", "workspace")) == ["CFG014"]


def test_unknown_top_level_table_suggests_options_and_default_options_is_soft_deprecated() -> None:
    result = check_config_text("c.toml", '[option]\nmodel = "x"\n', "workspace")
    assert "[options]" in (only(result, "CFG009").hint or "")
    assert only(check_config_text("c.toml", '[default_options]\nmodel = "x"\n', "workspace"), "CFG021").line == 1


def test_options_that_is_not_a_table_is_a_type_error() -> None:
    result = check_config_text("c.toml", 'options = "gpt-5"\n', "workspace")
    assert "expected struct AgentOptions" in only(result, "CFG003").message


def test_check_options_table_uses_the_given_prefix_and_label() -> None:
    document = parse_toml('\n[x]\nmodel = 3\nnope = 1\n')
    values, diagnostics = check_options_table("f", document.data["x"], document.spans, "[x]", prefix=("x",))
    assert values == {}
    assert [(d.code, d.line) for d in diagnostics] == [("CFG003", 3), ("CFG004", 4)]
    assert "[x]" in diagnostics[0].message


def test_every_emitted_code_is_a_registered_cfg_rule() -> None:
    registry = all_rules()
    text = ('model = 1\n[x]\n[default-options]\n[options]\nmodel = 2\nfoo = 1\ninput_concurrency = 0\n'
            '[default_options]\n[genai]\n[runtime]\nitems_concurrency = 1\n[model_aliases]\n')
    for diag in check_config_text("b/config.toml", text, "base-legacy").diagnostics:
        assert diag.code in registry and diag.code.startswith("CFG")


CORPUS_CONFIGS = sorted(CORPUS.glob("*/.aipack/config.toml")) + sorted(CORPUS.glob("*/.devai/config.toml"))


@pytest.mark.skipif(not CORPUS_CONFIGS, reason="corpus not available")
@pytest.mark.parametrize("path", CORPUS_CONFIGS, ids=lambda p: p.parent.parent.name)
def test_corpus_configs_have_no_errors(path: Path) -> None:
    result = check_config_text(str(path), path.read_text(encoding="utf-8"), "workspace")
    assert not result.fatal
    assert all(d.severity.label != "error" for d in result.diagnostics)
    assert result.era in ("options", "default_options", "devai-0.1", "devai-0.5")


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(["[options]\n", "[default_options]\n", "[default-options]\n", "[genai]\n",
                              "[runtime]\n", "[options.model_aliases]\n", "model = ", "input_concurrency = ",
                              "model_aliases = ", "temperature = ", "items_concurrency = ", '"x"', "1", "-1",
                              "2.0", "true", "{ a = 1 }", "[1]", "\n", "=", "[", "#"]), max_size=40).map("".join),
))
def test_property_check_config_text_never_raises(text: str) -> None:
    for layer in ("default", "user", "base-legacy", "workspace"):
        result = check_config_text("c.toml", text, layer)
        assert isinstance(result.options, dict)
        for version in ("0.1.0", "0.5.0", "0.6.0", "0.8.37"):
            result.options_for_version(version)
