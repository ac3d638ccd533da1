"""The OpenAPI document describes the real responses: each one validates against it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from service import Settings, create_app
from service.openapi import openapi_document
from tests.conftest import SEEDS

SAMPLE = (SEEDS / "000_20ca18fb463f4b56.txt").read_text(encoding="utf-8")
MOJIBAKE = (SEEDS / "003_mojibake_entities_crlf.txt").read_text(encoding="utf-8")
DOC = openapi_document()


def validate(instance: Any, schema: dict[str, Any]) -> None:
    registry = Registry().with_resource("urn:doc", Resource.from_contents(
        {**DOC, "$schema": "https://json-schema.org/draft/2020-12/schema"}))
    resolved = json.loads(json.dumps(schema).replace('"#/components', '"urn:doc#/components'))
    Draft202012Validator(resolved, registry=registry).validate(instance)


def schema_for(path: str, method: str, status: str, mimetype: str = "application/json"
               ) -> dict[str, Any]:
    return DOC["paths"][path][method]["responses"][status]["content"][mimetype]["schema"]  # type: ignore[no-any-return]


@pytest.fixture
def client() -> FlaskClient:
    return create_app(Settings()).test_client()


def test_document_is_valid_openapi_31() -> None:
    from openapi_spec_validator import validate as validate_spec

    validate_spec(DOC)


def test_every_route_is_documented() -> None:
    app = create_app(Settings())
    routes = {rule.rule.replace("<namespace>", "{namespace}").replace("<path:ident>", "{id}")
              for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert routes == set(DOC["paths"])


@pytest.mark.parametrize("payload", [
    {"text": SAMPLE, "id": 1},
    {"text": MOJIBAKE, "title": "Café owners", "diff": False},
    {"text": "", "id": "empty"},
    {"text": SAMPLE, "index": {"namespace": "t", "id": "a", "mode": "add"}},
])
def test_clean_responses_match(client: FlaskClient, payload: dict[str, Any]) -> None:
    validate(payload, DOC["components"]["schemas"]["CleanRequest"])
    r = client.post("/clean", json=payload)
    assert r.status_code == 200
    validate(r.get_json(), schema_for("/clean", "post", "200"))


@pytest.mark.parametrize(("kwargs", "status"), [
    ({"data": "{", "content_type": "application/json"}, "400"),
    ({"data": "a=1", "content_type": "application/x-www-form-urlencoded"}, "415"),
    ({"data": b"\x00\x00", "content_type": "text/plain"}, "422"),
])
def test_error_responses_match(client: FlaskClient, kwargs: dict[str, Any], status: str) -> None:
    r = client.post("/clean", **kwargs)
    assert str(r.status_code) == status
    validate(r.get_json(), schema_for("/clean", "post", status))


def test_batch_and_operations_match(client: FlaskClient) -> None:
    r = client.post("/clean/batch", json=[{"text": SAMPLE}, {"nope": 1}, 3])
    validate(r.get_json(), schema_for("/clean/batch", "post", "200"))
    nd = client.post("/clean/batch", data='{"text": "a"}\n{bad\n',
                     content_type="application/x-ndjson")
    lines = [json.loads(line) for line in nd.get_data(as_text=True).splitlines()]
    validate(lines, schema_for("/clean/batch", "post", "200", "application/x-ndjson"))
    for path in ("/healthz", "/readyz", "/version"):
        validate(client.get(path).get_json(), schema_for(path, "get", "200"))
    client.post("/clean", json={"text": SAMPLE, "index": {"namespace": "n", "id": "x"}})
    validate(client.get("/index/n/stats").get_json(),
             schema_for("/index/{namespace}/stats", "get", "200"))
    validate(client.delete("/index/n/x").get_json(),
             schema_for("/index/{namespace}/{id}", "delete", "200"))
    missing = client.delete("/index/n/x")
    assert missing.status_code == 404
    validate(missing.get_json(), schema_for("/index/{namespace}/{id}", "delete", "404"))


def contract() -> Any:
    """schemathesis over the app, with the hooks .ci/run gives it."""
    import sys

    import schemathesis

    sys.path.insert(0, str(SEEDS.parent / ".ci"))
    try:
        import schemathesis_hooks  # noqa: F401 (registers the NDJSON (de)serializers)
    finally:
        sys.path.pop(0)
    return schemathesis.openapi.from_wsgi("/openapi.json", create_app(Settings()))


#: The WSGI transport hands a compressed answer on as it came: ask for it plain.
PLAIN = {"Accept-Encoding": "identity"}


def with_content(response: Any, content: bytes) -> Any:
    from schemathesis.core.transport import Response

    return Response(status_code=response.status_code, headers=response.headers,
                    content=content, request=response.request, elapsed=response.elapsed,
                    verify=response.verify, message=response.message,
                    http_version=response.http_version, encoding="utf-8")


def test_schemathesis_sends_ndjson_and_checks_every_line_of_the_answer() -> None:
    """Before, schemathesis sent no NDJSON batch and read no NDJSON answer (issue 22)."""
    operation = contract()["/clean/batch"]["POST"]
    case = operation.Case(body=[{"text": SAMPLE, "id": 1}, 3, {"nope": True}],
                          media_type="application/x-ndjson")
    response = case.call(headers=PLAIN)
    assert response.status_code == 200
    assert len(response.content.splitlines()) == 3  # one line an item: the body was NDJSON
    compressed = case.call(headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["content-encoding"] == ["gzip"]
    case.validate_response(compressed)  # the hook reads a gzip answer line by line too
    case.validate_response(response)  # every line a BatchItem
    error = b'{"line": 1, "error": {"status": 400, "code": "x", "message": "m", ' \
            b'"request_id": null}}\n'
    case.validate_response(with_content(response, error))
    with pytest.raises(BaseExceptionGroup, match="Response violates schema"):
        case.validate_response(with_content(response, error + b'{"nope": 1}\n'))


def test_the_link_from_an_added_article_removes_it() -> None:
    """The document links an added article's answer to its removal, so schemathesis'
    stateful phase removes articles that are there (200), not only absent ones (404)."""
    schema = contract()
    link = DOC["paths"]["/clean"]["post"]["responses"]["200"]["links"]["RemoveFromIndex"]
    assert link["operationId"] == "removeFromIndex"
    added = schema["/clean"]["POST"].Case(
        body={"text": SAMPLE, "index": {"namespace": "contract", "id": "a/1"}},
        media_type="application/json").call(headers=PLAIN)
    assert added.status_code == 200
    answer = added.json()
    assert answer["index"]["added"] is True

    def pointer(expression: str) -> Any:  # "$response.body#/index/id"
        value = answer
        for part in expression.split("#/", 1)[1].split("/"):
            value = value[part]
        return value

    params = {name: pointer(expr) for name, expr in link["parameters"].items()}
    assert params == {"namespace": "contract", "id": "a/1"}
    remove = schema["/index/{namespace}/{id}"]["DELETE"].Case(path_parameters=params)
    removed = remove.call(headers=PLAIN)
    assert removed.status_code == 200
    remove.validate_response(removed)
    again = remove.call(headers=PLAIN)
    assert again.status_code == 404
    remove.validate_response(again)
