"""Against the real service on a loopback port (gunicorn, API keys on): the client reads
its URL and key from the environment and checks health and version; answers come gzipped
to a client that asks; `newsclean backfill --url` writes what the local backfill writes."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsclean_client import AsyncClient, Client, ServiceError
from service.openapi import openapi_document
from tests.conftest import SEEDS, integration, seed_cases
from tests.server import BIN, request, running

pytestmark = pytest.mark.e2e

CLI = str(BIN / "newsclean")
KEY = "remote-test-key"
SEED = (SEEDS / "000_20ca18fb463f4b56.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def service() -> Iterator[str]:
    with running([CLI, "serve", "--workers", "1"], {"NEWSCLEAN_API_KEYS": KEY}) as base:
        yield base


@pytest.fixture
def environment(service: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("NEWSCLEAN_URL", service)
    monkeypatch.setenv("NEWSCLEAN_API_KEY", KEY)
    return service


# ---------------------------------------------------------------------- the client


def test_the_client_reads_its_url_and_key_from_the_environment(environment: str) -> None:
    with Client() as client:
        assert client.health() == {"status": "ok"}
        assert client.version()["service"]
        assert "Storm" in client.clean("Storm hits\n\nStorm hits\n\nRain fell.").text
    with Client(api_key="") as keyless:  # a key given (even empty) wins over the environment
        with pytest.raises(ServiceError) as refused:
            keyless.clean("Rain fell.")
        assert refused.value.error.status == 401


def test_the_async_client_reads_the_environment_too(environment: str) -> None:
    async def ask() -> tuple[dict[str, Any], dict[str, str], str]:
        async with AsyncClient() as client:
            result = await client.clean("Rain fell.\n\nRain fell.\n")
            return await client.health(), await client.version(), result.text
    health, version, text = asyncio.run(ask())
    assert health == {"status": "ok"}
    assert version["service"]
    assert text == "Rain fell.\n"


def test_health_of_a_service_that_is_not_there_raises(environment: str) -> None:
    with Client(environment + "/no-such-prefix") as client, pytest.raises(ServiceError):
        client.health()


# ---------------------------------------------------------------------- gzip


def without_timing(body: dict[str, Any]) -> dict[str, Any]:
    body["stats"].pop("seconds")
    return body


def test_answers_are_gzipped_for_clients_that_ask(service: str) -> None:
    payload = json.dumps({"text": SEED}).encode()
    auth = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
    status, headers, plain = request("POST", service + "/clean", payload, auth)
    assert status == 200
    assert "Content-Encoding" not in headers
    assert "Accept-Encoding" in headers["Vary"]
    status, headers, packed = request("POST", service + "/clean", payload,
                                      {**auth, "Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    assert len(packed) * 4 < len(plain)  # 22 KB of JSON for the 8 KB seed
    assert without_timing(json.loads(gzip.decompress(packed))) == without_timing(
        json.loads(plain))
    # Small answers and errors go as they are.
    status, headers, _ = request("GET", service + "/healthz", None, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert "Content-Encoding" not in headers
    status, headers, body = request("POST", service + "/clean", b"{", {
        **auth, "Accept-Encoding": "gzip"})
    assert status == 400
    assert "Content-Encoding" not in headers
    assert json.loads(body)["error"]["code"] == "bad_json"
    # Both ways are documented.
    described = openapi_document()["paths"]["/clean"]["post"]
    assert "Content-Encoding" in described["responses"]["200"]["headers"]
    assert "Content-Encoding: gzip" in described["description"]
    # A gzip request body is read, as documented.
    status, _, body = request("POST", service + "/clean", gzip.compress(payload),
                              {**auth, "Content-Encoding": "gzip"})
    assert status == 200
    assert json.loads(body)["text"] == json.loads(plain)["text"]


def test_a_streamed_batch_is_gzipped_line_by_line(service: str) -> None:
    lines = [json.dumps({"id": n, "text": SEED}) for n in range(3)] + ["{broken"]
    with httpx.stream("POST", service + "/clean/batch", content="\n".join(lines) + "\n",
                      headers={"Content-Type": "application/x-ndjson",
                               "Authorization": f"Bearer {KEY}",
                               "Accept-Encoding": "gzip"}, timeout=60) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        answers = [json.loads(line) for line in response.iter_lines() if line]
    assert [a.get("id") for a in answers[:3]] == [0, 1, 2]
    assert answers[3]["error"]["code"] == "bad_json"
    raw = httpx.post(service + "/clean/batch", content="\n".join(lines) + "\n", headers={
        "Content-Type": "application/x-ndjson", "Authorization": f"Bearer {KEY}",
        "Accept-Encoding": "identity"}, timeout=60)
    assert "Content-Encoding" not in raw.headers
    assert [json.loads(line).get("id") for line in raw.text.splitlines()][:3] == [0, 1, 2]


# ---------------------------------------------------------------------- backfill --url


def records() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"id": f"s-{n}", "text": text, "title": meta.get("title"), "source": name}
        for n, (name, text, _, meta) in enumerate(seed_cases())]
    rows.insert(3, {"id": "no-text", "source": "none"})
    return rows


def backfill(*args: str | Path, env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "backfill", *map(str, args)], capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(env or {})}, check=False)


def test_backfill_through_the_service_writes_what_a_local_backfill_writes(
        service: str, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    option = ["--option", "remove_contained=false"]
    local = backfill(source, tmp_path / "local.jsonl", "--no-progress", *option)
    assert local.returncode == 1, local.stderr  # the record without text
    key = {"NEWSCLEAN_API_KEY": KEY}
    remote = backfill(source, tmp_path / "remote.jsonl", "--url", service, *option, env=key)
    assert remote.returncode == 1, remote.stderr
    assert (tmp_path / "remote.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    total = len(records())
    assert f"{total}/{total}" in remote.stderr  # the same progress bar
    # Resumed: what the output holds is kept, the rest is sent.
    whole = (tmp_path / "local.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "resumed.jsonl").write_text("".join(whole[:5]), encoding="utf-8")
    again = backfill(source, tmp_path / "resumed.jsonl", "--url", service, "--no-progress",
                     *option, env=key)
    assert again.returncode == 0, again.stderr  # the record without text was in the five
    assert (tmp_path / "resumed.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    # Without the key the service refuses the client: a clear error, the output kept.
    refused = backfill(source, tmp_path / "refused.jsonl", "--url", service, "--no-progress")
    assert refused.returncode == 1
    assert "401" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_backfill_through_the_service_reads_and_writes_parquet(
        service: str, tmp_path: Path) -> None:
    pa = integration("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(records()), tmp_path / "in.parquet")
    local = backfill(tmp_path / "in.parquet", tmp_path / "local.parquet", "--no-progress")
    remote = backfill(tmp_path / "in.parquet", tmp_path / "remote.parquet", "--no-progress",
                      "--url", service, env={"NEWSCLEAN_API_KEY": KEY})
    assert (local.returncode, remote.returncode) == (1, 1), remote.stderr
    rows = pq.read_table(tmp_path / "remote.parquet").to_pylist()
    assert rows == pq.read_table(tmp_path / "local.parquet").to_pylist()
    assert [r["source"] for r in rows] == [r["source"] for r in records()]
