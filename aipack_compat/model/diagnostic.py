"""The one diagnostic record every checker produces and every reporter renders."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field


class Severity(enum.IntEnum):
    """Ordered so that `severity >= fail_on` decides the exit code."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.strip().upper()]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A located finding. Lines and columns are 1-based; 0 means "whole file"."""

    path: str
    code: str
    severity: Severity
    message: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.label
        return data


@dataclass(slots=True)
class CheckResult:
    """Everything one validate run found, plus what it looked at."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_checked: list[str] = field(default_factory=list)

    def extend(self, items: "list[Diagnostic] | tuple[Diagnostic, ...]") -> None:
        self.diagnostics.extend(items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=Diagnostic.sort_key)

    def worst(self) -> Severity | None:
        return max((d.severity for d in self.diagnostics), default=None)

    def counts(self) -> dict[str, int]:
        counts = {s.label: 0 for s in Severity}
        for diag in self.diagnostics:
            counts[diag.severity.label] += 1
        return counts
