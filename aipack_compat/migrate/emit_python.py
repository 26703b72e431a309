"""`aipack_jobs.py`: the same JobConfig written as Python constructor calls.

Importing the generated module and dumping `JOB_CONFIG` gives exactly the JSON `migrate` writes
(a test checks it). Fields equal to their defaults are left out to keep the file readable.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from aipack_compat.model.job import JobConfig

_HEADER = '''"""Job config migrated by aipack-compat (generated; edit freely, then run `aipack-compat run`).

`JOB_CONFIG` is the same configuration as aipack-compat.json.
"""

from aipack_compat.model.job import (
    AgentSpec,
    ExecutionSettings,
    InputSpec,
    JobConfig,
    JobSpec,
    MatrixCell,
    OptionProvenance,
    OutputSpec,
    PromptPart,
    RunFlags,
    SourceLocation,
    StageCode,
)
from aipack_compat.model.options import AgentOptions

JOB_CONFIG = '''


def render_python(config: JobConfig) -> str:
    return _HEADER + _expression(config, 0) + "\n\n\ndef dump_json() -> str:\n" \
        "    return JOB_CONFIG.model_dump_json(indent=2)\n"


def _expression(value: Any, depth: int) -> str:
    indent = "    " * (depth + 1)
    closing = "    " * depth
    if isinstance(value, BaseModel):
        arguments = []
        for name, info in type(value).model_fields.items():
            current = getattr(value, name)
            default = info.get_default(call_default_factory=True)
            if current == default and name != "schema_version":
                continue
            arguments.append(f"{indent}{name}={_expression(current, depth + 1)},")
        if not arguments:
            return f"{type(value).__name__}()"
        return f"{type(value).__name__}(\n" + "\n".join(arguments) + f"\n{closing})"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{indent}{_expression(k, depth + 1)}: {_expression(v, depth + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{closing}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [f"{indent}{_expression(item, depth + 1)}," for item in value]
        return "[\n" + "\n".join(items) + f"\n{closing}]"
    return repr(value)
