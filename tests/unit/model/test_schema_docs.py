"""Field descriptions come from attribute docstrings at schema time, as `use_attribute_docstrings` gave them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from aipack_compat.model.schema_docs import attribute_docstrings, documented_json_schema


class _Base(BaseModel):
    name: str
    """The name.

    Second paragraph."""
    plain: int = 0


class _Child(_Base):
    name: str = "x"
    """Overridden in the child."""
    explicit: str = Field("", description="set explicitly")
    """ignored: an explicit description wins"""


class _Holder(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)

    child: _Child
    """A nested model."""
    children: list[_Child] = Field(default_factory=list)
    """Nested in a list."""


def test_docstrings_follow_inheritance_and_are_cleaned() -> None:
    docs = attribute_docstrings(_Child)
    assert docs["name"] == "Overridden in the child."
    assert attribute_docstrings(_Base)["name"] == "The name.\n\nSecond paragraph."
    assert "plain" not in docs


def test_schema_matches_what_pydantic_use_attribute_docstrings_produces() -> None:
    documented = documented_json_schema(_Holder)
    # _Holder itself uses pydantic's own extraction; its nested models are filled by ours.
    assert documented["properties"] == _Holder.model_json_schema()["properties"]
    child = documented["$defs"]["_Child"]["properties"]
    assert child["name"]["description"] == "Overridden in the child."
    assert child["explicit"]["description"] == "set explicitly"
    assert "description" not in child["plain"]
    assert list(child["name"]) == sorted(child["name"])
