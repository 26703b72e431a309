"""`report.json`: the ReplayReport as JSON (schema: schemas/aipack-compat-replay.schema.json)."""

from __future__ import annotations

from aipack_compat.model.report import ReplayReport


def render_json(report: ReplayReport) -> str:
    return report.model_dump_json(indent=2) + "\n"
