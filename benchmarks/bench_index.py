#!/usr/bin/env python3
"""Scale of the cross-article index on Redis: latency, throughput and memory by index size.

    python benchmarks/bench_index.py [--redis URL] [--sizes 10000,50000,100000,200000]

The index is filled with synthetic unrelated articles (random 300-shingle fingerprints, the
size of a ~600-word story) through datasketch's own insertion sessions, under a key prefix of
this run's, which is deleted at the end. At each size, the real service (gunicorn, 2 workers,
REDIS_URL set) takes real ~5 KB articles from ../shared/corpus with an index request that
queries and adds them, from 8 concurrent clients on loopback: p50/p99 latency, requests per
second, and Redis memory per indexed article (`INFO memory` before and after). From the
largest size it estimates what 10 million articles need.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import corpus_articles, emit  # noqa: E402

from cleaning import CleanConfig, MinHashFactory  # noqa: E402
from service.index import BANDS, NUM_PERM, ROWS, RedisStore, pack  # noqa: E402
from tests.server import BIN, post_json, running  # noqa: E402

NAMESPACE = "bench"


def preload(store: RedisStore, start: int, stop: int, rng: np.random.Generator) -> None:
    factory = MinHashFactory(CleanConfig(num_perm=NUM_PERM, lsh_bands=BANDS, lsh_rows=ROWS))
    lsh = store.lsh(NAMESPACE)
    now = time.time()
    for chunk in range(start, stop, 2000):
        ids = [f"syn-{k}" for k in range(chunk, min(stop, chunk + 2000))]
        groups = [rng.integers(0, 2**32, 300, dtype=np.uint64).tolist() for _ in ids]
        sigs = factory.signatures(groups)
        with lsh.insertion_session(buffer_size=20000) as session:
            for ident, sig in zip(ids, sigs, strict=True):
                session.insert(ident, sig, check_duplication=False)
        pipe = store.client.pipeline(transaction=False)
        for ident, sig in zip(ids, sigs, strict=True):
            pipe.hset(store.key(NAMESPACE, "sig"), ident, pack(sig, 300))
            pipe.zadd(store.key(NAMESPACE, "seen"), {ident: now})
        pipe.execute()


def measure(base: str, texts: list[str], size: int, requests: int) -> dict[str, float]:
    def one(k: int) -> float:
        payload = {"text": texts[k % len(texts)], "id": f"live-{size}-{k}", "diff": False,
                   "index": {"namespace": NAMESPACE, "mode": "add"}}
        started = time.perf_counter()
        status, body = post_json(base + "/clean", payload)
        elapsed = time.perf_counter() - started
        if status != 200 or body["index"]["status"] != "ok":
            raise RuntimeError(f"request failed: {status} {body.get('index')}")
        return elapsed

    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        times = sorted(pool.map(one, range(requests)))
    wall = time.perf_counter() - started
    return {"p50": 1000 * statistics.median(times), "p99": 1000 * times[int(0.99 * len(times))],
            "rps": requests / wall}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--sizes", default="10000,50000,100000,200000")
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--report", type=Path)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    prefix = f"ncbench-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(args.redis)
    client.ping()
    store = RedisStore(args.redis, prefix, timeout=30)
    rng = np.random.default_rng(1859)
    texts = corpus_articles(3000, 8000, 200)
    rows, per_article = [], 0.0
    baseline = int(client.info("memory")["used_memory"])
    env = {"REDIS_URL": args.redis, "NEWSCLEAN_INDEX_PREFIX": prefix, "WEB_CONCURRENCY": "2",
           "NEWSCLEAN_LOG_LEVEL": "warning", "NEWSCLEAN_REDIS_TIMEOUT": "2"}
    try:
        with running([str(BIN / "newsclean"), "serve"], env) as base:
            loaded = 0
            for size in sizes:
                t0 = time.perf_counter()
                preload(store, loaded, size, rng)
                fill = time.perf_counter() - t0
                loaded = size
                used = int(client.info("memory")["used_memory"]) - baseline
                per_article = used / size
                m = measure(base, texts, size, args.requests)
                rows.append(f"| {size:,} | {m['p50']:.2f} | {m['p99']:.2f} | {m['rps']:.0f} | "
                            f"{used / 2**20:.0f} MiB | {per_article:.0f} B | {fill:.0f} s |")
                print(rows[-1], flush=True)
    finally:
        keys = list(client.scan_iter(f"{prefix}*", count=10_000))
        for k in range(0, len(keys), 10_000):
            client.delete(*keys[k:k + 10_000])
    estimate = per_article * 10_000_000
    report = "\n".join([
        "# Cross-article index benchmark", "",
        f"Redis {client.info('server')['redis_version']} on loopback; newsclean with 2 gunicorn "
        f"workers; 8 concurrent clients, {args.requests} requests per size, each a real article "
        "of 3-8 KB cleaned, queried against the index and added to it (diff left out).", "",
        "| indexed articles | p50 ms | p99 ms | requests/s | Redis memory | per article | "
        "fill time |", "|---|---|---|---|---|---|---|", *rows, "",
        f"At {per_article:.0f} bytes per article, 10 million articles need about "
        f"{estimate / 2**30:.1f} GiB of Redis memory, before replication.", ""])
    return emit(report, args.report)


if __name__ == "__main__":
    sys.exit(main())
