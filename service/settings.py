"""The service's settings: read once from the environment into a typed, frozen object.

Every setting has a default, so `newsclean serve` runs with no configuration at all, and
every setting has a row in the README's configuration table (a test checks it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

#: Environment variable for each field, and the text that documents it.
ENV = {
    "max_body_bytes": ("NEWSCLEAN_MAX_BODY_BYTES",
                       "Largest request body accepted, in bytes; larger gets 413."),
    "max_batch_items": ("NEWSCLEAN_MAX_BATCH_ITEMS",
                        "Most articles in one /clean/batch request; more gets 413."),
    "max_lines": ("NEWSCLEAN_MAX_LINES",
                  "Most lines in one article; more gets 413 (memory grows with lines)."),
    "article_timeout": ("NEWSCLEAN_ARTICLE_TIMEOUT",
                        "Processor seconds one article may take; past it, 422 `too_slow` "
                        "(the same on every try: not to be retried)."),
    "request_timeout": ("NEWSCLEAN_REQUEST_TIMEOUT",
                        "Processor seconds one request may take, all its articles together; "
                        "batch items past it answer 503 `request_time_spent` (send again)."),
    "read_timeout": ("NEWSCLEAN_READ_TIMEOUT",
                     "Seconds a client may take to send a request's head, and again its "
                     "body; past either, 408."),
    "send_timeout": ("NEWSCLEAN_SEND_TIMEOUT",
                     "Seconds a client may take to read each write of its answer (a whole "
                     "answer, or a line of a streamed batch); past it, the connection is "
                     "closed and the answer's memory freed."),
    "queue_depth": ("NEWSCLEAN_QUEUE_DEPTH",
                    "Requests that may wait per worker for the article being cleaned; "
                    "more get 503 with Retry-After."),
    "queue_timeout": ("NEWSCLEAN_QUEUE_TIMEOUT",
                      "Seconds a request may wait for its turn; longer gets 503 with "
                      "Retry-After."),
    "bind": ("NEWSCLEAN_BIND", "Address gunicorn listens on (`newsclean serve --bind`)."),
    "workers": ("WEB_CONCURRENCY", "gunicorn worker processes (`newsclean serve --workers`)."),
    "connections": ("NEWSCLEAN_CONNECTIONS",
                    "Connections each worker serves at once (slow clients, kept-alive ones "
                    "and probes alike); past it, new ones wait to be accepted."),
    "worker_timeout": ("NEWSCLEAN_WORKER_TIMEOUT",
                       "Seconds before gunicorn restarts a worker whose event loop is stuck."),
    "graceful_timeout": ("NEWSCLEAN_GRACEFUL_TIMEOUT",
                         "Seconds a stopping worker has to finish its requests; keep it "
                         "below the orchestrator's stop timeout."),
    "log_level": ("NEWSCLEAN_LOG_LEVEL", "Log level of the error log: debug, info, warning."),
    "api_keys": ("NEWSCLEAN_API_KEYS",
                 "Comma-separated API keys; when set, `/clean*` and `/index*` need "
                 "`Authorization: Bearer KEY` (401 otherwise). Empty: open."),
    "metrics_need_key": ("NEWSCLEAN_METRICS_NEED_KEY",
                         "`true`: `/metrics` needs an API key too (health and readiness "
                         "never do)."),
    "redis_url": ("REDIS_URL",
                  "Redis for the cross-article index, shared by every server pointed at it; "
                  "empty: a SQLite file every worker of this server shares."),
    "playground": ("NEWSCLEAN_PLAYGROUND",
                   "Serve the playground page at / (turn it off in production if unwanted)."),
    "redis_cluster": ("NEWSCLEAN_REDIS_CLUSTER",
                      "REDIS_URL is a node of a Redis Cluster: use the cluster client."),
    "index_prefix": ("NEWSCLEAN_INDEX_PREFIX",
                     "Prefix of every key of the index (in Redis, or in the SQLite file)."),
    "index_shards": ("NEWSCLEAN_INDEX_SHARDS",
                     "Hashes the buckets of one time bucket (a day) are spread over: at "
                     "least a day's articles x 20 / 512, so that each stays compact."),
    "index_retention_days": ("NEWSCLEAN_INDEX_RETENTION_DAYS",
                             "Days an indexed article keeps matching."),
    "index_threshold": ("NEWSCLEAN_INDEX_THRESHOLD",
                        "Jaccard similarity from which two articles carry the same story."),
    "index_path": ("NEWSCLEAN_INDEX_PATH",
                   "Without REDIS_URL: the SQLite file of the index, shared by every worker; "
                   "empty: `$TMPDIR/newsclean-UID/index.sqlite3`. Put it on a volume to "
                   "keep the index across restarts."),
    "redis_timeout": ("NEWSCLEAN_REDIS_TIMEOUT",
                      "Seconds a Redis call may take before the index counts as unavailable."),
}


class SettingsError(ValueError):
    """An environment variable holds a value of the wrong type or range."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The service's settings; see `ENV` for the variable that sets each one."""

    max_body_bytes: int = 5 * 1024 * 1024
    max_batch_items: int = 1000
    #: Memory follows the number of lines, not of bytes (each line costs a few objects):
    #: 2.5 million one-letter lines took 2.3 GB. No article has 100,000 lines; at that
    #: bound the worst case measured stays under ~100 MB (README, "Limits and memory").
    max_lines: int = 100_000
    #: A 3 MB article takes about a second to clean: ten is far past any real article.
    article_timeout: float = 10.0
    request_timeout: float = 20.0
    read_timeout: float = 10.0
    #: 30 s takes a 5 MB answer at 170 KB/s; a client that does not read at all holds
    #: its answer (several times its article: 5.3 MB for 1 MB printed twice, with its
    #: diff) no longer than that.
    send_timeout: float = 30.0
    #: A request waiting behind 32 articles of 5 KB waits ~15 ms, so a pipeline's 32
    #: connections are served, not refused; more are refused at once (503), not queued.
    queue_depth: int = 32
    queue_timeout: float = 5.0
    bind: str = "127.0.0.1:8000"
    workers: int = 2
    #: A connection is a greenlet of the worker's event loop (a few KB, and one open
    #: file): 2,000 per worker leave room for the issue's 1,000 slow clients on one
    #: worker, and the probes and the pipelines beside them.
    connections: int = 2000
    worker_timeout: int = 30
    #: Longer than any request (REQUEST_TIMEOUT of CPU), shorter than the 30 s Kubernetes
    #: gives a pod to stop (Docker gives 10 s: run it with ``--stop-timeout 30``).
    graceful_timeout: int = 25
    log_level: str = "info"
    #: Never shown: not in the repr, so no log line or traceback can carry a key.
    api_keys: str = field(default="", repr=False)
    metrics_need_key: bool = False
    redis_url: str = ""
    playground: bool = True
    redis_cluster: bool = False
    index_prefix: str = "newsclean"
    #: Redis keeps a hash of up to 512 fields (hash-max-listpack-entries) compact; 20 bands
    #: an article, so 4,096 shards keep ~100,000 articles a day (700,000 a week) compact.
    #: More a day need more (the README's sizing); fewer waste little.
    index_shards: int = 4096
    index_retention_days: float = 7.0
    index_threshold: float = 0.7
    redis_timeout: float = 0.25
    #: Empty: `newsindex.sqlite.default_path()`, in the temporary directory.
    index_path: str = ""

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_batch_items", "max_lines", "workers",
                     "worker_timeout", "connections", "graceful_timeout", "index_shards"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{ENV[name][0]} must be at least 1")
        if not 0 <= self.queue_depth < self.connections:
            raise SettingsError("NEWSCLEAN_QUEUE_DEPTH must be at least 0 and below "
                                "NEWSCLEAN_CONNECTIONS, so that connections stay free for "
                                "probes")
        for name in ("article_timeout", "request_timeout", "read_timeout", "send_timeout",
                     "queue_timeout",
                     "index_retention_days", "redis_timeout"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{ENV[name][0]} must be above 0")
        if not 0 < self.index_threshold <= 1:
            raise SettingsError("NEWSCLEAN_INDEX_THRESHOLD must be above 0 and at most 1")
        if self.request_timeout <= self.article_timeout:
            raise SettingsError("NEWSCLEAN_REQUEST_TIMEOUT must be above "
                                "NEWSCLEAN_ARTICLE_TIMEOUT: a request holds one article and "
                                "reads it first")

    @cached_property  # read on every request: parsed once
    def keys(self) -> tuple[bytes, ...]:
        """The API keys, as bytes for a constant-time comparison; empty: no key needed."""
        return tuple(key.strip().encode() for key in self.api_keys.split(",") if key.strip())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from environment variables; unset or empty ones keep their default.

        >>> Settings.from_env({"WEB_CONCURRENCY": "4"}).workers
        4
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(ENV[f.name][0], "").strip()
            if not raw:
                continue
            kind: Any = type(f.default)
            try:
                values[f.name] = _boolean(raw) if kind is bool else kind(raw)
            except ValueError:
                raise SettingsError(
                    f"{ENV[f.name][0]}={raw!r} is not a {kind.__name__}") from None
        return cls(**values)


def _boolean(raw: str) -> bool:
    """``true``/``false`` (also 1/0, yes/no, on/off) as a bool."""
    value = raw.lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise ValueError(raw)
