"""Rules of the SH family (filled in by its checker module's author)."""

from aipack_compat.check.rules import Rule  # noqa: F401
from aipack_compat.model.diagnostic import Severity  # noqa: F401

RULES: tuple[Rule, ...] = ()
