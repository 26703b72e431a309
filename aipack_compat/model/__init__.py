"""Typed contracts between the pipeline stages.

`diagnostic`, `location`, `invocation` and `agent` are plain frozen dataclasses, and `versions`,
`eras`, `option_keys` and `model_resolution` plain data and functions, so that `validate` starts
without importing pydantic (about 110 ms here); the contracts consumed by migrate/execute/replay
(`config`, `job`, `run`, `report`) are pydantic models with generated JSON Schemas.
"""
