"""The two file-system edges every stage shares: reading text safely, writing atomically.

Reading never raises on bad input: it returns either the text or a located diagnostic.
Writing goes through a temporary file in the same directory and `os.replace`, so a reader
never sees half a file, and nothing is overwritten unless the caller says so.
"""

from __future__ import annotations

import errno
import os
import stat
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
    from aipack_compat.rules import io as rules

    shown = str(path)
    try:
        # O_NONBLOCK: opening a FIFO someone named `config.toml` must not wait for a writer forever;
        # the type is then checked on the open descriptor, so a swap after the check cannot fool it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                return rules.UNREADABLE.diagnostic(shown, f"cannot read file: {_kind_of(info.st_mode)}")
            if info.st_size > max_bytes:
                return rules.TOO_LARGE.diagnostic(
                    shown,
                    f"file is {info.st_size:,} bytes; files over {max_bytes:,} bytes are not analysed",
                    hint="check that this file is really an AIPACK config, agent or script",
                )
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return rules.UNREADABLE.diagnostic(shown, f"cannot read file: {os_reason(exc)}")
    return decode_text(shown, raw)


def os_reason(exc: OSError) -> str:
    """The short, lower-case reason for an OSError ("no such file or directory", "is a directory")."""
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, FileNotFoundError) and exc.filename and os.path.islink(exc.filename):
        return "broken symbolic link (its target does not exist)"
    reason = exc.strerror or type(exc).__name__
    return reason[:1].lower() + reason[1:]


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    return "not a regular file"


def diagnostic_line(diagnostic: Diagnostic) -> str:
    """`path:line:column: message` (location parts only where known), for one-line CLI errors."""
    where = diagnostic.path
    if diagnostic.line:
        where += f":{diagnostic.line}" + (f":{diagnostic.column}" if diagnostic.column else "")
    return f"{where}: {diagnostic.message}"


def decode_text(path: str, raw: bytes) -> TextFile | Diagnostic:
    """Decode bytes as UTF-8 (BOM tolerated only where the caller handles it)."""
    from aipack_compat.rules import io as rules

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

    An existing file with other content is replaced only with `force=True`. A symlink is written
    through (its target is replaced, the link stays), a new file gets the umask's permissions, and
    anything that is not a regular file (a directory, a FIFO, a device) is never replaced: OSError.
    """
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))  # a dotfile-managed config stays a link to the managed file
    payload = data.encode("utf-8") if isinstance(data, str) else data
    existing = _existing_regular_file(target)
    if existing is not None:
        if existing.st_size == len(payload) and _holds(target, payload):
            return False
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
        # mkstemp creates 0600; keep an existing file's mode, give a new one what `open()` would.
        os.chmod(tmp_name, existing.st_mode & 0o7777 if existing is not None else 0o666 & ~_umask())
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
    return True


def _existing_regular_file(target: Path) -> os.stat_result | None:
    """The stat of an existing regular file at `target`, None when nothing is there; OSError otherwise."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    except NotADirectoryError as exc:  # a parent is a file: say which path could not be written
        raise NotADirectoryError(errno.ENOTDIR, "a parent of this path is a file, not a directory", str(target)) from exc
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(target))
    if not stat.S_ISREG(info.st_mode):
        raise OSError(errno.EINVAL, _kind_of(info.st_mode), str(target))
    return info


def _holds(target: Path, payload: bytes) -> bool:
    try:
        return target.read_bytes() == payload
    except OSError:
        return False


_UMASK: list[int] = []


def _umask() -> int:
    """The process umask, read once. Linux shows it in /proc; elsewhere os.umask can only be read by
    setting it, which another thread could observe, hence the /proc route first."""
    if not _UMASK:
        try:
            with open("/proc/self/status", encoding="ascii") as status:
                line = next(line for line in status if line.startswith("Umask:"))
            _UMASK.append(int(line.split()[1], 8))
        except (OSError, StopIteration, ValueError, IndexError):
            current = os.umask(0o022)
            os.umask(current)
            _UMASK.append(current)
    return _UMASK[0]


def write_user_file(path: str | os.PathLike[str], data: str | bytes, *, force: bool = False) -> bool:
    """`write_atomic` for commands: a refusal or an OS error becomes one clear line (exit 2)."""
    from aipack_compat.errors import EnvironmentFailure, UsageFailure

    try:
        return write_atomic(path, data, force=force)
    except RefusedOverwrite as exc:
        raise UsageFailure(str(exc)) from None
    except OSError as exc:
        raise EnvironmentFailure(f"cannot write {exc.filename or path}: {os_reason(exc)}") from None


def write_output_set_for_command(directory: str | os.PathLike[str], files: dict[str, str | bytes], *,
                                 force: bool = False) -> list[str]:
    """`write_output_set` for commands: a refusal or an OS error becomes one clear line (exit 2)."""
    from aipack_compat.errors import EnvironmentFailure, UsageFailure

    try:
        return write_output_set(directory, files, force=force)
    except RefusedOverwrite as exc:
        raise UsageFailure(str(exc)) from None
    except OSError as exc:
        raise EnvironmentFailure(f"cannot write {exc.filename or directory}: {os_reason(exc)}") from None


def ensure_writable_directory(path: str | os.PathLike[str], what: str = "output directory") -> None:
    """Create `path` if needed and prove a file can be created in it, before any long work starts."""
    import tempfile

    from aipack_compat.errors import EnvironmentFailure

    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise EnvironmentFailure(f"{folder}: cannot use as {what}: it (or a parent) is a file") from None
    except OSError as exc:
        raise EnvironmentFailure(f"{exc.filename or folder}: cannot use as {what}: {os_reason(exc)}") from None
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:  # read-only mount, full disk: the probe's own name would only confuse
        raise EnvironmentFailure(f"{folder}: cannot use as {what}: {os_reason(exc)}") from None


PENDING_OUTPUT_SET = ".aipack-compat-pending"
"""The staging folder of an output set inside its directory; `manifest.json` in it is the commit record."""


def write_output_set(directory: str | os.PathLike[str], files: dict[str, str | bytes], *, force: bool = False) -> list[str]:
    """Write several files into `directory` as one set (migrate's three files, replay's reports).

    Nothing is written when any file would be refused (it exists, differs, and `force` is off): the
    caller gets one `RefusedOverwrite` naming all of them. Otherwise every changed file is staged in
    `PENDING_OUTPUT_SET`, then the staged manifest is renamed into place — the commit point — and the
    files are moved over their targets. A kill before the commit leaves the old set; a kill after it
    leaves a manifest that `finish_pending_output_set` (called first by every writer and by readers
    of the set) rolls forward, so a set is never left mixed and no temporary file stays behind.
    Returns the names that changed (files already holding the same bytes are left untouched).
    """
    import json
    import shutil
    import tempfile

    folder = Path(directory)
    finish_pending_output_set(folder)
    changed: dict[str, tuple[bytes, int | None]] = {}
    refused: list[str] = []
    for name, data in files.items():
        _check_member_name(name)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        target = folder / name
        if target.is_symlink():  # an output set never writes through a link (it could point anywhere)
            raise OSError(errno.EINVAL, "is a symbolic link; an output set replaces files only", str(target))
        existing = _existing_regular_file(target)
        if existing is not None and existing.st_size == len(payload) and _holds(target, payload):
            continue
        if existing is not None and not force:
            refused.append(str(target))
        changed[name] = (payload, existing.st_mode & 0o7777 if existing is not None else None)
    if refused:
        raise RefusedOverwrite(f"{', '.join(refused)} exist{'s' if len(refused) == 1 else ''} and differ"
                               f"{'s' if len(refused) == 1 else ''}; use --force to overwrite (nothing was written)")
    if not changed:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / PENDING_OUTPUT_SET
    try:
        for name, (payload, mode) in changed.items():
            staged = staging / "files" / name
            staged.parent.mkdir(parents=True, exist_ok=True)
            with open(staged, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(staged, mode if mode is not None else 0o666 & ~_umask())
        fd, tmp_manifest = tempfile.mkstemp(prefix=".manifest.", dir=staging)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(sorted(changed), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_manifest, staging / "manifest.json")  # the commit point
        _fsync_directory(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # not committed: the old set stays as it was
        raise
    _roll_forward(folder, staging)
    return sorted(changed)


def finish_pending_output_set(directory: str | os.PathLike[str]) -> bool:
    """Complete (committed) or discard (uncommitted) an output set a killed writer left; True if one was found."""
    import shutil

    staging = Path(directory) / PENDING_OUTPUT_SET
    if not staging.is_dir() or staging.is_symlink():
        return False
    if (staging / "manifest.json").is_file():
        _roll_forward(Path(directory), staging)
    else:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def _roll_forward(folder: Path, staging: Path) -> None:
    import json
    import shutil

    names = json.loads((staging / "manifest.json").read_text(encoding="utf-8"))
    for name in names:
        _check_member_name(name)
        staged = staging / "files" / name
        if staged.exists():  # moved already when a previous roll-forward was cut short
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, folder / name)
    _fsync_directory(folder)
    shutil.rmtree(staging, ignore_errors=True)


def _check_member_name(name: str) -> None:
    parts = Path(name).parts
    if not parts or Path(name).is_absolute() or ".." in parts or parts[0] == PENDING_OUTPUT_SET:
        raise ValueError(f"not a file name inside the output directory: {name!r}")


def _fsync_directory(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
