"""The HTTP API: thin views that parse, call `cleaning.clean`, and serialise."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from importlib.metadata import version
from importlib.resources import files
from typing import Any

import orjson
from flask import Blueprint, Response, current_app, g, request, stream_with_context
from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge

from cleaning import CleanConfig, CleanResult, TimeLimitExceeded, clean
from cleaning.blocks import count_lines
from newsclean._version import __version__
from newsindex.index import (
    NAMESPACE_RE,
    BadIndexRequest,
    Indexer,
    IndexRequest,
    IndexUnavailable,
    article_id,
)
from service import reading
from service.admission import CleaningSlot
from service.errors import INDEX_RETRY_AFTER, ApiError, as_api_error, error_body
from service.metrics import Metrics
from service.openapi import openapi_document
from service.settings import Settings

bp = Blueprint("api", __name__)

RAW_TYPES = ("text/plain", "application/octet-stream")
ARTICLE_FIELDS = {"text", "title", "id", "options", "diff", "index"}


def settings() -> Settings:
    return current_app.extensions["newsclean.settings"]  # type: ignore[no-any-return]


def metrics() -> Metrics:
    return current_app.extensions["newsclean.metrics"]  # type: ignore[no-any-return]


def cleaning_slot() -> CleaningSlot:
    return current_app.extensions["newsclean.slot"]  # type: ignore[no-any-return]


def indexer() -> Indexer:
    return current_app.extensions["newsclean.indexer"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------------- /clean


@bp.post("/clean")
def clean_one() -> Response:
    mimetype = request.mimetype
    # The query's id is checked whatever the body (the document bounds it for every
    # request); a text/plain body takes it as the article's id.
    query_id = article_id(request.args.get("id"))
    if mimetype == "application/json":
        item = parse_json_body()
        if not isinstance(item, dict):
            raise ApiError(400, "bad_json", "the body must be a JSON object with a 'text' field")
        article = Article.from_json(item, default_diff=query_diff())
    elif mimetype in RAW_TYPES or not mimetype:
        body = read_body()
        if not body and not mimetype:
            raise ApiError(400, "missing_body", "send the article as the body: JSON "
                           "({\"text\": ...}) or text/plain (an empty text/plain is an "
                           "empty article)")
        article = Article.from_raw(body, request.mimetype_params.get("charset"),
                                   request.args.get("title"),
                                   query_id, query_diff())
    else:
        raise ApiError(415, "unsupported_media_type",
                       f"cannot read a body of type {mimetype!r}; send application/json "
                       "({\"text\": ...}) or text/plain")
    answer = article.process()
    if wants_text():
        return Response(answer["text"], mimetype="text/plain")
    return json_response(answer)


def query_diff() -> bool:
    value = request.args.get("diff", "true").strip().lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ApiError(400, "bad_query", "diff must be true or false")
    return value in ("true", "1", "yes")


def wants_text() -> bool:
    if "text/plain" not in request.headers.get("Accept", ""):
        return False  # the common case, without parsing the header
    best = request.accept_mimetypes.best_match(["application/json", "text/plain"],
                                               default="application/json")
    return best == "text/plain"


def read_body() -> bytes:
    """The request body, whole, or a 413 when it is larger than NEWSCLEAN_MAX_BODY_BYTES,
    or a 408 when it does not arrive within NEWSCLEAN_READ_TIMEOUT.

    A body sent with ``Content-Length`` is checked against the limit before it is read. A
    chunked one has no length: werkzeug stops reading it at the limit, silently, so one
    byte more is asked of the server's stream; if there is one, the body was cut, and the
    answer is 413, never a shorter article cleaned. Broken chunk framing is the client's
    error (400), not the service's.
    """
    with reading.deadline(settings().read_timeout):
        try:
            body = request.get_data(cache=True)
            if request.content_length is None and len(body) >= settings().max_body_bytes and (
                    request.environ["wsgi.input"].read(1)):
                raise RequestEntityTooLarge()
        except reading.SlowRead:
            raise slow_body() from None
        except Exception as exc:  # gunicorn's InvalidChunkSize, werkzeug's ClientDisconnected...
            if isinstance(exc, HTTPException) and not isinstance(exc, ClientDisconnected):
                raise
            raise ApiError(400, "bad_body", f"the request body could not be read: "
                           f"{type(exc).__name__}; send it whole, with Content-Length or "
                           "valid chunked framing") from None
    return decoded_body(body, request.headers.get("Content-Encoding", ""))


def decoded_body(body: bytes, encoding: str) -> bytes:
    """The body without its ``Content-Encoding`` (gzip, or none). The size limit holds
    for what it decompresses to, read no further than one byte past it: a gzip bomb is a
    413 after ~5 MB of work, not a worker out of memory."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip"):
        raise ApiError(415, "unsupported_encoding", f"cannot read a body encoded as "
                       f"{encoding!r}; send it gzip-compressed or not compressed")
    limit = settings().max_body_bytes
    parts: list[bytes] = []
    size = 0
    rest = body
    while rest:  # one gzip member after another, as pigz and `cat a.gz b.gz` make them
        inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip header and trailer
        try:
            part = inflate.decompress(rest, limit + 1 - size)  # stops one byte past
        except zlib.error as exc:
            raise ApiError(400, "bad_body", f"the gzip body could not be read: {exc}") from None
        size += len(part)
        if size > limit:
            raise ApiError(413, "too_large", f"the body decompresses to more than {limit} "
                           "bytes; send less, or raise NEWSCLEAN_MAX_BODY_BYTES")
        if not inflate.eof:
            raise ApiError(400, "bad_body", "the gzip body is cut short: send it whole")
        parts.append(part)
        rest = inflate.unused_data
    return b"".join(parts)


def slow_body() -> ApiError:
    return ApiError(408, "slow_request", "the request body did not arrive within "
                    f"NEWSCLEAN_READ_TIMEOUT ({settings().read_timeout:g} s); send it at once")


def parse_json_body() -> Any:
    try:
        return orjson.loads(read_body())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "bad_json", f"the body is not valid JSON: {exc}") from None


class Article:
    """One article of a request: what to clean, with what, and what to answer."""

    def __init__(self, text: str | bytes, *, title: str | None, ident: Any,
                 config: CleanConfig, charset: str | None, diff: bool,
                 index: IndexRequest | None) -> None:
        self.text, self.title, self.ident = text, title, ident
        self.config, self.charset, self.diff, self.index = config, charset, diff, index

    @classmethod
    def from_json(cls, item: dict[str, Any], *, default_diff: bool = True) -> Article:
        unknown = set(item) - ARTICLE_FIELDS
        if unknown:
            raise ApiError(400, "bad_field", f"unknown field(s) {sorted(unknown)}; "
                           f"known fields: {sorted(ARTICLE_FIELDS)}")
        text = item.get("text")
        if not isinstance(text, str):
            raise ApiError(400, "missing_text", "'text' is required and must be a string")
        if "\x00" in text:
            raise ApiError(422, "not_text", "'text' contains NUL characters, so it is not text")
        title = item.get("title")
        if title is not None and not isinstance(title, str):
            raise ApiError(400, "bad_field", "'title' must be a string")
        if title is not None and "\x00" in title:
            raise ApiError(422, "not_text", "'title' contains NUL characters, so it is not text")
        ident = article_id(item.get("id"))
        options = item.get("options")
        options = {} if options is None else options
        if not isinstance(options, dict):
            raise ApiError(400, "bad_option", "'options' must be an object")
        diff = item.get("diff", default_diff)
        if not isinstance(diff, bool):
            raise ApiError(400, "bad_field", "'diff' must be true or false")
        return cls(text, title=title, ident=ident, config=CleanConfig.from_options(options),
                   charset=None, diff=diff,
                   index=IndexRequest.from_json(item.get("index"), ident))

    @classmethod
    def from_raw(cls, body: bytes, charset: str | None, title: str | None,
                 ident: str | int | None,
                 diff: bool) -> Article:
        return cls(body, title=title, ident=ident, config=CleanConfig(), charset=charset,
                   diff=diff, index=None)

    def process(self) -> dict[str, Any]:
        """Clean the article in the worker's cleaning slot (its cleaning thread), within
        its time; the answer's fields, its diff among them, are made there too."""
        check_lines(self.text)
        limit = min(settings().article_timeout, request_time_left())
        if limit <= 0:
            raise request_time_spent()
        max_lines = settings().max_lines

        def work() -> tuple[CleanResult, dict[str, Any]]:
            result = clean(self.text, self.config, title=self.title, charset=self.charset,
                           time_limit=limit, max_lines=max_lines)
            return result, result.to_dict(include_diff=self.diff)

        try:
            result, fields = cleaning_slot().run(work, spend_request_time)
        except TimeLimitExceeded:
            if limit < settings().article_timeout:
                raise request_time_spent() from None  # not this article's own doing
            raise
        metrics().observe_result(result)
        body: dict[str, Any] = {"id": self.ident} if self.ident is not None else {}
        body.update(fields)
        if self.index is not None:
            body["index"] = indexer().handle(self.index, result)
            metrics().index.labels(body["index"]["status"]).inc()
        return body


def request_time_left() -> float:
    """Processor seconds this request's articles may still take to clean
    (NEWSCLEAN_REQUEST_TIMEOUT), counted in the cleaning thread, which cleans one article
    at a time: only theirs."""
    return float(settings().request_timeout - g.get("cpu_spent", 0.0))


def spend_request_time(seconds: float) -> None:
    g.cpu_spent = g.get("cpu_spent", 0.0) + seconds


def request_time_spent() -> ApiError:
    return ApiError(503, "request_time_spent", "the articles before this one used the "
                    f"request's {settings().request_timeout:g} s (NEWSCLEAN_REQUEST_TIMEOUT); "
                    "send this one again in another request", retry_after=0)


def check_lines(text: str | bytes) -> None:
    """A 413 for an article of more lines than NEWSCLEAN_MAX_LINES: cleaning's memory grows
    with its lines, counted as the cleaner splits them (`cleaning.blocks.count_lines`),
    before the body is decoded; `clean` holds the same limit on the lines that repairs
    reveal (`TooManyLines`, the same 413)."""
    lines = count_lines(text)
    limit = settings().max_lines
    if lines > limit:
        raise ApiError(413, "too_many_lines", f"the article has {lines} lines, more than "
                       f"{limit}; send articles one at a time, or raise NEWSCLEAN_MAX_LINES")


def json_response(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status=status, mimetype="application/json")


# ---------------------------------------------------------------------- /clean/batch


@bp.post("/clean/batch")
def clean_batch() -> Response:
    diff = query_diff()  # a bad ?diff= is the request's error, before any item
    mimetype = request.mimetype
    if mimetype in ("application/x-ndjson", "application/jsonl", "application/json-seq"):
        lines = [line for line in read_body().split(b"\n") if line.strip()]
        check_batch_size(len(lines))
        return Response(stream_with_context(ndjson_results(lines, diff)),
                        mimetype="application/x-ndjson")
    if mimetype == "application/json":
        items = parse_json_body()
        if not isinstance(items, list):
            raise ApiError(400, "bad_json", "a JSON batch is an array of article objects; "
                           "for one article, POST to /clean")
        check_batch_size(len(items))
        return json_response([batch_item(item, n, diff) for n, item in enumerate(items, 1)])
    raise ApiError(415, "unsupported_media_type",
                   "send application/x-ndjson (one JSON object per line) or a JSON array")


def check_batch_size(count: int) -> None:
    limit = settings().max_batch_items
    if count > limit:
        raise ApiError(413, "too_many_items", f"the batch has {count} articles, more than "
                       f"{limit}; split it, or raise NEWSCLEAN_MAX_BATCH_ITEMS")


def ndjson_results(lines: list[bytes], diff: bool) -> Iterator[bytes]:
    for n, line in enumerate(lines, 1):
        try:
            item = orjson.loads(line)
        except (ValueError, UnicodeDecodeError) as exc:
            body = error_body(400, "bad_json", f"line {n} is not valid JSON: {exc}")
            metrics().errors.labels("bad_json").inc()
            yield orjson.dumps({"line": n, **body}) + b"\n"
            continue
        yield orjson.dumps(batch_item(item, n, diff)) + b"\n"


def batch_item(item: Any, n: int, diff: bool) -> dict[str, Any]:
    """One article's result, or its error object: a bad item never fails the batch."""
    try:
        ident = article_id(item.get("id")) if isinstance(item, dict) else None
    except BadIndexRequest:
        ident = None  # only an id the schema allows is echoed
    try:
        if not isinstance(item, dict):
            raise ApiError(400, "bad_json", "each item must be a JSON object with a 'text' field")
        return Article.from_json(item, default_diff=diff).process()
    except Exception as exc:
        err = as_api_error(exc)
        metrics().errors.labels(err.code).inc()
        return {"line": n, **({"id": ident} if ident is not None else {}),
                **error_body(err.status, err.code, err.message, err.retry_after)}


# ---------------------------------------------------------------------- operations


# ---------------------------------------------------------------------- the playground

#: The page's own files, and their types: nothing else is served from the folder.
PLAYGROUND = {"/": ("index.html", "text/html"),
              "/playground.js": ("playground.js", "text/javascript"),
              "/playground.css": ("playground.css", "text/css")}
#: The page loads its own script and style and calls this service; nothing else.
PLAYGROUND_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                  "connect-src 'self'; img-src 'self' data:; form-action 'none'; "
                  "frame-ancestors 'none'; base-uri 'none'")


@bp.get("/")
@bp.get("/playground.js")
@bp.get("/playground.css")
def playground() -> Response:
    if not settings().playground:
        raise ApiError(404, "not_found", "the playground is off (NEWSCLEAN_PLAYGROUND=false)")
    name, mimetype = PLAYGROUND[request.path]
    page = (files("service") / "playground" / name).read_bytes()
    response = Response(page, mimetype=mimetype)
    response.headers["Content-Security-Policy"] = PLAYGROUND_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    return json_response({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    index = indexer().status()
    ready = {"status": "ready" if index["available"] else "degraded", "index": index}
    return json_response(ready)


@bp.get("/version")
def version_info() -> Response:
    return json_response({
        "service": __version__,
        "ftfy": version("ftfy"),
        "datasketch": version("datasketch"),
        "flask": version("flask"),
        "gunicorn": version("gunicorn"),
    })


@bp.get("/metrics")
def metrics_text() -> Response:
    payload, content_type = metrics().render()
    return Response(payload, content_type=content_type)


@bp.get("/openapi.json")
def openapi() -> Response:
    return json_response(openapi_document())


# ---------------------------------------------------------------------- the index


@bp.get("/index/<namespace>/stats")
def index_stats(namespace: str) -> Response:
    check_namespace(namespace)
    try:
        return json_response(indexer().stats(namespace))
    except IndexUnavailable as exc:
        raise index_unavailable(exc) from None


@bp.delete("/index/<namespace>/<path:ident>")
def index_remove(namespace: str, ident: str) -> Response:
    check_namespace(namespace)
    article_id(ident, "the id", "bad_index")
    try:
        removed = indexer().remove(namespace, ident)
    except IndexUnavailable as exc:
        raise index_unavailable(exc) from None
    if not removed:
        raise ApiError(404, "not_found", f"no article {ident!r} in namespace {namespace!r}")
    return json_response({"namespace": namespace, "id": ident, "removed": True})


def index_unavailable(exc: IndexUnavailable) -> ApiError:
    return ApiError(503, "index_unavailable", exc.reason, retry_after=INDEX_RETRY_AFTER)


def check_namespace(namespace: str) -> None:
    if not NAMESPACE_RE.fullmatch(namespace):
        raise ApiError(400, "bad_index", "a namespace is 1-64 letters, digits, or . _ : -")
