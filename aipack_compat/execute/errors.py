"""Backend failures, mapped once from the HTTP client's exceptions into our own tree; retry decisions look only at these.

    BackendError                 any failed AI call (carries the endpoint and, if any, the status)
    ├── BackendUnreachable       connect refused / DNS / reset before a response started  (retried)
    ├── BackendTimeout           connect, read or total timeout                            (retried)
    ├── BackendHTTPError(status) non-2xx answer; 5xx and 429 retried, other 4xx never
    │   └── ModelNotFound        404 for the model (Ollama `model 'x' not found`)          (never retried)
    ├── StreamProtocolError      malformed NDJSON / JSON body, a stream cut mid-way         (retried)
    └── ModelError               a 2xx answer carrying `{"error": ...}` (Ollama mid-stream)  (retried)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


class BackendError(Exception):
    transient = False
    """True for failures a later attempt may not meet (an unreachable endpoint, a timeout)."""

    def __init__(self, message: str, *, endpoint: str = "", status_code: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.status_code = status_code
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.transient


class BackendUnreachable(BackendError):
    transient = True


class BackendTimeout(BackendError):
    transient = True


class BackendHTTPError(BackendError):
    @property
    def retryable(self) -> bool:
        return self.status_code is not None and (self.status_code >= 500 or self.status_code == 429)


class ModelNotFound(BackendHTTPError):
    pass


class StreamProtocolError(BackendError):
    transient = True


class ModelError(BackendError):
    transient = True


@contextmanager
def map_transport_errors(endpoint: str) -> Iterator[None]:
    """Translate the HTTP clients' exceptions (ours in http1.py, httpx's for injected clients) into
    the BackendError tree, chained. httpx is only consulted when it is already loaded: the
    production path never imports it."""
    from aipack_compat.execute.http1 import Http1ConnectTimeout, Http1Error

    try:
        yield
    except BackendError:
        raise
    except Http1ConnectTimeout as exc:
        raise BackendTimeout(f"timed out talking to {endpoint}: {exc}", endpoint=endpoint) from exc
    except Http1Error as exc:
        raise BackendUnreachable(f"cannot talk to {endpoint}: {exc}", endpoint=endpoint) from exc
    except Exception as exc:
        httpx = sys.modules.get("httpx")
        if httpx is not None and isinstance(exc, httpx.TimeoutException):
            raise BackendTimeout(f"timed out talking to {endpoint}: {type(exc).__name__}",
                                 endpoint=endpoint) from exc
        if httpx is not None and isinstance(exc, httpx.TransportError):
            raise BackendUnreachable(f"cannot talk to {endpoint}: {exc or type(exc).__name__}",
                                     endpoint=endpoint) from exc
        if isinstance(exc, (ConnectionError, OSError)):  # raised raw by some transports
            raise BackendUnreachable(f"cannot talk to {endpoint}: {exc}", endpoint=endpoint) from exc
        raise


def describe(exc: BackendError) -> str:
    """One line for the user, with the status when there is one."""
    status = f"HTTP {exc.status_code}: " if exc.status_code else ""
    return f"{status}{exc}"
