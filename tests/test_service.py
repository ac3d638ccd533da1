"""The API through Flask's test client: every endpoint, every error status, one error shape."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import Settings, create_app
from tests.conftest import SEEDS
from tests.patchutil import apply_patch

SAMPLE = (SEEDS / "000_20ca18fb463f4b56.txt").read_text(encoding="utf-8")
EXPECTED = (SEEDS / "000_20ca18fb463f4b56.expected.txt").read_text(encoding="utf-8")


@pytest.fixture
def app() -> Iterator[Flask]:
    return create_app(Settings(max_body_bytes=200_000, max_batch_items=5))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def assert_error(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "request_id"}
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["request_id"] == response.headers["X-Request-ID"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_clean_json_sample(client: FlaskClient) -> None:
    r = client.post("/clean", json={"text": SAMPLE, "id": "a-1"})
    assert r.status_code == 200
    body = r.get_json()
    assert body["id"] == "a-1"
    assert body["text"] == EXPECTED
    assert body["headline"].startswith("DeepSeek's Rise")
    assert [x["kind"] for x in body["removed"]].count("repeated_headline") == 1
    assert len(body["runs"]) == 1
    assert body["runs"][0]["blocks"] == 6
    assert apply_patch(SAMPLE, body["diff"]) == EXPECTED
    assert {"fixes", "stats", "kept_similar", "changed"} <= set(body)


def test_clean_text_plain_with_charset(client: FlaskClient) -> None:
    text = "Zoë’s café — 100 €\n"
    r = client.post("/clean?id=7&title=Zoe", data=text.encode("cp1252"),
                    content_type="text/plain; charset=windows-1252")
    body = r.get_json()
    assert body["text"] == text
    assert (body["encoding"], body["encoding_source"], body["id"]) == ("cp1252", "declared", "7")


def test_clean_octet_stream_detects_utf8(client: FlaskClient) -> None:
    r = client.post("/clean", data="Grüße\n".encode(), content_type="application/octet-stream")
    assert r.get_json()["encoding"] == "utf-8"


def test_accept_text_plain_gives_text_alone(client: FlaskClient) -> None:
    r = client.post("/clean", json={"text": SAMPLE}, headers={"Accept": "text/plain"})
    assert r.mimetype == "text/plain"
    assert r.get_data(as_text=True) == EXPECTED


def test_diff_can_be_left_out(client: FlaskClient) -> None:
    assert "diff" not in client.post("/clean?diff=false", json={"text": SAMPLE}).get_json()
    assert "diff" not in client.post("/clean", json={"text": SAMPLE, "diff": False}).get_json()
    assert "diff" in client.post("/clean", json={"text": SAMPLE}).get_json()


def test_options_change_the_cleaning(client: FlaskClient) -> None:
    body = client.post("/clean", json={"text": SAMPLE,
                                       "options": {"remove_duplicates": False}}).get_json()
    assert [r["kind"] for r in body["removed"]] == ["repeated_headline"]


def test_empty_text_is_not_an_error(client: FlaskClient) -> None:
    r = client.post("/clean", json={"text": ""})
    assert r.status_code == 200
    assert r.get_json()["text"] == ""


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"data": "{not json", "content_type": "application/json"}, 400, "bad_json"),
    ({"json": {"title": "no text"}}, 400, "missing_text"),
    ({"json": {"text": 5}}, 400, "missing_text"),
    ({"json": ["text"]}, 400, "bad_json"),
    ({"json": {"text": "x", "colour": 1}}, 400, "bad_field"),
    ({"json": {"text": "x", "options": {"min_words": -1}}}, 400, "bad_option"),
    ({"json": {"text": "x", "options": {"nope": 1}}}, 400, "bad_option"),
    ({"data": "a=b", "content_type": "application/x-www-form-urlencoded"}, 415,
     "unsupported_media_type"),
    ({"data": b"%PDF-1.7\n...", "content_type": "application/octet-stream"}, 422, "not_text"),
    ({"data": b"abc\x00def", "content_type": "text/plain"}, 422, "not_text"),
    ({"json": {"text": "abc\x00def"}}, 422, "not_text"),
    ({"data": b"x" * 200_001, "content_type": "text/plain"}, 413, "too_large"),
])
def test_clean_errors(client: FlaskClient, kwargs: dict[str, object], status: int,
                      code: str) -> None:
    assert_error(client.post("/clean", **kwargs), status, code)  # type: ignore[arg-type]


def test_wrong_method_and_unknown_path(client: FlaskClient) -> None:
    r = client.get("/clean")
    assert_error(r, 405, "method_not_allowed")
    assert "POST" in r.headers["Allow"]
    assert_error(client.get("/nowhere"), 404, "not_found")
    assert_error(client.post("/healthz"), 405, "method_not_allowed")


BIG = "\n\n".join(f"Paragraph {k} about the harbour, the boats and the storm." * 20
                  for k in range(3000))


def test_an_article_past_its_time_is_a_422_not_to_retry() -> None:
    app = create_app(Settings(article_timeout=0.001, request_timeout=1))
    r = app.test_client().post("/clean", json={"text": BIG})
    assert_error(r, 422, "too_slow")
    assert "Retry-After" not in r.headers
    assert "retry_after" not in r.get_json()["error"]


def test_a_batch_past_the_request_time_answers_the_rest_retryable() -> None:
    """The first article spends its own time and most of the request's; the next one
    stops when the request's time is out, which is not its own doing: 503 with
    retry_after, to send again."""
    app = create_app(Settings(article_timeout=0.05, request_timeout=0.08))
    half = BIG[:len(BIG) // 3]  # far more than 0.05 s of work
    items = [{"id": 1, "text": half}, {"id": 2, "text": half}, {"id": 3, "text": "Short."}]
    out = app.test_client().post("/clean/batch", json=items).get_json()
    assert out[0]["error"]["code"] == "too_slow"
    assert out[1]["error"]["status"] == 503
    assert out[1]["error"]["code"] == "request_time_spent"
    assert out[1]["error"]["retry_after"] == 0
    assert out[2]["id"] == 3  # answered, or refused the same way: never lost
    assert out[2].get("error", {"code": "request_time_spent"})["code"] == "request_time_spent"


def test_a_batch_within_its_time_is_answered_whole() -> None:
    app = create_app(Settings(article_timeout=5, request_timeout=6))
    items = [{"id": n, "text": "Storm hits the coast today."} for n in range(20)]
    out = app.test_client().post("/clean/batch", json=items).get_json()
    assert [item["id"] for item in out] == list(range(20))
    assert all("error" not in item for item in out)


def test_request_id_is_kept_or_made(client: FlaskClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers[
        "X-Request-ID"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert len(made.headers["X-Request-ID"]) == 32


def test_batch_ndjson_streams_in_order_with_error_lines(client: FlaskClient) -> None:
    lines = [json.dumps({"id": 1, "text": SAMPLE}), "{broken", json.dumps({"id": 3}),
             json.dumps({"id": 4, "text": "Hello   world."})]
    r = client.post("/clean/batch", data="\n".join(lines) + "\n",
                    content_type="application/x-ndjson")
    assert r.status_code == 200
    assert r.mimetype == "application/x-ndjson"
    out = [json.loads(line) for line in r.get_data(as_text=True).splitlines()]
    assert len(out) == 4
    assert out[0]["id"] == 1
    assert out[0]["text"] == EXPECTED
    assert out[1]["line"] == 2
    assert out[1]["error"]["code"] == "bad_json"
    assert out[2]["id"] == 3
    assert out[2]["error"]["code"] == "missing_text"
    assert out[3]["text"] == "Hello world.\n"


def test_batch_json_array(client: FlaskClient) -> None:
    r = client.post("/clean/batch", json=[{"text": SAMPLE}, "nope", {"text": "a"}])
    out = r.get_json()
    assert [("error" in item) for item in out] == [False, True, False]
    assert out[1]["error"]["status"] == 400


def test_batch_limits_and_types(client: FlaskClient) -> None:
    assert_error(client.post("/clean/batch", json=[{"text": "a"}] * 6), 413, "too_many_items")
    assert_error(client.post("/clean/batch", json={"text": "a"}), 400, "bad_json")
    assert_error(client.post("/clean/batch", data="x", content_type="text/plain"), 415,
                 "unsupported_media_type")


def test_operations_endpoints(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "ready"
    assert ready["index"]["store"] == "sqlite"
    assert ready["index"]["scope"] == "instance"
    assert "every worker of this server shares" in ready["index"]["note"]
    versions = client.get("/version").get_json()
    assert set(versions) >= {"service", "ftfy", "datasketch"}
    client.post("/clean", json={"text": SAMPLE})
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'newsclean_blocks_removed_total{kind="duplicate"} 6.0' in metrics
    assert "newsclean_http_request_duration_seconds_bucket" in metrics
    assert client.get("/openapi.json").get_json()["openapi"] == "3.1.0"


def test_no_app_is_built_at_import() -> None:
    import service

    assert not any(isinstance(v, Flask) for v in vars(service).values())


@pytest.mark.parametrize("charset", ["utf-16le", "UTF-16BE", "utf-16"])
def test_a_declared_utf16_body_without_a_bom_is_read(client: FlaskClient, charset: str) -> None:
    """UTF-16 text has a NUL byte in every ASCII character: declared, it is decoded
    with the charset named, not refused as binary (issue 22). A bare "utf-16" is
    little-endian, as the web's Encoding standard reads that label."""
    codec = {"utf-16le": "utf-16-le", "UTF-16BE": "utf-16-be", "utf-16": "utf-16-le"}[charset]
    text = "Storm   hits the coast, café owners say.\n"
    response = client.post("/clean?diff=false", data=text.encode(codec),
                           content_type=f"text/plain; charset={charset}")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["text"] == "Storm hits the coast, café owners say.\n"
    assert response.get_json()["encoding"] == codecs.lookup(charset).name
