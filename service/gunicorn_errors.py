"""gunicorn's own error answers in the service's one JSON error shape.

gunicorn answers some requests before the app sees them (a request line it cannot parse,
400; one longer than ``limit_request_line``, 414; too many or too large headers, 431; a
worker aborted in the middle of a request, 500), and writes them as HTML pages through
`gunicorn.util.write_error`. `install` replaces that function, in the master before the
workers fork, with one that writes ``{"error": {"status", "code", "message",
"request_id"}}`` like every other error of the API. The status and gunicorn's message stay.
"""

from __future__ import annotations

import json
import socket

from gunicorn import util

#: A code for each status gunicorn answers itself.
CODES = {400: "bad_request", 403: "forbidden", 414: "uri_too_long", 417: "expectation_failed",
         431: "headers_too_large", 500: "internal_error", 501: "not_implemented"}


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """`gunicorn.util.write_error`, with the JSON error shape for its body."""
    body = json.dumps({"error": {
        "status": status_int,
        "code": CODES.get(status_int, "error"),
        "message": mesg or reason,
        "request_id": None,  # the app never saw the request
    }}).encode() + b"\n"
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install() -> None:
    util.write_error = write_json_error
