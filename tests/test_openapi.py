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
    for line in nd.get_data(as_text=True).splitlines():
        validate(json.loads(line), schema_for("/clean/batch", "post", "200",
                                              "application/x-ndjson"))
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
