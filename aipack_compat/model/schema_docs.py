"""JSON Schema generation with the models' attribute docstrings as field descriptions.

The models document each field with a docstring under it. pydantic's `use_attribute_docstrings`
would read them, but it does so by fetching and parsing each class's source when the class is
created, on every start of every command (~13 ms of `run`'s start-up). Descriptions only matter in
the JSON Schemas, so they are read here, when a schema is generated.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
import typing
from typing import Any

from pydantic import BaseModel


def attribute_docstrings(model: type[BaseModel]) -> dict[str, str]:
    """Field name -> cleaned docstring, for `model` and the classes it inherits fields from."""
    found: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if cls is BaseModel or not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            continue
        try:
            source = textwrap.dedent(inspect.getsource(cls))
        except (OSError, TypeError):
            continue
        class_node = ast.parse(source).body[0]
        if not isinstance(class_node, ast.ClassDef):
            continue
        body = class_node.body
        for statement, following in zip(body, body[1:]):
            if (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
                    and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str)):
                found[statement.target.id] = inspect.cleandoc(following.value.value)
    return found


def documented_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """`model.model_json_schema()`, with each field's attribute docstring as its `description`
    (unless the field sets one explicitly), as `use_attribute_docstrings` would have produced."""
    schema = model.model_json_schema()
    models = _reachable_models(model)
    definitions: dict[str, Any] = schema.get("$defs", {})
    for name, cls in models.items():
        target = schema if cls is model else definitions.get(name)
        if target is None:
            continue
        properties = target.get("properties", {})
        for field_name, doc in attribute_docstrings(cls).items():
            field = cls.model_fields.get(field_name)
            if field is None or field.description is not None:
                continue
            key = field.alias if field.alias and model.model_config.get("serialize_by_alias") else field_name
            if key in properties:
                properties[key] = _with_description(properties[key], doc)
    return schema


def _with_description(property_schema: dict[str, Any], doc: str) -> dict[str, Any]:
    # pydantic emits each property's keywords sorted by name; keep that so the output is identical.
    return dict(sorted({**property_schema, "description": doc}.items()))


def _reachable_models(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model class `root` refers to, by the name pydantic gives its `$defs` entry."""
    seen: dict[str, type[BaseModel]] = {}
    pending: list[Any] = [root]
    while pending:
        annotation = pending.pop()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in seen.values():
                continue
            seen[annotation.__name__] = annotation
            pending.extend(field.annotation for field in annotation.model_fields.values())
        elif isinstance(annotation, (types.UnionType, types.GenericAlias)) or typing.get_origin(annotation):
            pending.extend(typing.get_args(annotation))
    return seen
