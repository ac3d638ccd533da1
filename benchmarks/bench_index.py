#!/usr/bin/env python3
"""The cross-article index on Redis, this layout against the one before it, in one run.

    python benchmarks/bench_index.py [--size 200000] [--old-rev 7517ee3] [--report FILE]

A private redis-server on a spare port (so its memory is the index's alone) holds, in
turn, the index of the code at --old-rev (datasketch's layout, run from a git worktree) and
of this checkout. For each: the index is filled with --size synthetic unrelated articles
(random 300-shingle fingerprints, a ~600-word story each; this layout's spread over the
retention window's days, as a week of ingest is), then the real service (gunicorn, 2
workers) takes real 3-8 KB articles from ../shared/corpus under wrk, 8 connections with
keep-alive, each request cleaning an article, querying the index and adding it under an id
of its own. Reported: requests/s, p50, p99; Redis memory per indexed article (INFO memory,
before and after the fill); Redis commands per request from INFO commandstats deltas, the
ones the client sent apart from those that ran inside this layout's scripts; and the same
service with the index off, the yardstick of the 70% target.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_http import wrk  # noqa: E402
from common import corpus_articles, emit  # noqa: E402

from newsindex.index import Indexer  # noqa: E402
from service import Settings  # noqa: E402
from tests.server import BIN, free_port, request, running  # noqa: E402

NAMESPACE = "bench"
DURATION = 10

#: Each request adds its article under an id no other request has: the run's tag, the
#: thread's number, the request's number.
LUA = """
local bodies = {%s}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tag", "%s-" .. threads)
end
local i = 0
request = function()
  i = i + 1
  local body = bodies[i %% #bodies + 1]:gsub("__ID__", tag .. "-" .. i)
  return wrk.format("POST", "/clean", {["Content-Type"] = "application/json"}, body)
end
"""

OLD_PRELOAD = """
import sys, numpy as np
sys.path[:0] = [{tree!r}, {tree!r} + "/benchmarks"]
from bench_index import preload
from service.index import RedisStore  # the old tree's layout
preload(RedisStore({url!r}, "newsclean", timeout=30), 0, {size}, np.random.default_rng(1859))
"""


def wrk_script(texts: list[str], index: bool, tag: str) -> str:
    bodies = []
    for text in texts:
        body: dict[str, object] = {"text": text, "diff": False}
        if index:
            body |= {"id": "__ID__", "index": {"namespace": NAMESPACE}}
        bodies.append("[==[" + json.dumps(body) + "]==]")
    return LUA % (",\n".join(bodies), tag)


def run_wrk(base: str, script: Path) -> dict[str, float]:
    return wrk(base + "/clean", 8, DURATION, str(script))


def preload_new(url: str, size: int) -> None:
    indexer = Indexer(Settings(redis_url=url, redis_timeout=30))
    rng = np.random.default_rng(1859)
    now = time.time()
    for start in range(0, size, 2000):
        count = min(size, start + 2000) - start
        groups = [rng.integers(0, 2**32, 300, dtype=np.uint64).tolist() for _ in range(count)]
        sigs = indexer.factory.signatures(groups)
        seen = now - rng.uniform(0, indexer.retention * 0.999, count)
        indexer.add_many(NAMESPACE, [
            (f"syn-{start + k}", 300, np.asarray(sig.hashvalues, dtype=np.uint32),
             float(seen[k])) for k, sig in enumerate(sigs)])


def commands(client: redis.Redis) -> dict[str, int]:
    stats = client.info("commandstats")
    return {k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in stats.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=200_000)
    ap.add_argument("--old-rev", default="7517ee3")
    ap.add_argument("--report", type=Path)
    args = ap.parse_args()
    texts = corpus_articles(3000, 8000, 200)
    folder = Path(tempfile.mkdtemp(prefix="nc-bench-index-"))
    tree = folder / "old"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree),
                    args.old_rev], check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port",
                               str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(folder)],
                              stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=600)  # a flush of 2 GB takes a while
    rows: dict[str, dict[str, Any]] = {}
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        for layout in ("old", "new"):
            client.flushall()
            baseline = int(client.info("memory")["used_memory"])
            started = time.perf_counter()
            if layout == "old":
                subprocess.run([sys.executable, "-c", OLD_PRELOAD.format(
                    tree=str(tree), url=url, size=args.size)], check=True)
            else:
                preload_new(url, args.size)
            fill = time.perf_counter() - started
            per_article = (int(client.info("memory")["used_memory"]) - baseline) / args.size
            env = {"REDIS_URL": url, "WEB_CONCURRENCY": "2", "NEWSCLEAN_REDIS_TIMEOUT": "2"}
            if layout == "old":
                env["PYTHONPATH"] = str(tree)
            with running([str(BIN / "newsclean"), "serve"], env,
                         cwd=tree if layout == "old" else ROOT) as base:
                script = folder / f"{layout}.lua"
                script.write_text(wrk_script(texts, index=True, tag="warm"))
                run_wrk(base, script)  # warm: scripts loaded, connections open
                script.write_text(wrk_script(texts, index=True, tag="run"))
                before_stats = json.loads(request("GET", f"{base}/index/{NAMESPACE}/stats")[2])
                before = commands(client)
                measured = run_wrk(base, script)
                after = commands(client)
                stats = json.loads(request("GET", f"{base}/index/{NAMESPACE}/stats")[2])
                served = stats["articles"] - before_stats["articles"]
                if layout == "new":
                    plain = folder / "plain.lua"
                    plain.write_text(wrk_script(texts, index=False, tag="off"))
                    rows["off"] = {**run_wrk(base, plain)}
            delta = {k: after[k] - before.get(k, 0) for k in after
                     if after[k] - before.get(k, 0) > 0 and not k.startswith(("info", "config"))}
            rows[layout] = {**measured, "per_article": per_article, "fill": fill,
                            "served": served, "commands": delta}
            print(layout, rows[layout], flush=True)
    finally:
        client.shutdown(nosave=True)
        server.wait(timeout=10)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    return emit(report(rows, args, redis_version(client)), args.report)


def redis_version(client: redis.Redis) -> str:
    try:
        return str(client.info("server")["redis_version"])
    except redis.RedisError:
        return "7"


def report(rows: dict[str, dict[str, Any]], args: argparse.Namespace, version: str) -> str:
    def per_request(row: dict[str, Any], names: set[str] | None = None) -> float:
        counts: dict[str, int] = row["commands"]
        total = sum(v for k, v in counts.items() if names is None or k in names)
        return total / max(1, int(row["requests"]))

    old, new, off = rows["old"], rows["new"], rows["off"]
    lines = [
        "# Cross-article index benchmark", "",
        f"Redis {version}, private, on loopback; newsclean with 2 gunicorn workers; wrk, 8 "
        f"connections with keep-alive, {DURATION} s per row; {args.size:,} articles indexed "
        f"before each measured run; the old layout is the code at {args.old_rev}. "
        f"`python benchmarks/bench_index.py --size {args.size}`.", "",
        "| layout | requests/s | p50 ms | p99 ms | Redis memory per article | fill time | "
        "commands per request (client sent) | commands per request (all, scripts' own "
        "included) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row, sent in (("datasketch's (before)", old, None),
                            ("newsindex.lsh (now)", new, {"evalsha", "eval"})):
        lines.append(
            f"| {name} | {row['rps']:.0f} | {row['p50']:.2f} | {row['p99']:.2f} | "
            f"{row['per_article']:.0f} B | {row['fill']:.0f} s | "
            f"{per_request(row, sent):.1f} | {per_request(row):.1f} |")
    lines += [
        f"| index off (same service) | {off['rps']:.0f} | {off['p50']:.2f} | "
        f"{off['p99']:.2f} | | | | |", "",
        f"With the index, the service serves **{100 * new['rps'] / off['rps']:.0f}%** "
        f"of its requests/s without it (before: "
        f"{100 * float(old['rps']) / float(off['rps']):.0f}%). Every request's article was "
        f"added: the namespace grew by {new['served']:,} articles for {new['requests']:,.0f} "
        f"requests now, by {old['served']:,} for {old['requests']:,.0f} before.", "",
        "Commands by name, per request, now: " + ", ".join(
            f"{k} {v / max(1, int(new['requests'])):.1f}"
            for k, v in sorted(new["commands"].items(), key=lambda kv: -kv[1])) + ".",
        "Before: " + ", ".join(
            f"{k} {v / max(1, int(old['requests'])):.1f}"
            for k, v in sorted(old["commands"].items(), key=lambda kv: -kv[1])) + ".", "",
        f"At {float(new['per_article']):.0f} bytes an article, 10 million articles in the "
        f"window need about {float(new['per_article']) * 1e7 / 2**30:.1f} GiB of Redis "
        f"memory, before replication (before: "
        f"{float(old['per_article']) * 1e7 / 2**30:.1f} GiB).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
