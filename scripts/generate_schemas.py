#!/usr/bin/env python3
"""Regenerate schemas/*.json from the pydantic models (tests fail when the committed copy differs).

Usage: python scripts/generate_schemas.py [--check]
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"

# file name -> (module, model, title, description)
TARGETS: dict[str, tuple[str, str, str, str]] = {
    "aipack-config.schema.json": (
        "aipack_compat.model.config",
        "ConfigFile",
        "AIPACK config.toml",
        "Schema of an AIPACK config file (.aipack/config.toml, ~/.aipack-base/config-*.toml, legacy .devai/config.toml), all eras.",
    ),
    "aipack-compat.schema.json": (
        "aipack_compat.model.job",
        "JobConfig",
        "aipack-compat job config",
        "The migrated setup consumed by `aipack-compat run` and `replay` (aipack-compat.json).",
    ),
    "aipack-compat-run.schema.json": (
        "aipack_compat.model.run",
        "RunRecord",
        "aipack-compat run record",
        "One line of the results journal written by `aipack-compat run` (JSONL, one record per job x cell x input).",
    ),
    "aipack-compat-replay.schema.json": (
        "aipack_compat.model.report",
        "ReplayReport",
        "aipack-compat replay report",
        "report.json written by `aipack-compat replay`: per-case old/new runs, recorded exchanges and nested equivalence results.",
    ),
}


def generated(name: str) -> str:
    module_name, model_name, title, description = TARGETS[name]
    model = getattr(importlib.import_module(module_name), model_name)
    from aipack_compat.model.schema_docs import documented_json_schema

    schema = documented_json_schema(model)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://aipack-compat.invalid/schemas/{name}",
        **schema,
        "title": title,
        "description": description,
    }
    return json.dumps(schema, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed schema is stale")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    stale = []
    for name in TARGETS:
        try:
            text = generated(name)
        except ImportError as exc:
            print(f"skip {name}: {exc}", file=sys.stderr)
            continue
        path = SCHEMAS / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(name)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path.relative_to(ROOT)}")
    if args.check and stale:
        print("stale schemas: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
