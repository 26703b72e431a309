"""genai's model -> adapter routing as data: `AdapterKind::from_model` as a rule chain, the namespaces
`from_lower_str`/`from_model_namespace` accept, the adapters' MODELS lists, and genai's own routing tests.

Rule chain JSON (read by `aipack_compat/model/aip_routing.py`):
    {"rules": [{"when": COND, "then": OUTCOME}, ...], "otherwise": OUTCOME}
    OUTCOME = "<AdapterKind variant>" | a nested chain
    COND    = {"starts_with"|"contains"|"ends_with"|"equals": "text"} | {"in_list": "<adapter module>"}
            | {"predicate": "<Type>::<method>"} | {"any": [COND...]} | {"all": [COND...]} | {"not": COND}
A predicate is a method genai calls on a parsed model name (`OpenAIModel::is_resp_model`): not expressible as
data, so the runtime carries a port, and the chain records the sha256 of the source it was ported from.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from typing import Any

from aip_facts import ExtractionError
from aip_facts import rust
from aip_facts.crates import Crate

ADAPTER_KIND = "src/adapter/adapter_kind.rs"
MODEL_NAME = "src/common/model_name.rs"
_FACT = "genai routing"


def extract(genai: Crate, aip_cargo_toml: str) -> dict[str, Any]:
    fact = f"{_FACT} ({genai.name} {genai.version})"
    source = genai.text(ADAPTER_KIND, fact)
    root = rust.parse(source)
    impl_root = _expanded_str_maps(genai, root, fact) or root
    from_model = rust.one_function(root, "from_model", f"{fact}: AdapterKind::from_model")
    namespaces = _namespace_rules(genai, root, impl_root, from_model, fact)
    lists = _model_lists(genai)
    aliases = _use_aliases(root)
    chain_node = _chain_start(from_model, fact)
    predicates: dict[str, str] = {}
    chain = _chain(chain_node, {}, _Context(genai, fact, lists, aliases, predicates))
    return {
        "adapter_kinds": _lower_names(impl_root, fact),
        "enabled_features": _enabled_features(genai, aip_cargo_toml),
        "fallback": _last_otherwise(chain),
        "from_model": chain,
        "model_lists": lists,
        "namespaces": namespaces,
        "predicate_sources": predicates,
        "examples": sorted(_routing_examples(genai), key=lambda pair: pair["model"]),
    }


class _Context:
    def __init__(self, genai: Crate, fact: str, lists: dict[str, list[str]], aliases: dict[str, str],
                 predicates: dict[str, str]) -> None:
        self.genai, self.fact, self.lists, self.aliases, self.predicates = genai, fact, lists, aliases, predicates


# ---- AdapterKind string maps -------------------------------------------------------------------------------


def _expanded_str_maps(genai: Crate, root: rust.Node, fact: str) -> rust.Node | None:
    """genai 0.7 generates `as_lower_str`/`from_lower_str` from one table (`adapter_kind_str_maps!`): expand it."""
    calls = [node for node in rust.walk(root) if node.type == "macro_invocation"
             and rust.text(node.child_by_field_name("macro")) == "adapter_kind_str_maps"]
    if not calls:
        return None
    table = next(child for child in calls[0].named_children if child.type == "token_tree")
    rows: list[list[str]] = [[""]]
    for token in list(table.children)[1:-1]:
        if token.type == ";":
            rows.append([""])
        elif token.type in ("=>", ","):
            rows[-1].append("")
        elif token.type not in ("line_comment", "block_comment"):
            rows[-1][-1] += rust.text(token)
    rows = [row for row in rows if row != [""]]
    for path in genai.under("src/adapter/macros/"):
        definition = re.search(r"macro_rules!\s*adapter_kind_str_maps\s*\{", genai.text(path, fact))
        if definition is None:
            continue
        macro_root = rust.parse(genai.text(path, fact))
        macro = next(node for node in rust.walk(macro_root) if node.type == "macro_definition")
        rule = next(child for child in macro.named_children if child.type == "macro_rule")
        pattern, body = rule.child_by_field_name("left"), rule.child_by_field_name("right")
        fragments = re.findall(r"\$(\w+):", rust.text(pattern))
        if any(len(row) != len(fragments) for row in rows):
            raise ExtractionError(f"{fact}: adapter_kind_str_maps! rows do not fit its pattern {fragments}")
        return rust.parse(rust.expand_rows(_without_comments(body)[1:-1], fragments, rows))
    raise ExtractionError(f"{fact}: `adapter_kind_str_maps!` is invoked but not defined under src/adapter/macros/")


def _without_comments(node: rust.Node) -> str:
    source = bytearray(node.text)
    for child in rust.walk(node, skip_tests=False):
        if child.type in ("line_comment", "block_comment"):
            start, end = child.start_byte - node.start_byte, child.end_byte - node.start_byte
            source[start:end] = b" " * (end - start)
    return source.decode("utf-8")


def _lower_names(root: rust.Node, fact: str) -> dict[str, str]:
    """Variant -> lower-case name (`as_lower_str`): what namespaces are written as and what we call providers."""
    function = rust.one_function(root, "as_lower_str", f"{fact}: AdapterKind::as_lower_str")
    names: dict[str, str] = {}
    for arm in rust.walk(function):
        if arm.type != "match_arm":
            continue
        pattern, value = arm.child_by_field_name("pattern"), arm.child_by_field_name("value")
        variant = rust.text(pattern).split("::")[-1].split("(")[0].strip()
        if value.type == "string_literal":
            names[variant] = rust.string_value(value)
        else:
            raise ExtractionError(f"{fact}: as_lower_str arm `{rust.text(arm)}` is not `Variant => \"name\"`")
    return dict(sorted(names.items()))


def _enabled_features(genai: Crate, aip_cargo_toml: str) -> list[str]:
    dependency = tomllib.loads(aip_cargo_toml).get("dependencies", {}).get("genai", {})
    features = set(dependency.get("features", [])) if isinstance(dependency, dict) else set()
    if not isinstance(dependency, dict) or dependency.get("default-features", True):
        features |= set(tomllib.loads(genai.text("Cargo.toml", _FACT)).get("features", {}).get("default", []))
    return sorted(features)


# ---- namespaces --------------------------------------------------------------------------------------------


def _namespace_rules(genai: Crate, root: rust.Node, impl_root: rust.Node, from_model: rust.Node,
                     fact: str) -> dict[str, Any] | None:
    first = _statements(from_model.child_by_field_name("body"))[0]
    first_text = rust.text(first)
    if "from_model_namespace(model)" in first_text:
        extra = _extra_namespaces(genai, rust.one_function(root, "from_model_namespace", fact), fact)
    elif "model_name_and_namespace(model)" in first_text and "from_lower_str" in first_text:
        extra = {}
    else:
        return None  # genai before namespaces: the whole string goes through the name rules
    lookup = rust.one_function(impl_root, "from_lower_str", f"{fact}: AdapterKind::from_lower_str")
    exact: dict[str, dict[str, Any]] = {}
    custom_prefix = None
    for arm in rust.walk(lookup):
        if arm.type != "match_arm":
            continue
        pattern = arm.child_by_field_name("pattern")
        literal = next((n for n in rust.walk(pattern) if n.type == "string_literal"), None)
        if literal is None:  # the catch-all arm: genai 0.7's `genai_<u8>` custom adapters
            prefix = re.search(r'starts_with\("([^"]+)"\)', rust.text(arm))
            if prefix is None or "parse::<u8>" not in rust.text(arm) or "Custom" not in rust.text(arm):
                if rust.text(arm.child_by_field_name("value")).strip() == "None":
                    continue
                raise ExtractionError(f"{fact}: unknown from_lower_str fallback arm `{rust.text(arm)}`")
            custom_prefix = prefix.group(1)
            continue
        variant = re.search(r"AdapterKind::(\w+)", rust.text(arm.child_by_field_name("value")))
        if variant is None:
            raise ExtractionError(f"{fact}: from_lower_str arm `{rust.text(arm)}` names no AdapterKind")
        cfg = [re.search(r'feature\s*=\s*"([^"]+)"', rust.text(attr)) for attr in rust.attributes_of(arm)]
        entry: dict[str, Any] = {"adapter": variant.group(1)}
        if any(cfg):
            entry["cfg_feature"] = next(match.group(1) for match in cfg if match)
        exact[rust.string_value(literal)] = entry
    return {
        "custom_prefix": custom_prefix,  # `<prefix><u8>::model` -> the custom adapter `Custom(n)`
        "extra": extra,
        "lower_str": dict(sorted(exact.items())),
        "separator": _namespace_separator(genai, fact),
    }


def _extra_namespaces(genai: Crate, function: rust.Node, fact: str) -> dict[str, str]:
    """`else if namespace == zai::ZAI_CODING_NAMESPACE { Some(Self::Zai) }` arms of `from_model_namespace`."""
    extra: dict[str, str] = {}
    for node in rust.walk(function):
        if node.type != "if_expression":
            continue
        condition = node.child_by_field_name("condition")
        if condition.type == "let_condition":
            continue
        variant = re.search(r"Some\(Self::(\w+)\)", rust.text(node.child_by_field_name("consequence")))
        operands = re.findall(r"namespace\s*==\s*([\w:]+)", rust.text(condition))
        if variant is None or not operands:
            raise ExtractionError(f"{fact}: from_model_namespace branch `{rust.text(condition)}` not understood")
        for operand in operands:
            extra[_const_str(genai, operand.split("::")[-1], fact)] = variant.group(1)
    return dict(sorted(extra.items()))


def _const_str(genai: Crate, name: str, fact: str) -> str:
    for path in genai.under("src/"):
        match = re.search(rf'const\s+{name}\s*:\s*&(?:\'static\s+)?str\s*=\s*"([^"]*)"', genai.text(path, fact))
        if match:
            return match.group(1)
    raise ExtractionError(f"{fact}: no `const {name}: &str` in genai's sources")


def _namespace_separator(genai: Crate, fact: str) -> str:
    root = rust.parse(genai.text(MODEL_NAME, fact))
    for name in ("split_as_namespace_and_name", "model_name_and_namespace"):
        for function in rust.functions(root, name):
            calls = [node for node in rust.walk(function) if node.type == "call_expression"
                     and rust.text(node.child_by_field_name("function")).endswith(".find")]
            if len(calls) == 1:
                return rust.string_value(calls[0].child_by_field_name("arguments").named_children[0])
    raise ExtractionError(f"{fact}: the namespace separator (`model.find(\"::\")` in {MODEL_NAME}) not found")


# ---- model lists -------------------------------------------------------------------------------------------


def _model_lists(genai: Crate) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {}
    for path in genai.under("src/adapter/"):
        parts = path.split("/")
        if not path.endswith(".rs") or "adapters" not in parts:
            continue
        module = parts[-2]
        for item in rust.items(rust.parse(genai.read(path, _FACT)), "const_item", "MODELS"):
            value = item.child_by_field_name("value")
            names = [rust.string_value(n) for n in rust.walk(value) if n.type == "string_literal"]
            if module in lists:
                raise ExtractionError(f"{_FACT}: two MODELS lists for adapter module `{module}`")
            lists[module] = names
    return dict(sorted(lists.items()))


def _use_aliases(root: rust.Node) -> dict[str, str]:
    """`use super::groq::MODELS as GROQ_MODELS;` -> {"GROQ_MODELS": "groq"}."""
    aliases: dict[str, str] = {}
    for node in rust.walk(root):
        if node.type == "use_as_clause":
            path, alias = node.child_by_field_name("path"), node.child_by_field_name("alias")
            segments = rust.text(path).split("::")
            if segments[-1] == "MODELS":
                aliases[rust.text(alias)] = segments[-2]
    return aliases


# ---- the from_model chain ----------------------------------------------------------------------------------


def _statements(block: rust.Node) -> list[rust.Node]:
    return [child for child in block.named_children if child.type not in ("line_comment", "block_comment",
                                                                          "empty_statement")]


def _chain_start(from_model: rust.Node, fact: str) -> rust.Node:
    statements = _statements(from_model.child_by_field_name("body"))
    last = statements[-1]
    node = last.named_children[0] if last.type == "expression_statement" else last
    if node.type != "if_expression":
        raise ExtractionError(f"{fact}: from_model does not end in an if/else chain")
    return node


def _chain(node: rust.Node, bindings: dict[str, str], context: _Context) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    while True:
        condition = node.child_by_field_name("condition")
        rules.append({"when": _condition(condition, bindings, context),
                      "then": _outcome(node.child_by_field_name("consequence"), bindings, context)})
        alternative = node.child_by_field_name("alternative")
        if alternative is None:
            raise ExtractionError(f"{context.fact}: an if without else in from_model: `{rust.text(condition)}`")
        follow = alternative.named_children[-1]
        if follow.type == "if_expression":
            node = follow
            continue
        return {"otherwise": _outcome(follow, bindings, context), "rules": rules}


def _outcome(block: rust.Node, bindings: dict[str, str], context: _Context) -> Any:
    local = dict(bindings)
    statements = _statements(block)
    for statement in statements[:-1]:
        if statement.type != "let_declaration":
            raise ExtractionError(f"{context.fact}: unexpected statement in from_model: `{rust.text(statement)}`")
        value = rust.text(statement.child_by_field_name("value")).replace(" ", "")
        match = re.fullmatch(r"(\w+)::from\(model\)", value)
        if match is None:
            raise ExtractionError(f"{context.fact}: binding `{rust.text(statement)}` is not `T::from(model)`")
        local[rust.text(statement.child_by_field_name("pattern"))] = match.group(1)
    last = statements[-1]
    expression = last.named_children[0] if last.type == "expression_statement" else last
    if expression.type == "if_expression":
        return _chain(expression, local, context)
    variant = re.fullmatch(r"(?:return\s+)?Ok\((?:Self|AdapterKind)::(\w+)\)", rust.text(expression).strip())
    if variant is None:
        raise ExtractionError(f"{context.fact}: from_model outcome `{rust.text(expression)}` is not Ok(Self::X)")
    return variant.group(1)


def _condition(node: rust.Node, bindings: dict[str, str], context: _Context) -> dict[str, Any]:
    kind = node.type
    if kind == "parenthesized_expression":
        return _condition(node.named_children[0], bindings, context)
    if kind == "unary_expression" and rust.text(node).startswith("!"):
        return {"not": _condition(node.named_children[0], bindings, context)}
    if kind == "binary_expression":
        operator = rust.text(node.child_by_field_name("operator"))
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if operator in ("||", "&&"):
            key = "any" if operator == "||" else "all"
            parts: list[dict[str, Any]] = []
            for side in (left, right):
                part = _condition(side, bindings, context)
                parts.extend(part[key] if key in part and side.type == "binary_expression" else [part])
            return {key: parts}
        if operator == "==" and rust.text(left) == "model" and right.type == "string_literal":
            return {"equals": rust.string_value(right)}
    if kind == "call_expression":
        function, arguments = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        if function.type == "field_expression":
            receiver = rust.text(function.child_by_field_name("value"))
            method = rust.text(function.child_by_field_name("field"))
            args = arguments.named_children
            if receiver == "model" and method in ("starts_with", "contains", "ends_with") and len(args) == 1 \
                    and args[0].type == "string_literal":
                return {method: rust.string_value(args[0])}
            if method == "contains" and len(args) == 1 and rust.text(args[0]).replace(" ", "") == "&model":
                module = receiver.split("::")[-2] if "::" in receiver else context.aliases.get(receiver)
                if module is None or module not in context.lists:
                    raise ExtractionError(f"{context.fact}: `{receiver}` is no adapter MODELS list")
                return {"in_list": module}
            if receiver in bindings and not args:
                return {"predicate": _predicate(bindings[receiver], method, context)}
    raise ExtractionError(f"{context.fact}: from_model condition `{rust.text(node)}` is not a known shape")


def _predicate(type_name: str, method: str, context: _Context) -> str:
    """Record the sha256 of the (test-free) file defining `impl Type { fn method }`: the port's pin."""
    name = f"{type_name}::{method}"
    for path in context.genai.under("src/"):
        source = context.genai.read(path, context.fact)
        if f"fn {method}".encode() not in source or f"impl {type_name}".encode() not in source:
            continue
        root = rust.parse(source)
        for impl in rust.walk(root):
            if impl.type == "impl_item" and rust.text(impl.child_by_field_name("type")) == type_name \
                    and rust.functions(impl, method):
                context.predicates[name] = _source_digest(root)
                return name
    raise ExtractionError(f"{context.fact}: predicate {name} has no definition in genai's sources")


def _source_digest(root: rust.Node) -> str:
    """sha256 of the file without its `#[cfg(test)]` items and comments, whitespace-normalised."""
    pieces = [rust.text(node) for node in root.named_children
              if node.type not in ("line_comment", "block_comment") and not rust.is_cfg_test(node)
              and not (node.type == "attribute_item" and node.next_named_sibling is not None
                       and rust.is_cfg_test(node.next_named_sibling))]
    normalised = re.sub(r"//[^\n]*", "", "\n".join(pieces))
    return hashlib.sha256(" ".join(normalised.split()).encode()).hexdigest()


def _last_otherwise(chain: dict[str, Any]) -> str:
    outcome = chain["otherwise"]
    return outcome if isinstance(outcome, str) else _last_otherwise(outcome)


# ---- genai's own tests: examples the runtime's evaluator must reproduce ------------------------------------------


def _routing_examples(genai: Crate) -> list[dict[str, str]]:
    examples: dict[str, str] = {}
    for path in genai.under("src/"):
        source = genai.read(path, _FACT)
        if b"from_model(" not in source or b"assert_eq!" not in source:
            continue
        for node in rust.walk(rust.parse(source), skip_tests=False):
            if node.type != "macro_invocation" or rust.text(node.child_by_field_name("macro")) != "assert_eq":
                continue
            body = rust.text(node)[len("assert_eq!"):]
            match = re.fullmatch(r'\(\s*AdapterKind::from_model\(\s*("(?:[^"\\]|\\.)*")\s*\)\??\s*,'
                                 r'\s*AdapterKind::(\w+)\s*,?\s*\)', body.strip(), re.S)
            if match:
                examples[rust.unescape(match.group(1)[1:-1])] = match.group(2)
    return [{"adapter": adapter, "model": model} for model, adapter in examples.items()]
