"""The per-version aip facts reader (model/aip_facts.py) and the genai routing evaluator (model/aip_routing.py).

Expected values come from the extracted data files themselves (parsed here independently) or from genai's own
unit tests, which the generator copies into routing.json; the few literal expectations are the ones issue 18
states from the crates, which the extracted files confirm.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aipack_compat.model.aip_facts import extracted_versions, facts_for
from aipack_compat.model.aip_routing import openai_is_resp_model
from aipack_compat.model.versions import parse_version

DATA = resources.files("aipack_compat").joinpath("data", "aip")
VERSIONS = extracted_versions()


def _manifest(version: str) -> dict:
    return json.loads(DATA.joinpath(version, "manifest.json").read_text(encoding="utf-8"))


def test_index_lists_every_version_directory_in_order() -> None:
    directories = sorted((entry.name for entry in DATA.iterdir() if entry.is_dir()), key=parse_version)
    assert list(VERSIONS) == directories
    assert len(VERSIONS) >= 10


@pytest.mark.parametrize("version", VERSIONS)
def test_manifest_digests_match_the_files(version: str) -> None:
    manifest = _manifest(version)
    assert manifest["aip_version"] == version
    on_disk = {str(path.relative_to(Path(str(DATA.joinpath(version))))) for path in
               Path(str(DATA.joinpath(version))).rglob("*") if path.is_file()} - {"manifest.json"}
    assert on_disk == set(manifest["files"])
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(DATA.joinpath(version, *name.split("/")).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("version", VERSIONS)
def test_exact_version_uses_its_own_facts(version: str) -> None:
    facts = facts_for(version)
    assert facts is not None
    assert (facts.applied, facts.exact, facts.note) == (version, True, "")
    assert facts.genai_version == _manifest(version)["genai"]["version"]


def _gaps() -> list[tuple[str, str, str]]:
    """(older, a release number strictly between, newer) for consecutive extracted versions with a gap."""
    found = []
    for older, newer in zip(VERSIONS, VERSIONS[1:]):
        major, minor, patch = parse_version(newer)
        if patch > 0 and parse_version(older) < (major, minor, patch - 1):
            found.append((older, f"{major}.{minor}.{patch - 1}", newer))
    return found


@pytest.mark.parametrize(("older", "between", "newer"), _gaps())
def test_between_two_extracted_versions_the_older_applies(older: str, between: str, newer: str) -> None:
    facts = facts_for(between)
    assert facts is not None and facts.applied == older and not facts.exact
    assert older in facts.note and between in facts.note and newer in facts.note


def test_newer_than_newest_uses_newest_and_says_so() -> None:
    newest = VERSIONS[-1]
    major, minor, patch = parse_version(newest)
    facts = facts_for(f"{major}.{minor}.{patch + 5}")
    assert facts is not None and facts.applied == newest
    assert "newest extracted" in facts.note


def test_older_than_oldest_has_no_facts() -> None:
    assert facts_for("devai-rhai") is None
    assert facts_for("0.0.9") is None


def test_version_spellings_resolve_alike() -> None:
    newest = VERSIONS[-1]
    assert facts_for(f"v{newest}").applied == facts_for(f"aip {newest}").applied == newest  # type: ignore[union-attr]


@pytest.mark.parametrize("version", VERSIONS)
def test_shipped_default_options_agree_with_the_shipped_file(version: str) -> None:
    facts = facts_for(version)
    assert facts is not None
    manifest = _manifest(version)
    text = DATA.joinpath(version, *manifest["shipped_default_config"].split("/")).read_text(encoding="utf-8")
    assert facts.shipped_default_config() == text
    document = tomllib.loads(text)
    table = document[facts.shipped_options().table]
    assert facts.shipped_options().model == table.get("model")
    assert dict(facts.shipped_options().aliases) == table.get("model_aliases", {})
    # the model line as written in the file, read without a TOML parser
    line = re.search(r'^\s*model\s*=\s*"([^"]+)"', text, re.M)
    assert line is not None and line.group(1) == facts.shipped_options().model


# Issue 18, from the crates' _init/base/config-default.toml; the hand table said gpt-5.1 / gpt-5.4 / gpt-5.6-luna.
@pytest.mark.parametrize(("version", "model"), [
    ("0.8.16", "gpt-5.2"), ("0.8.27", "gpt-5.4-mini"), ("0.8.30", "gpt-5.4-mini"), ("0.8.37", "gpt-6-luna"),
])
def test_shipped_default_model_the_issue_names(version: str, model: str) -> None:
    facts = facts_for(version)
    assert facts is not None and facts.exact
    assert facts.shipped_default_layer == "default"
    assert facts.shipped_options().model == model


def test_shipped_default_layer_follows_the_shipped_file_name() -> None:
    for version in VERSIONS:
        facts = facts_for(version)
        assert facts is not None
        name = _manifest(version)["shipped_default_config"]
        expected = {"config/base/config-default.toml": "default", "config/base/config.toml": "base-legacy"}.get(
            name, "workspace")
        assert facts.shipped_default_layer == expected


@pytest.mark.parametrize("version", [v for v in VERSIONS if facts_for(v).routing()["examples"]])  # type: ignore[union-attr]
def test_route_reproduces_genais_own_tests(version: str) -> None:
    facts = facts_for(version)
    assert facts is not None
    for example in facts.routing()["examples"]:
        assert facts.route(example["model"]).adapter == example["adapter"], example


@pytest.mark.parametrize("version", [v for v in VERSIONS if facts_for(v).routing()["namespaces"]])  # type: ignore[union-attr]
def test_every_lower_name_namespace_routes_to_its_adapter(version: str) -> None:
    facts = facts_for(version)
    assert facts is not None
    namespaces = facts.routing()["namespaces"]
    for name, entry in namespaces["lower_str"].items():
        routed = facts.route(f"{name}{namespaces['separator']}some-model")
        if "cfg_feature" in entry and entry["cfg_feature"] not in facts.routing()["enabled_features"]:
            assert routed.unknown_namespace, name
        else:
            assert (routed.adapter, routed.by, routed.name) == (entry["adapter"], "namespace", "some-model")


@pytest.mark.parametrize("version", VERSIONS)
@given(model=st.text(max_size=40))
def test_route_is_total(version: str, model: str) -> None:
    facts = facts_for(version)
    assert facts is not None
    routed = facts.route(model)
    assert routed.adapter in set(facts.routing()["adapter_kinds"]) | {"Custom"}
    if routed.by == "fallback":
        assert routed.adapter == facts.routing()["fallback"]


def test_in_list_rules_use_the_adapters_model_lists() -> None:
    """Old genai routed the exact names of an adapter's MODELS list (Groq, DeepSeek) by name."""
    for version in VERSIONS:
        facts = facts_for(version)
        assert facts is not None
        lists = facts.routing()["model_lists"]
        rules = json.dumps(facts.routing()["from_model"])
        for module in sorted(set(re.findall(r'"in_list": "(\w+)"', rules))):
            for name in lists[module][:3]:
                assert facts.route(name).by == "name", (version, name)


@pytest.mark.parametrize(("model", "expected"), [
    # genai 0.7.2 openai_model.rs tests
    ("gpt-6-astra", True), ("gpt-5", True), ("gpt-4o-mini", False), ("gpt-4-0613", False),
    ("gpt-4o-2024-08-06", False), ("o3-mini-2025-01-31-high", False), ("gpt-oss-120b", False),
    ("openai::gpt-6-astra", True),
    # variant rules: codex/pro in the variant, version >= 5 after a snapshot or qualifier
    ("gpt-4o-codex", True), ("gpt-4o-pro", True), ("gpt-5-2025-08-07", True), ("gpt-5.2-high", True),
    ("gpt4.1", False), ("gpt5", True), ("chatgpt-5", False), ("text-embedding-3-small", False), ("", False),
])
def test_is_resp_model_port(model: str, expected: bool) -> None:
    assert openai_is_resp_model(model) is expected


def test_run_flags_come_from_the_clap_struct() -> None:
    for version in VERSIONS:
        facts = facts_for(version)
        assert facts is not None
        flags = facts.run_flags()
        declared = [arg for arg in facts.command_args("run") if not arg.positional]
        for arg in declared:
            if arg.long:
                assert flags[f"--{arg.long}"] == (arg.canonical, arg.takes_value)
        assert flags["-h"] == ("help", False)
        assert any(arg.positional for arg in facts.command_args("run"))


def test_single_shot_spellings_follow_the_sources() -> None:
    """`--not-interactive` (with alias `--ni`) in 0.6; `-s/--single-shot` keeps `--ni` as an alias from 0.7."""
    old, new = facts_for("0.6.0"), facts_for("0.7.0")
    assert old is not None and new is not None
    assert old.run_flags()["--not-interactive"] == old.run_flags()["--ni"] == ("not-interactive", False)
    assert "-s" not in old.run_flags()
    assert new.run_flags()["-s"] == new.run_flags()["--ni"] == ("single-shot", False)
    assert "--not-interactive" not in new.run_flags()


def test_lua_modules_have_registered_functions() -> None:
    for version in VERSIONS:
        facts = facts_for(version)
        assert facts is not None
        assert "load" in facts.lua_functions("file")
        for module in facts.lua_modules():
            assert facts.lua_functions(module) | facts.lua_values(module) or module in ("run", "task"), module
        assert facts.lua_functions("no-such-module") == frozenset()


def test_headings_read_from_agent_doc() -> None:
    for version in VERSIONS:
        facts = facts_for(version)
        assert facts is not None
        headings = facts.headings()
        assert {"data", "output"} <= set(headings.sections)
        assert set(headings.prompt_parts.values()) <= {"Instruction", "System", "Assistant"}


def test_reader_imports_only_the_standard_library() -> None:
    code = ("import sys; import aipack_compat.model.aip_facts as f; f.facts_for('0.8.37').route('gpt-5');"
            "heavy = {'pydantic', 'tomlkit', 'httpx', 'jsonschema', 'tree_sitter', 'tree_sitter_rust'} & set(sys.modules);"
            "print(sorted(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
