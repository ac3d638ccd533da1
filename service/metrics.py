"""Prometheus metrics, correct across gunicorn's worker processes.

Under gunicorn, `gunicorn.conf.py` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder
before the workers start; each worker writes its samples there and ``/metrics`` adds up
every worker's. Without it (the Flask test client, a plain `python -m`), the metrics of the
one process are served.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from cleaning import CleanResult

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


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
