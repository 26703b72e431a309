"""Typed contracts between the pipeline stages.

`diagnostic` and `location` are plain frozen dataclasses so that `validate` starts without
importing pydantic (about 110 ms here); the contracts consumed by migrate/execute/replay
(`config`, `job`, `run`, `report`) are pydantic models with generated JSON Schemas.
"""
