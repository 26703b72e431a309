"""`Http1Transport`: the http1 pool behind httpx's API, for code that wants an `httpx.AsyncClient`.

    client = httpx.AsyncClient(transport=Http1Transport(max_connections=32))

The executor's hot path does not need it (`direct.FastHTTPClient` posts straight onto the pool);
this keeps httpx's transports as the seam: anything written against httpx — and every test that
injects `httpx.MockTransport` — can run over the same connections and the same exact heads.
httpx's client adds its default headers (user-agent, accept-encoding, connection) before a request
reaches a transport; the transport writes the head it is given, in httpx's order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from aipack_compat.execute.http1 import (
    Http1ConnectError,
    Http1ConnectTimeout,
    Http1Error,
    Http1Pool,
    Http1ProtocolError,
    Http1ReadError,
    Origin,
    Response,
)


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: Response) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_bytes():
                yield chunk
        except Http1Error as exc:
            raise httpx.ReadError(str(exc)) from exc

    async def aclose(self) -> None:
        await self._response.aclose()


class Http1Transport(httpx.AsyncBaseTransport):
    def __init__(self, max_connections: int = 100, connect_timeout: float | None = 10.0,
                 keepalive_seconds: float = 5.0) -> None:
        self.pool = Http1Pool(max_connections, connect_timeout, keepalive_seconds)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"Http1Transport speaks http and https, not {url.scheme!r}")
        default_port = 443 if url.scheme == "https" else 80
        port = url.port or default_port
        origin = Origin(url.scheme, url.host, port, "", "")
        body = await request.aread()
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw]
        if body and "content-length" not in request.headers and "transfer-encoding" not in request.headers:
            headers.append(("content-length", str(len(body))))
        target = url.raw_path.decode("ascii")
        try:
            response = await self.pool.send(origin, request.method, target, headers, body, stream=True)
        except Http1ConnectTimeout as exc:
            raise httpx.ConnectTimeout(str(exc), request=request) from exc
        except Http1ConnectError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except Http1ProtocolError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        except Http1ReadError as exc:
            raise httpx.ReadError(str(exc), request=request) from exc
        # The pool already decoded gzip/deflate; drop the header so httpx does not decode again.
        raw_headers = [(name, value) for name, value in response.headers.raw if name.lower() != "content-encoding"]
        return httpx.Response(response.status_code, headers=raw_headers, stream=_Body(response),
                              extensions={"http_version": b"HTTP/1.1"})

    async def aclose(self) -> None:
        await self.pool.aclose()
