"""Cassettes: the raw recordings of each case under `DIR/cassettes/`, so `replay --offline` can redo
the comparison in CI with neither Ollama nor `aip` installed."""

from __future__ import annotations

from pathlib import Path

from aipack_compat.errors import UsageFailure
from aipack_compat.files import write_user_file
from aipack_compat.model.report import Cassette

CASSETTE_DIR = "cassettes"


def cassette_path(out_dir: Path, file_stem: str) -> Path:
    return out_dir / CASSETTE_DIR / f"{file_stem}.json"


def save_cassette(out_dir: Path, file_stem: str, cassette: Cassette, *, force: bool) -> Path:
    path = cassette_path(out_dir, file_stem)
    write_user_file(path, cassette.model_dump_json(indent=1) + "\n", force=force)
    return path


def load_cassettes(out_dir: Path) -> list[Cassette]:
    """Every cassette under DIR, in file-name order; a bad one is a one-line error naming the file."""
    from pydantic import ValidationError

    folder = out_dir / CASSETTE_DIR
    if not folder.is_dir():
        raise UsageFailure(f"{folder}: no cassettes here; run `aipack-compat replay PATH --out {out_dir}` online first")
    cassettes = []
    for path in sorted(folder.glob("*.json")):
        if not path.is_file():  # a FIFO or a directory named like a cassette: reading would block or fail
            raise UsageFailure(f"{path}: not a regular file, so not a replay cassette")
        try:
            cassettes.append(Cassette.model_validate_json(path.read_bytes()))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "(top level)"
            raise UsageFailure(f"{path}: not a replay cassette: {where}: {first['msg']}") from None
        except OSError as exc:
            raise UsageFailure(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not cassettes:
        raise UsageFailure(f"{folder}: no cassettes here; run the replay online first")
    return cassettes
