"""The service's settings: read once from the environment into a typed, frozen object.

Every setting has a default, so `newsclean serve` runs with no configuration at all, and
every setting has a row in the README's configuration table (a test checks it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

#: Environment variable for each field, and the text that documents it.
ENV = {
    "max_body_bytes": ("NEWSCLEAN_MAX_BODY_BYTES",
                       "Largest request body accepted, in bytes; larger gets 413."),
    "max_batch_items": ("NEWSCLEAN_MAX_BATCH_ITEMS",
                        "Most articles in one /clean/batch request; more gets 413."),
    "max_lines": ("NEWSCLEAN_MAX_LINES",
                  "Most lines in one article; more gets 413 (memory grows with lines)."),
    "request_timeout": ("NEWSCLEAN_REQUEST_TIMEOUT",
                        "Seconds one article may take before the request answers 503."),
    "bind": ("NEWSCLEAN_BIND", "Address gunicorn listens on (`newsclean serve --bind`)."),
    "workers": ("WEB_CONCURRENCY", "gunicorn worker processes (`newsclean serve --workers`)."),
    "worker_timeout": ("NEWSCLEAN_WORKER_TIMEOUT",
                       "Seconds before gunicorn restarts a silent worker."),
    "log_level": ("NEWSCLEAN_LOG_LEVEL", "Log level of the error log: debug, info, warning."),
    "redis_url": ("REDIS_URL",
                  "Redis for the shared cross-article index; empty uses an in-process store."),
    "index_prefix": ("NEWSCLEAN_INDEX_PREFIX", "Prefix of every Redis key of the index."),
    "index_retention_days": ("NEWSCLEAN_INDEX_RETENTION_DAYS",
                             "Days an indexed article keeps matching."),
    "index_threshold": ("NEWSCLEAN_INDEX_THRESHOLD",
                        "Jaccard similarity from which two articles carry the same story."),
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
    request_timeout: float = 10.0
    bind: str = "127.0.0.1:8000"
    workers: int = 2
    worker_timeout: int = 30
    log_level: str = "info"
    redis_url: str = ""
    index_prefix: str = "newsclean"
    index_retention_days: float = 7.0
    index_threshold: float = 0.7
    redis_timeout: float = 0.25

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_batch_items", "max_lines", "workers",
                     "worker_timeout"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{ENV[name][0]} must be at least 1")
        for name in ("request_timeout", "index_retention_days", "redis_timeout"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{ENV[name][0]} must be above 0")
        if not 0 < self.index_threshold <= 1:
            raise SettingsError("NEWSCLEAN_INDEX_THRESHOLD must be above 0 and at most 1")
        if self.request_timeout >= self.worker_timeout:
            raise SettingsError("NEWSCLEAN_REQUEST_TIMEOUT must be below NEWSCLEAN_WORKER_TIMEOUT, "
                                "so that a slow request answers before gunicorn kills its worker")

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
                values[f.name] = kind(raw)
            except ValueError:
                raise SettingsError(
                    f"{ENV[f.name][0]}={raw!r} is not a {kind.__name__}") from None
        return cls(**values)
