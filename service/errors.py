"""The one JSON error shape, and the one place that maps exceptions to statuses.

Every error answers ``{"error": {"status", "code", "message", "request_id"}}`` with the
status in the HTTP line too; never an HTML page, never a traceback.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from cleaning import (
    BinaryInputError,
    CharsetError,
    ConfigError,
    DecodeError,
    TimeLimitExceeded,
    TooManyLines,
)
from newsindex.index import BadIndexRequest
from service.admission import Overloaded

log = logging.getLogger("newsclean")

#: Machine-readable codes for the statuses werkzeug raises.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "slow_request",
    413: "too_large",
    415: "unsupported_media_type",
    422: "not_text",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error the API reports on purpose, with its status and code."""

    def __init__(self, status: int, code: str, message: str, *,
                 retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        #: Seconds after which the same request may succeed; None: do not retry it as is.
        self.retry_after = retry_after


#: Seconds a refused request is told to wait before it tries again: an article of a few
#: KB takes under a millisecond, so a queue drains within one.
OVERLOAD_RETRY_AFTER = 1
#: Seconds a client is told to wait when the index store is down (a Redis restart).
INDEX_RETRY_AFTER = 5


def error_body(status: int, code: str, message: str,
               retry_after: int | None = None) -> dict[str, object]:
    error: dict[str, object] = {"status": status, "code": code, "message": message,
                                "request_id": g.get("request_id")}
    if retry_after is not None:
        error["retry_after"] = retry_after
    return {"error": error}


def error_response(status: int, code: str, message: str,
                   retry_after: int | None = None) -> Response:
    response = jsonify(error_body(status, code, message, retry_after))
    response.status_code = status
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="newsclean"'
    return response


def as_api_error(exc: Exception) -> ApiError:
    """The API error an exception from cleaning one article stands for."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, BadIndexRequest):
        return ApiError(400, exc.code, exc.message)
    if isinstance(exc, BinaryInputError):
        return ApiError(422, "not_text", str(exc))
    if isinstance(exc, CharsetError):
        return ApiError(415, "unsupported_charset", str(exc))
    if isinstance(exc, DecodeError):
        return ApiError(422, "undecodable", str(exc))
    if isinstance(exc, ConfigError):
        return ApiError(400, "bad_option", str(exc))
    if isinstance(exc, TimeLimitExceeded):
        return ApiError(422, "too_slow", str(exc))
    if isinstance(exc, TooManyLines):
        return ApiError(413, "too_many_lines", f"the article has more than {exc.limit} lines "
                        "once its line breaks written as entities or mojibake are decoded; "
                        "send articles one at a time, or raise NEWSCLEAN_MAX_LINES")
    if isinstance(exc, Overloaded):
        return ApiError(503, "overloaded", f"the service is busy ({exc}); try again in "
                        f"{OVERLOAD_RETRY_AFTER} s", retry_after=OVERLOAD_RETRY_AFTER)
    log.exception("unexpected error while cleaning", exc_info=exc)
    return ApiError(500, "internal_error", "the article could not be cleaned; this is a bug")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        message = exc.description or exc.name
        if status == 404:
            message = (f"no endpoint at {request.path}; the API is described at "
                       "/openapi.json")
        elif status == 405:
            message = f"{request.method} is not allowed on {request.path}"
        elif status == 413:
            message = (f"the body is larger than {app.config['MAX_CONTENT_LENGTH']} bytes; "
                       "send less, or raise NEWSCLEAN_MAX_BODY_BYTES")
        response = error_response(status, HTTP_CODES.get(status, "http_error"), message)
        valid = getattr(exc, "valid_methods", None)
        if valid:
            response.headers["Allow"] = ", ".join(valid)
        return response

    @app.errorhandler(Exception)
    def any_error(exc: Exception) -> Response:
        err = as_api_error(exc)
        return error_response(err.status, err.code, err.message, err.retry_after)
