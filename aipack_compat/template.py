"""Handlebars exactly as aip renders it: handlebars-rust 6, no HTML escaping, non-strict.

aip uses one `Handlebars::new()` with an identity escape function and no custom helpers
(`A:src/support/hbs.rs@952ad06e`). `dotprompt-handlebars` embeds handlebars-rust 6.3.2; we load
its native extension directly because the Python wrapper imports structlog (about 240 ms) and
logs every render to stdout. Loading the `.so` alone costs about 5 ms.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import re
from dataclasses import dataclass
from typing import Any

_ENGINE: Any = None
_LOCATION = re.compile(r'Template error in "[^"]*":(\d+):(\d+)|Error rendering "[^"]*" line (\d+), col (\d+)')
_RENDER_MESSAGE = re.compile(r'Error rendering "[^"]*" line \d+, col \d+: (.*)')
_REASON = re.compile(r"reason: (.*)")


@dataclass(frozen=True, slots=True)
class TemplateError:
    """A Handlebars syntax or render error; line/column are 1-based within the template."""

    message: str
    line: int
    column: int


def _engine() -> Any:
    global _ENGINE
    if _ENGINE is None:
        native = _load_native()
        engine = native.HandlebarrzTemplate()
        engine.set_escape_fn("no_escape")
        engine.set_strict_mode(False)
        _ENGINE = engine
    return _ENGINE


def _load_native() -> Any:
    spec = importlib.util.find_spec("handlebarrz")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("dotprompt-handlebars is not installed (needed to render Handlebars like aip)")
    folder = spec.submodule_search_locations[0]
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(folder, "_native" + suffix)
        if os.path.exists(path):
            native_spec = importlib.util.spec_from_file_location("handlebarrz._native", path)
            assert native_spec is not None and native_spec.loader is not None
            module = importlib.util.module_from_spec(native_spec)
            native_spec.loader.exec_module(module)
            return module
    raise ImportError(f"handlebarrz native extension not found in {folder}")


def _to_error(exc: Exception) -> TemplateError:
    text = str(exc)
    where = _LOCATION.search(text)
    reason = _REASON.search(text) or _RENDER_MESSAGE.search(text)
    message = (reason.group(1) if reason else text.splitlines()[0]).strip()
    if where:
        line, column = (where.group(1), where.group(2)) if where.group(1) else (where.group(3), where.group(4))
        return TemplateError(message, int(line), int(column))
    return TemplateError(message, 0, 0)


def check_syntax(template: str) -> TemplateError | None:
    """Parse a template without rendering it. None when it parses."""
    engine = _engine()
    try:
        engine.register_template("__check__", template)
    except ValueError as exc:
        return _to_error(exc)
    finally:
        if engine.has_template("__check__"):
            engine.unregister_template("__check__")
    return None


def render(template: str, context: dict[str, Any]) -> str:
    """Render like aip: missing paths render empty, objects as `[object]`, arrays as `[a, b]`.

    Raises RenderFailure (carrying a located TemplateError) on a bad template.
    """
    try:
        return _engine().render_template(template, json.dumps(context, ensure_ascii=False))
    except ValueError as exc:
        raise RenderFailure(_to_error(exc)) from exc


class RenderFailure(Exception):
    def __init__(self, error: TemplateError) -> None:
        super().__init__(error.message)
        self.error = error
