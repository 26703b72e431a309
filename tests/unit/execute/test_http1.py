"""The HTTP/1.1 client (execute/http1.py) against a scripted loopback server: framing, keep-alive,
stale connections, streaming, errors, and a never-crash property of its response parser."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aipack_compat.execute.errors import BackendUnreachable, map_transport_errors
from aipack_compat.execute.http1 import (
    Http1ConnectError,
    Http1Error,
    Http1Pool,
    Http1ProtocolError,
    Http1ReadError,
    _Connection,
    parse_origin,
)

Reply = Callable[[asyncio.StreamWriter, bytes], Awaitable[bool]]
"""Writes one answer for the request head it is given; returns False to close the connection."""


class ScriptedServer:
    """Answers the n-th request with replies[n]; counts connections and keeps request heads."""

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = replies
        self.connections = 0
        self.heads: list[bytes] = []
        self.bodies: list[bytes] = []
        self.server: asyncio.base_events.Server | None = None

    async def __aenter__(self) -> "ScriptedServer":
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                self.bodies.append(await reader.readexactly(length))
                index = len(self.heads)
                self.heads.append(head)
                if not await self.replies[index](writer, head):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def answer(body: bytes, *headers: str, status: str = "200 OK", keep: bool = True) -> Reply:
    async def reply(writer: asyncio.StreamWriter, _: bytes) -> bool:
        lines = [f"HTTP/1.1 {status}", "Content-Type: application/json", f"Content-Length: {len(body)}", *headers]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        return keep
    return reply


def raw(data: bytes, keep: bool = False, pieces: int = 1, pause: float = 0.0) -> Reply:
    async def reply(writer: asyncio.StreamWriter, _: bytes) -> bool:
        step = max(1, len(data) // pieces)
        for start in range(0, len(data), step):
            writer.write(data[start:start + step])
            await writer.drain()
            if pause:
                await asyncio.sleep(pause)
        return keep
    return reply


async def post(pool: Http1Pool, base: str, body: bytes = b"{}", stream: bool = False):  # type: ignore[no-untyped-def]
    origin = parse_origin(base)
    return await pool.send(origin, "POST", "/api/chat", [("content-type", "application/json"),
                                                         ("host", origin.host_header),
                                                         ("content-length", str(len(body)))], body, stream=stream)


def run(coroutine: Awaitable[object]) -> object:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


def test_content_length_answers_reuse_one_connection_and_the_head_is_written_as_given() -> None:
    async def scenario() -> None:
        async with ScriptedServer([answer(b'{"a":1}'), answer(b'{"a":2}')]) as server:
            pool = Http1Pool()
            first = await post(pool, server.base, b'{"x":1}')
            second = await post(pool, server.base)
            await pool.aclose()
            assert (first.status_code, first.content, second.content) == (200, b'{"a":1}', b'{"a":2}')
            assert first.headers.get("CONTENT-TYPE") == "application/json"
            assert server.connections == 1
            port = server.base.rsplit(":", 1)[1]
            assert server.heads[0] == (f"POST /api/chat HTTP/1.1\r\ncontent-type: application/json\r\n"
                                       f"host: 127.0.0.1:{port}\r\ncontent-length: 7\r\n\r\n").encode()
            assert server.bodies[0] == b'{"x":1}'
    run(scenario())


def test_chunked_answer_split_at_every_byte_boundary_is_reassembled() -> None:
    body = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-T: 1\r\n\r\n"

    async def scenario() -> None:
        async with ScriptedServer([raw(body, keep=True, pieces=len(body), pause=0.0005), answer(b"again")]) as server:
            pool = Http1Pool()
            response = await post(pool, server.base)
            again = await post(pool, server.base)
            await pool.aclose()
            assert response.content == b"hello, world"
            assert again.content == b"again" and server.connections == 1
    run(scenario())


def test_body_until_close_and_connection_close_are_not_reused() -> None:
    async def scenario() -> None:
        async with ScriptedServer([raw(b"HTTP/1.1 200 OK\r\n\r\nno length"),
                                   answer(b"x", "Connection: close", keep=False), answer(b"y")]) as server:
            pool = Http1Pool()
            results = [(await post(pool, server.base)).content for _ in range(3)]
            await pool.aclose()
            assert results == [b"no length", b"x", b"y"]
            assert server.connections == 3
    run(scenario())


def test_gzip_body_is_decoded() -> None:
    async def scenario() -> None:
        async with ScriptedServer([answer(gzip.compress(b'{"ok":true}'), "Content-Encoding: gzip")]) as server:
            pool = Http1Pool()
            assert (await post(pool, server.base)).content == b'{"ok":true}'
            await pool.aclose()
    run(scenario())


def test_a_keep_alive_connection_the_server_dropped_is_replaced_transparently() -> None:
    async def scenario() -> None:
        # The first answer keeps the connection in our pool, but the server closes it (keep=False).
        async with ScriptedServer([answer(b"1", keep=False), answer(b"2")]) as server:
            pool = Http1Pool()
            assert (await post(pool, server.base)).content == b"1"
            await asyncio.sleep(0.05)  # the FIN arrives while the connection sits idle
            assert (await post(pool, server.base)).content == b"2"
            await pool.aclose()
            assert server.connections == 2
    run(scenario())


def test_reused_connection_closed_without_an_answer_is_retried_once_on_a_fresh_one() -> None:
    async def close_silently(writer: asyncio.StreamWriter, _: bytes) -> bool:
        return False  # the server's idle timeout fired as our request arrived

    async def scenario() -> None:
        async with ScriptedServer([answer(b"1"), close_silently, answer(b"2")]) as server:
            pool = Http1Pool()
            assert (await post(pool, server.base)).content == b"1"
            assert (await post(pool, server.base)).content == b"2"
            await pool.aclose()
            assert server.connections == 2 and len(server.heads) == 3
    run(scenario())


def test_fresh_connection_closed_without_an_answer_is_not_retried() -> None:
    async def close_silently(writer: asyncio.StreamWriter, _: bytes) -> bool:
        return False

    async def scenario() -> None:
        async with ScriptedServer([close_silently, answer(b"never")]) as server:
            pool = Http1Pool()
            with pytest.raises(Http1ReadError, match="without answering"):
                await post(pool, server.base)
            await pool.aclose()
            assert len(server.heads) == 1
    run(scenario())


def test_close_mid_body_is_a_read_error_mapped_to_unreachable() -> None:
    async def scenario() -> None:
        async with ScriptedServer([raw(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\npartial")]) as server:
            pool = Http1Pool()
            with pytest.raises(Http1ReadError, match="before the answer was complete"):
                await post(pool, server.base)
            with pytest.raises(BackendUnreachable):
                with map_transport_errors(server.base):
                    raise Http1ReadError("cut")
            await pool.aclose()
    run(scenario())


def test_garbage_status_line_is_a_protocol_error() -> None:
    async def scenario() -> None:
        async with ScriptedServer([raw(b"SSH-2.0-OpenSSH\r\n\r\n")]) as server:
            pool = Http1Pool()
            with pytest.raises(Http1ProtocolError, match="not an HTTP/1.x status line"):
                await post(pool, server.base)
            await pool.aclose()
    run(scenario())


def test_refused_connection_is_a_connect_error() -> None:
    async def scenario() -> None:
        async with ScriptedServer([]) as server:
            base = server.base
        pool = Http1Pool()
        with pytest.raises(Http1ConnectError, match="cannot connect"):
            await post(pool, base)
    run(scenario())


def test_streamed_answer_yields_chunks_as_they_arrive_and_releases_the_connection() -> None:
    lines = b'{"n":1}\n{"n":2}\n{"n":3,"done":true}\n'
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
    framed = head + b"".join(b"%x\r\n%s\r\n" % (len(line), line) for line in lines.splitlines(keepends=True)) + b"0\r\n\r\n"

    async def scenario() -> None:
        async with ScriptedServer([raw(framed, keep=True, pieces=4, pause=0.01), answer(b"next")]) as server:
            pool = Http1Pool()
            response = await post(pool, server.base, stream=True)
            received = [chunk async for chunk in response.aiter_bytes()]
            await response.aclose()
            assert b"".join(received) == lines and len(received) > 1
            assert (await post(pool, server.base)).content == b"next"
            assert server.connections == 1
            await pool.aclose()
    run(scenario())


def test_cancelled_exchange_closes_its_connection_and_frees_the_slot() -> None:
    async def scenario() -> None:
        async def never(writer: asyncio.StreamWriter, _: bytes) -> bool:
            await asyncio.sleep(10)
            return False

        async with ScriptedServer([never, answer(b"ok")]) as server:
            pool = Http1Pool(max_connections=1)
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.1):
                    await post(pool, server.base)
            assert (await post(pool, server.base)).content == b"ok"  # slot freed, fresh connection
            assert server.connections == 2
            await pool.aclose()
    run(scenario())


class _FakeTransport:
    def __init__(self) -> None:
        self.closed = False

    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=8), st.booleans())
def test_response_parser_never_crashes_on_arbitrary_bytes(pieces: list[bytes], streaming: bool) -> None:
    async def scenario() -> None:
        connection = _Connection(parse_origin("http://127.0.0.1:1"))
        connection.connection_made(_FakeTransport())  # type: ignore[arg-type]
        connection.start(b"", streaming)
        for piece in [b"HTTP/1.1 200 OK\r\n", *pieces]:
            connection.data_received(piece)
        connection.connection_lost(None)
        assert connection.finished is not None and connection.finished.done()
        error = connection.finished.exception()
        assert error is None or isinstance(error, Http1Error)
    asyncio.run(scenario())


def test_httpx_client_over_the_http1_transport() -> None:
    import httpx

    from aipack_compat.execute.http1_httpx import Http1Transport

    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"

    async def scenario() -> None:
        async with ScriptedServer([answer(gzip.compress(b'{"v":1}'), "Content-Encoding: gzip"),
                                   raw(chunked, keep=True)]) as server:
            base = server.base
            async with httpx.AsyncClient(transport=Http1Transport(), base_url=base) as client:
                first = await client.post("/api/chat", json={"a": 1})
                second = await client.get("/api/version")
            assert first.json() == {"v": 1} and second.text == "abc"
            assert server.connections == 1
            assert server.bodies[0] == b'{"a":1}'
            assert b"content-length: 7" in server.heads[0].lower()
            assert server.heads[1].startswith(b"GET /api/version HTTP/1.1\r\n")
        async with httpx.AsyncClient(transport=Http1Transport()) as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(base + "/api/version")
    run(scenario())


def test_concurrent_connections_resolve_the_host_once_and_skip_dead_addresses() -> None:
    async def scenario() -> None:
        async with ScriptedServer([answer(b"1"), answer(b"2"), answer(b"3")]) as server:
            port = int(server.base.rsplit(":", 1)[1])
            loop = asyncio.get_running_loop()
            calls: list[str] = []
            original = loop.getaddrinfo

            async def counting(host: str | bytes, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
                calls.append(host)
                await asyncio.sleep(0.01)
                # a dead address first (nothing listens on ::1 here), then the live one
                return [(0, 0, 0, "", ("::1", port, 0, 0)), *(await original("127.0.0.1", *args, **kwargs))]

            loop.getaddrinfo = counting  # type: ignore[method-assign]
            pool = Http1Pool()
            base = server.base.replace("127.0.0.1", "localhost")
            answers = await asyncio.gather(*(post(pool, base) for _ in range(3)))
            await pool.aclose()
            assert sorted(r.content for r in answers) == [b"1", b"2", b"3"]  # type: ignore[attr-defined]
            assert calls == [b"localhost"] and server.connections == 3  # bytes: no idna codec import
    run(scenario())
