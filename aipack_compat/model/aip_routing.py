"""genai's model -> adapter choice, evaluated from the extracted rule chain of one genai release.

The chain (`routing.json` under `aipack_compat/data/aip/<version>/`, written by `scripts/extract_aip_facts.py`)
is genai's `AdapterKind::from_model` as data. One kind of condition cannot be data: a method genai calls on a
parsed model name (`OpenAIModel::is_resp_model`, genai 0.7). Those are ported here, each pinned to the sha256 of
the genai source it was ported from; the generator refuses a routing.json whose predicate source has another
digest, so a changed genai parser cannot silently keep the old port.

Standard library only (the validate path imports it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["PORTED_PREDICATES", "Route", "openai_is_resp_model", "route"]


@dataclass(frozen=True, slots=True)
class Route:
    adapter: str  # genai's AdapterKind variant: "OpenAIResp", "Ollama", "Custom", ...
    provider: str  # its lower-case name (`as_lower_str`): "openai_resp", "ollama", "custom"
    by: str  # "namespace" | "name" | "fallback" (the chain's last `else`)
    namespace: str | None = None  # the `ns::` prefix, when the model has one
    name: str = ""  # the model name after a recognised namespace (what the adapter receives)
    unknown_namespace: bool = False  # `ns::` given but genai has no such adapter: routed by the whole string


def route(model: str, routing: Mapping[str, Any]) -> Route:
    """`AdapterKind::from_model(model)` for the genai whose `routing.json` is `routing`."""
    lower = routing["adapter_kinds"]
    namespaces = routing.get("namespaces")
    namespace = None
    if namespaces is not None and namespaces["separator"] in model:
        namespace, rest = model.split(namespaces["separator"], 1)
        adapter = _namespace_adapter(namespace, namespaces, routing.get("enabled_features", ()))
        if adapter is not None:
            provider = "custom" if adapter == "Custom" else lower.get(adapter, adapter.lower())
            return Route(adapter, provider, "namespace", namespace, rest)
    adapter, by = _evaluate_chain(routing["from_model"], model, routing.get("model_lists", {}))
    return Route(adapter, lower.get(adapter, adapter.lower()), by, namespace, model, namespace is not None)


def _namespace_adapter(namespace: str, namespaces: Mapping[str, Any], features: Any) -> str | None:
    entry = namespaces["lower_str"].get(namespace)
    if entry is not None and ("cfg_feature" not in entry or entry["cfg_feature"] in features):
        return str(entry["adapter"])
    prefix = namespaces.get("custom_prefix")
    if prefix and namespace.startswith(prefix):
        digits = namespace[len(prefix):]
        # Rust `str::parse::<u8>`: ASCII digits (an optional leading `+`), value 0..=255
        body = digits[1:] if digits.startswith("+") else digits
        if body and body.isascii() and body.isdigit() and int(body) <= 255:
            return "Custom"
        return None
    extra = namespaces.get("extra", {}).get(namespace)
    return str(extra) if extra is not None else None


def _evaluate_chain(chain: Mapping[str, Any], model: str, lists: Mapping[str, Any]) -> tuple[str, str]:
    for rule in chain["rules"]:
        if _holds(rule["when"], model, lists):
            outcome = rule["then"]
            if isinstance(outcome, str):
                return outcome, "name"
            return _evaluate_chain(outcome, model, lists)[0], "name"
    otherwise = chain["otherwise"]
    if isinstance(otherwise, str):
        return otherwise, "fallback"
    return _evaluate_chain(otherwise, model, lists)


def _holds(condition: Mapping[str, Any], model: str, lists: Mapping[str, Any]) -> bool:
    (kind, argument), = condition.items()
    if kind == "starts_with":
        return model.startswith(argument)
    if kind == "contains":
        return argument in model
    if kind == "ends_with":
        return model.endswith(argument)
    if kind == "equals":
        return bool(model == argument)
    if kind == "any":
        return any(_holds(part, model, lists) for part in argument)
    if kind == "all":
        return all(_holds(part, model, lists) for part in argument)
    if kind == "not":
        return not _holds(argument, model, lists)
    if kind == "in_list":
        return model in lists[argument]
    if kind == "predicate":
        return PORTED_PREDICATES[argument][0](model)
    raise ValueError(f"unknown routing condition {kind!r}")


# ---- ported predicates ---------------------------------------------------------------------------------------

_REASONING_QUALIFIERS = ("-low", "-medium", "-high", "-max", "-none", "-zero", "-xhigh")
_LEGACY_FAMILIES = ("text-embedding", "text-davinci", "davinci", "text-babbage", "babbage", "text-curie", "curie",
                    "text-ada", "ada", "dall-e", "whisper", "tts", "codex")


def openai_is_resp_model(model: str) -> bool:
    """genai 0.7 `OpenAIModel::from(model).is_resp_model()` (`src/adapter/adapters/openai/openai_model.rs`):
    family `gpt` with a numeric version >= 5, or a variant containing `codex`/`pro`."""
    name = model.split("::", 1)[1] if "::" in model else model
    if not name:
        return False
    raw = name.encode("utf-8")
    for qualifier in _REASONING_QUALIFIERS:
        if raw.endswith(qualifier.encode()):
            raw = raw[: -len(qualifier)]
            break
    raw = _strip_snapshot(raw)
    family, version, variant = _family_version_variant(raw)
    if family != b"gpt":
        return False
    if version is not None and version >= 5.0:
        return True
    return variant is not None and (b"codex" in variant or b"pro" in variant)


def _digits(data: bytes) -> bool:
    return bool(data) and all(0x30 <= byte <= 0x39 for byte in data)


def _strip_snapshot(name: bytes) -> bytes:
    size = len(name)
    if size >= 11 and name[size - 11] == 0x2D:  # -YYYY-MM-DD
        tail = name[-10:]
        if _digits(tail[0:4]) and tail[4] == 0x2D and _digits(tail[5:7]) and tail[7] == 0x2D and _digits(tail[8:10]) \
                and 1 <= int(tail[5:7]) <= 12 and 1 <= int(tail[8:10]) <= 31:
            return name[: size - 11]
    if size >= 9 and name[size - 9] == 0x2D:  # -YYYYMMDD
        tail = name[-8:]
        if _digits(tail) and 1990 <= int(tail[0:4]) <= 2099 and 1 <= int(tail[4:6]) <= 12 \
                and 1 <= int(tail[6:8]) <= 31:
            return name[: size - 9]
    if size >= 5 and name[size - 5] == 0x2D:  # -MMDD
        tail = name[-4:]
        if _digits(tail) and 1 <= int(tail[0:2]) <= 12 and 1 <= int(tail[2:4]) <= 31:
            return name[: size - 5]
    return name


def _family_version_variant(name: bytes) -> tuple[bytes | None, float | None, bytes | None]:
    if name.startswith(b"gpt-oss"):
        return b"gpt-oss", None, None
    if name[:1] == b"o" and len(name) > 1 and _digits(name[1:2]):
        end = 1
        while end < len(name) and _digits(name[end:end + 1]):
            end += 1
        if end == len(name) or name[end] == 0x2D:
            return name[:end], None, None
    if name.startswith(b"chatgpt"):
        version, variant = _version_and_variant(name[8:] if name[7:8] == b"-" else name[7:])
        return b"chatgpt", version, variant
    if name.startswith(b"gpt-"):
        return (b"gpt", *_version_and_variant(name[4:]))
    if name == b"gpt":
        return b"gpt", None, None
    if name.startswith(b"gpt") and len(name) > 3 and _digits(name[3:4]):
        return (b"gpt", *_version_and_variant(name[3:]))
    for prefix in _LEGACY_FAMILIES:
        if name.startswith(prefix.encode()):
            return prefix.encode(), None, None
    return None, None, None


def _version_and_variant(remainder: bytes) -> tuple[float | None, bytes | None]:
    if not remainder:
        return None, None
    token, _, rest = remainder.partition(b"-")
    if _is_numeric_token(token):
        return float(token), (rest if rest else None)
    return None, remainder


def _is_numeric_token(token: bytes) -> bool:
    return bool(token) and all(0x30 <= byte <= 0x39 or byte == 0x2E for byte in token) \
        and any(0x30 <= byte <= 0x39 for byte in token) and token.count(b".") <= 1


# name -> (port, sha256 of the genai source file it ports, comments and #[cfg(test)] items removed).
PORTED_PREDICATES: dict[str, tuple[Callable[[str], bool], frozenset[str]]] = {
    "OpenAIModel::is_resp_model": (
        openai_is_resp_model,
        frozenset({"dc9f4b686e72a636cffa93b9c7665a2602a0fb19be70ab595bf82022d022405d"}),  # genai 0.7.0-rc.4 .. 0.7.2
    ),
}
