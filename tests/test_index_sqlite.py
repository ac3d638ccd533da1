"""The embedded default store (newsindex.sqlite): one file for every worker process of a
server, with Redis' expiry, several processes writing at once, and a bad record skipped."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import subprocess
import time
from pathlib import Path

from cleaning import clean
from newsindex.index import Indexer, IndexRequest, fingerprint, index_factory
from newsindex.sqlite import SqliteStore
from service import Settings, create_app
from tests.server import BIN
from tests.test_index import OTHER_STORY_SAME_EVENT, STORY, article


def indexer(path: Path, **settings: object) -> Indexer:
    return Indexer(Settings(index_path=str(path), **settings))  # type: ignore[arg-type]


def test_articles_leave_the_window_and_their_keys_are_reclaimed(tmp_path: Path) -> None:
    ix = indexer(tmp_path / "ix.sqlite3", index_retention_days=1.5 / 86400)
    store = ix.store
    assert isinstance(store, SqliteStore)
    store.SWEEP_EVERY = 0.0
    text = clean(article("Harbour plan", STORY))
    ix.handle(IndexRequest("short", "old", True), text)
    assert ix.stats("short")["articles"] == 1
    keys = store.hashes.expiries()  # type: ignore[attr-defined]
    assert len(keys) == 3 + 20 + 2  # ids, records, span, a shard a band; counter, generations
    assert all(at is not None and 0 < at - time.time() <= 4 for at in keys.values())
    time.sleep(1.6)
    assert ix.handle(IndexRequest("short", "new", False), text)["matches"] == []

    def left() -> list[str]:
        return [k for k in store.hashes.expiries() if "{short}" in k]  # type: ignore[attr-defined]

    deadline = time.monotonic() + 10  # the last key goes a bucket and a second later
    while left() and time.monotonic() < deadline:
        ix.handle(IndexRequest("other", "x", True), text)  # writers sweep
        time.sleep(0.2)
    assert left() == []  # reclaimed: no row of the namespace is left in the file
    assert ix.stats("short")["articles"] == 0


def test_every_key_has_an_expiry(tmp_path: Path) -> None:
    ix = indexer(tmp_path / "ix.sqlite3")
    text = clean(article("Harbour plan", STORY))
    for n in range(3):
        ix.handle(IndexRequest(f"ns{n}", "a", True), text)
    found = fingerprint(index_factory(), text)
    assert found is not None
    ix.add_many("ns0", [("old", found[0], found[1], time.time() - 6 * 86400)])
    keys = ix.store.hashes.expiries()  # type: ignore[attr-defined]
    assert keys
    assert [k for k, at in keys.items() if at is None] == []


def add_some(job: tuple[str, int]) -> int:
    """One writer process: 30 adds and queries, each its own request."""
    path, worker = job
    ix = indexer(Path(path))
    text = clean(article("Harbour plan", STORY))
    statuses = [ix.handle(IndexRequest("busy", f"w{worker}-{n}", True), text)["status"]
                for n in range(30)]
    return statuses.count("ok")


def test_several_processes_write_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "ix.sqlite3")
    with multiprocessing.get_context("fork").Pool(4) as pool:
        oks = pool.map(add_some, [(path, w) for w in range(4)])
    assert oks == [30] * 4
    ix = indexer(Path(path))
    assert ix.stats("busy")["articles"] == 120
    found = ix.handle(IndexRequest("busy", "probe", False), clean(article("x", STORY)))
    assert len(found["matches"]) == 16  # MAX_CANDIDATES of the 120 copies
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_malformed_record_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "ix.sqlite3"
    web = create_app(Settings(index_path=str(path))).test_client()
    text = article("Harbour plan", STORY)
    for namespace, ident, body in (("hurt", "bad", text), ("hurt", "good", text),
                                   ("well", "one", text),
                                   ("hurt", "apart", article("R", OTHER_STORY_SAME_EVENT))):
        web.post("/clean", json={"text": body, "id": ident, "index": {"namespace": namespace}})
    with sqlite3.connect(path) as conn:
        (ids,) = conn.execute("SELECT key FROM hashes WHERE key LIKE '%{hurt}%:ids' "
                              "AND field = ?", (b"bad",)).fetchone()
        (number,) = conn.execute("SELECT value FROM hashes WHERE key = ? AND field = ?",
                                 (ids, b"bad")).fetchone()
        conn.execute("UPDATE hashes SET value = ? WHERE key = ? AND field = ?",
                     (b"\xff\x00", ids[:-3] + "rec", number))
    answers = [web.post("/clean", json={"text": text, "id": "p", "index": {
        "namespace": ns, "mode": "query"}}) for ns in ("hurt", "well", "hurt")]
    assert [[m["id"] for m in a.get_json()["index"]["matches"]] for a in answers] == [
        ["good"], ["one"], ["good"]]
    assert "newsclean_index_bad_records_total 2.0" in web.get("/metrics").get_data(
        as_text=True)
    assert web.get("/index/hurt/stats").get_json()["articles"] == 3


def test_an_unwritable_path_answers_unavailable_in_our_words(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    web = create_app(Settings(index_path=str(blocker / "ix.sqlite3"))).test_client()
    answer = web.post("/clean", json={"text": article("Harbour plan", STORY), "id": "a",
                                      "index": {}})
    assert answer.status_code == 200
    index = answer.get_json()["index"]
    assert index["status"] == "unavailable"
    ready = web.get("/readyz").get_json()
    assert ready["status"] == "degraded"
    stats = web.get("/index/default/stats")
    assert stats.status_code == 503
    for page in (answer.get_data(as_text=True), web.get("/readyz").get_data(as_text=True),
                 stats.get_data(as_text=True)):
        assert str(tmp_path) not in page
        assert "Error" not in page


def test_index_load_without_redis_fills_the_file_the_service_reads(tmp_path: Path) -> None:
    path = tmp_path / "ix.sqlite3"
    source = tmp_path / "articles.jsonl"
    source.write_text(json.dumps({"id": "loaded", "text": article("Harbour plan", STORY)})
                      + "\n", encoding="utf-8")
    env = {**os.environ, "REDIS_URL": "", "NEWSCLEAN_INDEX_PATH": str(path)}
    done = subprocess.run([str(BIN / "newsclean"), "index", "load", str(source),
                           "--namespace", "wire"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 article(s) added to wire" in done.stderr
    web = create_app(Settings(index_path=str(path))).test_client()
    answer = web.post("/clean", json={"text": article("Other headline", STORY), "id": "p",
                                      "index": {"namespace": "wire", "mode": "query"}})
    assert [m["id"] for m in answer.get_json()["index"]["matches"]] == ["loaded"]


def test_the_default_folder_must_be_this_user_s_alone(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)  # as another user's folder in /tmp could be
    store = SqliteStore(str(folder / "index.sqlite3"), private=True)
    ix = Indexer(Settings(index_path=str(folder / "index.sqlite3")), store=store)
    answer = ix.handle(IndexRequest("wire", "a", True), clean(article("Harbour plan", STORY)))
    assert answer["status"] == "unavailable"
    assert not (folder / "index.sqlite3").exists()
    folder.chmod(0o700)
    answer = ix.handle(IndexRequest("wire", "a", True), clean(article("Harbour plan", STORY)))
    assert answer["status"] == "ok"
