"""The OpenAPI 3.1 document of the service. `tests/test_openapi.py` validates real
responses against these schemas, so the document cannot drift from the code."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from cleaning import CleanConfig
from cleaning.config import OPTION_RANGES
from cleaning.result import REMOVAL_REASONS

STR, INT, NUM, BOOL = ({"type": "string"}, {"type": "integer"}, {"type": "number"},
                       {"type": "boolean"})
NULLABLE_STR = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_NUM = {"type": ["number", "null"]}


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
    return obj(props, [])


SCHEMAS: dict[str, Any] = {
    "IndexOptions": obj({
        "namespace": {**STR, "pattern": "^[A-Za-z0-9_.:-]{1,64}$", "default": "default"},
        "id": {"type": ["string", "integer"]},
        "mode": {"enum": ["add", "query"], "default": "add"},
    }, []),
    "CleanRequest": obj({
        "text": {**STR, "description": "The article as scraped."},
        "title": {**STR, "description": "The headline, if the scraper knows it."},
        "id": {"type": ["string", "integer"], "description": "Echoed back."},
        "options": ref("CleanOptions"),
        "diff": {**BOOL, "default": True, "description": "false leaves the diff out."},
        "index": ref("IndexOptions"),
    }, ["text"]),
    "CleanOptions": _option_schema(),
    "Removal": obj({
        "kind": {"enum": list(REMOVAL_REASONS)},
        "block": INT, "text": STR, "start": INT, "end": INT,
        "duplicate_of": {**NULLABLE_INT, "description": "The kept block it repeats; null for "
                         "a removal without a twin (markup_only)."},
        "twin_text": NULLABLE_STR, "twin_start": NULLABLE_INT, "twin_end": NULLABLE_INT,
        "similarity": NULLABLE_NUM, "in_run": BOOL,
        "reason": {**STR, "description": "Why it went."},
    }),
    "Run": obj({
        "start_block": INT, "end_block": INT, "of_start_block": INT, "of_end_block": INT,
        "blocks": INT, "start": INT, "end": INT, "description": STR,
    }),
    "KeptSimilar": obj({"block": INT, "similar_to": INT, "similarity": NUM, "reason": STR}),
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
        "text": STR, "headline": NULLABLE_STR, "changed": BOOL,
        "removed": {"type": "array", "items": ref("Removal")},
        "runs": {"type": "array", "items": ref("Run")},
        "kept_similar": {"type": "array", "items": ref("KeptSimilar")},
        "kept_similar_omitted": {**INT, "description": "Look-alikes past max_kept_similar."},
        "fixes": {"type": "array", "items": ref("Fix")},
        "stats": ref("Stats"),
        "encoding": NULLABLE_STR, "encoding_source": NULLABLE_STR,
        "diff": {**STR, "description": "Unified diff: `patch` applies it to the input."},
        "index": ref("IndexResult"),
    }, ["text", "headline", "changed", "removed", "runs", "kept_similar",
        "kept_similar_omitted", "fixes", "stats", "encoding", "encoding_source"]),
    "Error": obj({"error": obj({
        "status": INT, "code": STR, "message": STR, "request_id": NULLABLE_STR})}),
    "BatchError": obj({
        "line": INT, "id": {"type": ["string", "integer"]},
        "error": obj({"status": INT, "code": STR, "message": STR, "request_id": NULLABLE_STR}),
    }, ["line", "error"]),
    "BatchItem": {"oneOf": [ref("CleanResponse"), ref("BatchError")]},
    "Health": obj({"status": {"const": "ok"}}),
    "Ready": obj({"status": {"enum": ["ready", "degraded"]}, "index": obj({
        "store": {"enum": ["memory", "redis"]}, "shared": BOOL, "available": BOOL,
        "note": STR, "reason": STR}, ["store", "shared", "available"])}),
    "Version": obj({"service": STR, "ftfy": STR, "datasketch": STR, "flask": STR,
                    "gunicorn": STR}),
    "IndexStats": obj({"namespace": STR, "articles": INT, "oldest": NULLABLE_NUM,
                       "newest": NULLABLE_NUM, "retention_days": NUM, "store": STR}),
    "IndexRemoved": obj({"namespace": STR, "id": STR, "removed": BOOL}),
}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def errors(*statuses: int) -> dict[str, Any]:
    text = {400: "Malformed JSON, a missing 'text', a bad option", 404: "Unknown path or id",
            405: "Wrong method", 413: "Body or batch over the configured limit",
            415: "Unsupported media type", 422: "Bytes that are not text",
            503: "Took longer than NEWSCLEAN_REQUEST_TIMEOUT, or index unavailable"}
    return {str(s): {"description": text[s], "content": json_content(ref("Error"))}
            for s in statuses}


def openapi_document() -> dict[str, Any]:
    clean_errors = errors(400, 405, 413, 415, 422, 503)
    return {
        "openapi": "3.1.0",
        "info": {"title": "newsclean", "version": version("newsclean"),
                 "description": "Clean scraped news articles: repair encoding, remove repeated "
                                "headlines and duplicated paragraphs, explain every change."},
        "paths": {
            "/clean": {"post": {
                "summary": "Clean one article",
                "parameters": [
                    {"name": "diff", "in": "query", "schema": BOOL,
                     "description": "false leaves the diff out"},
                    {"name": "title", "in": "query", "schema": STR,
                     "description": "headline hint, for text/plain bodies"},
                    {"name": "id", "in": "query", "schema": STR,
                     "description": "echoed back, for text/plain bodies"},
                ],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": ref("CleanRequest")},
                    "text/plain": {"schema": STR},
                    "application/octet-stream": {"schema": {"type": "string",
                                                            "format": "binary"}},
                }},
                "responses": {"200": {"description": "The cleaned article", "content": {
                    **json_content(ref("CleanResponse")),
                    "text/plain": {"schema": STR}}}, **clean_errors},
            }},
            "/clean/batch": {"post": {
                "summary": "Clean many articles: NDJSON in and out (streamed), or a JSON array",
                "requestBody": {"required": True, "content": {
                    "application/x-ndjson": {"schema": ref("CleanRequest")},
                    "application/json": {"schema": {"type": "array",
                                                    "items": ref("CleanRequest")}},
                }},
                "responses": {"200": {"description": "One result or error per article, in order",
                                      "content": {
                    "application/x-ndjson": {"schema": ref("BatchItem")},
                    **json_content({"type": "array", "items": ref("BatchItem")})}},
                    **errors(400, 405, 413, 415)},
            }},
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
                "parameters": [{"name": "namespace", "in": "path", "required": True,
                                "schema": STR}],
                "responses": {"200": {"description": "Statistics",
                                      "content": json_content(ref("IndexStats"))},
                              **errors(400, 503)}}},
            "/index/{namespace}/{id}": {"delete": {
                "summary": "Remove an article from the cross-article index",
                "parameters": [{"name": "namespace", "in": "path", "required": True,
                                "schema": STR},
                               {"name": "id", "in": "path", "required": True, "schema": STR}],
                "responses": {"200": {"description": "Removed",
                                      "content": json_content(ref("IndexRemoved"))},
                              **errors(400, 404, 503)}}},
        },
        "components": {"schemas": SCHEMAS},
    }
