"""The metrics an operator's dashboard needs: build, in-flight requests, sizes, worker
memory, the index's outcomes and its store's latency; in one process and summed across
gunicorn's workers."""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest
from prometheus_client.parser import text_string_to_metric_families

from service import Settings, create_app
from tests.server import BIN, post_json, request, running
from tests.test_index import STORY, article


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((sample.labels, sample.value))
    return out


def test_index_outcomes_and_store_latency_are_counted() -> None:
    client = create_app(Settings()).test_client()
    text = article("Harbour plan", STORY)
    client.post("/clean", json={"text": text, "id": "a", "index": {}})
    client.post("/clean", json={"text": "Too short.", "id": "b", "index": {}})
    got = samples(client.get("/metrics").get_data(as_text=True))
    outcomes = {labels["status"]: value for labels, value in
                got["newsclean_index_requests_total"]}
    assert outcomes == {"ok": 1.0, "skipped": 1.0}
    calls = {labels["operation"]: value for labels, value in
             got["newsclean_index_store_seconds_count"]}
    assert calls == {"query_add": 1.0}  # one round trip: the query and the add


def test_build_sizes_and_memory_are_reported() -> None:
    client = create_app(Settings()).test_client()
    body = b'{"text": "' + b"word " * 400 + b'"}'
    client.post("/clean", data=body, content_type="application/json")
    got = samples(client.get("/metrics").get_data(as_text=True))
    (labels, value), = got["newsclean_build_info"]
    assert value == 1.0
    assert labels["version"] == version("newsclean")
    assert labels["ftfy"] == version("ftfy")
    sizes = {labels["endpoint"]: value for labels, value in
             got["newsclean_http_request_size_bytes_sum"]}
    assert sizes["/clean"] == len(body)
    responses = {labels["endpoint"]: value for labels, value in
                 got["newsclean_http_response_size_bytes_count"]}
    assert responses["/clean"] == 1.0
    (_, rss), = got["newsclean_worker_resident_memory_bytes"]
    assert rss > 20 * 2**20  # a Python process with numpy loaded
    (_, in_flight), = got["newsclean_http_requests_in_flight"]
    assert in_flight == 1.0  # the /metrics request itself


@pytest.mark.e2e
def test_gunicorn_sums_workers_and_labels_each_worker_memory() -> None:
    with running([str(BIN / "newsclean"), "serve", "--workers", "2"]) as base:
        for n in range(40):
            post_json(base + "/clean", {"text": f"Article {n}.\n\nIt says {n} things."})
        status, _, raw = request("GET", base + "/metrics")
    assert status == 200
    got = samples(raw.decode())
    pids = {labels["pid"] for labels, _ in got["newsclean_worker_resident_memory_bytes"]}
    assert len(pids) >= 1
    assert all(value > 20 * 2**20 for _, value in got["newsclean_worker_resident_memory_bytes"])
    (_, in_flight), = got["newsclean_http_requests_in_flight"]
    assert in_flight == 1.0  # summed over the live workers: only /metrics is being answered
    (labels, _), *rest = got["newsclean_build_info"]
    assert not rest  # one build, however many workers
    assert re.fullmatch(r"\d+\.\d+\.\d+", labels["python"])
