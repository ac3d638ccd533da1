"""Prometheus metrics, correct across gunicorn's worker processes.

Under gunicorn, `gunicorn.conf.py` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder
before the workers start; each worker writes its samples there and ``/metrics`` adds up
every worker's. Without it (the Flask test client, a plain `python -m`), the metrics of the
one process are served.
"""

from __future__ import annotations

import os
import platform
import resource
import time
from importlib.metadata import version
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from cleaning import CleanResult
from newsclean._version import __version__

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
#: Body sizes, 256 B to 64 MB by fours: an article is a few KB, a batch up to the body limit.
SIZE_BUCKETS = tuple(float(256 * 4**n) for n in range(10))
#: A worker's resident memory is read at most this often (from /proc, ~10 us).
RSS_EVERY = 1.0


class Metrics:
    """The service's metrics, registered in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("newsclean_http_requests_total", "HTTP requests answered.",
                                ["method", "endpoint", "status"], registry=self.registry)
        self.latency = Histogram("newsclean_http_request_duration_seconds",
                                 "Time to answer an HTTP request.", ["endpoint"],
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.errors = Counter("newsclean_errors_total", "Error answers, by error code.",
                              ["code"], registry=self.registry)
        self.articles = Counter("newsclean_articles_total", "Articles cleaned.",
                                registry=self.registry)
        self.removed = Counter("newsclean_blocks_removed_total", "Blocks removed, by kind.",
                               ["kind"], registry=self.registry)
        self.fixes = Counter("newsclean_fixes_total", "Repairs made, by step.", ["step"],
                             registry=self.registry)
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.index = Counter("newsclean_index_requests_total",
                             "Cross-article index calls, by outcome.", ["status"],
                             registry=self.registry)
        self.bad_records = Counter("newsclean_index_bad_records_total",
                                   "Stored index records skipped because they are no "
                                   "record (cut short, or not written by newsclean).",
                                   registry=self.registry)
        self.store_latency = Histogram("newsclean_index_store_seconds",
                                       "Time of each call to the index's store, by "
                                       "operation.", ["operation"], buckets=LATENCY_BUCKETS,
                                       registry=self.registry)
        self.in_flight = Gauge("newsclean_http_requests_in_flight",
                               "Requests being answered now, all workers.",
                               multiprocess_mode="livesum", registry=self.registry)
        self.request_size = Histogram("newsclean_http_request_size_bytes",
                                      "Request body sizes (with a Content-Length).",
                                      ["endpoint"], buckets=SIZE_BUCKETS, registry=self.registry)
        self.response_size = Histogram("newsclean_http_response_size_bytes",
                                       "Response body sizes (not streamed ones).",
                                       ["endpoint"], buckets=SIZE_BUCKETS,
                                       registry=self.registry)
        self.rss = Gauge("newsclean_worker_resident_memory_bytes",
                         "Resident memory of each worker process (label pid under gunicorn), "
                         "read as it answers requests, at most every second.",
                         multiprocess_mode="liveall", registry=self.registry)
        self._rss_at = 0.0
        self.observe_memory()  # each worker builds its own app: its value from the start
        build = Gauge("newsclean_build_info", "The running build: always 1, its versions as "
                      "labels.", ["version", "ftfy", "datasketch", "python"],
                      multiprocess_mode="max", registry=self.registry)
        build.labels(__version__, version("ftfy"), version("datasketch"),
                     platform.python_version()).set(1)

    def observe_sizes(self, endpoint: str, request_bytes: int | None,
                      response_bytes: int | None) -> None:
        if request_bytes is not None:
            self.request_size.labels(endpoint).observe(request_bytes)
        if response_bytes is not None:
            self.response_size.labels(endpoint).observe(response_bytes)

    def observe_memory(self) -> None:
        """This worker's resident memory, read at most every RSS_EVERY seconds."""
        clock = time.monotonic()
        if clock - self._rss_at < RSS_EVERY:
            return
        self._rss_at = clock
        self.rss.set(resident_bytes())

    def observe_request(self, method: str, endpoint: str, status: int, seconds: float) -> None:
        """Count one answered request, with label children looked up once each. A method
        token that HTTP does not define is labelled "other": clients choose it, and a
        label value per token would let them make series without bound."""
        method = method if method in KNOWN_METHODS else "other"
        key = (method, endpoint, status)
        children = self._children.get(key)
        if children is None:
            children = (self.requests.labels(method, endpoint, str(status)),
                        self.latency.labels(endpoint))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def observe_slow_head(self, seconds: float) -> None:
        """Count a request whose head did not arrive in time, answered 408 by the worker
        before the app saw it (so its method and endpoint are unknown)."""
        self.observe_request("", "unmatched", 408, seconds)
        self.errors.labels("slow_request").inc()

    def observe_result(self, result: CleanResult) -> None:
        self.articles.inc()
        for removal in result.removed:
            self.removed.labels(removal.kind).inc()
        for fix in result.fixes:
            self.fixes.labels(fix.step).inc()

    def render(self) -> tuple[bytes, str]:
        """The exposition text: every worker's samples when running under gunicorn."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def resident_bytes() -> int:
    """This process's resident memory now (Linux), else its peak."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
