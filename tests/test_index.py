"""The cross-article index, against real Redis servers (and the in-process store).

With CI=true these tests must run; elsewhere they skip when no Redis answers on
127.0.0.1:6379. Every test uses a key prefix of its own and deletes its keys after.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from cleaning import clean
from newsindex.index import Indexer, IndexRequest
from newsindex.lsh import TIME_BUCKETS
from service import Settings, create_app
from tests.server import BIN, START_CEILING, free_port, post_json, request, running

pytestmark = pytest.mark.redis

STORY = [
    "The city council approved a plan on Tuesday to turn the old harbour warehouses into "
    "housing, ending a dispute that has lasted more than ten years.",
    "Under the plan, four of the six warehouses will be converted into about 300 flats, a "
    "third of them offered at below-market rents to people who work in the city.",
    "The remaining two buildings will house a market hall and a public library branch, which "
    "the council said would open in the spring of 2028 at the earliest.",
    "Opponents had argued that the warehouses should be kept for port businesses, but the "
    "port authority told the council last year that it had no use for them.",
    "Work is expected to start next summer once the final designs have been approved by the "
    "planning committee and the heritage board.",
]
OTHER_STORY_SAME_EVENT = [
    "Residents of the harbour district reacted with a mix of relief and worry after "
    "councillors voted for the warehouse conversion on Tuesday evening.",
    "Several shop owners said more people living nearby would bring customers, while a group "
    "of fishermen said they feared losing the last storage space close to the water.",
    "A spokesperson for the tenants' association welcomed the promise of cheaper flats but "
    "asked how the council would decide who qualifies for them.",
    "The vote ended a debate that has run for more than a decade and divided the district.",
]


def article(headline: str, paras: list[str], *, byline: str = "", dateline: str = "",
            footer: str = "") -> str:
    blocks = [headline, *([byline] if byline else []),
              (dateline + paras[0]) if dateline else paras[0], *paras[1:],
              *([footer] if footer else [])]
    return "\n\n".join(blocks)


def index(settings: Settings) -> Indexer:
    return Indexer(settings)


def test_copies_match_and_other_stories_do_not(redis_url: str, prefix: str) -> None:
    ix = index(Settings(redis_url=redis_url, index_prefix=prefix))
    first = ix.handle(IndexRequest("wire", "orig", True), clean(article("Harbour plan", STORY)))
    assert first["status"] == "ok"
    assert first["matches"] == []
    assert first["added"]
    copies = {
        "headline": article("Council backs warehouse homes", STORY),
        "byline": article("Harbour plan", STORY, byline="By Jane Q. Reporter, Staff Writer"),
        "dateline": article("Harbour plan", STORY, dateline="LONDON (Wire) — "),
        "footer": article("Harbour plan", STORY, footer="Subscribe to our newsletter to get "
                          "the most important stories of the day every morning."),
    }
    for kind, text in copies.items():
        answer = ix.handle(IndexRequest("wire", f"copy-{kind}", False), clean(text))
        assert [m["id"] for m in answer["matches"]] == ["orig"], kind
        assert answer["matches"][0]["similarity"] >= 0.9
    other = ix.handle(IndexRequest("wire", "other", False),
                      clean(article("Harbour residents react", OTHER_STORY_SAME_EVENT)))
    assert other["matches"] == []


def test_same_id_updates_and_query_mode_does_not_add(redis_url: str, prefix: str) -> None:
    ix = index(Settings(redis_url=redis_url, index_prefix=prefix))
    text = clean(article("Harbour plan", STORY))
    for _ in range(3):
        ix.handle(IndexRequest("ns", "same", True), text)
    assert ix.stats("ns")["articles"] == 1
    ix.handle(IndexRequest("ns", "probe", False), text)
    assert ix.stats("ns")["articles"] == 1
    second = ix.handle(IndexRequest("ns", "second", True), text)
    assert [m["id"] for m in second["matches"]] == ["same"]  # one entry, never two
    assert ix.remove("ns", "same") is True
    assert ix.remove("ns", "same") is False
    assert ix.handle(IndexRequest("ns", "x", False), text)["matches"][0]["id"] == "second"


def test_retention_frees_old_articles(redis_url: str, prefix: str) -> None:
    retention = 1.5  # seconds
    ix = index(Settings(redis_url=redis_url, index_prefix=prefix,
                        index_retention_days=retention / 86400))
    client = redis.Redis.from_url(redis_url)
    text = clean(article("Harbour plan", STORY))
    ix.handle(IndexRequest("short", "old", True), text)
    assert ix.stats("short")["articles"] == 1

    def bucket_keys() -> list[bytes]:  # all but the namespace's counter and generations
        return [k for k in client.scan_iter(f"{prefix}:{{short}}:*", count=1000)
                if not k.endswith((b":next", b":generations"))]

    keys = bucket_keys()
    assert len(keys) == 3 + 20  # ids, records, span, and one shard hash a band
    # Each expires with its bucket: once the bucket's last instant has left the window (a
    # bucket and a retention from now at most), rounded up to the whole second that
    # EXPIREAT takes; or it is gone already on a slow machine (-2); never none (-1).
    limit = 1000 * (retention / TIME_BUCKETS + retention + 1)
    ttls = [client.pttl(k) for k in keys]
    assert all(ttl != -1 and ttl <= limit for ttl in ttls), ttls
    time.sleep(retention + 0.1)
    answer = ix.handle(IndexRequest("short", "new", False), text)
    assert answer["matches"] == []  # out of the window at once
    deadline = time.monotonic() + 5
    while bucket_keys() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert bucket_keys() == []  # freed by Redis itself: no sweep
    assert ix.stats("short")["articles"] == 0


def test_two_servers_share_one_index(redis_url: str, prefix: str) -> None:
    env = {"REDIS_URL": redis_url, "NEWSCLEAN_INDEX_PREFIX": prefix, "WEB_CONCURRENCY": "2"}
    cmd = [str(BIN / "newsclean"), "serve"]
    with running(cmd, env) as one, running(cmd, env) as two:
        text = article("Harbour plan", STORY)
        status, body = post_json(one + "/clean", {"text": text, "id": "via-one",
                                                  "index": {"namespace": "wire"}})
        assert status == 200
        assert body["index"]["status"] == "ok"
        for _ in range(4):  # whichever worker of the second server answers
            status, body = post_json(two + "/clean", {"text": text, "id": "probe",
                                                      "index": {"namespace": "wire",
                                                                "mode": "query"}})
            assert [m["id"] for m in body["index"]["matches"]] == ["via-one"]
        ready = json.loads(request("GET", two + "/readyz")[2])
        assert ready["status"] == "ready"
        assert ready["index"]["shared"] is True


@pytest.fixture
def private_redis() -> Iterator[tuple[str, int, Path]]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="nc-redis-"))
    yield server, port, folder
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True,
                   check=False, timeout=10)
    shutil.rmtree(folder, ignore_errors=True)


def start_redis(server: str, port: int, folder: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(folder),
                             "--enable-debug-command", "local"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    deadline = time.monotonic() + START_CEILING
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            client.ping()
            return proc
        except redis.RedisError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def test_redis_down_then_back(private_redis: tuple[str, int, Path]) -> None:
    server, port, folder = private_redis
    redis_proc = start_redis(server, port, folder)
    url = f"redis://127.0.0.1:{port}/0"
    env = {"REDIS_URL": url, "WEB_CONCURRENCY": "1"}
    text = article("Harbour plan", STORY)
    try:
        with running([str(BIN / "newsclean"), "serve"], env) as base:
            status, body = post_json(base + "/clean", {"text": text, "id": "before",
                                                       "index": {"namespace": "n"}})
            assert body["index"]["status"] == "ok"

            redis_proc.terminate()
            redis_proc.wait(timeout=10)
            for _ in range(3):
                started = time.monotonic()
                status, body = post_json(base + "/clean", {"text": text, "id": "during",
                                                           "index": {"namespace": "n"}})
                assert time.monotonic() - started < 1.5
                assert status == 200
                assert body["text"]
                assert body["index"]["status"] == "unavailable"
                assert body["index"]["added"] is False
            ready = json.loads(request("GET", base + "/readyz")[2])
            assert ready["status"] == "degraded"
            assert ready["index"]["available"] is False

            redis_proc = start_redis(server, port, folder)  # empty: it keeps nothing on disk
            deadline = time.monotonic() + 10
            while True:
                status, body = post_json(base + "/clean", {"text": text, "id": "after",
                                                           "index": {"namespace": "n"}})
                if body["index"]["status"] == "ok" or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
            assert body["index"]["status"] == "ok"  # resumed by itself
            status, body = post_json(base + "/clean", {"text": text, "id": "probe",
                                                       "index": {"namespace": "n",
                                                                 "mode": "query"}})
            assert [m["id"] for m in body["index"]["matches"]] == ["after"]
            assert json.loads(request("GET", base + "/readyz")[2])["status"] == "ready"
    finally:
        redis_proc.terminate()
        redis_proc.wait(timeout=10)


def test_embedded_store_without_redis() -> None:
    client = create_app(Settings()).test_client()
    text = article("Harbour plan", STORY)
    first = client.post("/clean", json={"text": text, "id": "a", "index": {}}).get_json()
    assert first["index"]["status"] == "ok"
    again = client.post("/clean", json={"text": text, "id": "b",
                                        "index": {"mode": "query"}}).get_json()
    assert [m["id"] for m in again["index"]["matches"]] == ["a"]
    stats = client.get("/index/default/stats").get_json()
    assert stats["articles"] == 1
    assert stats["store"] == "sqlite"  # a file every worker shares


def test_index_request_errors() -> None:
    client = create_app(Settings()).test_client()
    for index_field in ({"namespace": "bad space"}, {"mode": "delete"}, "yes"):
        r = client.post("/clean", json={"text": "x", "id": "1", "index": index_field})
        assert r.status_code == 400
        assert r.get_json()["error"]["code"] == "bad_index"
    r = client.post("/clean", json={"text": "x", "index": {}})
    assert r.status_code == 400  # adding needs an id


def test_slow_redis_does_not_slow_cleaning(private_redis: tuple[str, int, Path]) -> None:
    server, port, folder = private_redis
    redis_proc = start_redis(server, port, folder)
    env = {"REDIS_URL": f"redis://127.0.0.1:{port}/0", "WEB_CONCURRENCY": "1",
           "NEWSCLEAN_REDIS_TIMEOUT": "0.2"}
    text = article("Harbour plan", STORY)
    try:
        with running([str(BIN / "newsclean"), "serve"], env) as base:
            assert post_json(base + "/clean", {"text": text, "id": "a",
                                               "index": {"namespace": "n"}})[1]["index"][
                "status"] == "ok"
            sleeper = subprocess.Popen(["redis-cli", "-p", str(port), "DEBUG", "SLEEP", "3"],
                                       stdout=subprocess.DEVNULL)
            time.sleep(0.2)
            started = time.monotonic()
            status, body = post_json(base + "/clean", {"text": text, "id": "b",
                                                       "index": {"namespace": "n"}})
            assert time.monotonic() - started < 1.0  # the 0.2 s timeout, not Redis's 3 s
            assert status == 200
            assert body["index"]["status"] == "unavailable"
            sleeper.wait(timeout=10)
    finally:
        redis_proc.terminate()
        redis_proc.wait(timeout=10)
