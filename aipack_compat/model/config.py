"""Pydantic models of an AIPACK config file across eras, and of the effective (merged) config.

`ConfigFile` is the source of `schemas/aipack-config.schema.json` (editors: Taplo / Even Better TOML via a
`#:schema` line) and is what migrate reads. It mirrors aip's reading (aipack-spec §1.3 – §1.6):
unknown top-level tables are allowed (aip ignores them), the known tables are typed, and
`[default-options]` is rejected (aip 0.5.10+ refuses the file).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, model_validator

from aipack_compat.model.options import AgentOptions


class GenaiTable(BaseModel):
    """Legacy `[genai]` (devai 0.0.2 – 0.5.9; a fallback until aip 0.7.9, ignored from 0.7.10)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    model: str | None = None
    """Model name (devai 0.0.2+)."""
    temperature: float | None = None
    """Sampling temperature (devai 0.5.0+)."""


class RuntimeTable(BaseModel):
    """Legacy `[runtime]` (devai 0.0.2 – 0.5.9; a fallback until aip 0.7.9, ignored from 0.7.10)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    items_concurrency: NonNegativeInt | None = None
    """devai 0.0.2 – 0.1.0 only; ignored since 0.5.0."""
    input_concurrency: NonNegativeInt | None = None
    """devai 0.5.0 – 0.5.9 (and the 0.5.10 – 0.7.9 fallback)."""


class ConfigFile(BaseModel):
    """One config file: `~/.aipack-base/config-default.toml`, `config-user.toml`, the legacy base `config.toml`,
    `<wks>/.aipack/config.toml` or devai's `.devai/config.toml`."""

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        json_schema_extra={"not": {"required": ["default-options"]}},
    )

    options: AgentOptions | None = None
    """Current table (aip 0.7.10+). When present, `default_options` in the same file is ignored entirely."""
    default_options: AgentOptions | None = None
    """Pre-0.7.10 name (aip 0.5.10+); still read by 0.7.10+ when `options` is absent."""
    genai: GenaiTable | None = None
    """Legacy devai table; ignored by aip 0.7.10+."""
    runtime: RuntimeTable | None = None
    """Legacy devai table; ignored by aip 0.7.10+."""

    @model_validator(mode="before")
    @classmethod
    def _reject_hyphenated_default_options(cls, data: Any) -> Any:
        # aip 0.5.10+ checks `/default-options` first and refuses the file (`A:src/agent/agent_options.rs@952ad06e`).
        if isinstance(data, dict) and "default-options" in data:
            raise ValueError("Config [default-options] is invalid. Use [options] (with _ and not -)")
        return data

    def current_options(self) -> AgentOptions:
        """What aip 0.7.10+ takes from this file: `[options]`, else `[default_options]`, else nothing."""
        return self.options or self.default_options or AgentOptions()


LayerName = Literal["default", "user", "base-legacy", "workspace", "agent"]


class ValueSource(BaseModel):
    """Where an effective value came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    layer: LayerName
    path: str
    line: int = 0
    column: int = 0
    builtin: bool = False
    """True for the built-in copy of the shipped base template (no file on disk)."""


class EffectiveOption(ValueSource):
    value: str | float | int | bool


class ResolvedModelInfo(BaseModel):
    """The merged model after alias lookup and genai's provider choice."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requested: str
    resolved: str
    provider: str
    by: Literal["namespace", "name", "fallback"]
    wire_model: str
    api_key_env: str | None = None
    alias: str | None = None
    suffix: str | None = None
    namespace: str | None = None
    unknown_namespace: bool = False
    notes: list[str] = Field(default_factory=list)


class LayerUseInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    layer: LayerName
    path: str
    era: str
    reading: str
    note: str = ""


class EffectiveConfig(BaseModel):
    """The JSON printed by `aipack-compat config show --format json` (without its `diagnostics`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    aip_version: str
    agent_path: str | None = None
    layers: list[LayerUseInfo]
    options: dict[str, EffectiveOption]
    model_aliases: dict[str, EffectiveOption]
    resolved_model: ResolvedModelInfo | None = None
    builtin_default: bool = False
    refused_files: list[str] = Field(default_factory=list)

    def agent_options(self) -> AgentOptions:
        """The merged options as aip's `AgentOptions` (for migrate/run)."""
        data: dict[str, Any] = {key: entry.value for key, entry in self.options.items()}
        data["model_aliases"] = {key: str(entry.value) for key, entry in self.model_aliases.items()}
        return AgentOptions(**data)
