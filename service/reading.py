"""Deadlines on reading a request, kept by the worker's event loop.

A thread that reads a request blocks in ``recv`` for as long as the client takes to send
it: a client that sends a header line, or five bytes of a hundred, and then nothing, would
hold that thread until it hangs up. So every read of a request runs under a deadline
(`NEWSCLEAN_READ_TIMEOUT`): the worker watches the request's head while gunicorn parses
it, the app watches its body while reading it (`body_deadline`), and the worker's event
loop calls `cut_overdue` about once a second, which ends every read past its deadline:

- a head past it is answered 408 in the one JSON error shape, and the connection closed
  (the app never saw the request);
- a body past it is cut for reading only: the read returns, the app sees
  ``watch.cut`` and answers 408 itself, with its request id, metrics and access log line.

Under a server that does not call `cut_overdue` (the Flask test client, another worker
class), watching costs a dictionary entry and enforces nothing.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(slots=True, eq=False)
class Watch:
    """One read of a request under a deadline (`time.monotonic` seconds)."""

    deadline: float
    head: bool
    cut: bool = False


_lock = threading.Lock()
_watched: dict[socket.socket, Watch] = {}

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


#: The answer to a request whose head came too slowly, written by the event loop.
SLOW_HEAD_ANSWER = _slow_head_answer()


def watch(sock: socket.socket, seconds: float, *, head: bool) -> Watch:
    """Let `cut_overdue` end the read of `sock` `seconds` from now."""
    entry = Watch(time.monotonic() + seconds, head)
    with _lock:
        _watched[sock] = entry
    return entry


def unwatch(sock: socket.socket) -> Watch | None:
    """Stop watching `sock`; its watch, if it had one (``cut`` says whether it was cut)."""
    with _lock:
        return _watched.pop(sock, None)


@contextmanager
def body_deadline(sock: socket.socket | None, seconds: float) -> Iterator[Watch]:
    """Read a request body in this block; past `seconds`, the read is cut and the
    watch yielded says so (``cut``). With no socket (not under gunicorn), nothing is cut."""
    if sock is None:
        yield Watch(float("inf"), head=False)
        return
    entry = watch(sock, seconds, head=False)
    try:
        yield entry
    finally:
        unwatch(sock)


def cut_overdue(now: float | None = None,
                before_cut: Callable[[socket.socket], None] | None = None) -> None:
    """End every watched read past its deadline. `before_cut` is
    called with each socket first (the worker marks its answer ``Connection: close``)."""
    now = time.monotonic() if now is None else now
    with _lock:
        overdue = [(sock, w) for sock, w in _watched.items() if w.deadline <= now]
        for sock, w in overdue:
            w.cut = True
            del _watched[sock]
    for sock, w in overdue:
        if before_cut is not None:
            before_cut(sock)
        try:
            if w.head:
                # Never block the event loop on a client that does not read: the answer
                # is small, and if the socket's buffer cannot take it the client gets none.
                sock.send(SLOW_HEAD_ANSWER, socket.MSG_DONTWAIT)
                sock.shutdown(socket.SHUT_RDWR)
            else:
                sock.shutdown(socket.SHUT_RD)  # the reading thread returns; it answers
        except OSError:
            pass  # the client is gone already
