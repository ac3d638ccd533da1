#!/usr/bin/env python3
"""The embedded index store (a SQLite file every worker shares) at the store's level.

    python benchmarks/bench_index_sqlite.py [--size 20000] [--report FILE]

A fresh file in a temporary folder is filled with --size synthetic unrelated articles
(random signatures: each its own buckets, as unrelated stories are) by `Indexer.add_many`
in batches of 500, as `newsclean index load` sends them. Then what `/clean` asks of it, a
query with its add, is timed in one process, and in two processes at once (two workers:
they take turns at the file's write lock). Reported: file bytes per article, fill rate,
query-with-add per second and its p50/p99 latency. Cleaning an article of 5 KB costs a
worker a few milliseconds: the index's share is what this measures.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import emit  # noqa: E402

from newsindex.index import Indexer  # noqa: E402
from service import Settings  # noqa: E402

NAMESPACE = "bench"
#: Queries with their add timed per process.
QUERIES = 2000


def signatures(count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**32, size=(count, 100), dtype=np.uint32)


def fill(path: str, size: int) -> float:
    ix = Indexer(Settings(index_path=path))
    values = signatures(size, 1)
    started = time.perf_counter()
    for start in range(0, size, 500):
        ix.add_many(NAMESPACE, [(f"fill-{n}", 300, values[n], None)
                                for n in range(start, min(size, start + 500))])
    return time.perf_counter() - started


def queries(job: tuple[str, int]) -> list[float]:
    """One worker's queries with their add: each one's seconds."""
    path, worker = job
    ix = Indexer(Settings(index_path=path))
    values = signatures(QUERIES, 100 + worker)
    took = []
    for n in range(QUERIES):
        started = time.perf_counter()
        ix.query(NAMESPACE, f"q{worker}-{n}", 300, values[n], add=True)
        took.append(time.perf_counter() - started)
    return took


def run(path: str, workers: int) -> dict[str, float]:
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        took = [t for times in pool.map(queries, [(path, w) for w in range(workers)])
                for t in times]
    wall = time.perf_counter() - started
    return {"per_s": len(took) / wall, "p50_ms": 1000 * float(np.percentile(took, 50)),
            "p99_ms": 1000 * float(np.percentile(took, 99))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=20_000)
    ap.add_argument("--report", type=Path)
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="nc-bench-sqlite-")
    path = os.path.join(folder, "index.sqlite3")
    seconds = fill(path, args.size)
    database = os.path.getsize(path)
    rows: dict[str, Any] = {}
    for workers in (1, 2):
        rows[f"{workers} process(es)"] = run(path, workers)
    log = os.path.getsize(path + "-wal") if os.path.exists(path + "-wal") else 0
    lines = ["# The embedded index store (SQLite, WAL)", "",
             f"`python benchmarks/bench_index_sqlite.py --size {args.size}`; "
             f"{os.cpu_count()} cores, shared with other work; SQLite "
             f"{__import__('sqlite3').sqlite_version}.", "",
             f"Fill: {args.size:,} articles in {seconds:.1f} s "
             f"({args.size / seconds:,.0f} a second, batches of 500). The file: "
             f"{database / args.size:,.0f} bytes an article; its write-ahead log after the "
             f"run: {log / 2**20:.1f} MB.", "",
             f"A query with its add ({QUERIES:,} a process, on the filled index):", "",
             "| processes | per second, all | p50 ms | p99 ms |", "|---|---|---|---|"]
    for workers in (1, 2):
        row = rows[f"{workers} process(es)"]
        lines.append(f"| {workers} | {row['per_s']:,.0f} | {row['p50_ms']:.2f} | "
                     f"{row['p99_ms']:.2f} |")
    emit("\n".join(lines) + "\n", args.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
