"""Parse a YAML file into PyYAML's node tree (positions kept) with located errors, never a traceback."""

from __future__ import annotations

from typing import Any

from aipack_compat.load.script_collect import Collector


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
