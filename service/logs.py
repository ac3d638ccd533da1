"""JSON log lines for gunicorn's access and error logs and the service's own logger.

Every line is built with a JSON encoder, never a text template: a path, a query or a
User-Agent may hold quotes, backslashes, tabs or line breaks (``%0A`` decoded), and each
comes out as a JSON string, with every character past ASCII escaped (a U+2028 or U+0085
left raw would split the line for many readers). Both logs write time as RFC 3339 in UTC,
with milliseconds.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from flask import g, has_request_context
from gunicorn.glogging import Logger


def rfc3339(timestamp: float | None = None) -> str:
    """A time as RFC 3339 in UTC with milliseconds: ``2026-12-01T20:55:07.123Z``."""
    moment = datetime.now(UTC) if timestamp is None else datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


#: Query parameters whose names say they carry a credential (``api_key``, ``apikey``,
#: ``key``, ``token``, ``access_token``, ``auth``, ``password``, ``secret``, ...):
#: the service reads keys from the Authorization header only, but a client may put one in
#: the query, and the access log is read by more people than the keys should be.
SECRET_PARAM_RE = re.compile(r"(?i)^[\w.-]*(?:key|token|auth\w*|passw\w*|secret|signature|"
                             r"credential\w*|session)$")
REDACTED = "REDACTED"


def redact_query(query: str, keys: tuple[str, ...] = ()) -> str:
    """`query` with the value of every parameter named like a credential replaced, and
    any of the configured `keys` wherever it stands.

    >>> redact_query("diff=false&api_key=s3cr3t&access_token=abc")
    'diff=false&api_key=REDACTED&access_token=REDACTED'
    >>> redact_query("title=k-1234567", ("k-1234567",))
    'title=REDACTED'
    """
    if not query:
        return query
    parts = []
    for part in query.split("&"):
        name, eq, value = part.partition("=")
        if eq and value and SECRET_PARAM_RE.match(unquote_plus(name).strip()):
            value = REDACTED
        parts.append(name + eq + value)
    return redact_keys("&".join(parts), keys)


def redact_keys(text: str, keys: tuple[str, ...]) -> str:
    """`text` with each of `keys` replaced wherever it stands."""
    for key in keys:
        text = text.replace(key, REDACTED)
    return text


class JsonAccessLogger(Logger):  # type: ignore[misc]  # gunicorn has no types
    """gunicorn's logger, with each access line one JSON object built by `json.dumps`, and
    credentials in the query redacted (`redact_query`)."""

    def __init__(self, cfg: Any) -> None:
        super().__init__(cfg)
        from service.settings import Settings

        self.keys = tuple(key.decode() for key in Settings.from_env().keys)

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        headers = {k.lower(): v for k, v in (resp.headers or ())}
        line = {
            "time": rfc3339(),
            "request_id": headers.get("x-request-id", ""),
            "remote": environ.get("REMOTE_ADDR", "-"),
            "method": environ.get("REQUEST_METHOD", ""),
            "path": redact_keys(environ.get("PATH_INFO", ""), self.keys),
            "query": redact_query(environ.get("QUERY_STRING", ""), self.keys),
            "status": int(status) if str(status).isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "agent": environ.get("HTTP_USER_AGENT", "-"),
        }
        try:
            self.access_log.info(json.dumps(line))
        except Exception:  # a log line never fails a request
            self.error("could not write an access log line")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, exception."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": rfc3339(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context() and g.get("request_id"):
            out["request_id"] = g.request_id
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out)
