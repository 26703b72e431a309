"""Parse a JSON(C) file into located nodes (jsonc.py) with located errors, never a traceback."""

from __future__ import annotations

from aipack_compat.load.scripts.core.collector import Collector
from aipack_compat.load.scripts.core.source_map import SourceIndex
from aipack_compat.load.scripts.tasks.jsonc import JNode, JsoncError, parse_jsonc


def compose_json(collector: Collector, text: str, source: SourceIndex, what: str) -> JNode | None:
    """The document's root node, or None after reporting why it cannot be read (`what`: "package.json")."""
    try:
        return parse_jsonc(text)
    except JsoncError as exc:
        line, column = source.position(exc.offset)
        collector.problem(collector.location(line, column), f"{what}: {exc.message}")
        return None


def problem_at(collector: Collector, source: SourceIndex, node: JNode, message: str) -> None:
    line, column = source.position(node.start)
    collector.problem(collector.location(line, column), message)
