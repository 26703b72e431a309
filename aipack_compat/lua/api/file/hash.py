"""aip.file.hash_* (0.7.13+, `A:src/script/aip_modules/aip_file/file_hash.rs@952ad06e`): the
aip.hash digests and encodings over a file's raw bytes; the Base58 variant is named `_b58u`
here. The path resolves like `aip.file.load` and the read is confined the same way.
"""

from __future__ import annotations

from typing import Any, Callable

from aipack_compat.lua.api.hash import DIGESTS, ENCODINGS
from aipack_compat.lua.api.host import ApiError, ApiFunction, ApiHost, expect_string


def _file_hasher(qualified: str, digest: Callable[[bytes], bytes], encode: Callable[[bytes], str]) -> ApiFunction:
    def hash_file(host: ApiHost, path: Any = None) -> str:
        path = expect_string(path, qualified, "path")
        full_path = host.resolve(path)
        host.check_read(full_path)
        try:
            with open(full_path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise ApiError(f"{qualified} - Failed to hash file '{path}'.\nCause: {exc.strerror or exc}") from None
        return encode(digest(data))

    return ApiFunction(hash_file)


def _file_suffix(suffix: str) -> str:
    return "_b58u" if suffix == "_b58" else suffix


FUNCTIONS: dict[str, ApiFunction] = {
    f"hash_{algorithm}{_file_suffix(suffix)}": _file_hasher(
        f"aip.file.hash_{algorithm}{_file_suffix(suffix)}", digest, encode
    )
    for algorithm, digest in DIGESTS.items()
    for suffix, encode in ENCODINGS.items()
}
