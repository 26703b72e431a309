"""The Lua globals and `aip.*` module tables an aip release registers, read from its Rust sources.

Starts at `LuaEngine::new` (`src/script/lua_engine.rs`, earlier `src/script/lua_script/lua_engine.rs`) and follows
what it does to tables: `lua.create_table()`, `t.set("name", value)`, the `init_and_set!(table, lua, rt, a, b)`
macro (whose definition says the module prefix: `[<utils_ $name>]`, `[<aip_ $name>]`), `m::init_module(...)`,
`for pair in t.pairs() { table.set(key, value) }` (aip 0.7.x's aip_pin merge), `globals.set(...)` and
`globals.get::<Table>("aip").and_then(|v| v.get::<Table>("flow"))` (the `aipack` = `aip.flow` alias).
Any `.set("...")` on something it cannot resolve fails the extraction, naming it.

Output: {"globals": {name: ENTRY}, "module_sources": {"aip.file": "src/.../init.rs"}} where ENTRY is
"function", "value", a table {name: ENTRY}, or {"@same_as": "aip"} for a table already listed at that path.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from aip_facts import ExtractionError
from aip_facts import rust
from aip_facts.crates import Crate

ENGINE_PATHS = ("src/script/lua_engine.rs", "src/script/lua_script/lua_engine.rs")
_FUNCTION_MAKERS = ("create_function", "create_async_function", "create_function_mut")
_ids = itertools.count()
_LUA_BUILTIN = "lua builtin"


@dataclass
class _Table:
    entries: dict[str, Any] = field(default_factory=dict)
    ident: int = field(default_factory=lambda: next(_ids))


@dataclass
class _Run:
    crate: Crate
    fact: str
    engine: rust.Node
    globals: _Table = field(default_factory=_Table)
    prefix: str = ""
    sources: dict[int, str] = field(default_factory=dict)


def extract(crate: Crate) -> dict[str, Any]:
    path = crate.first_existing(ENGINE_PATHS, "aip Lua API")
    fact = f"aip Lua API ({crate.name} {crate.version}, {path})"
    engine = rust.parse(crate.text(path, fact))
    run = _Run(crate, fact, engine, prefix=_macro_prefix(engine, fact))
    constructors = [node for node in rust.functions(engine, "new")]
    if len(constructors) != 1:
        raise ExtractionError(f"{fact}: expected one `LuaEngine::new`, found {len(constructors)}")
    _interpret(constructors[0].child_by_field_name("body"), {}, run)
    seen: dict[int, str] = {}
    globals_out = {name: _serialise(value, name, seen) for name, value in sorted(run.globals.entries.items())}
    sources = {seen[ident]: source for ident, source in run.sources.items() if ident in seen}
    return {"globals": globals_out, "module_sources": dict(sorted(sources.items()))}


def _macro_prefix(engine: rust.Node, fact: str) -> str:
    for node in rust.walk(engine):
        if node.type == "macro_definition" and rust.text(node.child_by_field_name("name")) == "init_and_set":
            match = re.search(r"\[<\s*(\w+)\s+\$name\s*>\]", rust.text(node))
            if match is None:
                raise ExtractionError(f"{fact}: init_and_set! does not build `[<prefix $name>]` module names")
            return match.group(1)
    raise ExtractionError(f"{fact}: no `macro_rules! init_and_set`")


def _serialise(value: Any, path: str, seen: dict[int, str]) -> Any:
    if not isinstance(value, _Table):
        return value
    if value.ident in seen:
        return {"@same_as": seen[value.ident]}
    seen[value.ident] = path
    return {name: _serialise(entry, f"{path}.{name}", seen) for name, entry in sorted(value.entries.items())}


# ---- the interpreter ---------------------------------------------------------------------------------------


def _interpret(block: rust.Node, env: dict[str, Any], run: _Run) -> Any:
    """Run a function body's table operations; returns the value of `Ok(x)` at its end (or None)."""
    result = None
    for statement in block.named_children:
        node = statement.named_children[0] if statement.type == "expression_statement" else statement
        if node.type in ("line_comment", "block_comment", "empty_statement"):
            continue
        if node.type == "let_declaration":
            value = node.child_by_field_name("value")
            bound = _evaluate(value, env, run) if value is not None else None
            pattern = rust.text(node.child_by_field_name("pattern"))
            if pattern != "_":
                env[pattern] = bound
        elif node.type == "macro_invocation" and rust.text(node.child_by_field_name("macro")) == "init_and_set":
            _init_and_set(node, env, run)
        elif node.type == "for_expression":
            _merge_pairs(node, env, run)
        elif node.type == "if_expression" and node.child_by_field_name("condition").type == "let_condition":
            condition = node.child_by_field_name("condition")
            local = dict(env)
            local[rust.text(condition.child_by_field_name("pattern")).removeprefix("Ok(").removesuffix(")")] = \
                _evaluate(condition.child_by_field_name("value"), env, run)
            _interpret(node.child_by_field_name("consequence"), local, run)
        elif node.type == "block":  # `{ let run_tbl = ...; table.set("run", run_tbl)?; }`
            _interpret(node, dict(env), run)
        elif node.type in ("call_expression", "try_expression", "return_expression"):
            result = _evaluate(node, env, run)
        else:
            _no_hidden_sets(node, run)
    return result


def _no_hidden_sets(node: rust.Node, run: _Run) -> None:
    for inner in rust.walk(node):
        if inner.type == "call_expression" and rust.text(inner.child_by_field_name("function")).endswith(".set"):
            raise ExtractionError(f"{run.fact}: `{rust.text(inner)[:80]}` registers inside a construct not followed")


def _evaluate(node: rust.Node, env: dict[str, Any], run: _Run) -> Any:
    kind = node.type
    if kind in ("try_expression", "reference_expression", "parenthesized_expression"):
        return _evaluate(node.named_children[-1] if kind == "reference_expression" else node.named_children[0],
                         env, run)
    if kind == "return_expression":
        return _evaluate(node.named_children[0], env, run)
    if kind == "identifier":
        return env.get(rust.text(node), "value")
    if kind != "call_expression":
        return "value"
    function, arguments = node.child_by_field_name("function"), node.child_by_field_name("arguments")
    args = arguments.named_children
    callee = rust.text(function)
    if callee == "Ok" and len(args) == 1:
        return _evaluate(args[0], env, run)
    if function.type == "scoped_identifier" and callee.endswith("::init_module"):
        return _module(callee.split("::")[-2], run)
    if function.type == "identifier" or re.fullmatch(r"(Self|LuaEngine)::\w+", callee):
        local = rust.functions(run.engine, callee.split("::")[-1])
        if len(local) == 1:  # a helper of lua_engine.rs (init_aip, init_print, ...)
            return _interpret(local[0].child_by_field_name("body"), {}, run)
        return "value"
    if function.type in ("field_expression", "generic_function"):
        target = function if function.type == "field_expression" else function.child_by_field_name("function")
        method = rust.text(target.child_by_field_name("field"))
        receiver_node = target.child_by_field_name("value")
        if method == "create_table":
            return _Table()
        if method in _FUNCTION_MAKERS:
            return "function"
        if method == "globals":
            return run.globals
        receiver = _evaluate(receiver_node, env, run)
        if method == "set":
            return _set(receiver, args, env, run, node)
        if method == "get" and isinstance(receiver, _Table) and args and args[0].type == "string_literal":
            # a global we did not register is Lua's own (`package`): changing it registers nothing
            default = _LUA_BUILTIN if receiver is run.globals else "value"
            return receiver.entries.get(rust.string_value(args[0]), default)
        if method == "and_then" and len(args) == 1 and args[0].type == "closure_expression":
            closure = args[0]
            parameter = rust.text(closure.child_by_field_name("parameters")).strip("|").split(":")[0].strip()
            return _evaluate(closure.child_by_field_name("body"), {**env, parameter: receiver}, run)
    return "value"


def _set(receiver: Any, args: list[rust.Node], env: dict[str, Any], run: _Run, node: rust.Node) -> Any:
    if len(args) != 2 or args[0].type != "string_literal":
        raise ExtractionError(f"{run.fact}: `{rust.text(node)[:80]}` does not set a literal name")
    if receiver == _LUA_BUILTIN:  # `package.set("path", ...)`: Lua's own table, not part of the aip API
        return None
    if not isinstance(receiver, _Table):
        raise ExtractionError(f"{run.fact}: `{rust.text(node)[:80]}` sets on a value that is not a known table")
    receiver.entries[rust.string_value(args[0])] = _evaluate(args[1], env, run)
    return None


def _init_and_set(node: rust.Node, env: dict[str, Any], run: _Run) -> None:
    tokens = next(child for child in node.named_children if child.type == "token_tree")
    names = [rust.text(token) for token in tokens.named_children if token.type == "identifier"]
    table = env.get(names[0])
    if not isinstance(table, _Table):
        raise ExtractionError(f"{run.fact}: init_and_set! target `{names[0]}` is not a table")
    for name in names[3:]:  # (table, lua, runtime, module names...)
        table.entries[name] = _module(f"{run.prefix}{name}", run)


def _merge_pairs(node: rust.Node, env: dict[str, Any], run: _Run) -> None:
    """`for pair in src.pairs::<String, Value>() { let (key, value) = pair?; table.set(key, value)?; }`."""
    source = re.fullmatch(r"(\w+)\.pairs(::<[^>]*>)?\(\)", rust.text(node.child_by_field_name("value")).replace(" ", ""))
    body = rust.text(node.child_by_field_name("body")).replace(" ", "")
    target = re.search(r"(\w+)\.set\(key,value\)", body)
    if source is None or target is None:
        raise ExtractionError(f"{run.fact}: loop `{rust.text(node)[:80]}` is not a pairs() merge")
    origin, table = env.get(source.group(1)), env.get(target.group(1))
    if not isinstance(origin, _Table) or not isinstance(table, _Table):
        raise ExtractionError(f"{run.fact}: pairs() merge between values that are not known tables")
    table.entries.update(origin.entries)


def _module(module_name: str, run: _Run) -> _Table:
    """`<module_name>::init_module` -> the table it returns, from `.../<module_name>.rs` or `.../<module_name>/*.rs`."""
    candidates = [path for path in run.crate.under("src/script/")
                  if re.search(rf"/{module_name}(\.rs|/[^/]+\.rs)$", path)
                  and b"fn init_module" in run.crate.read(path, run.fact)]
    found = [(path, function) for path in candidates
             for function in rust.functions(rust.parse(run.crate.read(path, run.fact)), "init_module")]
    if len(found) != 1:
        raise ExtractionError(f"{run.fact}: expected one `{module_name}::init_module`, found {len(found)}")
    path, function = found[0]
    table = _interpret(function.child_by_field_name("body"), {}, run)
    if not isinstance(table, _Table):
        raise ExtractionError(f"{run.fact}: `{module_name}::init_module` ({path}) does not return a table")
    run.sources[table.ident] = path
    return table
