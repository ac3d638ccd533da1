"""A fault-injecting HTTP proxy for client tests, on asyncio, in a thread of its own.

It reads each request (head and Content-Length body) from the client and applies the next
fault of its script, or relays the request to the upstream service when the script is
spent. Relayed requests go upstream on a connection of their own with `Connection: close`,
so the answer ends where the upstream closes; the client's connection then closes too.
`relay_raw=True` instead pipes bytes both ways without looking at them, to count the
connections a client opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reply:
    """Answer the request here, without the upstream: `status` with a JSON error body."""
    status: int
    code: str = "overloaded"
    retry_after: int | None = None


@dataclass(frozen=True)
class ResetAfterLines:
    """Relay the request, then reset the connection after `lines` NDJSON lines of the
    answer have passed (a batch stream broken mid-way)."""
    lines: int


@dataclass(frozen=True)
class Delay:
    """Wait `seconds` before relaying (a slow network or a stalled service)."""
    seconds: float


Fault = Reply | ResetAfterLines | Delay


@dataclass
class Seen:
    """A request as the proxy received it."""
    at: float
    path: str
    body: bytes

    @property
    def lines(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.body.splitlines() if line.strip()]


@dataclass
class FaultProxy:
    upstream_port: int
    script: list[Fault] = field(default_factory=list)
    relay_raw: bool = False
    seen: list[Seen] = field(default_factory=list)
    connections: int = 0
    port: int = 0

    # ------------------------------------------------------------------ life cycle

    @contextlib.contextmanager
    def running(self) -> Iterator[str]:
        loop = asyncio.new_event_loop()
        started = threading.Event()

        async def serve() -> asyncio.Server:
            server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            return server

        def run() -> None:
            asyncio.set_event_loop(loop)
            self._server = loop.run_until_complete(serve())
            started.set()
            loop.run_forever()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        started.wait(5)
        try:
            yield f"http://127.0.0.1:{self.port}"
        finally:
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(5)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            loop.close()

    async def _shutdown(self) -> None:
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ------------------------------------------------------------------ per connection

    async def _connection(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            if self.relay_raw:
                await self._pipe_raw(reader, writer)
                return
            while True:
                request = await self._read_request(reader)
                if request is None:
                    return
                head, body = request
                path = head.split(b" ", 2)[1].decode()
                self.seen.append(Seen(time.monotonic(), path, body))
                fault = self.script.pop(0) if self.script else None
                if isinstance(fault, Reply):
                    await self._reply(writer, fault)
                    continue
                if isinstance(fault, Delay):
                    await asyncio.sleep(fault.seconds)
                await self._relay(head, body, writer, fault)
                return
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    @staticmethod
    async def _read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes] | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return head, await reader.readexactly(length)

    @staticmethod
    async def _reply(writer: asyncio.StreamWriter, fault: Reply) -> None:
        error = {"status": fault.status, "code": fault.code, "message": "injected",
                 "request_id": None}
        headers = ""
        if fault.retry_after is not None:
            error["retry_after"] = fault.retry_after
            headers = f"Retry-After: {fault.retry_after}\r\n"
        body = json.dumps({"error": error}).encode()
        writer.write(f"HTTP/1.1 {fault.status} Injected\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(body)}\r\n{headers}\r\n".encode() + body)
        await writer.drain()

    async def _relay(self, head: bytes, body: bytes, writer: asyncio.StreamWriter,
                     fault: Fault | None) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        lines = [line for line in head.split(b"\r\n")
                 if line and not line.lower().startswith(b"connection:")]
        if isinstance(fault, ResetAfterLines):
            # The lines are counted in the answer as sent: ask for it uncompressed.
            lines = [line for line in lines
                     if not line.lower().startswith(b"accept-encoding:")]
            lines.append(b"Accept-Encoding: identity")
        up_writer.write(b"\r\n".join([*lines, b"Connection: close", b"", b""]) + body)
        await up_writer.drain()
        ends_seen, last = 0, b""
        try:
            while chunk := await up_reader.read(65536):
                if isinstance(fault, ResetAfterLines):
                    # Each NDJSON line of the service ends in "}\n"; chunk sizes never do.
                    # `last` joins a line end split between two reads.
                    scanned = last + chunk
                    cut = self._nth_line_end(scanned, fault.lines - ends_seen)
                    if cut is not None:
                        writer.write(scanned[len(last):cut])
                        await writer.drain()
                        writer.transport.abort()  # a reset, not a clean close
                        return
                    ends_seen += scanned.count(b"}\n")
                    last = chunk[-1:]
                writer.write(chunk)
                await writer.drain()
        finally:
            up_writer.close()

    @staticmethod
    def _nth_line_end(chunk: bytes, n: int) -> int | None:
        at = -1
        for _ in range(n):
            at = chunk.find(b"}\n", at + 1)
            if at < 0:
                return None
        return at + 2

    async def _pipe_raw(self, reader: asyncio.StreamReader,
                        writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
