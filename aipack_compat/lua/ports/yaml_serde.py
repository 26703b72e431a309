"""YAML text <-> JSON-like values, as aip converts them (`A:src/support/yamls.rs@952ad06e`).

Parsing returns the list of documents of a (multi-document) stream, with only serde_json values:
dates as ISO strings, non-string keys stringified. Writing gives one block-style document in
serde_yaml_ng's layout (`key:`, `- item` at the key's indentation) and its YAML 1.2 booleans.
On PyYAML, which resolves scalars by YAML 1.1 on the way in (`yes`, `0755`, `1:30`): a candidate
for a YAML 1.2 library binding, which would also make parsing match aip's serde_yaml_ng.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any


def parse_yaml_docs(content: str) -> list[Any]:
    """Every document of the stream; raises `yaml.YAMLError`."""
    import yaml

    return [_yaml_plain(document) for document in yaml.safe_load_all(content)]


def _yaml_plain(value: Any) -> Any:
    """serde_json values only: dates as ISO strings, non-string keys stringified."""
    if isinstance(value, dict):
        return {str(key).lower() if isinstance(key, bool) else str(key): _yaml_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_yaml_plain(item) for item in value]
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def _yaml_dumper() -> Any:
    """A SafeDumper resolving booleans as YAML 1.2 does (serde_yaml_ng): only true/false, so
    `yes`/`no`/`on`/`off` are written plain instead of quoted as PyYAML's YAML 1.1 would."""
    import yaml

    class Yaml12Dumper(yaml.SafeDumper):
        pass

    resolvers = {key: list(value) for key, value in yaml.SafeDumper.yaml_implicit_resolvers.items()}
    for first, entries in resolvers.items():
        resolvers[first] = [(tag, regexp) for tag, regexp in entries if tag != "tag:yaml.org,2002:bool"]
    Yaml12Dumper.yaml_implicit_resolvers = resolvers
    Yaml12Dumper.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )
    return Yaml12Dumper


def dump_yaml(value: Any) -> str:
    """One YAML document for `value`."""
    import yaml

    text = yaml.dump(
        value, Dumper=_yaml_dumper(), sort_keys=False, allow_unicode=True, default_flow_style=False, width=10**9
    )
    # PyYAML ends a lone scalar document with an explicit `...` marker; serde_yaml does not.
    return text[: -len("...\n")] if text.endswith("\n...\n") else text
