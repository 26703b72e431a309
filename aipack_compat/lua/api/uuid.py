"""aip.uuid.* (0.7.12+, `A:src/script/aip_modules/aip_uuid.rs@952ad06e`, encodings from `uuid-extra`).

`new` is `new_v4`; the `_b64` forms are standard Base64 of the 16 bytes (with `==` padding),
`_b64u` URL-safe without padding, `_b58` Bitcoin-alphabet Base58. `to_time_epoch_ms` returns
the millisecond timestamp of a v1/v6/v7 UUID and nil for anything else (v4, invalid text, nil).
"""

from __future__ import annotations

import base64
import uuid as _uuid
from typing import Any

from aipack_compat.lua.api.host import ApiFunction, ApiHost, option_string
from aipack_compat.lua.ports.base58 import base58
from aipack_compat.lua.ports.uuid7 import new_uid

# 100-ns intervals between the Gregorian epoch (1582-10-15) and the Unix epoch (v1/v6 timestamps).
_GREGORIAN_TO_UNIX_100NS = 0x01B21DD213814000


def _v4() -> _uuid.UUID:
    return _uuid.uuid4()


def _v7() -> _uuid.UUID:
    return _uuid.UUID(new_uid())


def _b64(value: _uuid.UUID) -> str:
    return base64.b64encode(value.bytes).decode("ascii")


def _b64u(value: _uuid.UUID) -> str:
    return base64.urlsafe_b64encode(value.bytes).decode("ascii").rstrip("=")


def to_time_epoch_ms(host: ApiHost, value: Any = None) -> int | None:
    text = option_string(value, "aip.uuid.to_time_epoch_ms")
    if text is None:
        return None
    try:
        parsed = _uuid.UUID(text.strip())
    except ValueError:
        return None
    if parsed.version == 7:
        return parsed.int >> 80
    if parsed.version == 1:
        return (parsed.time - _GREGORIAN_TO_UNIX_100NS) // 10_000
    if parsed.version == 6:
        raw = parsed.int >> 64
        timestamp = ((raw >> 16) << 12) | (raw & 0x0FFF)
        return (timestamp - _GREGORIAN_TO_UNIX_100NS) // 10_000
    return None


FUNCTIONS: dict[str, ApiFunction] = {
    "new": ApiFunction(lambda host: str(_v4())),
    "new_v4": ApiFunction(lambda host: str(_v4())),
    "new_v7": ApiFunction(lambda host: str(_v7())),
    "new_v4_b64": ApiFunction(lambda host: _b64(_v4())),
    "new_v4_b64u": ApiFunction(lambda host: _b64u(_v4())),
    "new_v4_b58": ApiFunction(lambda host: base58(_v4().bytes)),
    "new_v7_b64": ApiFunction(lambda host: _b64(_v7())),
    "new_v7_b64u": ApiFunction(lambda host: _b64u(_v7())),
    "new_v7_b58": ApiFunction(lambda host: base58(_v7().bytes)),
    "to_time_epoch_ms": ApiFunction(to_time_epoch_ms),
}
