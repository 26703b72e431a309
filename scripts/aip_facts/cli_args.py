"""The `aip` command line from its clap derive structs (`src/cli/args.rs`, later `src/exec/cli/args.rs`).

Per subcommand: its name (clap's kebab-case of the variant unless `#[command(name = ...)]`), aliases, and every
argument in declaration order: long/short spellings, aliases, positional or not, whether it takes a value
(clap derive: `bool` is a flag, `Option<T>` optional, `Vec<T>`/`Option<Vec<T>>` repeatable), possible values.
clap adds `-h/--help` to every command unless `disable_help_flag` is set; those entries carry `"implicit": true`.
"""

from __future__ import annotations

import re
from typing import Any

from aip_facts import ExtractionError
from aip_facts import rust
from aip_facts.crates import Crate

ARGS_PATHS = ("src/exec/cli/args.rs", "src/cli/args.rs")
# clap `#[arg(...)]` keys that do not change what parses; recorded keys are handled below.
_IGNORED_KEYS = {"help", "long_help", "value_name", "value_hint", "next_line_help", "display_order", "id"}
_RECORDED_KEYS = {"short", "long", "alias", "aliases", "visible_alias", "visible_aliases", "short_alias",
                  "short_aliases", "visible_short_alias", "visible_short_aliases", "value_parser", "default_value",
                  "num_args", "required", "hide", "action", "conflicts_with", "requires", "global",
                  "trailing_var_arg", "allow_hyphen_values", "value_delimiter", "env", "last"}


def extract(crate: Crate) -> dict[str, Any]:
    path = crate.first_existing(ARGS_PATHS, "aip CLI flags")
    fact = f"aip CLI flags ({crate.name} {crate.version}, {path})"
    root = rust.parse(crate.text(path, fact))
    structs = {rust.text(n.child_by_field_name("name")): n for n in rust.walk(root) if n.type == "struct_item"}
    enums = {rust.text(n.child_by_field_name("name")): n for n in rust.walk(root) if n.type == "enum_item"}
    payloads = {rust.text(n) for enum in enums.values() for n in rust.walk(enum) if n.type == "type_identifier"}
    top = [n for name, n in structs.items() if "Parser" in _derives(n) and _subcommand_field(n) is not None
           and name not in payloads]
    if len(top) != 1:
        raise ExtractionError(f"{fact}: expected one top `#[derive(Parser)]` struct with a subcommand, found {len(top)}")
    return {"commands": _commands(_subcommand_field(top[0]), structs, enums, fact), "source": path}


def _commands(enum_name: str | None, structs: dict[str, rust.Node], enums: dict[str, rust.Node],
              fact: str) -> list[dict[str, Any]]:
    if enum_name not in enums:
        raise ExtractionError(f"{fact}: subcommand enum `{enum_name}` is not defined in the args file")
    commands = [_command(variant, structs, enums, fact)
                for variant in enums[enum_name].child_by_field_name("body").named_children
                if variant.type == "enum_variant"]
    return sorted(commands, key=lambda command: command["name"])


def _derives(node: rust.Node) -> set[str]:
    names: set[str] = set()
    for attribute in rust.attributes_of(node):
        name, args = rust.attribute_name_and_args(attribute)
        if name == "derive" and args is not None:
            names |= {rust.text(token).split("::")[-1] for token in args.named_children}
    return names


def _subcommand_field(struct: rust.Node) -> str | None:
    body = struct.child_by_field_name("body")
    for field in body.named_children if body is not None else []:
        if field.type == "field_declaration" and any(key == "subcommand" for key, _ in _clap_args(field)):
            return _inner_type(field.child_by_field_name("type"))
    return None


def _clap_args(node: rust.Node) -> list[tuple[str, list[rust.Node]]]:
    out: list[tuple[str, list[rust.Node]]] = []
    for attribute in rust.attributes_of(node):
        name, args = rust.attribute_name_and_args(attribute)
        if name in ("arg", "clap", "command"):
            out.extend(rust.attribute_args(args))
    return out


def _inner_type(type_node: rust.Node) -> str:
    return re.sub(r"^(Option|Box)<(.*)>$", r"\2", rust.text(type_node).replace(" ", ""))


def _kebab(name: str) -> str:
    """clap's default `rename_all = "kebab-case"` (heck): `CheckKeys` -> `check-keys`, `on_files` -> `on-files`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name)
    return spaced.replace("_", "-").lower()


def _command(variant: rust.Node, structs: dict[str, rust.Node], enums: dict[str, rust.Node],
             fact: str) -> dict[str, Any]:
    variant_name = rust.text(variant.child_by_field_name("name"))
    settings = dict((key, values) for key, values in _clap_args(variant))
    name = _one_literal(settings["name"], fact) if "name" in settings else _kebab(variant_name)
    aliases = sorted(_literals(settings, ("alias", "aliases", "visible_alias", "visible_aliases"), fact))
    body = variant.child_by_field_name("body")
    args: list[dict[str, Any]] = []
    nested: str | None = None
    if body is not None:
        types = [child for child in body.named_children if child.type not in ("(", ")")]
        if len(types) != 1:
            raise ExtractionError(f"{fact}: subcommand `{variant_name}` is not `Variant(ArgsStruct)`")
        struct_name = rust.text(types[0])
        if struct_name not in structs:
            raise ExtractionError(f"{fact}: `{struct_name}` (args of `{name}`) is not defined in the args file")
        args = _struct_args(structs[struct_name], structs, fact)
        nested = _subcommand_field(structs[struct_name])
        if nested is not None:
            command_subcommands = _commands(nested, structs, enums, fact)
    if "disable_help_flag" not in settings:
        args.append({"implicit": True, "long": "help", "positional": False, "short": "h", "takes_value": False})
    command: dict[str, Any] = {"aliases": aliases, "args": args, "name": name}
    if body is not None and nested is not None:
        command["subcommands"] = command_subcommands
    return command


def _struct_args(struct: rust.Node, structs: dict[str, rust.Node], fact: str) -> list[dict[str, Any]]:
    body = struct.child_by_field_name("body")
    args: list[dict[str, Any]] = []
    for field in body.named_children if body is not None else []:
        if field.type != "field_declaration":
            continue
        settings = _clap_args(field)
        keys = {key for key, _ in settings}
        field_name = rust.text(field.child_by_field_name("name"))
        if "flatten" in keys:
            inner = _inner_type(field.child_by_field_name("type"))
            if inner not in structs:
                raise ExtractionError(f"{fact}: flattened `{inner}` is not defined in the args file")
            args.extend(_struct_args(structs[inner], structs, fact))
            continue
        if "skip" in keys or "subcommand" in keys:
            continue
        unknown = keys - _IGNORED_KEYS - _RECORDED_KEYS
        if unknown:
            raise ExtractionError(f"{fact}: field `{field_name}` uses clap keys {sorted(unknown)} we do not model")
        args.append(_arg(field_name, rust.text(field.child_by_field_name("type")).replace(" ", ""), settings, fact))
    return args


def _arg(field_name: str, type_text: str, settings: list[tuple[str, list[rust.Node]]], fact: str) -> dict[str, Any]:
    values = dict(settings)
    arg: dict[str, Any] = {"field": field_name}
    if "long" in values:
        arg["long"] = _one_literal(values["long"], fact) if values["long"] else _kebab(field_name)
    if "short" in values:
        arg["short"] = _one_literal(values["short"], fact) if values["short"] else field_name[0]
    long_aliases = _literals(values, ("alias", "aliases", "visible_alias", "visible_aliases"), fact)
    short_aliases = _literals(values, ("short_alias", "short_aliases", "visible_short_alias",
                                       "visible_short_aliases"), fact)
    if long_aliases:
        arg["long_aliases"] = long_aliases
    if short_aliases:
        arg["short_aliases"] = short_aliases
    arg["positional"] = "long" not in arg and "short" not in arg
    is_flag = type_text == "bool" and "action" not in values
    arg["takes_value"] = not is_flag
    if not is_flag:
        arg["multiple"] = bool(re.fullmatch(r"(Option<)?Vec<.*>>?", type_text))
        arg["required"] = not type_text.startswith(("Option<", "Vec<")) and "default_value" not in values
    if "required" in values:
        arg["required"] = _one_literal(values["required"], fact) if values["required"] else True
    if "value_parser" in values:
        parsed = [rust.literal_value(token) for token in values["value_parser"]]
        if len(parsed) != 1 or not isinstance(parsed[0], list):
            raise ExtractionError(f"{fact}: `{field_name}` value_parser is not a literal list of values")
        arg["possible_values"] = parsed[0]
    for key in ("default_value", "num_args", "hide", "global", "conflicts_with", "requires", "env", "action",
                "trailing_var_arg", "allow_hyphen_values", "value_delimiter", "last"):
        if key in values:
            arg[key] = " ".join(rust.text(token) for token in values[key]) if values[key] else True
    arg["type"] = type_text
    return arg


def _one_literal(tokens: list[rust.Node], fact: str) -> Any:
    if len(tokens) != 1:
        raise ExtractionError(f"{fact}: expected one literal, found `{' '.join(rust.text(t) for t in tokens)}`")
    return rust.literal_value(tokens[0])


def _literals(values: dict[str, list[rust.Node]], keys: tuple[str, ...], fact: str) -> list[str]:
    found: list[str] = []
    for key in keys:
        if key in values:
            value = _one_literal(values[key], fact)
            found.extend(value if isinstance(value, list) else [value])
    return found
