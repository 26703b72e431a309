"""Where a construct sits in a file: the one location type every stage shares.

Script scans, TOML key and value spans, effective-option provenance and diagnostics all point into
files the same way. A plain frozen dataclass, because the `validate` fast path never imports pydantic;
the job config's pydantic `SourceLocation` is the serialized form of a location that keeps only
`path`, `line` and `column`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """1-based lines and columns, the end column exclusive; 0 means "not known" (a whole-file finding).

    `path` is "" while the file is not known yet (a TOML document parsed from text alone).
    """

    path: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0

    def shifted(self, lines: int, path: str | None = None) -> "Location":
        """The same stretch `lines` lines further down (TOML embedded in an agent file), optionally in `path`."""
        return Location(self.path if path is None else path, self.line + lines, self.column,
                        self.end_line + lines, self.end_column)
