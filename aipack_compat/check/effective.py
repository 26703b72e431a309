"""aip's layer merge with provenance, model resolution (aliases -> genai provider), and their checks.

Pure and pydantic-free (validate path). Sources: aipack-spec §1.1–1.3, §1.8, §2; wire-protocol §2.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aipack_compat.check.config import DEFAULT_AIP_VERSION, ConfigFileResult, Version, parse_version
from aipack_compat.check.rules import cfg as rules
from aipack_compat.load.toml_spans import KeySpans, TomlPath
from aipack_compat.model.diagnostic import Diagnostic
from aipack_compat.model.option_keys import OPTION_KEYS, REASONING_SUFFIXES

# genai adapter namespaces at aip HEAD (`G:src/adapter/adapter_kind.rs@be20e416`) -> API key variable (§2.5).
ADAPTER_KEY_ENV: dict[str, str | None] = {
    "openai": "OPENAI_API_KEY", "openai_resp": "OPENAI_API_KEY", "gemini": "GEMINI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY", "fireworks": "FIREWORKS_API_KEY", "together": "TOGETHER_API_KEY",
    "groq": "GROQ_API_KEY", "aihubmix": "AIHUBMIX_API_KEY", "kimi": "KIMI_API_KEY", "mimo": "MIMO_API_KEY",
    "moonshot": "MOONSHOT_API_KEY", "nebius": "NEBIUS_API_KEY", "xai": "XAI_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY", "zai": "ZAI_API_KEY", "zai_coding": "ZAI_API_KEY",
    "bigmodel": "BIGMODEL_API_KEY", "aliyun": "ALIYUN_API_KEY", "qwen_cloud": "QWEN_CLOUD_API_KEY",
    "baidu": "BAIDU_API_KEY", "cohere": "COHERE_API_KEY", "ollama": None, "ollama_cloud": "OLLAMA_API_KEY",
    "omlx": None, "vertex": "VERTEX_API_KEY", "github_copilot": "GITHUB_TOKEN",
    "opencode_go": "OPENCODE_GO_API_KEY", "bedrock_api": "BEDROCK_API_KEY", "open_router": "OPEN_ROUTER_API_KEY",
    "atlascloud": "ATLASCLOUD_API_KEY", "minimax": "MINIMAX_API_KEY",
}
# genai <= 0.3 routed these exact names to Groq (`G:src/adapter/adapters/groq/adapter_impl.rs`, MODELS); dropped
# in genai 0.6.0-beta.2 = aip 0.8.17 (wire-protocol §2.2).
GROQ_MODELS = frozenset({
    "llama-3.2-90b-vision-preview", "llama-3.2-11b-vision-preview", "llama-3.2-3b-preview", "llama-3.2-1b-preview",
    "llama-3.1-405b-reasoning", "llama-3.1-70b-versatile", "llama-3.1-8b-instant", "mixtral-8x7b-32768",
    "gemma-7b-it", "gemma2-9b-it", "llama3-groq-70b-8192-tool-use-preview", "llama3-groq-8b-8192-tool-use-preview",
    "llama3-8b-8192", "llama3-70b-8192",
})
HOSTED_NAME_HINTS = ("gpt-5", "gpt-4o", "gpt-4.1", "claude", "gemini", "grok", "deepseek-chat", "o4-mini")
# Names in the HEAD config-default.toml alias table (spec §1.8); their values are not reproduced here.
SHIPPED_ALIAS_NAMES = frozenset({"opus", "sonnet", "haiku", "gpt", "mini", "nano", "flash", "lite", "dflash",
                                 "dpro", "glm", "kimi", "f-kimi"})
SHIPPED_ALIASES = {"glm": "zai::glm-5.2", "kimi": "kimi::kimi-k3", "f-kimi": "fireworks::kimi-k3"}


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    requested: str  # the merged `model` value
    resolved: str  # after the alias lookup (what aip passes to genai)
    provider: str  # genai adapter, lower-case: "ollama", "openai", "openai_resp", "anthropic", ...
    by: str  # "namespace" | "name" | "fallback" (genai's catch-all: Ollama)
    wire_model: str  # the `model` sent on the wire (namespace stripped when genai understands it)
    api_key_env: str | None = None
    alias: str | None = None  # alias key that matched
    suffix: str | None = None  # reasoning suffix re-appended after an alias hit
    namespace: str | None = None
    unknown_namespace: bool = False
    notes: tuple[str, ...] = ()

    @property
    def is_ollama(self) -> bool:
        return self.provider == "ollama"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resolve_model(model: str, aliases: dict[str, str], aip_version: str = DEFAULT_AIP_VERSION) -> ResolvedModel:
    """aip's `AgentOptions::resolve_model` then genai's adapter choice, as of `aip_version`."""
    version = parse_version(aip_version)
    notes: list[str] = []
    resolved, alias, suffix = model, None, None
    if aliases and version >= (0, 5, 10):  # skipped when no layer defines aliases (spec §6 case 18)
        if model in aliases:
            resolved, alias = aliases[model], model
        else:
            resolved, alias, suffix = _suffix_alias(model, aliases, version, notes)
    namespace, name = (resolved.split("::", 1) + [""])[:2] if "::" in resolved else (None, resolved)
    if namespace is not None and version < (0, 7, 15):
        notes.append("`ns::` namespaces need aip 0.7.15+; this version sends the whole string by name")
        provider, by = _adapter_by_name(resolved, version)
        return ResolvedModel(model, resolved, provider, by, resolved, ADAPTER_KEY_ENV.get(provider), alias, suffix,
                             namespace, False, tuple(notes))
    if namespace is not None:
        adapter = _adapter_for_namespace(namespace, version)
        if adapter is not None:
            return ResolvedModel(model, resolved, adapter, "namespace", name, _key_env(adapter, namespace), alias,
                                 suffix, namespace, False, tuple(notes))
        notes.append(f"unknown namespace `{namespace}`: genai maps the whole string by name")
        provider, by = _adapter_by_name(resolved, version)
        return ResolvedModel(model, resolved, provider, by, name, ADAPTER_KEY_ENV.get(provider), alias, suffix,
                             namespace, True, tuple(notes))
    provider, by = _adapter_by_name(resolved, version)
    return ResolvedModel(model, resolved, provider, by, resolved, ADAPTER_KEY_ENV.get(provider), alias, suffix,
                         None, False, tuple(notes))


def _suffix_alias(model: str, aliases: dict[str, str], version: Version, notes: list[str]
                  ) -> tuple[str, str | None, str | None]:
    """Suffix-aware aliases (0.8.3+): strip the first matching suffix in aip's fixed order
    (`A:src/agent/agent_options.rs@1799641c`, `-xhigh`/`-max` `@aef6daf4`, `-none` 0.8.27)."""
    for suffix, since in REASONING_SUFFIXES:
        if not model.endswith(suffix):
            continue
        base = model[: -len(suffix)]
        if base not in aliases:
            return model, None, None
        if version < parse_version(since):
            notes.append(f"`{base}` + `{suffix}` is resolved through the alias only from aip {since}")
            return model, None, None
        return aliases[base] + suffix, base, suffix
    return model, None, None


def _adapter_for_namespace(namespace: str, version: Version) -> str | None:
    if namespace.startswith("genai_") and namespace[6:].isdigit():  # custom adapter, aip 0.8.28+
        return "custom" if version >= (0, 8, 28) else None
    if namespace == "ollama_cloud" and version < (0, 8, 22):
        return None
    return namespace if namespace in ADAPTER_KEY_ENV else None


def _key_env(adapter: str, namespace: str) -> str | None:
    if adapter == "custom":
        return None  # GENAI_<N>_API_KEY is optional for the custom adapter (spec §2.5)
    return ADAPTER_KEY_ENV.get(adapter)


def _adapter_by_name(name: str, v: Version) -> tuple[str, str]:
    """genai's `AdapterKind::from_model` for the genai the given aip version depends on (wire-protocol §2.2).
    Version boundaries marked ~ are approximate (a genai beta shipped across several aip releases)."""
    openai_prefixes = ("gpt", "chatgpt", "o1-") + (("o3-",) if v >= (0, 5, 10) else ())
    if v >= (0, 7, 3):
        openai_prefixes = ("gpt", "chatgpt", "o1", "o3", "o4")
    if v >= (0, 7, 15):
        openai_prefixes += ("codex", "text-embedding")
    if name.startswith(openai_prefixes) and not (v >= (0, 7, 19) and name.startswith("gpt-oss")):
        # OpenAIResp split: HEAD rule (`G:src/adapter/adapter_kind.rs@be20e416`); applied from genai 0.6 (~0.8.17).
        if v >= (0, 8, 17) and name.startswith("gpt") and (name.startswith("gpt-5") or "codex" in name or "pro" in name):
            return "openai_resp", "name"
        return "openai", "name"
    if name.startswith("gemini"):
        return "gemini", "name"
    if name.startswith("claude"):
        return "anthropic", "name"
    checks: list[tuple[bool, str]] = [
        (v >= (0, 7, 15) and "fireworks" in name, "fireworks"),
        (v >= (0, 8, 28) and name.startswith("kimi-"), "kimi"),  # ~
        (v >= (0, 8, 17) and name.startswith("mimo-"), "mimo"),
        (name.startswith("command") or (v >= (0, 7, 15) and name.startswith("embed-")), "cohere"),
        (v >= (0, 5, 1) and name.startswith("grok"), "xai"),
        (v >= (0, 7, 15) and name.startswith("glm"), "zai"),
        (_is_deepseek(name, v), "deepseek"),
        (v >= (0, 8, 27) and name.startswith("moonshot-"), "moonshot"),  # ~
        (v >= (0, 8, 27) and name.startswith(("MiniMax-", "minimax-")), "minimax"),  # ~
        (v >= (0, 8, 28) and name.startswith("omlx-"), "omlx"),  # ~
        (v < (0, 8, 17) and name in GROQ_MODELS, "groq"),
    ]
    for matched, adapter in checks:
        if matched:
            return adapter, "name"
    return "ollama", "fallback"


def _is_deepseek(name: str, v: Version) -> bool:
    if v >= (0, 8, 23):
        return name.startswith("deepseek-")
    if v >= (0, 8, 17):
        return name.startswith(("deepseek-chat", "deepseek-reasoner"))
    if (0, 5, 4) <= v < (0, 5, 8):
        return name.startswith("deepseek")
    return v >= (0, 5, 8) and name in ("deepseek-chat", "deepseek-reasoner")


# ---- merge ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Provenance:
    layer: str  # default | user | base-legacy | workspace | agent
    path: str
    line: int = 0
    column: int = 0
    builtin: bool = False  # the built-in copy of the shipped template (no file on disk)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class EffectiveValue:
    value: Any
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class LayerUse:
    layer: str
    path: str
    era: str
    reading: str  # which table aip reads from it (`options`, `default_options`, `legacy`, …) or "not read"
    note: str = ""


@dataclass(frozen=True, slots=True)
class Effective:
    aip_version: str
    values: dict[str, EffectiveValue]  # scalar options
    aliases: dict[str, EffectiveValue]  # model_aliases, merged key by key
    layers: tuple[LayerUse, ...]
    agent_path: str | None = None
    builtin_default: bool = False
    refused_files: tuple[str, ...] = field(default_factory=tuple)  # files aip would fail on

    def get(self, key: str) -> Any:
        entry = self.values.get(key)
        return entry.value if entry else None

    def alias_table(self) -> dict[str, str]:
        return {name: entry.value for name, entry in self.aliases.items()}

    def resolved_model(self) -> ResolvedModel | None:
        model = self.get("model")
        return resolve_model(model, self.alias_table(), self.aip_version) if isinstance(model, str) else None

    def to_dict(self) -> dict[str, Any]:
        resolved = self.resolved_model()
        return {
            "aip_version": self.aip_version,
            "agent_path": self.agent_path,
            "layers": [asdict(layer) for layer in self.layers],
            "options": {k: {"value": e.value, **asdict(e.provenance)} for k, e in self.values.items()},
            "model_aliases": {k: {"value": e.value, **asdict(e.provenance)} for k, e in self.aliases.items()},
            "resolved_model": resolved.to_dict() if resolved else None,
            "builtin_default": self.builtin_default,
            "refused_files": list(self.refused_files),
        }


def shipped_default_options(aip_version: str) -> tuple[str, dict[str, Any]] | None:
    """(layer, options) of the base template aip of that version (re)creates when it is missing (§1.1, §1.8)."""
    v = parse_version(aip_version)
    model = ("gpt-4o-mini" if v < (0, 7, 7) else "gpt-4.1-mini" if v < (0, 8, 0) else "gpt-5-mini" if v < (0, 8, 10)
             else "gpt-5.1" if v < (0, 8, 20) else "gpt-5.4" if v < (0, 8, 33) else "gpt-5.6-luna")
    options: dict[str, Any] = {"model": model}
    if v >= (0, 6, 10):
        options["input_concurrency"] = 2
    if v >= (0, 8, 33):
        options["model_aliases"] = dict(SHIPPED_ALIASES)
    layer = "default" if v >= (0, 7, 18) else "base-legacy" if v >= (0, 6, 0) else "workspace"
    return layer, options


def _layer_note(result: ConfigFileResult, v: Version) -> str | None:
    """None when aip of version `v` reads this file; otherwise why it does not (§1.1)."""
    folder = Path(result.path).parent.name
    if result.layer in ("default", "user") and v < (0, 7, 18):
        return "config-default.toml / config-user.toml exist only from aip 0.7.18"
    if result.layer == "base-legacy" and v >= (0, 7, 18):
        return "renamed to config-deprecated.toml and not read by aip 0.7.18+"
    if result.layer == "base-legacy" and v < (0, 6, 0):
        return "devai has no base config"
    if result.layer == "workspace" and folder == ".devai" and v >= (0, 6, 0):
        return "aip 0.6+ never reads .devai/"
    if result.layer == "workspace" and folder == ".aipack" and v < (0, 6, 0):
        return "devai reads .devai/config.toml, not .aipack/"
    return None


_LAYER_RANK = {"default": 0, "base-legacy": 0, "user": 1, "workspace": 2}


def merge_layers(
    results: list[ConfigFileResult],
    agent_options: dict[str, Any] | None = None,
    agent_path: str | None = None,
    *,
    aip_version: str = DEFAULT_AIP_VERSION,
    agent_spans: dict[TomlPath, KeySpans] | None = None,
) -> Effective:
    """Fold config layers (then the agent's `# Options`) low to high, as `load_and_merge_configs_agent_options`
    does (`A:src/agent/agent_locator.rs@952ad06e`): set scalars win, aliases merge key by key."""
    v = parse_version(aip_version)
    values: dict[str, EffectiveValue] = {}
    aliases: dict[str, EffectiveValue] = {}
    uses: list[LayerUse] = []
    read = [r for r in sorted(results, key=lambda r: _LAYER_RANK.get(r.layer, 3)) if _layer_note(r, v) is None]
    builtin = False
    base_layer, base_options = shipped_default_options(aip_version) or ("", {})
    if not any(r.layer == base_layer for r in read):
        builtin = True
        origin = f"<built-in {'config-default.toml' if base_layer == 'default' else 'config.toml'} of aip {aip_version}>"
        uses.append(LayerUse(base_layer, origin, "options", "options",
                             "no file found; aip (re)creates it from its template, so its shipped values apply"))
        _fold(values, aliases, base_options, lambda key, alias=None: Provenance(base_layer, origin, builtin=True))
    refused: list[str] = []
    for result in sorted(results, key=lambda r: _LAYER_RANK.get(r.layer, 3)):
        note = _layer_note(result, v)
        if note is not None:
            uses.append(LayerUse(result.layer, result.path, result.era, "not read", note))
            continue
        reading = result.reading_for(aip_version)
        if result.fatal:
            refused.append(result.path)
        uses.append(LayerUse(result.layer, result.path, result.era, reading))

        def provenance(key: str, alias: str | None = None, result: ConfigFileResult = result,
                       reading: str = reading) -> Provenance:
            span = result.location(reading, key, alias)
            return Provenance(result.layer, result.path, span.line if span else 0, span.column if span else 0)

        _fold(values, aliases, result.options_for_version(aip_version), provenance)
    if agent_options:
        shown = agent_path or "<agent>"
        uses.append(LayerUse("agent", shown, "options", "# Options"))

        def agent_provenance(key: str, alias: str | None = None) -> Provenance:
            entry = (agent_spans or {}).get((key, alias) if alias is not None else (key,))
            return Provenance("agent", shown, entry.key.line if entry else 0, entry.key.column if entry else 0)

        _fold(values, aliases, agent_options, agent_provenance)
    return Effective(aip_version, values, aliases, tuple(uses), agent_path, builtin, tuple(refused))


def _fold(values: dict[str, EffectiveValue], aliases: dict[str, EffectiveValue], options: dict[str, Any],
          provenance: Any) -> None:
    for key, value in options.items():
        if key == "model_aliases":
            for name, target in value.items():
                aliases[name] = EffectiveValue(target, provenance(key, name))
        elif value is not None:
            values[key] = EffectiveValue(value, provenance(key))


# ---- checks --------------------------------------------------------------------------------------------


def check_effective(effective: Effective, where_path: str) -> list[Diagnostic]:
    """Findings about the merged result: missing model, routing, alias chains, version needs."""
    v = parse_version(effective.aip_version)
    found: list[Diagnostic] = []

    def at(rule: Any, provenance: Provenance | None, message: str, hint: str | None = None) -> Diagnostic:
        if provenance is None or provenance.builtin:
            return rule.diagnostic(where_path, message, hint=hint)
        return rule.diagnostic(provenance.path, message, provenance.line, provenance.column, hint=hint)

    if effective.builtin_default:
        shipped = (shipped_default_options(effective.aip_version) or ("", {}))[1]
        found.append(at(rules.BUILTIN_DEFAULT_LAYER, None,
                        f"no base config file found; assuming aip {effective.aip_version}'s shipped defaults "
                        f"(model `{shipped.get('model')}`, input_concurrency {shipped.get('input_concurrency', 'unset')})",
                        hint="pass --base-dir to use your real ~/.aipack-base"))
    for key, entry in effective.values.items():
        # model/temperature/input_concurrency also exist in the legacy [genai]/[runtime] shapes, so only the
        # keys that were born in the options table are version-gated here.
        since = OPTION_KEYS[key].since if key in ("top_p", "allow_run_on_task_fail") else "0.0.0"
        if v < parse_version(since) and not entry.provenance.builtin:
            found.append(at(rules.NEEDS_NEWER_AIP, entry.provenance,
                            f"`{key}` is read only from aip {since}; aip {effective.aip_version} ignores it"))
    for use in effective.layers:
        if use.era in ("options", "default_options") and use.reading not in (use.era, "not read", "# Options"):
            since = "0.7.10" if use.era == "options" else "0.5.10"
            found.append(rules.NEEDS_NEWER_AIP.diagnostic(
                use.path, f"[{use.era}] is read only from aip {since}; aip {effective.aip_version} reads "
                f"{'nothing' if use.reading == 'none' else use.reading} from this file"))
    for name, entry in effective.aliases.items():
        if entry.value in effective.aliases and entry.value != name and not entry.provenance.builtin:
            found.append(at(rules.ALIAS_CHAIN, entry.provenance,
                            f"alias `{name}` points to `{entry.value}`, which is itself an alias; aip does not chain "
                            f"aliases, so `{entry.value}` is sent as a model name",
                            hint=f"use the final model directly: {name} = \"{effective.aliases[entry.value].value}\""))
    model_entry = effective.values.get("model")
    if model_entry is None or not isinstance(model_entry.value, str):
        shown = effective.agent_path or where_path
        found.append(at(rules.MISSING_MODEL, None, f"Model is missing for agent path: {shown}",
                        hint="set `model` under [options] in ~/.aipack-base/config-user.toml or .aipack/config.toml"))
        return found
    resolved = resolve_model(model_entry.value, effective.alias_table(), effective.aip_version)
    origin = model_entry.provenance
    via = ""
    if resolved.alias:
        via = f" (alias `{resolved.alias}` at {effective.aliases[resolved.alias].provenance.where})"
    for note in resolved.notes:
        if "need" in note or "only from" in note:
            found.append(at(rules.NEEDS_NEWER_AIP, model_entry.provenance, f"model `{resolved.requested}`: {note}"))
    if resolved.unknown_namespace and resolved.namespace is not None:
        match = difflib.get_close_matches(resolved.namespace, list(ADAPTER_KEY_ENV), n=1, cutoff=0.6)
        found.append(at(rules.UNKNOWN_NAMESPACE, origin,
                        f"`{resolved.namespace}::` is not a genai adapter; `{resolved.resolved}` goes to "
                        f"{_provider_label(resolved)} by name",
                        hint=f"did you mean `{match[0]}::`?" if match else "use `ollama::<model>` for local Ollama"))
    if not resolved.is_ollama:
        key = f", needs {resolved.api_key_env} at request time" if resolved.api_key_env else ""
        found.append(at(rules.NON_OLLAMA_PROVIDER, origin,
                        f"model `{resolved.requested}`{via} resolves to `{resolved.resolved}` -> provider "
                        f"{resolved.provider}{key}; this tool executes against local Ollama",
                        hint="use a local model (e.g. `ollama::llama3.2`) to run it with aipack-compat"))
    elif resolved.by == "fallback" and not resolved.unknown_namespace:
        suspect = _hosted_lookalike(resolved.wire_model)
        if suspect:
            found.append(at(rules.OLLAMA_FALLBACK, origin,
                            f"`{resolved.resolved}` matches no provider, so genai sends it to local Ollama",
                            hint=f"did you mean a hosted `{suspect}…` model? For Ollama, write `ollama::{resolved.wire_model}`"))
    if (effective.builtin_default and resolved.alias is None and model_entry.value in SHIPPED_ALIAS_NAMES
            and model_entry.value not in SHIPPED_ALIASES):
        found.append(at(rules.BUILTIN_DEFAULT_LAYER, model_entry.provenance,
                        f"`{model_entry.value}` is an alias of the shipped config-default.toml, whose alias table "
                        "is not reproduced here; it resolves by name instead"))
    return found


@functools.lru_cache(maxsize=256)  # the same model name recurs in every agent of a workspace
def _hosted_lookalike(name: str) -> str | None:
    lowered = name.lower()
    for hint in HOSTED_NAME_HINTS:
        if hint in lowered or difflib.SequenceMatcher(None, lowered[: len(hint)], hint).ratio() >= 0.8:
            return hint
    return None


def _provider_label(resolved: ResolvedModel) -> str:
    return "local Ollama" if resolved.is_ollama else resolved.provider
