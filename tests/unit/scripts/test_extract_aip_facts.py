"""scripts/extract_aip_facts.py: regenerating from the cached crates reproduces the checked-in data byte for byte,
and a source whose shape the extractors do not know stops the run with a message naming the fact.

The freshness test reads the crates from cargo's cache (and the generator's own download cache) and never
downloads (`--offline`): a version whose crates are absent is skipped, loudly, with the crates it lacks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SCRIPTS = REPO / "scripts"
DATA = REPO / "aipack_compat" / "data" / "aip"
VERSIONS = json.loads((DATA / "index.json").read_text(encoding="utf-8"))["versions"]

sys.path.insert(0, str(SCRIPTS))
from aip_facts import ExtractionError  # noqa: E402
from aip_facts.crates import Crate, cached_archive  # noqa: E402
from aip_facts.generate import crate_name  # noqa: E402

_TREE_SITTER_MISSING = None
try:
    import tree_sitter_rust  # noqa: F401
except ImportError:
    _TREE_SITTER_MISSING = "tree-sitter-rust is not installed (pip install -e '.[test]')"
needs_parser = pytest.mark.skipif(_TREE_SITTER_MISSING is not None, reason=_TREE_SITTER_MISSING or "")


def _loud_skip(reason: str) -> None:
    banner = "!" * 72
    print(f"\n{banner}\n!!! AIP FACTS FRESHNESS SKIPPED: {reason}\n{banner}", file=sys.stderr)
    pytest.skip(reason)


def _missing_crates(version: str) -> list[str]:
    manifest = json.loads((DATA / version / "manifest.json").read_text(encoding="utf-8"))
    wanted = [(crate_name(version), version), ("genai", manifest["genai"]["version"])]
    return [f"{name}-{number}.crate" for name, number in wanted if cached_archive(name, number) is None]


PRESENT = [version for version in VERSIONS if not _missing_crates(version)]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if _TREE_SITTER_MISSING:
        _loud_skip(_TREE_SITTER_MISSING)
    out = tmp_path_factory.mktemp("facts")
    result = subprocess.run([sys.executable, str(SCRIPTS / "extract_aip_facts.py"), "--offline", "--out", str(out),
                             *PRESENT], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("version", PRESENT)
def test_regenerating_gives_identical_files(version: str, regenerated: Path) -> None:
    checked_in = sorted(p.relative_to(DATA / version) for p in (DATA / version).rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(regenerated / version) for p in (regenerated / version).rglob("*") if p.is_file())
    assert fresh == checked_in
    for relative in checked_in:
        assert (regenerated / version / relative).read_bytes() == (DATA / version / relative).read_bytes(), relative


def test_every_checked_in_version_is_checked_for_freshness() -> None:
    missing = {version: _missing_crates(version) for version in VERSIONS if version not in PRESENT}
    if missing:
        _loud_skip(f"{len(missing)} of {len(VERSIONS)} versions not regenerated, their crates are not cached "
                   f"({', '.join(sorted(missing, key=VERSIONS.index))}); `python3 scripts/extract_aip_facts.py` "
                   "fetches them")


# ---- loud failures on unknown shapes ----------------------------------------------------------------------------

_MODEL_NAME = b"""
impl ModelName {
    pub(crate) fn split_as_namespace_and_name(model: &str) -> (Option<&str>, &str) {
        if let Some(ns_idx) = model.find("::") { (Some(&model[..ns_idx]), &model[(ns_idx + 2)..]) } else { (None, model) }
    }
}
"""


def _genai(from_model_body: str, extra: str = "") -> Crate:
    kind = f"""
impl AdapterKind {{
    pub fn as_lower_str(&self) -> &'static str {{
        match self {{ AdapterKind::OpenAI => "openai", AdapterKind::Ollama => "ollama" }}
    }}
    pub fn from_lower_str(name: &str) -> Option<Self> {{
        match name {{ "openai" => Some(AdapterKind::OpenAI), "ollama" => Some(AdapterKind::Ollama), _ => None }}
    }}
    pub fn from_model(model: &str) -> Result<Self> {{
        if let Some(adapter) = Self::from_model_namespace(model) {{ return Ok(adapter); }};
        {from_model_body}
    }}
    pub(crate) fn from_model_namespace(model: &str) -> Option<Self> {{
        let (namespace, _) = ModelName::split_as_namespace_and_name(model);
        let namespace = namespace?;
        if let Some(adapter) = Self::from_lower_str(namespace) {{ Some(adapter) }} else {{ None }}
    }}
}}
{extra}
"""
    files = {"src/adapter/adapter_kind.rs": kind.encode(), "src/common/model_name.rs": _MODEL_NAME,
             "Cargo.toml": b'[package]\nname = "genai"\n[features]\ndefault = []\n'}
    return Crate("genai", "9.9.9", "0" * 64, files)


@needs_parser
def test_a_known_chain_extracts() -> None:
    from aip_facts import routing

    from aipack_compat.model.aip_routing import route

    facts = routing.extract(_genai('if model.starts_with("gpt") { Ok(Self::OpenAI) } else { Ok(Self::Ollama) }'),
                            "[dependencies]\n")
    assert facts["from_model"] == {"rules": [{"when": {"starts_with": "gpt"}, "then": "OpenAI"}],
                                   "otherwise": "Ollama"}
    assert route("gpt-x", facts).provider == "openai" and route("ollama::gpt-x", facts).by == "namespace"


@needs_parser
@pytest.mark.parametrize(("body", "named"), [
    ('if model.len() > 3 { Ok(Self::OpenAI) } else { Ok(Self::Ollama) }', "model.len() > 3"),
    ('if model.starts_with("gpt") { Ok(Self::OpenAI) }', "without else"),
    ('if model.starts_with("gpt") { pick(model) } else { Ok(Self::Ollama) }', "pick(model)"),
    ('if other::MODELS.contains(&model) { Ok(Self::OpenAI) } else { Ok(Self::Ollama) }', "other::MODELS"),
])
def test_unknown_routing_shapes_fail_naming_the_code(body: str, named: str) -> None:
    from aip_facts import routing

    with pytest.raises(ExtractionError, match="genai routing") as raised:
        routing.extract(_genai(body), "[dependencies]\n")
    assert named in str(raised.value)


@needs_parser
def test_a_predicate_without_a_pinned_port_fails() -> None:
    from aip_facts import routing
    from aip_facts.generate import check_ported_predicates

    body = ("if model.starts_with(\"gpt\") { let m = OpenAIModel::from(model); "
            "if m.is_resp_model() { Ok(Self::OpenAI) } else { Ok(Self::Ollama) } } else { Ok(Self::Ollama) }")
    extra = "impl OpenAIModel { pub fn is_resp_model(&self) -> bool { self.0 > 4 } }"
    facts = routing.extract(_genai(body, extra), "[dependencies]\n")
    assert facts["from_model"]["rules"][0]["then"]["rules"][0]["when"] == {"predicate": "OpenAIModel::is_resp_model"}
    with pytest.raises(ExtractionError, match="changed in genai 9.9.9"):
        check_ported_predicates(facts, _genai(body, extra))


@needs_parser
def test_an_unmodelled_clap_key_fails() -> None:
    from aip_facts import cli_args

    source = b"""
#[derive(Parser)]
pub struct CliArgs { #[command(subcommand)] pub cmd: CliCommand }
#[derive(Subcommand)]
pub enum CliCommand { Run(RunArgs) }
#[derive(Parser)]
pub struct RunArgs { #[arg(long, value_enum)] pub mode: Mode }
"""
    crate = Crate("aipack", "9.9.9", "0" * 64, {"src/exec/cli/args.rs": source})
    with pytest.raises(ExtractionError, match="value_enum"):
        cli_args.extract(crate)


@needs_parser
def test_a_registration_on_an_unknown_table_fails() -> None:
    from aip_facts import lua_api

    engine = b"""
macro_rules! init_and_set { ($t:expr, $l:expr, $r:expr, $($name:ident),*) => { $( [<aip_ $name>]; )* }; }
impl LuaEngine {
    pub fn new(runtime: Runtime) -> Result<Self> { init_aip(&lua, &runtime)?; Ok(engine) }
}
fn init_aip(lua: &Lua, runtime: &Runtime) -> Result<()> {
    let table = lua.create_table()?;
    somewhere_else().set("sneaky", lua.create_function(f)?)?;
    lua.globals().set("aip", table)?;
    Ok(())
}
"""
    crate = Crate("aipack", "9.9.9", "0" * 64, {"src/script/lua_engine.rs": engine})
    with pytest.raises(ExtractionError, match="sneaky"):
        lua_api.extract(crate)
