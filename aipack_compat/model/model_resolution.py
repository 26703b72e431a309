"""Model resolution as aip does it: the alias lookup (`AgentOptions::resolve_model`), then genai's adapter
choice for the genai release that aip version depends on. Sources: aipack-spec §1.8, §2; wire-protocol §2.

Shared by `validate` (check/effective.py) and `run` (execute/runner.py, execute/subagent.py), so it sits
below both: it imports only model/versions.py and model/option_keys.py, never the config checker, the TOML
span loader or the rule registry (a test holds it to that).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from aipack_compat.model.eras import MODEL_NAMESPACES, OPTIONS_SECTIONS
from aipack_compat.model.option_keys import REASONING_SUFFIXES
from aipack_compat.model.versions import DEFAULT_AIP_VERSION, Version, parse_version

__all__ = ["ADAPTER_KEY_ENV", "GROQ_MODELS", "ResolvedModel", "resolve_model"]

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
    if aliases and version >= OPTIONS_SECTIONS:  # skipped when no layer defines aliases (spec §6 case 18)
        if model in aliases:
            resolved, alias = aliases[model], model
        else:
            resolved, alias, suffix = _suffix_alias(model, aliases, version, notes)
    namespace, name = (resolved.split("::", 1) + [""])[:2] if "::" in resolved else (None, resolved)
    if namespace is not None and version < MODEL_NAMESPACES:
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
