"""Answers gzip-compressed for clients that ask (``Accept-Encoding: gzip``).

A result with its diff is about three times its article (22 KB of JSON for the 8 KB seed);
gzip takes it to a fifth. Answers of success only: an error is small, and a client that
cannot read gzip must still read why it failed. A streamed answer (NDJSON of /clean/batch)
is compressed as it goes: each piece is flushed whole (``Z_SYNC_FLUSH``), so the client
decodes every result line as soon as it is sent, as without compression.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

from flask import Request, Response

#: Answers smaller than this go as they are: below about one packet, the gzip header and
#: the processor time cost more than the bytes saved (a /healthz answer is 16 bytes).
GZIP_MIN_BYTES = 1024
#: zlib's level: 6 is gzip's default; 1 to 9 moved the seed's answer by ~10% and cost
#: twice the time at 9.
GZIP_LEVEL = 6
#: What is worth compressing: text of every kind this service answers.
COMPRESSIBLE = ("application/json", "application/x-ndjson", "text/")


def compress(request: Request, response: Response) -> Response:
    """`response` gzip-compressed if `request` accepts gzip and it is worth it."""
    if not 200 <= response.status_code < 300 or request.method == "HEAD" or \
            not (response.mimetype or "").startswith(COMPRESSIBLE) or \
            "Content-Encoding" in response.headers:
        return response
    response.vary.add("Accept-Encoding")
    if request.accept_encodings.quality("gzip") <= 0:
        return response
    if response.is_streamed:
        response.response = _gzip_stream(response.response)
        response.headers.pop("Content-Length", None)
    else:
        body = response.get_data()
        if len(body) < GZIP_MIN_BYTES:
            return response
        response.set_data(gzip_bytes(body))
    response.headers["Content-Encoding"] = "gzip"
    return response


def gzip_bytes(body: bytes) -> bytes:
    deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return deflate.compress(body) + deflate.flush()


def _gzip_stream(pieces: Iterable[bytes | str]) -> Iterator[bytes]:
    deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    try:
        for piece in pieces:
            data = piece.encode() if isinstance(piece, str) else piece
            yield deflate.compress(data) + deflate.flush(zlib.Z_SYNC_FLUSH)
        yield deflate.flush()
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()  # what stream_with_context needs to end its request context
