"""aip's layer merge with provenance, and the checks on the merged result (model routing, aliases, versions).

Pure and pydantic-free (validate path). Sources: aipack-spec §1.1–1.3, §1.8, §2; wire-protocol §2.
Model resolution itself lives in model/model_resolution.py (the executor resolves models too).
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aipack_compat.check.config import ConfigFileResult
from aipack_compat.load.toml_spans import KeySpans, TomlPath
from aipack_compat.model.diagnostic import Diagnostic
from aipack_compat.model.eras import AIP_RENAME, OPTIONS_SECTIONS, OPTIONS_TABLE, SPLIT_BASE_CONFIG
from aipack_compat.model.location import Location
from aipack_compat.model.model_resolution import ADAPTER_KEY_ENV, ResolvedModel, resolve_model
from aipack_compat.model.option_keys import OPTION_KEYS
from aipack_compat.model.versions import DEFAULT_AIP_VERSION, Version, parse_version, version_text
from aipack_compat.rules import Rule
from aipack_compat.rules import cfg as rules

__all__ = [
    "Effective", "EffectiveValue", "LayerUse", "Provenance", "check_effective", "merge_layers", "shipped_default_options",
]

# Model names that look like a hosted provider's; without a matching adapter genai sends them to Ollama.
HOSTED_NAME_HINTS = ("gpt-5", "gpt-4o", "gpt-4.1", "claude", "gemini", "grok", "deepseek-chat", "o4-mini")
# Names in the HEAD config-default.toml alias table (spec §1.8); their values are not reproduced here.
SHIPPED_ALIAS_NAMES = frozenset({"opus", "sonnet", "haiku", "gpt", "mini", "nano", "flash", "lite", "dflash",
                                 "dpro", "glm", "kimi", "f-kimi"})
SHIPPED_ALIASES = {"glm": "zai::glm-5.2", "kimi": "kimi::kimi-k3", "f-kimi": "fireworks::kimi-k3"}


# ---- merge ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Provenance:
    layer: str  # default | user | base-legacy | workspace | agent
    location: Location  # the file, and where the key starts in it (line 0: not known)
    builtin: bool = False  # the built-in copy of the shipped template (no file on disk)

    @property
    def where(self) -> str:
        return f"{self.location.path}:{self.location.line}" if self.location.line else self.location.path

    def to_dict(self) -> dict[str, Any]:
        """The `config show --format json` fields (model/config.py ValueSource)."""
        return {"layer": self.layer, "path": self.location.path, "line": self.location.line,
                "column": self.location.column, "builtin": self.builtin}


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
            "options": {k: {"value": e.value, **e.provenance.to_dict()} for k, e in self.values.items()},
            "model_aliases": {k: {"value": e.value, **e.provenance.to_dict()} for k, e in self.aliases.items()},
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
    layer = "default" if v >= SPLIT_BASE_CONFIG else "base-legacy" if v >= AIP_RENAME else "workspace"
    return layer, options


def _layer_note(result: ConfigFileResult, v: Version) -> str | None:
    """None when aip of version `v` reads this file; otherwise why it does not (§1.1)."""
    folder = Path(result.path).parent.name
    if result.layer in ("default", "user") and v < SPLIT_BASE_CONFIG:
        return "config-default.toml / config-user.toml exist only from aip 0.7.18"
    if result.layer == "base-legacy" and v >= SPLIT_BASE_CONFIG:
        return "renamed to config-deprecated.toml and not read by aip 0.7.18+"
    if result.layer == "base-legacy" and v < AIP_RENAME:
        return "devai has no base config"
    if result.layer == "workspace" and folder == ".devai" and v >= AIP_RENAME:
        return "aip 0.6+ never reads .devai/"
    if result.layer == "workspace" and folder == ".aipack" and v < AIP_RENAME:
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
        _fold(values, aliases, base_options, lambda key, alias=None: Provenance(base_layer, Location(origin), builtin=True))
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
            return Provenance(result.layer, Location(result.path, span.line, span.column) if span else Location(result.path))

        _fold(values, aliases, result.options_for_version(aip_version), provenance)
    if agent_options:
        shown = agent_path or "<agent>"
        uses.append(LayerUse("agent", shown, "options", "# Options"))

        def agent_provenance(key: str, alias: str | None = None) -> Provenance:
            entry = (agent_spans or {}).get((key, alias) if alias is not None else (key,))
            return Provenance("agent", Location(shown, entry.key.line, entry.key.column) if entry else Location(shown))

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

    def at(rule: Rule, provenance: Provenance | None, message: str, hint: str | None = None) -> Diagnostic:
        if provenance is None or provenance.builtin:
            return rule.diagnostic(where_path, message, hint=hint)
        return rule.at(provenance.location, message, hint=hint)

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
            since = version_text(OPTIONS_TABLE if use.era == "options" else OPTIONS_SECTIONS)
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
