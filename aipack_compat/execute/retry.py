"""Retry decisions and delays: exponential backoff with full jitter, `Retry-After` honoured.

Only BackendError classes are consulted (never httpx types): connect errors, timeouts, 5xx, 429 and
broken streams are retried; other 4xx (bad request, unknown model) never are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from aipack_compat.execute.errors import BackendError

MAX_RETRY_AFTER_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int = 3
    """Extra attempts after the first one."""
    base_seconds: float = 0.5
    cap_seconds: float = 10.0

    def should_retry(self, error: BackendError, attempt: int) -> bool:
        """`attempt` is the 1-based number of the attempt that just failed."""
        return bool(error.retryable) and attempt <= self.retries

    def delay(self, error: BackendError, attempt: int, rng: random.Random | None = None) -> float:
        if error.retry_after is not None:
            return min(max(error.retry_after, 0.0), MAX_RETRY_AFTER_SECONDS)
        ceiling = min(self.cap_seconds, self.base_seconds * (2 ** (attempt - 1)))
        return (rng or random).uniform(0.0, ceiling)


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as delta-seconds (fractions tolerated) or an HTTP date."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime
    import time

    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
