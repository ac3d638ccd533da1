"""The index against what its clients and its own storage can throw at it (issue 22,
"The index, from the API"): ids of any length, keys that never expire, a malformed record,
and workers of one instance that must give one answer for one history."""

from __future__ import annotations

import json
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import redis

from cleaning import clean
from newsindex.index import LAYOUTS_KEPT, MAX_ID_LENGTH, Indexer, IndexRequest
from service import Settings, create_app
from tests.server import BIN, post_json, request, running
from tests.test_index import OTHER_STORY_SAME_EVENT, STORY, article

REDIS_URL = "redis://127.0.0.1:6379/0"


# ---------------------------------------------------------------- 6. ids have a length


def test_ids_longer_than_the_limit_are_refused_by_the_api(tmp_path: Path) -> None:
    client = create_app(Settings(index_path=str(tmp_path / "ix.sqlite3"))).test_client()
    text = article("Harbour plan", STORY)
    longest, too_long = "i" * MAX_ID_LENGTH, "i" * (MAX_ID_LENGTH + 1)
    ok = client.post("/clean", json={"text": text, "id": longest, "index": {}})
    assert ok.status_code == 200
    assert ok.get_json()["index"]["status"] == "ok"
    for body, code in (({"text": text, "id": too_long}, "bad_field"),
                       ({"text": text, "id": too_long, "index": {}}, "bad_field"),
                       ({"text": text, "id": "a", "index": {"id": too_long}}, "bad_index"),
                       # characters, not bytes: 129 of 2 bytes each are fine, 257 are not
                       ({"text": text, "id": "é" * (MAX_ID_LENGTH + 1)}, "bad_field")):
        answer = client.post("/clean", json=body)
        assert answer.status_code == 400, body
        error = answer.get_json()["error"]
        assert error["code"] == code
        assert str(MAX_ID_LENGTH) in error["message"]
    batch = client.post("/clean/batch", json=[{"text": text, "id": too_long}])
    assert batch.status_code == 200
    assert batch.get_json()[0]["error"]["code"] == "bad_field"
    raw = client.post(f"/clean?id={too_long}", data=text, content_type="text/plain")
    assert raw.status_code == 400
    assert raw.get_json()["error"]["code"] == "bad_field"
    gone = client.delete(f"/index/default/{too_long}")
    assert gone.status_code == 400
    assert gone.get_json()["error"]["code"] == "bad_index"
    assert client.delete(f"/index/default/{longest}").status_code == 200


def test_the_openapi_document_states_the_bounds() -> None:
    client = create_app(Settings()).test_client()
    doc = client.get("/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    assert schemas["IndexOptions"]["properties"]["id"]["maxLength"] == MAX_ID_LENGTH
    assert schemas["CleanRequest"]["properties"]["id"]["maxLength"] == MAX_ID_LENGTH
    assert schemas["IndexOptions"]["properties"]["namespace"]["maxLength"] == 64
    delete = doc["paths"]["/index/{namespace}/{id}"]["delete"]["parameters"]
    assert {p["name"]: p["schema"].get("maxLength") for p in delete} == {
        "namespace": 64, "id": MAX_ID_LENGTH}
    clean_params = doc["paths"]["/clean"]["post"].get("parameters", [])
    assert [p["schema"]["maxLength"] for p in clean_params if p["name"] == "id"] == [
        MAX_ID_LENGTH]


def test_index_load_skips_ids_longer_than_the_limit(tmp_path: Path, prefix: str) -> None:
    text = article("Harbour plan", STORY)
    rows = [{"id": "x" * (MAX_ID_LENGTH + 1), "text": text}, {"id": "short", "text": text}]
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    env = {**os.environ, "REDIS_URL": REDIS_URL, "NEWSCLEAN_INDEX_PREFIX": prefix}
    done = subprocess.run([str(BIN / "newsclean"), "index", "load", str(source),
                           "--namespace", "long"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 article(s) added" in done.stderr
    assert f"1 with an id longer than {MAX_ID_LENGTH} characters" in done.stderr
    ix = Indexer(Settings(redis_url=REDIS_URL, index_prefix=prefix))
    assert ix.stats("long")["articles"] == 1
    prints = tmp_path / "prints.jsonl"
    subprocess.run([str(BIN / "newsclean"), "fingerprint", str(source), str(prints)],
                   env=env, capture_output=True, check=True, timeout=120)
    first = json.loads(prints.read_text().splitlines()[0])
    assert first["signature"] is None
    assert first["error"] == f"id longer than {MAX_ID_LENGTH} characters"


# ---------------------------------------------------------------- 7. every key expires


def test_every_key_the_index_writes_expires(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    ix = Indexer(Settings(redis_url=REDIS_URL, index_prefix=prefix))
    other = Indexer(Settings(redis_url=REDIS_URL, index_prefix=prefix, index_shards=64))
    text = clean(article("Harbour plan", STORY))
    for n in range(3):
        ix.handle(IndexRequest(f"ns{n}", "a", True), text)
        ix.handle(IndexRequest(f"ns{n}", "b", False), text)
    other.handle(IndexRequest("ns0", "c", True), text)  # a second generation
    found = ix.handle(IndexRequest("ns1", "probe", False), text)
    assert found["status"] == "ok"
    size, values = 40, np.arange(100, dtype="uint32")
    ix.add_many("ns2", [("old", size, values, time.time() - 86400 * 6),
                        ("new", size, values, None)])
    assert ix.remove("ns2", "new") is True
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    assert any(k.endswith(b":next") for k in keys)
    assert any(k.endswith(b":generations") for k in keys)
    lasting = [k for k in keys if client.ttl(k) == -1]
    assert lasting == []
    # The namespace's counter outlives every bucket it numbered: never reset under them.
    for namespace in ("ns0", "ns1", "ns2"):
        ours = [k for k in keys if f"{{{namespace}}}".encode() in k]
        counter = [k for k in ours if k.endswith(b":next")]
        assert all(client.pttl(c) >= max(client.pttl(k) for k in ours) - 1000 for c in counter)


def test_a_flood_of_namespaces_does_not_grow_a_process(tmp_path: Path) -> None:
    ix = Indexer(Settings(index_path=str(tmp_path / "ix.sqlite3")))
    for n in range(LAYOUTS_KEPT + 100):
        assert ix.layout(f"ns{n}").namespace == f"ns{n}"
    assert len(ix._layouts) <= LAYOUTS_KEPT


# ---------------------------------------------------------------- 8. a malformed record


def plant_bad_record(client: redis.Redis, prefix: str, namespace: str, ident: str) -> None:
    """Overwrite the stored record of `ident` with bytes no version ever wrote."""
    for ids in client.scan_iter(f"{prefix}:{{{namespace}}}:*:ids", count=1000):
        number = client.hget(ids, ident)
        if number is not None:
            client.hset(ids[:-len(b"ids")] + b"rec", number, b"\xff\x00garbage")
            return
    raise AssertionError(f"no record of {ident!r}")


def test_a_malformed_record_is_skipped_and_counted(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    app = create_app(Settings(redis_url=REDIS_URL, index_prefix=prefix))
    web = app.test_client()
    text = article("Harbour plan", STORY)
    other = article("Residents react", OTHER_STORY_SAME_EVENT)
    for namespace, ident, body in (("hurt", "bad", text), ("hurt", "good", text),
                                   ("well", "one", text), ("hurt", "apart", other)):
        answer = web.post("/clean", json={"text": body, "id": ident,
                                          "index": {"namespace": namespace}})
        assert answer.get_json()["index"]["status"] == "ok"
    plant_bad_record(client, prefix, "hurt", "bad")
    answers = []
    for _ in range(3):
        answers.append(web.post("/clean", json={"text": text, "id": "probe", "index": {
            "namespace": "hurt", "mode": "query"}}))
        answers.append(web.post("/clean", json={"text": text, "id": "probe", "index": {
            "namespace": "well", "mode": "query"}}))
    answers += [web.get("/index/hurt/stats"), web.get("/readyz"), web.get("/metrics")]
    hurt, well = answers[0].get_json()["index"], answers[1].get_json()["index"]
    assert hurt["status"] == "ok"
    assert [m["id"] for m in hurt["matches"]] == ["good"]  # the bad one skipped
    assert well["status"] == "ok"
    assert [m["id"] for m in well["matches"]] == ["one"]
    assert all(a.get_json()["index"] == answers[k % 2].get_json()["index"]
               for k, a in enumerate(answers[:6]))
    assert answers[-3].get_json()["articles"] == 3
    assert answers[-2].get_json()["status"] == "ready"
    assert 'newsclean_index_bad_records_total 3.0' in answers[-1].get_data(as_text=True)
    for answer in answers[:-1]:
        page = answer.get_data(as_text=True)
        for internal in ("Error", "struct", "unpack", "Traceback", "decode", "buffer"):
            assert internal not in page, page


def test_a_wrong_key_in_one_namespace_leaves_the_others_alone(prefix: str) -> None:
    # A key of another type where a hash should be: Redis answers WRONGTYPE inside the
    # script. That namespace's answer says unavailable, in our words; the others work.
    client = redis.Redis.from_url(REDIS_URL)
    web = create_app(Settings(redis_url=REDIS_URL, index_prefix=prefix)).test_client()
    text = article("Harbour plan", STORY)
    for namespace in ("hurt", "well"):
        web.post("/clean", json={"text": text, "id": "a", "index": {"namespace": namespace}})
    for key in client.scan_iter(f"{prefix}:{{hurt}}:*:ids", count=1000):
        client.delete(key)
        client.set(key, b"not a hash", ex=60)
    hurt = web.post("/clean", json={"text": text, "id": "p", "index": {
        "namespace": "hurt", "mode": "query"}}).get_json()["index"]
    well = web.post("/clean", json={"text": text, "id": "p", "index": {
        "namespace": "well", "mode": "query"}}).get_json()["index"]
    assert hurt["status"] == "unavailable"
    assert "WRONGTYPE" not in json.dumps(hurt)
    assert "Error" not in json.dumps(hurt)
    assert well["status"] == "ok"
    assert [m["id"] for m in well["matches"]] == ["a"]


# ---------------------------------------------------------------- 9. one answer per instance


def test_every_worker_of_an_instance_sees_one_index(tmp_path: Path) -> None:
    env = {"WEB_CONCURRENCY": "2", "REDIS_URL": "",
           "NEWSCLEAN_INDEX_PATH": str(tmp_path / "state" / "index.sqlite3")}
    text = article("Harbour plan", STORY)
    copy = article("Council backs homes", STORY, byline="By A. Writer")
    with running([str(BIN / "newsclean"), "serve"], env) as base:
        status, body = post_json(base + "/clean", {"text": text, "id": "first",
                                                   "index": {"namespace": "wire"}})
        assert status == 200
        assert body["index"]["status"] == "ok"
        # Many at once, so that both workers take some (one after the other, the same
        # worker tends to take them all).
        def query(n: int) -> list[str]:
            status, body = post_json(base + "/clean", {"text": copy, "id": f"copy-{n}",
                                                       "index": {"namespace": "wire",
                                                                 "mode": "query"}})
            assert status == 200
            return [m["id"] for m in body["index"]["matches"]]

        def add(n: int) -> None:
            post_json(base + "/clean", {"text": copy, "id": f"add-{n}",
                                        "index": {"namespace": "wire"}})

        def stats(n: int) -> int:
            return int(json.loads(request("GET", base + "/index/wire/stats")[2])["articles"])

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(query, range(40))) == [["first"]] * 40
            list(pool.map(add, range(20)))  # adds through either worker, seen by the other
            assert set(pool.map(stats, range(40))) == {21}
        stats = json.loads(request("GET", base + "/index/wire/stats")[2])
        assert (stats["store"], stats["scope"]) == ("sqlite", "instance")
        ready = json.loads(request("GET", base + "/readyz")[2])
        assert ready["index"]["store"] == "sqlite"
        assert ready["index"]["shared"] is True
        assert ready["index"]["scope"] == "instance"
    assert (tmp_path / "state" / "index.sqlite3").exists()


def test_a_query_id_longer_than_the_limit_is_refused_whatever_the_body(tmp_path: Path) -> None:
    # Found by schemathesis: the document bounds the query's id for every request, and a
    # JSON body (whose own id is used) let a longer one through with 200.
    client = create_app(Settings(index_path=str(tmp_path / "ix.sqlite3"))).test_client()
    long_id = "0" * (MAX_ID_LENGTH + 1)
    answer = client.post(f"/clean?id={long_id}", json={"text": "A body."})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "bad_field"
    assert client.post(f"/clean?id={'0' * MAX_ID_LENGTH}", json={"text": "A body."}
                       ).status_code == 200
