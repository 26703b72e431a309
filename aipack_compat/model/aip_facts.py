"""Per-version facts of aip, read lazily from the data `scripts/extract_aip_facts.py` extracts from the crates.

    facts = facts_for("0.8.21")     # -> facts of 0.8.20, the nearest older extracted release
    facts.applied, facts.note       # "0.8.20", "aip 0.8.21: using the facts of aip 0.8.20 (...)"
    facts.shipped_default_config()  # config-default.toml exactly as that aip writes it
    facts.shipped_options().model   # "gpt-5.4"
    facts.route("gpt-5-mini")       # Route(adapter="OpenAIResp", provider="openai_resp", by="name", ...)
    facts.run_flags()               # {"-s": ("single-shot", False), "--ni": ("single-shot", False), ...}
    facts.lua_functions("file")     # frozenset({"load", "save", ...})

A version newer than every extracted one uses the newest (the note says so); one older than every extracted one
has no facts (`facts_for` returns None): the Rhai-era devai releases were never extracted.

Standard library only, and nothing is read until asked: `validate` imports this module for free.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from aipack_compat.model.aip_routing import Route, route
from aipack_compat.model.versions import parse_version

__all__ = ["AipFacts", "CliArg", "Headings", "ShippedOptions", "extracted_versions", "facts_for"]

# Tables a shipped config file keeps its options in, by era: [options] (0.7.10+), [default_options]
# (0.5.10 - 0.7.9), [genai] (devai 0.5.0 - 0.5.9). The file of one release has exactly one of them.
_OPTION_TABLES = ("options", "default_options", "genai")


def _data(*parts: str) -> Any:
    return resources.files("aipack_compat").joinpath("data", "aip", *parts)


@functools.lru_cache(maxsize=None)
def _json(version: str, name: str) -> Any:
    return json.loads(_data(version, name).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def extracted_versions() -> tuple[str, ...]:
    """The extracted releases, oldest first."""
    versions = json.loads(_data("index.json").read_text(encoding="utf-8"))["versions"]
    return tuple(sorted(versions, key=parse_version))


@functools.lru_cache(maxsize=256)
def facts_for(version: str) -> AipFacts | None:
    """The facts of `version`, or of the nearest older extracted release; None before the oldest one."""
    wanted = parse_version(version)
    older = [candidate for candidate in extracted_versions() if parse_version(candidate) <= wanted]
    if not older:
        return None
    applied = older[-1]
    if parse_version(applied) == wanted:
        note = ""
    elif applied == extracted_versions()[-1]:
        note = f"aip {version}: using the facts of aip {applied}, the newest extracted release"
    else:
        later = extracted_versions()[extracted_versions().index(applied) + 1]
        note = (f"aip {version}: using the facts of aip {applied} "
                f"(the nearest older extracted release; the next one is {later})")
    return AipFacts(requested=version, applied=applied, note=note)


@dataclass(frozen=True, slots=True)
class ShippedOptions:
    """The options table of the shipped default config: `[options]`, `[default_options]` or `[genai]`."""

    table: str
    values: Mapping[str, Any]  # everything in that table except model_aliases
    aliases: Mapping[str, str]

    @property
    def model(self) -> str | None:
        model = self.values.get("model")
        return model if isinstance(model, str) else None


@dataclass(frozen=True, slots=True)
class CliArg:
    long: str | None
    short: str | None
    long_aliases: tuple[str, ...]
    short_aliases: tuple[str, ...]
    positional: bool
    takes_value: bool
    multiple: bool
    possible_values: tuple[str, ...] | None
    implicit: bool  # added by clap (`-h/--help`), not declared in aip's struct
    field: str | None

    @property
    def canonical(self) -> str:
        return self.long or self.short or self.field or ""


@dataclass(frozen=True, slots=True)
class Headings:
    sections: Mapping[str, str]  # lower-cased heading -> aip's CaptureMode ("BeforeAllSection", ...)
    prompt_parts: Mapping[str, str]  # lower-cased heading -> PartKind ("Instruction", "System", "Assistant")


@dataclass(frozen=True, slots=True)
class AipFacts:
    requested: str  # the version asked for
    applied: str  # the extracted release these facts are from
    note: str  # "" when exact, else which release's facts apply and why

    @property
    def exact(self) -> bool:
        return self.requested == self.applied or parse_version(self.requested) == parse_version(self.applied)

    def manifest(self) -> Mapping[str, Any]:
        return _json(self.applied, "manifest.json")

    @property
    def genai_version(self) -> str:
        return str(self.manifest()["genai"]["version"])

    # -- shipped configs

    @property
    def shipped_default_layer(self) -> str:
        """`default` (config-default.toml, 0.7.18+), `base-legacy` (~/.aipack-base/config.toml) or `workspace`."""
        return str(self.manifest()["shipped_configs"][self.shipped_default_config_path()]["layer"])

    def shipped_config_paths(self) -> dict[str, str]:
        """Path under the crate's `_init/` -> layer, for every config file this release ships."""
        return {path: entry["layer"] for path, entry in self.manifest()["shipped_configs"].items()}

    def shipped_config(self, path: str) -> str:
        """A shipped config file verbatim (`base/config-default.toml`, `workspace/config.toml`, ...)."""
        return str(_data(self.applied, "config", *path.split("/")).read_text(encoding="utf-8"))

    def shipped_default_config_path(self) -> str:
        """Its path under the crate's `_init/`: `base/config-default.toml`, `base/config.toml`, ..."""
        return str(self.manifest()["shipped_default_config"]).removeprefix("config/")

    def shipped_default_config(self) -> str:
        """The base config aip (re)creates when it is missing, exactly as it writes it."""
        return self.shipped_config(self.shipped_default_config_path())

    def shipped_options(self) -> ShippedOptions:
        return _shipped_options(self.applied)

    # -- routing

    def routing(self) -> Mapping[str, Any]:
        return _json(self.applied, "routing.json")

    def route(self, model: str) -> Route:
        """genai's `AdapterKind::from_model` as the genai this release pins does it (no alias lookup)."""
        return route(model, self.routing())

    # -- command line

    def commands(self) -> tuple[str, ...]:
        return tuple(command["name"] for command in _json(self.applied, "cli.json")["commands"])

    def command_args(self, command: str) -> tuple[CliArg, ...]:
        return _command_args(self.applied, command)

    def run_flags(self) -> dict[str, tuple[str, bool]]:
        """Every spelling `aip run` accepts -> (canonical long name, takes a value), like load/aip_argv's table."""
        flags: dict[str, tuple[str, bool]] = {}
        for arg in self.command_args("run"):
            if arg.positional:
                continue
            entry = (arg.canonical, arg.takes_value)
            for long in ((arg.long,) if arg.long else ()) + arg.long_aliases:
                flags[f"--{long}"] = entry
            for short in ((arg.short,) if arg.short else ()) + arg.short_aliases:
                flags[f"-{short}"] = entry
        return flags

    # -- Lua API

    def lua_globals(self) -> Mapping[str, Any]:
        return _json(self.applied, "lua_api.json")["globals"]

    def lua_modules(self) -> tuple[str, ...]:
        """Names of the module tables under the `aip` global (`utils` before aip 0.7)."""
        return tuple(sorted(name for name, entry in self._aip_table().items() if isinstance(entry, dict)))

    def lua_functions(self, module: str) -> frozenset[str]:
        """Functions registered in `aip.<module>`; empty when the module does not exist in this release."""
        table = self._aip_table().get(module)
        if not isinstance(table, dict):
            return frozenset()
        return frozenset(name for name, entry in table.items() if entry == "function")

    def lua_values(self, module: str) -> frozenset[str]:
        """Non-function entries of `aip.<module>` (constants such as `aip.web.UA_BROWSER`)."""
        table = self._aip_table().get(module)
        if not isinstance(table, dict):
            return frozenset()
        return frozenset(name for name, entry in table.items() if entry == "value")

    def _aip_table(self) -> Mapping[str, Any]:
        globals_ = self.lua_globals()
        for name in ("aip", "utils"):
            entry = globals_.get(name)
            if isinstance(entry, dict) and "@same_as" not in entry:
                return entry
        return {}

    # -- agent format

    def headings(self) -> Headings:
        data = _json(self.applied, "headings.json")
        return Headings(sections=dict(data["sections"]), prompt_parts=dict(data["prompt_parts"]))


@functools.lru_cache(maxsize=None)
def _shipped_options(version: str) -> ShippedOptions:
    import tomllib  # stdlib; only `config show`-style paths parse the shipped TOML

    facts = facts_for(version)
    assert facts is not None
    document = tomllib.loads(facts.shipped_default_config())
    tables = [name for name in _OPTION_TABLES if isinstance(document.get(name), dict)]
    if len(tables) != 1:
        raise ValueError(f"aip {version}'s shipped config has option tables {tables}, expected exactly one")
    values = dict(document[tables[0]])
    aliases = values.pop("model_aliases", {})
    return ShippedOptions(tables[0], values, dict(aliases))


@functools.lru_cache(maxsize=None)
def _command_args(version: str, command: str) -> tuple[CliArg, ...]:
    for entry in _json(version, "cli.json")["commands"]:
        if entry["name"] == command:
            return tuple(_cli_arg(arg) for arg in entry["args"])
    return ()


def _cli_arg(arg: Mapping[str, Any]) -> CliArg:
    values = arg.get("possible_values")
    return CliArg(
        long=arg.get("long"), short=arg.get("short"), long_aliases=tuple(arg.get("long_aliases", ())),
        short_aliases=tuple(arg.get("short_aliases", ())), positional=bool(arg["positional"]),
        takes_value=bool(arg["takes_value"]), multiple=bool(arg.get("multiple", False)),
        possible_values=tuple(values) if values is not None else None, implicit=bool(arg.get("implicit", False)),
        field=arg.get("field"),
    )
