"""ConfigFile (pydantic) and schemas/aipack-config.schema.json agree, and match the fast-path catalogue."""

from __future__ import annotations

import importlib.util
import json
import tomllib
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from pydantic import ValidationError

from aipack_compat.model.config import ConfigFile, EffectiveConfig
from aipack_compat.model.option_keys import OPTION_KEYS
from aipack_compat.model.options import AgentOptions

ROOT = Path(__file__).parents[3]
CORPUS = (ROOT / "../shared/corpus").resolve()
SCHEMA_PATH = ROOT / "schemas" / "aipack-config.schema.json"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate_schemas", ROOT / "scripts" / "generate_schemas.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _validator() -> Any:
    return jsonschema_rs.validator_for(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _pydantic_accepts(data: dict[str, Any]) -> bool:
    try:
        ConfigFile.model_validate(data)
    except ValidationError:
        return False
    return True


def test_committed_schema_equals_generated() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == _generator().generated("aipack-config.schema.json")


def test_option_keys_catalogue_equals_agent_options_fields() -> None:
    assert set(OPTION_KEYS) == set(AgentOptions.model_fields)


CORPUS_CONFIGS = sorted(CORPUS.glob("*/.aipack/config.toml")) + sorted(CORPUS.glob("*/.devai/config.toml"))


@pytest.mark.skipif(not CORPUS_CONFIGS, reason="corpus not available")
@pytest.mark.parametrize("path", CORPUS_CONFIGS, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_corpus_config_valid_for_pydantic_and_json_schema(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert _pydantic_accepts(data)
    assert _validator().is_valid(data)


@pytest.mark.parametrize(
    ("data", "valid"),
    [
        ({"options": {"model": "gpt-5", "model_aliases": {"a": "b"}}}, True),
        ({"default_options": {"temperature": 0, "input_concurrency": 4}}, True),
        ({"genai": {"model": "gemma2", "extra": 1}, "runtime": {"items_concurrency": 1}}, True),
        ({"anything_else": {"x": 1}, "model": "ignored-by-aip"}, True),
        ({"default-options": {"model": "x"}}, False),
        ({"options": {"model": 1}}, False),
        ({"options": {"input_concurrency": -1}}, False),
        ({"options": {"model_aliases": {"a": 1}}}, False),
        ({"options": "gpt-5"}, False),
        ({"runtime": {"items_concurrency": -2}}, False),
    ],
)
def test_pydantic_and_json_schema_agree(data: dict[str, Any], valid: bool) -> None:
    assert _pydantic_accepts(data) is valid
    assert _validator().is_valid(data) is valid


def test_current_options_prefers_options_over_default_options() -> None:
    config = ConfigFile.model_validate({"options": {"model": "a"}, "default_options": {"model": "b", "top_p": 0.5}})
    assert config.current_options() == AgentOptions(model="a")


def test_config_show_json_contract_round_trips() -> None:
    from aipack_compat.check.config import check_config_text
    from aipack_compat.check.effective import merge_layers

    result = check_config_text("w/.aipack/config.toml", '[options]\nmodel = "x"\n[options.model_aliases]\nx = "y"\n',
                               "workspace")
    payload = merge_layers([result]).to_dict()
    effective = EffectiveConfig.model_validate(payload)
    assert effective.agent_options().model == "x" and effective.agent_options().model_aliases["x"] == "y"
