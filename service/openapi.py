"""The OpenAPI 3.1 document of the service. `tests/test_openapi.py` validates real
responses against these schemas, so the document cannot drift from the code."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from cleaning import CleanConfig
from cleaning.config import OPTION_ALIASES, OPTION_RANGES
from cleaning.passes import PASSES
from cleaning.rules import RULES_IN_ORDER
from newsindex.index import MAX_ID_LENGTH, NAMESPACE_RE
from service.compress import GZIP_MIN_BYTES

STR, INT, NUM, BOOL = ({"type": "string"}, {"type": "integer"}, {"type": "number"},
                       {"type": "boolean"})
NULLABLE_STR = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_NUM = {"type": ["number", "null"]}
NAMESPACE = {**STR, "pattern": NAMESPACE_RE.pattern, "minLength": 1, "maxLength": 64}
#: An id: a string of at most MAX_ID_LENGTH characters, or a whole number that JSON
#: parsers read exactly (64 bits).
ID_RANGE = {"minimum": -(2**63), "maximum": 2**64 - 1, "maxLength": MAX_ID_LENGTH}
ID_STR = {**STR, "maxLength": MAX_ID_LENGTH}


def obj(props: dict[str, Any], required: list[str] | None = None, *,
        closed: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props,
                              "required": required if required is not None else list(props)}
    if closed:
        schema["additionalProperties"] = False
    return schema


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _option_schema() -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name, value in vars(CleanConfig()).items():
        kind = {bool: BOOL, int: INT, float: NUM, str: STR}[type(value)]
        props[name] = {**kind, "default": value}
        if name in OPTION_RANGES:
            low, high, why = OPTION_RANGES[name]
            props[name].update(minimum=low, maximum=high, description=why)
    props["candidate_search"]["enum"] = ["auto", "exact", "minhash"]
    for alias, names in OPTION_ALIASES.items():
        props[alias] = {**BOOL, "deprecated": True,
                        "description": f"Sets {', '.join(names)} (a field given too wins)."}
    return obj(props, [])


SCHEMAS: dict[str, Any] = {
    "IndexOptions": obj({
        "namespace": {**NAMESPACE, "default": "default"},
        "id": {"type": ["string", "integer", "null"], **ID_RANGE,
               "description": "Absent, null or empty: the article's id."},
        "mode": {"enum": ["add", "query"], "default": "add"},
    }, []),
    "CleanRequest": obj({
        "text": {**STR, "description": "The article as scraped."},
        "title": {**NULLABLE_STR, "description": "The headline, if the scraper knows it."},
        "id": {"type": ["string", "integer", "null"], **ID_RANGE,
               "description": "Echoed back."},
        "options": {"anyOf": [ref("CleanOptions"), {"type": "null"}],
                    "description": "null: the defaults."},
        "diff": {**BOOL, "default": True, "description": "false leaves the diff out."},
        "index": {"anyOf": [ref("IndexOptions"), {"type": "null"}],
                  "description": "null: no index."},
    }, ["text"]),
    "CleanOptions": _option_schema(),
    "Removal": obj({
        "kind": {"enum": [p.name for p in PASSES]},
        "block": INT, "text": STR, "start": INT, "end": INT,
        "twin": {**NULLABLE_INT, "description": "The kept block it repeats; null for "
                         "a removal without a twin (markup_only)."},
        "twin_text": NULLABLE_STR, "twin_start": NULLABLE_INT, "twin_end": NULLABLE_INT,
        "similarity": NULLABLE_NUM, "in_run": BOOL,
        "reason": {**STR, "description": "Why it went."},
        "rule": {"enum": [r.name for r in RULES_IN_ORDER if r.kind is not None],
                 "description": "The rule that decided (README: the rules)."},
    }),
    "Run": obj({
        "start_block": INT, "end_block": INT, "twin_start_block": INT, "twin_end_block": INT,
        "blocks": INT, "start": INT, "end": INT, "description": STR,
    }),
    "KeptSimilar": obj({"block": INT, "twin": INT, "similarity": NUM, "reason": STR,
                        "start": INT, "end": INT,
                        "rule": {"enum": [r.name for r in RULES_IN_ORDER if r.kind is None],
                                 "description": "The rule that kept it."}}),
    "Fix": obj({"block": NULLABLE_INT, "step": STR, "detail": STR, "start": INT, "end": INT,
                "before": STR, "after": STR}),
    "Stats": obj({"blocks_in": INT, "blocks_out": INT, "chars_in": INT, "chars_out": INT,
                  "seconds": NUM, "layout": {"enum": ["blank_lines", "line_per_block"]}}),
    "IndexMatch": obj({"id": STR, "similarity": NUM, "seen": NUM}),
    "IndexResult": obj({
        "namespace": STR, "id": NULLABLE_STR,
        "status": {"enum": ["ok", "unavailable", "skipped"]},
        "matches": {"type": "array", "items": ref("IndexMatch")},
        "added": BOOL, "reason": STR,
    }, ["namespace", "id", "status", "matches"]),
    "CleanResponse": obj({
        "id": {"type": ["string", "integer"]},
        "text": STR, "headline": NULLABLE_STR,
        "changed": {**BOOL, "description": "The content changed: a block removed, a repair, "
                    "or any word different. Not for spaces, line ends or the final newline "
                    "alone (see layout_changed)."},
        "layout_changed": {**BOOL, "description": "Only the layout changed (spaces, line "
                           "ends, blank lines, the final newline); false when changed is "
                           "true."},
        "removed": {"type": "array", "items": ref("Removal")},
        "runs": {"type": "array", "items": ref("Run")},
        "kept_similar": {"type": "array", "items": ref("KeptSimilar")},
        "kept_similar_omitted": {**INT, "description": "Look-alikes past max_kept_similar."},
        "fixes": {"type": "array", "items": ref("Fix")},
        "stats": ref("Stats"),
        "encoding": NULLABLE_STR, "encoding_source": NULLABLE_STR,
        "diff": {**STR, "description": "Unified diff: `patch` applies it to the input."},
        "index": ref("IndexResult"),
    }, ["text", "headline", "changed", "layout_changed", "removed", "runs", "kept_similar",
        "kept_similar_omitted", "fixes", "stats", "encoding", "encoding_source"]),
    "Error": obj({"error": ref("ErrorDetail")}),
    "ErrorDetail": obj({
        "status": INT, "code": STR, "message": STR, "request_id": NULLABLE_STR,
        "retry_after": {**INT, "minimum": 0, "description": "Present when the same request "
                        "may succeed later: retry after this many seconds (also in the "
                        "Retry-After header of a 503)."},
    }, ["status", "code", "message", "request_id"]),
    "BatchError": obj({
        "line": INT, "id": {"type": ["string", "integer"]}, "error": ref("ErrorDetail"),
    }, ["line", "error"]),
    "BatchItem": {"oneOf": [ref("CleanResponse"), ref("BatchError")]},
    "Health": obj({"status": {"const": "ok"}}),
    "Ready": obj({"status": {"enum": ["ready", "degraded"]}, "index": obj({
        "store": {"enum": ["sqlite", "redis", "memory"]}, "shared": BOOL,
        "scope": {"enum": ["instance", "everywhere", "process"]}, "available": BOOL,
        "note": STR, "reason": STR}, ["store", "shared", "scope", "available"])}),
    "Version": obj({"service": STR, "ftfy": STR, "datasketch": STR, "flask": STR,
                    "gunicorn": STR}),
    "IndexStats": obj({"namespace": STR, "articles": INT, "oldest": NULLABLE_NUM,
                       "newest": NULLABLE_NUM, "retention_days": NUM, "store": STR,
                       "scope": {"enum": ["instance", "everywhere", "process"]}}),
    "IndexRemoved": obj({"namespace": STR, "id": STR, "removed": BOOL}),
}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


#: What each error status means, and whether to send the request again.
ERROR_STATUSES = {
    400: "Malformed JSON, a missing 'text', a bad option. Not retryable.",
    401: "NEWSCLEAN_API_KEYS is set and no valid 'Authorization: Bearer KEY' came. "
         "Not retryable without a key.",
    404: "Unknown path or id. Not retryable.",
    405: "Wrong method. Not retryable.",
    408: "The request head or body did not arrive within NEWSCLEAN_READ_TIMEOUT; the "
         "connection is closed. Retryable: send it again, whole.",
    413: "Body, lines or batch over the configured limit. Not retryable as it is.",
    415: "Unsupported media type or charset. Not retryable.",
    422: "Bytes that are not text, or an article that needs more than "
         "NEWSCLEAN_ARTICLE_TIMEOUT of processor time (code too_slow: it would on every "
         "try). Not retryable.",
    503: "Overloaded (code overloaded), a batch item after the request's time was spent "
         "(request_time_spent), or the index store down (index_unavailable). Retryable "
         "after Retry-After seconds.",
}

#: A batch item as the request takes it: any JSON value, each checked against
#: CleanRequest on its own (an invalid one is answered with its error, in its place).
BATCH_ITEM_IN = {"description": "A CleanRequest (see components); anything else gets a "
                                "BatchError in its place."}

#: What the cleaning endpoints say of compression, both ways (`service.compress`).
GZIP_NOTE = ("The body may be gzip-compressed (Content-Encoding: gzip; the body limit holds "
             "for what it decompresses to). With Accept-Encoding: gzip, a successful answer "
             f"of {GZIP_MIN_BYTES} bytes or more comes gzip-compressed (a streamed NDJSON "
             "answer piece by piece, each line readable as it arrives); errors never are.")
GZIP_HEADERS = {
    "Content-Encoding": {"description": "gzip when the request's Accept-Encoding allows it "
                                        "and the answer is worth compressing",
                         "schema": {"enum": ["gzip"]}},
    "Vary": {"description": "Accept-Encoding", "schema": STR},
}


def ndjson_lines(item: dict[str, Any], *, any_body: bool = False) -> dict[str, Any]:
    """An NDJSON body's schema: the array of its lines, each one JSON value of `item`'s
    schema (OpenAPI 3.1 has no schema for a stream; a checker such as schemathesis reads
    the lines into that array, `.ci/schemathesis_hooks.py`). `any_body`: a request, where
    any JSON value is a body of one line (so no generated body breaks the schema)."""
    lines = {"items": item,
             "description": "NDJSON: one JSON value a line, each an item of this array."}
    return lines if any_body else {"type": "array", **lines}


RETRY_AFTER_HEADER = {"Retry-After": {"description": "Seconds to wait before retrying.",
                                      "schema": {**INT, "minimum": 0}}}


def errors(*statuses: int) -> dict[str, Any]:
    return {str(s): {"description": ERROR_STATUSES[s], "content": json_content(ref("Error")),
                     **({"headers": RETRY_AFTER_HEADER} if s == 503 else {})}
            for s in statuses}


def openapi_document() -> dict[str, Any]:
    clean_errors = errors(400, 401, 405, 408, 413, 415, 422, 503)
    # A key when NEWSCLEAN_API_KEYS is set; none otherwise.
    keyed: list[dict[str, list[str]]] = [{"bearer": []}, {}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "newsclean", "version": version("newsclean"),
                 "description": "Clean scraped news articles: repair encoding, remove repeated "
                                "headlines and duplicated paragraphs, explain every change."},
        "paths": {
            "/clean": {"post": {
                "summary": "Clean one article",
                "description": GZIP_NOTE,
                "security": keyed,
                "parameters": [
                    {"name": "diff", "in": "query", "schema": BOOL,
                     "description": "false leaves the diff out"},
                    {"name": "title", "in": "query", "schema": STR,
                     "description": "headline hint, for text/plain bodies"},
                    {"name": "id", "in": "query", "schema": ID_STR,
                     "description": "echoed back, for text/plain bodies"},
                ],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref("CleanRequest")},
                    "text/plain": {"schema": STR},
                    "application/octet-stream": {"schema": {"type": "string",
                                                            "format": "binary"}},
                }},
                "responses": {"200": {"description": "The cleaned article",
                                      "headers": GZIP_HEADERS, "content": {
                    **json_content(ref("CleanResponse")),
                    "text/plain": {"schema": STR}},
                    # What an article added to the index can be removed with: a contract
                    # checker follows it (schemathesis' stateful phase), so the removal is
                    # tested on an article that is there, not only on one that is not.
                    "links": {"RemoveFromIndex": {
                        "operationId": "removeFromIndex",
                        "parameters": {"namespace": "$response.body#/index/namespace",
                                       "id": "$response.body#/index/id"}}}},
                    **clean_errors},
            }},
            "/clean/batch": {"post": {
                "summary": "Clean many articles: NDJSON in and out (streamed), or a JSON array",
                "description": "Each item is read on its own: an item that is no CleanRequest "
                               "gets its error object in its place, and the rest of the batch "
                               "is cleaned (so the request itself takes any item). "
                               + GZIP_NOTE,
                "security": keyed,
                "requestBody": {"required": True, "content": {
                    "application/x-ndjson": {"schema": ndjson_lines(BATCH_ITEM_IN, any_body=True)},
                    "application/json": {"schema": {"type": "array", "items": BATCH_ITEM_IN}},
                }},
                "responses": {"200": {"description": "One result or error per article, in order",
                                      "headers": GZIP_HEADERS, "content": {
                    "application/x-ndjson": {"schema": ndjson_lines(ref("BatchItem"))},
                    **json_content({"type": "array", "items": ref("BatchItem")})}},
                    **errors(400, 401, 405, 408, 413, 415, 503)},
            }},
            "/": {"get": {"summary": "The playground page (off with NEWSCLEAN_PLAYGROUND=false)",
                          "responses": {"200": {"description": "The page",
                                                "content": {"text/html": {"schema": STR}}},
                                        **errors(404)}}},
            **{f"/playground.{ext}": {"get": {
                "summary": f"The playground's {what} (off with NEWSCLEAN_PLAYGROUND=false)",
                "responses": {"200": {"description": what,
                                      "content": {mime: {"schema": STR}}},
                              **errors(404)}}}
               for ext, what, mime in (("js", "script", "text/javascript"),
                                       ("css", "style sheet", "text/css"))},
            "/healthz": {"get": {"summary": "Liveness", "responses": {
                "200": {"description": "Alive", "content": json_content(ref("Health"))}}}},
            "/readyz": {"get": {"summary": "Readiness, and the index store's state",
                                "responses": {"200": {"description": "Ready or degraded",
                                                      "content": json_content(ref("Ready"))}}}},
            "/version": {"get": {"summary": "Versions", "responses": {
                "200": {"description": "Versions", "content": json_content(ref("Version"))}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics of all workers", "responses": {
                "200": {"description": "Prometheus text format",
                        "content": {"text/plain": {"schema": STR}}}}}},
            "/openapi.json": {"get": {"summary": "This document", "responses": {
                "200": {"description": "OpenAPI 3.1",
                        "content": json_content({"type": "object"})}}}},
            "/index/{namespace}/stats": {"get": {
                "summary": "Statistics of one namespace of the cross-article index",
                "security": keyed,
                "parameters": [{"name": "namespace", "in": "path", "required": True,
                                "schema": NAMESPACE}],
                "responses": {"200": {"description": "Statistics",
                                      "content": json_content(ref("IndexStats"))},
                              **errors(400, 401, 503)}}},
            "/index/{namespace}/{id}": {"delete": {
                "operationId": "removeFromIndex",
                "summary": "Remove an article from the cross-article index",
                "security": keyed,
                "parameters": [{"name": "namespace", "in": "path", "required": True,
                                "schema": NAMESPACE},
                               {"name": "id", "in": "path", "required": True,
                                "schema": ID_STR}],
                "responses": {"200": {"description": "Removed",
                                      "content": json_content(ref("IndexRemoved"))},
                              **errors(400, 401, 404, 503)}}},
        },
        "components": {"schemas": SCHEMAS, "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer",
            "description": "One of NEWSCLEAN_API_KEYS, when that is set."}}},
    }
