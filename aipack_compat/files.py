"""The two file-system edges every stage shares: reading text safely, writing atomically.

Reading never raises on bad input: it returns either the text or a located diagnostic.
Writing goes through a temporary file in the same directory and `os.replace`, so a reader
never sees half a file, and nothing is overwritten unless the caller says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from aipack_compat.model.diagnostic import Diagnostic

MAX_TEXT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TextFile:
    path: str
    text: str


def read_text_file(path: str | os.PathLike[str], max_bytes: int = MAX_TEXT_BYTES) -> TextFile | Diagnostic:
    """Read a UTF-8 text file, or explain (as a diagnostic) why it cannot be read."""
    from aipack_compat.check.rules import io as rules

    shown = str(path)
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            return rules.TOO_LARGE.diagnostic(
                shown,
                f"file is {size:,} bytes; files over {max_bytes:,} bytes are not analysed",
                hint="check that this file is really an AIPACK config, agent or script",
            )
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, IsADirectoryError):
            reason = "is a directory"
        return rules.UNREADABLE.diagnostic(shown, f"cannot read file: {reason}")
    return decode_text(shown, raw)


def decode_text(path: str, raw: bytes) -> TextFile | Diagnostic:
    """Decode bytes as UTF-8 (BOM tolerated only where the caller handles it)."""
    from aipack_compat.check.rules import io as rules

    if b"\x00" in raw[:8192]:
        return rules.NOT_UTF8.diagnostic(path, "file looks binary (contains NUL bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return rules.NOT_UTF8.diagnostic(
            path,
            f"invalid UTF-8 byte 0x{raw[exc.start]:02x}",
            line=line,
            column=column,
            hint="re-save the file as UTF-8",
        )
    return TextFile(path, text)


class RefusedOverwrite(Exception):
    """Raised when a write would replace an existing, different file without `force`."""


def write_atomic(path: str | os.PathLike[str], data: str | bytes, *, force: bool = False) -> bool:
    """Write `data` to `path` atomically. Returns False when the file already holds exactly `data`.

    An existing file with other content is replaced only with `force=True`.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if target.exists():
        try:
            if target.read_bytes() == payload:
                return False
        except OSError:
            pass
        if not force:
            raise RefusedOverwrite(f"{target} exists and differs; use --force to overwrite it")
    import tempfile  # not on the validate path, which only reads

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp_name, target.stat().st_mode & 0o7777)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
    return True
