"""Parse a YAML file into PyYAML's node tree (positions kept) with located errors, never a traceback.

Shared by the CI YAML and Taskfile front-ends, which read nodes (not loaded data) so every scalar
keeps its line; PyYAML is imported only when a YAML file is read.
"""

from __future__ import annotations

from typing import Any

from aipack_compat.load.scripts.core.collector import Collector


def compose_yaml(collector: Collector, text: str, label: str = "") -> Any:
    """The document's root node, or None after reporting why it cannot be read (`label`: "Taskfile: ")."""
    import yaml

    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        collector.problem(collector.location(line, column), f"{label}YAML syntax error: {getattr(exc, 'problem', None) or exc}")
    except Exception as exc:  # composer recursion on hostile input, bad anchors
        collector.problem(collector.location(0, 0), f"{label}cannot read YAML: {type(exc).__name__}")
    return None


def entries(node: Any) -> list[tuple[str, Any]]:
    """A mapping node's (key, value node) pairs whose key is a scalar, in file order."""
    import yaml

    return [(str(k.value), v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]


def as_dict(node: Any) -> dict[str, Any]:
    return dict(entries(node))


def scalar_value(node: Any) -> str | None:
    """A scalar node's text (None for anything else)."""
    import yaml

    return str(node.value) if isinstance(node, yaml.ScalarNode) else None
