"""Deadlines on reading a request, kept by the worker's event loop.

newsclean's worker (`service.worker`) serves each connection in a greenlet of gevent's
event loop, so a client that sends slowly holds a greenlet (a few KB), never a thread:
a thousand of them leave the probes and the fast clients served. Still, no read waits
forever: a request's head, and then its body, must each arrive within
`NEWSCLEAN_READ_TIMEOUT`. Every read of a request runs inside `deadline`, which raises
`SlowRead` in the reading greenlet when the time is up:

- a head past it is answered 408 by the worker in the one JSON error shape
  (`SLOW_HEAD_ANSWER`), logged and counted, and the connection closed (the app never saw
  the request);
- a body past it is answered 408 by the app (``api.read_body``), with its request id,
  metrics and access log line, and the connection closed after the answer.

Under a server without gevent's event loop (the Flask test client, another worker class)
a deadline enforces nothing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager


class SlowRead(Exception):
    """A request's head or body did not arrive within its deadline."""


def _slow_head_answer() -> bytes:
    body = json.dumps({"error": {
        "status": 408, "code": "slow_request",
        "message": "the request head did not arrive within NEWSCLEAN_READ_TIMEOUT; "
                   "send the whole request at once",
        "request_id": None,  # the app never saw the request
    }}).encode() + b"\n"
    head = ("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


#: The answer to a request whose head came too slowly, written by the worker.
SLOW_HEAD_ANSWER = _slow_head_answer()


def under_event_loop() -> bool:
    """Whether this process runs gevent's event loop with cooperative sockets (newsclean's
    worker), where a greenlet's read can be cut and CPU work must leave the loop."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("socket"))


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Read in this block; past `seconds`, the read waiting raises `SlowRead`."""
    if not under_event_loop():
        yield
        return
    import gevent

    timer = gevent.Timeout(seconds, SlowRead)
    timer.start()
    try:
        yield
    finally:
        timer.close()
