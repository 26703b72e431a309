"""One aip release -> `aipack_compat/data/aip/<version>/`: manifest.json, the shipped config files verbatim,
and one JSON file per fact family. JSON is written with sorted keys and a fixed layout, so regenerating from the
same crates gives byte-identical files (the freshness test holds us to that).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Any

from aip_facts import ExtractionError, cli_args, headings, lua_api, routing
from aip_facts.crates import Crate, load_crate

FORMAT = 1
GENERATOR = "scripts/extract_aip_facts.py"
# The crate was `devai` before aip 0.6.0 (same repository, renamed with the `aip` binary).
DEVAI_BEFORE = (0, 6, 0)
# Where each shipped config file lands, by its path under the crate's `_init/` (see the init_* sources:
# `_init/base/*` -> ~/.aipack-base/, `_init/workspace/*` -> .aipack/ (.devai/ for devai), devai 0.5.0's flat
# `_init/config.toml` -> .devai/config.toml). The layer names are the ones check/effective.py uses.
_LAYERS = {"base/config-default.toml": "default", "base/config-user.toml": "user", "base/config.toml": "base-legacy",
           "workspace/config.toml": "workspace", "config.toml": "workspace"}
_DEFAULT_LAYER_ORDER = ("base/config-default.toml", "base/config.toml", "workspace/config.toml", "config.toml")


def crate_name(version: str) -> str:
    numbers = tuple(int(part) for part in version.split("-")[0].split(".")[:3])
    return "devai" if numbers < DEVAI_BEFORE else "aipack"


def dump_json(value: Any) -> bytes:
    return (json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def pinned_genai(aip: Crate) -> tuple[str, str]:
    """(version, sha256) of the genai package aip's Cargo.lock pins."""
    lock = tomllib.loads(aip.text("Cargo.lock", "genai pin"))
    pins = [package for package in lock.get("package", []) if package.get("name") == "genai"]
    if len(pins) != 1 or "checksum" not in pins[0]:
        raise ExtractionError(f"genai pin: {aip.name} {aip.version}'s Cargo.lock pins {len(pins)} genai packages")
    return str(pins[0]["version"]), str(pins[0]["checksum"])


def shipped_configs(aip: Crate) -> dict[str, bytes]:
    """`_init/**/config*.toml` as shipped, keyed by the path under `_init/`."""
    found = {path[len("_init/"):]: aip.files[path] for path in aip.under("_init/")
             if path.rsplit("/", 1)[-1].startswith("config") and path.endswith(".toml")}
    unknown = sorted(set(found) - set(_LAYERS))
    if unknown:
        raise ExtractionError(f"shipped config: {aip.name} {aip.version} ships {unknown}, whose layer is unknown")
    if not found:
        raise ExtractionError(f"shipped config: {aip.name} {aip.version} ships no _init/**/config*.toml")
    return found


def facts_files(aip: Crate, genai: Crate) -> dict[str, bytes]:
    """Every data file of one version except the manifest, keyed by file name under the version directory."""
    files = {f"config/{path}": content for path, content in shipped_configs(aip).items()}
    routes = routing.extract(genai, aip.text("Cargo.toml", "genai features"))
    check_ported_predicates(routes, genai)
    files["routing.json"] = dump_json(routes)
    files["cli.json"] = dump_json(cli_args.extract(aip))
    files["lua_api.json"] = dump_json(lua_api.extract(aip))
    files["headings.json"] = dump_json(headings.extract(aip))
    return files


def check_ported_predicates(routes: dict[str, Any], genai: Crate) -> None:
    """Each predicate the chain calls must have a runtime port pinned to this exact genai source."""
    from aipack_compat.model.aip_routing import PORTED_PREDICATES

    for name, digest in sorted(routes["predicate_sources"].items()):
        if name not in PORTED_PREDICATES:
            raise ExtractionError(f"genai routing: {genai.version} calls `{name}`, which has no port in "
                                  "aipack_compat/model/aip_routing.py (PORTED_PREDICATES)")
        if digest not in PORTED_PREDICATES[name][1]:
            raise ExtractionError(f"genai routing: `{name}` changed in genai {genai.version} (source sha256 {digest});"
                                  " review the port in aipack_compat/model/aip_routing.py and add the digest")


def manifest(aip: Crate, genai: Crate, files: dict[str, bytes]) -> dict[str, Any]:
    configs = sorted(name[len("config/"):] for name in files if name.startswith("config/"))
    default = next(path for path in _DEFAULT_LAYER_ORDER if path in configs)
    return {
        "aip_version": aip.version,
        "crate": {"name": aip.name, "sha256": aip.sha256, "version": aip.version},
        "files": {name: hashlib.sha256(content).hexdigest() for name, content in sorted(files.items())},
        "format": FORMAT,
        "generator": GENERATOR,
        "genai": {"sha256": genai.sha256, "version": genai.version},
        "shipped_configs": {path: {"crate_path": f"_init/{path}", "layer": _LAYERS[path]} for path in configs},
        "shipped_default_config": f"config/{default}",
    }


def version_files(version: str, *, offline: bool) -> dict[str, bytes]:
    aip = load_crate(crate_name(version), version, offline=offline)
    genai_version, genai_sha256 = pinned_genai(aip)
    genai = load_crate("genai", genai_version, expected_sha256=genai_sha256, offline=offline)
    files = facts_files(aip, genai)
    files["manifest.json"] = dump_json(manifest(aip, genai, files))
    return files


def write_version(out_dir: Path, version: str, files: dict[str, bytes]) -> None:
    """Replace `<out_dir>/<version>/` with exactly `files` (stale files from an older layout are removed)."""
    target = out_dir / version
    if target.exists():
        for old in sorted(target.rglob("*"), reverse=True):
            if old.is_file():
                old.unlink()
            elif old.is_dir():
                old.rmdir()
    for name, content in sorted(files.items()):
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("-")[0].split(".")[:3])


def write_index(out_dir: Path) -> None:
    versions = sorted((path.name for path in out_dir.iterdir() if (path / "manifest.json").is_file()), key=version_key)
    (out_dir / "index.json").write_bytes(dump_json({"format": FORMAT, "generator": GENERATOR, "versions": versions}))
