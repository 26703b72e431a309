"""Render a RunSummary: a text table for people, JSON for machines."""

from __future__ import annotations

from aipack_compat.model.run import RunSummary

_HEADERS = ("job", "cell", "model", "ok", "failed", "skipped", "cached", "duration", "score")


def render_json(summary: RunSummary) -> str:
    return summary.model_dump_json(indent=2) + "\n"


def render_text(summary: RunSummary) -> str:
    rows = [_HEADERS]
    for cell in summary.cells:
        score = "-" if cell.mean_score is None else f"{cell.mean_score:g} (n={len(cell.scores)})"
        rows.append((cell.job, cell.cell, cell.model or "-", str(cell.succeeded),
                     str(cell.failed + cell.errored), str(cell.skipped), str(cell.cached),
                     f"{cell.duration_seconds:.2f}s", score))
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADERS))]
    lines = ["  ".join(value.ljust(widths[i]) for i, value in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    total = sum(cell.total for cell in summary.cells)
    footer = f"{total} item(s) in {summary.wall_seconds:.2f}s; {summary.items_failed} failed"
    if summary.resumed:
        footer += f"; {summary.resumed} already done (resumed)"
    lines.append(footer + f"; results: {summary.results_path}")
    return "\n".join(lines) + "\n"


REPORTERS_BY_NAME = {"text": render_text, "json": render_json}
