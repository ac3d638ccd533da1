"""The index's own storage (newsindex.lsh): the Redis scripts and the in-process store give
the same answers, one round trip an article, parameter generations, and the bulk
commands (fingerprint, load, migrate) writing what the service reads."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import redis

from cleaning import clean
from newsindex.index import FINGERPRINT_SCHEME, Indexer, IndexRequest, fingerprint, index_factory
from newsindex.lsh import MemoryStore, RedisStore
from newsindex.sqlite import SqliteStore
from service import Settings
from tests.server import BIN, post_json, running
from tests.test_index import OTHER_STORY_SAME_EVENT, STORY, article

pytestmark = pytest.mark.redis

REDIS_URL = "redis://127.0.0.1:6379/0"


def variants() -> list[tuple[str, str]]:
    """(id, text): stories, their copies, and look-alikes, as an ingest stream has them."""
    out = [("orig", article("Harbour plan", STORY)),
           ("copy", article("Council backs homes", STORY, byline="By A. Writer")),
           ("other", article("Residents react", OTHER_STORY_SAME_EVENT)),
           ("cut", article("Harbour plan", STORY[:-1])),
           ("orig", article("Harbour plan, updated", STORY, footer="Updated at 5 p.m. with "
                            "the council's reply to questions from our reporters tonight."))]
    for n in range(12):
        words = [f"w{n}x{k}" for k in range(60)]
        out.append((f"noise-{n}", "\n\n".join(" ".join(words[i:i + 12])
                                               for i in range(0, 60, 12))))
    return out


def test_redis_sqlite_and_memory_stores_give_the_same_answers(prefix: str,
                                                              tmp_path: Path) -> None:
    on_redis = Indexer(Settings(redis_url=REDIS_URL, index_prefix=prefix))
    in_file = Indexer(Settings(index_prefix=prefix, index_path=str(tmp_path / "ix.sqlite3")))
    in_memory = Indexer(Settings(index_prefix=prefix), store=MemoryStore())
    assert isinstance(on_redis.store, RedisStore)
    assert isinstance(in_file.store, SqliteStore)
    stores = (on_redis, in_file, in_memory)
    for ident, text in variants():
        result = clean(text)
        for mode in (False, True):
            a, *others = [ix.handle(IndexRequest("same", ident, mode), result) for ix in stores]
            for answer in (a, *others):
                for match in answer["matches"]:
                    match.pop("seen")  # the stores were added to a moment apart
            assert others == [a, a], ident
    assert [ix.stats("same")["articles"] for ix in stores] == [16] * 3
    assert [ix.remove("same", "cut") for ix in stores] == [True] * 3
    assert [ix.remove("same", "cut") for ix in stores] == [False] * 3


def test_a_query_with_its_add_is_one_round_trip(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    ix = Indexer(Settings(redis_url=REDIS_URL, index_prefix=prefix))
    result = clean(article("Harbour plan", STORY))
    ix.handle(IndexRequest("trips", "warm", True), result)  # scripts loaded
    before = {k: v["calls"] for k, v in client.info("commandstats").items()}
    for n in range(20):
        ix.handle(IndexRequest("trips", f"a{n}", True), result)
    after = {k: v["calls"] for k, v in client.info("commandstats").items()}
    sent = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    # What the client sent: one script an article. Everything else counted in
    # commandstats (hget, hset, expireat...) ran inside it, on the server.
    assert sent.pop("cmdstat_evalsha") == 20
    assert set(sent) <= {"cmdstat_hget", "cmdstat_hset", "cmdstat_hsetnx", "cmdstat_incr",
                         "cmdstat_expireat", "cmdstat_pttl", "cmdstat_hdel", "cmdstat_info"}


def test_other_parameters_start_a_generation_of_their_own(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    old = Indexer(Settings(redis_url=REDIS_URL, index_prefix=prefix))
    new = Indexer(Settings(redis_url=REDIS_URL, index_prefix=prefix, index_shards=1024))
    result = clean(article("Harbour plan", STORY))
    old.handle(IndexRequest("gen", "a", True), result)
    answer = new.handle(IndexRequest("gen", "b", True), result)
    assert answer["status"] == "ok"
    assert answer["matches"] == []  # never compared with signatures of another shape
    generations = client.hgetall(f"{prefix}:{{gen}}:generations")
    assert set(generations) == {old.params.generation.encode(), new.params.generation.encode()}
    assert json.loads(generations[new.params.generation.encode()])["shards"] == 1024
    assert [m["id"] for m in old.handle(IndexRequest("gen", "c", False), result)["matches"]] \
        == ["a"]


def test_fingerprints_load_and_match_as_the_service_computes(
        tmp_path: Path, prefix: str, corpus: list[dict[str, Any]]) -> None:
    records = [{"id": f"c{n}", "title": a["title"],
                "text": "\n\n".join([str(a["title"]), *a["paragraphs"]])}  # type: ignore[misc]
               for n, a in enumerate(corpus[:60])]
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    prints = tmp_path / "prints.jsonl"
    env = {**os.environ, "REDIS_URL": REDIS_URL, "NEWSCLEAN_INDEX_PREFIX": prefix}
    subprocess.run([str(BIN / "newsclean"), "fingerprint", str(source), str(prints),
                    "--workers", "2"], check=True, env=env, capture_output=True, timeout=300)
    rows = [json.loads(line) for line in prints.read_text().splitlines()]
    for record, row in zip(records, rows, strict=True):
        found = fingerprint(index_factory(), clean(record["text"], title=record["title"]))
        if found is None:
            assert row["signature"] is None
            continue
        assert row["size"] == found[0]
        assert row["scheme"] == FINGERPRINT_SCHEME
        assert np.array_equal(np.frombuffer(base64.b64decode(row["signature"]), "<u4"),
                              found[1])
    done = subprocess.run([str(BIN / "newsclean"), "index", "load", str(prints),
                           "--namespace", "bulk"], env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    loaded = [r for r in rows if r["signature"]]
    assert f"{len(loaded)} article(s) added".encode() in done.stderr
    server_env = {"REDIS_URL": REDIS_URL, "NEWSCLEAN_INDEX_PREFIX": prefix,
                  "WEB_CONCURRENCY": "1"}
    with running([str(BIN / "newsclean"), "serve"], server_env) as base:
        for record in records[:20]:
            status, body = post_json(base + "/clean", {
                "text": record["text"], "title": record["title"], "id": "probe",
                "index": {"namespace": "bulk", "mode": "query"}})
            assert status == 200
            ids = [m["id"] for m in body["index"]["matches"]]
            if body["index"]["status"] == "ok" and any(r["id"] == record["id"] for r in loaded):
                assert record["id"] in ids
                same = next(m for m in body["index"]["matches"] if m["id"] == record["id"])
                assert same["similarity"] == 1.0


def test_fingerprints_of_another_scheme_are_refused(tmp_path: Path, prefix: str) -> None:
    # Signatures hashed another way (the first release's, or other parameters) match
    # nothing they should: loading them would fill the index with noise.
    signature = base64.b64encode(np.zeros(100, "<u4").tobytes()).decode()
    foreign = FINGERPRINT_SCHEME.replace("minhash-100", "minhash-128")
    rows = [{"line": 1, "id": "a", "size": 40, "signature": signature, "error": None},
            {"line": 2, "id": "b", "size": 40, "signature": signature, "scheme": foreign,
             "error": None}]  # the first as the first release wrote it: no scheme named
    prints = tmp_path / "prints.jsonl"
    prints.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    env = {**os.environ, "REDIS_URL": REDIS_URL, "NEWSCLEAN_INDEX_PREFIX": prefix}
    done = subprocess.run([str(BIN / "newsclean"), "index", "load", str(prints),
                           "--namespace", "foreign"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert f"line 2: a fingerprint of scheme {foreign!r}, and this version computes " \
           f"{FINGERPRINT_SCHEME!r}" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_index_in_the_old_layout_is_migrated(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    result = clean(article("Harbour plan", STORY))
    found = fingerprint(index_factory(), result)
    assert found is not None
    size, values = found
    old = f"{prefix}:{{wire}}"
    seen = time.time() - 3600
    client.hset(f"{old}:sig", "legacy", np.asarray([size, *values], dtype="<u4").tobytes())
    client.zadd(f"{old}:seen", {"legacy": seen})
    client.set(f"{old}:lsh_bucket_1", b"datasketch's")
    env = {**os.environ, "REDIS_URL": REDIS_URL, "NEWSCLEAN_INDEX_PREFIX": prefix}
    done = subprocess.run([str(BIN / "newsclean"), "index", "migrate", "--namespace", "wire",
                           "--delete-old"], env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert b"1 article(s) moved" in done.stderr
    ix = Indexer(Settings(redis_url=REDIS_URL, index_prefix=prefix))
    matches = ix.handle(IndexRequest("wire", "new", False), result)["matches"]
    assert [m["id"] for m in matches] == ["legacy"]
    assert abs(matches[0]["seen"] - seen) < 1e-3  # its time kept
    assert client.exists(f"{old}:sig", f"{old}:seen", f"{old}:lsh_bucket_1") == 0
