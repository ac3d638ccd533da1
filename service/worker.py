"""The gunicorn worker newsclean runs: gunicorn's gevent worker (an event loop), with every
read of a request and every write of an answer under a deadline.

Why an event loop (issue 22; the README's "Serving" section says the same):

- slow clients: a connection is a greenlet (a few KB), not a thread, so a thousand
  clients sending a byte a second hold no thread that a probe or a fast client needs;
  each read of a request still has its deadline (`service.reading`: 408 past
  ``NEWSCLEAN_READ_TIMEOUT``), and each write of an answer too (``NEWSCLEAN_SEND_TIMEOUT``:
  a client that does not read its answer is closed, and the answer's memory freed);
- keep-alive: an idle connection waits in the loop, for ``keepalive`` seconds;
- cleaning is CPU work: it runs in the process's one cleaning thread
  (`service.admission.CleaningSlot`), never in the loop, so ``/healthz`` is answered while
  an article is cleaned, and the worker's heartbeat (from the loop) goes on;
- throughput comes from processes, one per core.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import resource
import socket
import sys
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import gevent
from gevent.socket import wait_read
from gunicorn import http, util
from gunicorn.workers.ggevent import GeventWorker

from service import reading
from service.settings import Settings

#: How long a connection closed with its request body unread (a 413 answered from the
#: head, a 408 for a body too slow) is drained first: closing a socket with unread data
#: resets it, and the client, still sending, gets a broken pipe instead of the answer.
#: nginx's lingering close does the same. 2 s is 20 MB on a slow 100 Mbit/s link.
LINGER_SECONDS = 2.0
#: Open files a worker needs beyond its connections: the listening socket, logs, Redis,
#: the metrics files.
SPARE_FILES = 256


class AnswerNotRead(TimeoutError):
    """The client did not take a write of its answer within NEWSCLEAN_SEND_TIMEOUT."""


class Worker(GeventWorker):  # type: ignore[misc]
    """gunicorn's gevent worker, cutting requests that come too slowly and answers that
    are not read."""

    def init_process(self) -> None:
        settings = Settings.from_env()
        self.read_timeout = settings.read_timeout
        self.send_timeout = settings.send_timeout
        raise_open_files(self.worker_connections + SPARE_FILES)
        map_large_blocks()
        sys.setswitchinterval(SWITCH_INTERVAL)
        super().init_process()

    def load_wsgi(self) -> None:
        """The app, wrapped so that an answer that leaves its request's body unread says
        ``Connection: close`` (what is left of the body can never be told from the next
        request)."""
        super().load_wsgi()
        app: Any = self.wsgi  # type: ignore[has-type]
        self.app = app  # the Flask app itself: its metrics count what the worker answers

        def closing_unread(environ: dict[str, Any], start_response: Any) -> Any:
            resp = getattr(start_response, "__self__", None)

            def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                if resp is not None and body_unread(resp.req):
                    resp.force_close()
                return start_response(status, headers, exc_info)

            return app(environ, start)

        self.wsgi = closing_unread

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        """Serve the requests of one connection (HTTP/1.1, kept alive): wait up to
        ``keepalive`` seconds for each to begin, read its head within the read deadline,
        and answer it."""
        client.setblocking(1)
        req = None
        try:
            parser = http.get_parser(self.cfg, client, addr)
            listener_name = listener.getsockname()
            proxy_protocol_info: dict[str, Any] = {}
            while self.alive:
                req = None
                if not self._request_begins(client, parser):
                    return  # idle past keep-alive, or the client closed
                started = time.monotonic()
                try:
                    with reading.deadline(self.read_timeout):
                        req = next(parser)
                except reading.SlowRead:
                    self._answer_slow_head(client, addr, time.monotonic() - started)
                    return
                if not req:
                    return
                if req.proxy_protocol_info:
                    proxy_protocol_info = req.proxy_protocol_info
                else:
                    req.proxy_protocol_info = proxy_protocol_info
                self.handle_request(listener_name, req, client, addr)
        except (http.errors.NoMoreData, StopIteration):
            pass  # the client closed, or the answer closes the connection
        except AnswerNotRead:
            self.log.info("closed a connection whose answer was not read within "
                          "NEWSCLEAN_SEND_TIMEOUT (%g s)", self.send_timeout)
            return
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                self.log.exception("Socket error processing request.")
            return
        except Exception as exc:
            self.handle_error(req, client, addr, exc)
        finally:
            if req is not None and body_unread(req):
                linger(client)
            util.close(client)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
        """Answer `req`, every write of the answer under NEWSCLEAN_SEND_TIMEOUT."""
        return super().handle_request(listener_name, req,
                                      SendDeadline(sock, self.send_timeout), addr)

    def _request_begins(self, client: Any, parser: Any) -> bool:
        if parser.unreader.buf.getvalue():
            return True  # already read, behind the last request
        try:
            wait_read(client.fileno(), timeout=self.cfg.keepalive)
        except TimeoutError:
            return False
        return True

    def _answer_slow_head(self, client: Any, addr: Any, seconds: float) -> None:
        """Answer 408 to a request whose head did not arrive in time; log and count it
        as every other answer is (the app never saw it)."""
        try:
            client.send(reading.SLOW_HEAD_ANSWER, socket.MSG_DONTWAIT)
            client.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the client is gone already
        remote = addr[0] if isinstance(addr, tuple) and addr else str(addr or "-")
        resp = SimpleNamespace(status="408", headers=[], sent=len(reading.SLOW_HEAD_ANSWER))
        environ = {"REMOTE_ADDR": remote, "REQUEST_METHOD": "", "PATH_INFO": "",
                   "QUERY_STRING": ""}
        self.log.access(resp, None, environ, timedelta(seconds=seconds))
        metrics = getattr(self.app, "extensions", {}).get("newsclean.metrics")
        if metrics is not None:
            metrics.observe_slow_head(seconds)


class SendDeadline:
    """A client socket whose ``sendall`` must finish within `seconds`, else
    `AnswerNotRead`: a client that does not read holds its answer that long at most."""

    def __init__(self, sock: Any, seconds: float) -> None:
        self._sock = sock
        self._seconds = seconds

    def sendall(self, data: Any, flags: int = 0) -> None:
        with gevent.Timeout(self._seconds, AnswerNotRead):
            self._sock.sendall(data, flags)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def body_unread(req: Any) -> bool:
    """The request came with a body that was (partly) left unread."""
    body = getattr(req, "body", None)
    if body is None:
        return False
    if getattr(body, "failed", False):
        return True
    reader = getattr(body, "reader", None)
    if getattr(reader, "length", None):
        return True  # what a Content-Length body has left
    return getattr(reader, "parser", None) is not None  # a chunked body not read to its end


def linger(sock: Any) -> None:
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


#: How long the cleaning thread holds the interpreter lock before the event loop may take
#: it (Python's default: 5 ms). The loop takes it again at every turn that waited for a
#: socket, so at 5 ms a worker that cleans serves ~200 turns a second: probes of /healthz
#: while six clients posted 3 MB articles took 0.69 s at the 90th percentile; at 1 ms,
#: 0.09 s (the README's "Serving" section).
SWITCH_INTERVAL = 0.001
#: glibc's mallopt parameter for the size from which a block is mapped on its own.
M_MMAP_THRESHOLD = -3
#: A block from this size up (an answer, a body, a cleaned text of a large article) is
#: mapped on its own and given back to the system when freed; glibc's default threshold
#: rises with the largest block freed (up to 32 MB), after which such blocks stay in the
#: heap, and a worker that held 40 unread answers kept hundreds of MB after they went.
LARGE_BLOCK = 1 << 20


def map_large_blocks() -> None:
    """Fix glibc's threshold for mapping blocks at LARGE_BLOCK (elsewhere: nothing)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK)
    except (OSError, AttributeError):
        pass  # not glibc


def raise_open_files(need: int) -> None:
    """Raise this process's soft limit on open files to `need` (as far as the hard limit
    allows): each connection is a file, and many systems start at 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < need:
        target = need if hard == resource.RLIM_INFINITY else min(need, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
