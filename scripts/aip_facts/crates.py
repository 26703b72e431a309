"""Published crates as read-only file trees: found in cargo's caches or ours, fetched from crates.io when missing.

Lookup order for `<name>-<version>`:
    1. `$CARGO_HOME/registry/cache/*/<name>-<version>.crate`   (what `cargo fetch`/`cargo install` keep)
    2. `$XDG_CACHE_HOME/aipack-compat/crates/<name>-<version>.crate`   (our downloads)
    3. download (unless offline) into 2., verified against the sha256 the caller expects (aip's Cargo.lock pins
       genai's) or, for aip itself, the one crates.io's sparse index lists.
`$CARGO_HOME/registry/src/*/<name>-<version>/` holds the same files unpacked, but no checksum, so the archive is
what we read: the manifest records the archive's sha256, the same number the index and Cargo.lock give.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from aip_facts import ExtractionError

DOWNLOAD_URL = "https://static.crates.io/crates/{name}/{name}-{version}.crate"
INDEX_URL = "https://index.crates.io/{prefix}/{name}"
_TIMEOUT = 60


def cargo_home() -> Path:
    return Path(os.environ.get("CARGO_HOME") or Path.home() / ".cargo")


def download_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aipack-compat" / "crates"


def cached_archive(name: str, version: str) -> Path | None:
    """The .crate archive if cargo or we already have it, else None (no network)."""
    file_name = f"{name}-{version}.crate"
    for candidate in sorted((cargo_home() / "registry" / "cache").glob(f"*/{file_name}")):
        return candidate
    ours = download_cache() / file_name
    return ours if ours.is_file() else None


@dataclass
class Crate:
    """The files of one published crate, keyed by their path inside the crate (`src/main.rs`)."""

    name: str
    version: str
    sha256: str
    files: dict[str, bytes] = field(repr=False)

    def read(self, path: str, fact: str) -> bytes:
        try:
            return self.files[path]
        except KeyError:
            raise ExtractionError(f"{fact}: {self.name} {self.version} has no `{path}`") from None

    def text(self, path: str, fact: str) -> str:
        return self.read(path, fact).decode("utf-8")

    def first_existing(self, paths: tuple[str, ...], fact: str) -> str:
        for path in paths:
            if path in self.files:
                return path
        raise ExtractionError(f"{fact}: {self.name} {self.version} has none of {', '.join(paths)}")

    def under(self, prefix: str) -> list[str]:
        return sorted(path for path in self.files if path.startswith(prefix))


def open_archive(path: Path, name: str, version: str) -> Crate:
    data = path.read_bytes()
    root = f"{name}-{version}/"
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name.startswith(root):
                extracted = archive.extractfile(member)
                if extracted is not None:
                    files[member.name[len(root):]] = extracted.read()
    if not files:
        raise ExtractionError(f"{path}: not a `{name}-{version}` crate archive")
    return Crate(name, version, hashlib.sha256(data).hexdigest(), files)


def index_checksum(name: str, version: str) -> str:
    """The sha256 crates.io's sparse index lists for that release."""
    lowered = name.lower()
    prefix = {1: "1", 2: "2", 3: f"3/{lowered[0]}"}.get(len(lowered), f"{lowered[:2]}/{lowered[2:4]}")
    for line in _get(INDEX_URL.format(prefix=prefix, name=lowered)).decode("utf-8").splitlines():
        entry = json.loads(line)
        if entry.get("vers") == version:
            return str(entry["cksum"])
    raise ExtractionError(f"crates.io's index lists no {name} {version}")


def published_versions(name: str) -> list[str]:
    """Every non-yanked version crates.io's index lists, oldest first (index order)."""
    lowered = name.lower()
    prefix = {1: "1", 2: "2", 3: f"3/{lowered[0]}"}.get(len(lowered), f"{lowered[:2]}/{lowered[2:4]}")
    lines = _get(INDEX_URL.format(prefix=prefix, name=lowered)).decode("utf-8").splitlines()
    return [entry["vers"] for entry in map(json.loads, lines) if not entry.get("yanked")]


def load_crate(name: str, version: str, *, expected_sha256: str | None = None, offline: bool = False) -> Crate:
    """The crate from a cache, else downloaded (checked against `expected_sha256` or the index)."""
    found = cached_archive(name, version)
    if found is None:
        if offline:
            raise ExtractionError(f"{name} {version}: not in cargo's cache nor {download_cache()} (offline)")
        expected = expected_sha256 or index_checksum(name, version)
        data = _get(DOWNLOAD_URL.format(name=name, version=version))
        if hashlib.sha256(data).hexdigest() != expected:
            raise ExtractionError(f"{name} {version}: downloaded archive does not match sha256 {expected}")
        found = download_cache() / f"{name}-{version}.crate"
        found.parent.mkdir(parents=True, exist_ok=True)
        partial = found.with_suffix(".partial")
        partial.write_bytes(data)
        partial.replace(found)
    crate = open_archive(found, name, version)
    if expected_sha256 is not None and crate.sha256 != expected_sha256:
        raise ExtractionError(f"{name} {version}: {found} has sha256 {crate.sha256}, Cargo.lock pins {expected_sha256}")
    return crate


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "aipack-compat extract_aip_facts"})
    with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:  # noqa: S310 (fixed https hosts)
        return bytes(response.read())
