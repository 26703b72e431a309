"""aip's `AgentOptions` as a pydantic model: the merged option set of one agent run."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict
from annotated_types import Ge

# aip deserialises input_concurrency as a usize: 2.0 or "2" is an error there, so not coerced here.
StrictNonNegativeInt = Annotated[int, Strict(), Ge(0)]


class AgentOptions(BaseModel):
    """The keys aip reads from `[options]`/`[default_options]`/`# Options` (all optional per layer)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = None
    """Model name or alias; may carry a `provider::` namespace and a reasoning suffix such as `-low`."""
    temperature: float | None = None
    """Sampling temperature passed to the provider (a TOML integer is accepted)."""
    top_p: float | None = None
    """Nucleus sampling passed to the provider (aip 0.7.11+)."""
    input_concurrency: StrictNonNegativeInt | None = None
    """Maximum number of inputs in flight; 0 behaves like 1."""
    allow_run_on_task_fail: bool | None = None
    """When true a failing task yields `{error = ...}` and the run continues (aip 0.8.17+)."""
    model_aliases: dict[str, str] = Field(default_factory=dict)
    """Alias -> model. Merged key by key across layers; single level, no chaining."""

    def merged_over(self, lower: "AgentOptions") -> "AgentOptions":
        """aip's merge: scalars set here win, aliases are unioned (this layer wins per key)."""
        data = lower.model_dump()
        for key, value in self.model_dump(exclude={"model_aliases"}).items():
            if value is not None:
                data[key] = value
        data["model_aliases"] = {**lower.model_aliases, **self.model_aliases}
        return AgentOptions(**data)
