"""The gunicorn worker newsclean runs: gunicorn's threaded worker, with every read of a
request under a deadline (`service.reading`).

Why threads (measured in ``benchmarks/REPORT-http.md``; the README's "Serving" section
says the same):

- keep-alive: a threaded worker keeps idle connections in its event loop, not in a
  thread, so a pipeline sends article after article on one connection;
- slow clients: an idle connection costs no thread, and a request that stalls half-sent
  loses its thread at its read deadline (408), instead of holding a whole sync worker;
- probes: ``/healthz`` is answered by a free thread even while another thread of the same
  process cleans a 3 MB article, and the worker's heartbeat comes from the event loop,
  so a long article does not get the worker killed;
- cleaning is CPU work under one GIL, so a process cleans one article at a time
  (`service.admission`), and throughput comes from processes, one per core.
"""

from __future__ import annotations

import select
import socket
import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from service import reading
from service.settings import Settings

#: How long a thread waits for the next request on the connection it just answered
#: before handing it back to the event loop: a client that sends at once, as a pipeline
#: does, answers within a fraction of this.
NEXT_REQUEST_WAIT = 0.002
#: How long a connection closed with its request body unread (a 413 answered from the
#: head) is drained first: closing a socket with unread data resets it, and the client,
#: still sending, gets a broken pipe instead of the answer. nginx's lingering close does
#: the same. 2 s is 20 MB on a slow 100 Mbit/s link.
LINGER_SECONDS = 2.0


class Worker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's threaded worker, cutting requests that come too slowly."""

    def init_process(self) -> None:
        self.read_timeout = Settings.from_env().read_timeout
        self.serving: dict[Any, Any] = {}  # socket -> the gunicorn request it carries
        super().init_process()

    def handle(self, conn: Any) -> Any:
        """Answer the requests of `conn` in this pool thread while they come back to back
        (a pipeline sends the next article as soon as it has the answer): handing a
        kept-alive connection back to the event loop between two requests costs the
        loop's thread two turns at the interpreter lock, while another thread cleans."""
        result = self._handle_one(conn)
        while result is True and self.alive and self._next_request_ready(conn):
            result = self._handle_one(conn)
        return result

    def _handle_one(self, conn: Any) -> Any:
        """Read and answer one request of `conn`, its head watched: the watch starts
        before the first byte is awaited, so it covers the whole head."""
        reading.watch(conn.sock, self.read_timeout, head=True)
        try:
            return super().handle(conn)
        finally:
            reading.unwatch(conn.sock)

    @staticmethod
    def _next_request_ready(conn: Any) -> bool:
        if conn.parser.unreader.buf.getvalue():
            return True  # already read, behind the last request
        waiting = select.poll()  # not select(): a worker's sockets pass fd 1024
        waiting.register(conn.sock, select.POLLIN)
        return bool(waiting.poll(NEXT_REQUEST_WAIT * 1000))

    def handle_request(self, req: Any, conn: Any) -> Any:
        """The head is read: the app watches the body itself."""
        watched = reading.unwatch(conn.sock)
        if watched is not None and watched.cut:
            return False  # answered 408 by the event loop a moment ago
        self.serving[conn.sock] = req
        try:
            return super().handle_request(req, conn)
        finally:
            del self.serving[conn.sock]

    def _keepalive_after(self, conn: Any, keepalive: bool) -> bool:
        """gunicorn keeps a connection whose answered request left at most 64 KB of body
        unread (it drains that much); past it, or when the answer closes, the connection
        closes: drained first, so that a client still sending reads its answer."""
        keep = bool(super()._keepalive_after(conn, keepalive))
        if not keep and _body_unread(conn.parser.mesg):
            _linger(conn.sock)
        return keep

    def murder_pending(self) -> None:
        """Each turn of the event loop (at least once a second): close the connections
        that stayed idle too long, as gunicorn does, and cut the reads past deadline."""
        super().murder_pending()
        reading.cut_overdue(before_cut=self.close_after_answer)

    def close_after_answer(self, sock: Any) -> None:
        """The request on `sock` is answered ``Connection: close``: what is left of its
        body will never be read, so nothing after it can be."""
        req = self.serving.get(sock)
        if req is not None:
            req.must_close = True


def _body_unread(req: Any) -> bool:
    """The request came with a body that the answer left (partly) unread."""
    body = getattr(req, "body", None)
    reader = getattr(body, "reader", None)
    length = getattr(reader, "length", None)  # what a Content-Length body has left
    return bool(length) or getattr(req, "chunked", False)


def _linger(sock: Any) -> None:
    """Send nothing more, and read what the client still sends, for LINGER_SECONDS at
    most, so that it reads the answer before the connection goes."""
    deadline = time.monotonic() + LINGER_SECONDS
    try:
        sock.shutdown(socket.SHUT_WR)
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            if not sock.recv(1 << 16):
                return  # the client closed its side: it has the answer
    except OSError:
        return  # reset, timed out, or gone: nothing more to do
