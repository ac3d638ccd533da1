"""No input makes the API answer 500, an HTML page or a traceback (hypothesis)."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import Settings, create_app

CLIENT: FlaskClient = create_app(Settings(max_body_bytes=20_000)).test_client()
ALLOWED = {200, 400, 413, 415, 422}
#: Each campaign is bounded by its examples; this only catches a hang, generously, since a
#: loaded 2-core machine runs them several times slower than an idle one.
FUZZ_TIMEOUT = 1200

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10)


def check(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code in ALLOWED, response.get_data()[:300]
    if response.status_code != 200:
        body = response.get_json()
        assert set(body["error"]) == {"status", "code", "message", "request_id"}
    assert b"Traceback" not in response.get_data()


@pytest.mark.timeout(FUZZ_TIMEOUT)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.sampled_from(
    ["text/plain", "text/plain; charset=latin-1", "text/plain; charset=nonsense",
     "application/octet-stream", "application/json", "application/x-ndjson", ""]))
def test_any_bytes(body: bytes, ctype: str) -> None:
    check(CLIENT.post("/clean", data=body, content_type=ctype or None))
    if ctype in ("application/json", "application/x-ndjson"):
        check(CLIENT.post("/clean/batch", data=body, content_type=ctype))


@pytest.mark.timeout(FUZZ_TIMEOUT)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["text", "title", "id", "options", "diff", "index",
                                        "extra"]), json_values, max_size=6),
       st.text(max_size=2000))
def test_any_json_object(item: dict[str, object], text: str) -> None:
    if "text" in item and not isinstance(item["text"], str):
        item["text"] = text if len(item) % 2 else item["text"]
    body = json.dumps(item).encode()
    check(CLIENT.post("/clean", data=body, content_type="application/json"))
    check(CLIENT.post("/clean/batch", data=b"[" + body + b"]", content_type="application/json"))


@pytest.mark.timeout(FUZZ_TIMEOUT)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_any_text_cleans(text: str) -> None:
    response = CLIENT.post("/clean", json={"text": text})
    check(response)
