"""Time-ordered UUIDs (version 7, RFC 9562), which aip uses for session, run and task uids and
`aip.uuid.new_v7*`. The stdlib's `uuid.uuid7` when present (Python 3.14+), else the same layout
built here: 48 bits of Unix milliseconds, the version and variant bits, random bits after.
"""

from __future__ import annotations

import time
import uuid


def new_uid() -> str:
    """A new version 7 UUID, as text."""
    if hasattr(uuid, "uuid7"):
        return str(uuid.uuid7())
    millis = int(time.time() * 1000)
    random_bits = uuid.uuid4().int & ((1 << 80) - 1)
    value = (millis << 80) | random_bits
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return str(uuid.UUID(int=value))
