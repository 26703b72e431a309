"""The rule registry, in ruff's style: a stable code, a kebab-case name, a default severity.

Each family lives in its own module (`io`, `cfg`, `agt`, `pck`, `sh`, `mig`) so that checkers add
rules without touching each other; a family imports only this module, never a checker. The
registry is shared: check emits the rules, migrate its MIG ones (and the SH findings it repeats),
report lists them in SARIF, `files.py` the IO ones. Codes are never reused; a retired rule keeps
its entry with `status="removed"` and is never emitted.
"""

from __future__ import annotations

from dataclasses import dataclass

from aipack_compat.model.diagnostic import Diagnostic, Severity
from aipack_compat.model.location import Location


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    summary: str
    severity: Severity
    explanation: str
    status: str = "stable"

    def diagnostic(
        self,
        path: str,
        message: str,
        line: int = 0,
        column: int = 0,
        end_line: int = 0,
        end_column: int = 0,
        hint: str | None = None,
        severity: Severity | None = None,
    ) -> Diagnostic:
        """Build a located finding for this rule (severity defaults to the rule's)."""
        return Diagnostic(
            path=path,
            code=self.code,
            severity=severity or self.severity,
            message=message,
            line=line,
            column=column,
            end_line=end_line or line,
            end_column=end_column or column,
            hint=hint,
        )

    def at(self, location: Location, message: str, hint: str | None = None,
           severity: Severity | None = None) -> Diagnostic:
        """A finding for this rule at `location` (its path and span)."""
        return self.diagnostic(location.path, message, location.line, location.column, location.end_line,
                               location.end_column, hint=hint, severity=severity)


def all_rules() -> dict[str, Rule]:
    """Every registered rule by code. Imports the family modules (all light)."""
    from aipack_compat.rules import agt, cfg, io, mig, pck, sh

    registry: dict[str, Rule] = {}
    for family in (io, cfg, agt, pck, sh, mig):
        for rule in family.RULES:
            if rule.code in registry:
                raise RuntimeError(f"duplicate rule code {rule.code}")
            registry[rule.code] = rule
    return registry
